"""What a case worker or manager can do to a case beyond deciding its gate: hold, resume, withdraw, reopen.

(Stub agreed before the work: implemented by the #17 lifecycle work.)
"""

from passage.services.timeline import CaseView


def actions(user: str, view: CaseView) -> None:
    """The case page's actions for `view`, as far as `user` may take them."""
    del user, view


def bulk_bar(user: str, refs: list[str]) -> None:
    """Hold or resume the cases `refs` (the Cases page's selection) at once."""
    del user, refs
