"""Amend a case's persons: correct one, add one (a newborn), remove one (a member who stays behind).

(Stub agreed before the work: implemented by the #17 amend work.)
"""

from passage.services.timeline import CaseView


def amend_panel(user: str, view: CaseView) -> None:
    """The case page's amend section for `view`, as far as `user` may amend it."""
    del user, view
