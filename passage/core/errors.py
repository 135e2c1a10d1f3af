"""Errors a user may see: each carries a one-line reason, and field errors where a form was wrong."""

from datetime import datetime

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from passage.core.i18n import local


class PassageError(Exception):
    """A refusal with a reason fit to show a user.

    The reason is a template and its values (`NotFound("no case '{ref}'", ref=ref)`): `str()` is the
    English sentence, and the inbox looks the template up in the reader's language (ui/i18n.py). A moment
    among the values reads on the office's clock, as every time a person is shown (storage stays UTC).
    """

    def __init__(self, template: str = "", /, **values: object) -> None:
        self.template = template
        self.values = {name: local(value) if isinstance(value, datetime) else value for name, value in values.items()}
        super().__init__(template.format(**self.values) if values else template)


class NotFound(PassageError):
    pass


class NotPermitted(PassageError):
    pass


class TaskNotOpen(PassageError):
    pass


class QuotaExceeded(PassageError):
    pass


class BudgetExceeded(PassageError):
    pass


class CaseOnHold(PassageError):
    """The case is on hold: its tasks wait, undecided, until a programme manager resumes it."""


class CaseNotOpen(PassageError):
    """An action that needs an open case (or a closed one, to reopen) met a case in another state."""


class FormInvalid(PassageError):
    """A form failed validation; `fields` maps each field to its reason."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in fields.items()))

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "FormInvalid":
        fields: dict[str, str] = {}
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"]) or "form"
            # An unknown key may hold a lone surrogate (JSON allows "\udc80"), which no output can encode.
            name = name.encode("utf-8", "backslashreplace").decode("utf-8")
            fields.setdefault(name, reason_of(err))
        return cls(fields)


def reason_of(err: ErrorDetails) -> str:
    """A validation error's sentence: pydantic prefixes a validator's own message with "Value error, ",
    which tells the reader nothing."""
    return err["msg"].removeprefix("Value error, ")


class DuplicateCase(PassageError):
    """The programme already has a case with this external reference (`existing`: that case's ref)."""

    def __init__(self, template: str = "", /, *, existing: str, **values: object) -> None:
        self.existing = existing
        super().__init__(template, existing=existing, **values)


class LikelyDuplicates(PassageError):
    """People of the new case look like people of existing cases; opening needs a confirmation.

    `matches` holds one passage.services.duplicates.DuplicateMatch per pair (only cases the user may see).
    """

    def __init__(self, matches: list[object]) -> None:
        self.matches = matches
        super().__init__("{count} possible duplicate(s) found; confirm to open the case anyway", count=len(matches))
