"""Where a case file keeps its persons, and an amendment's edit of them there, validated as a whole.

A programme's intake holds its persons in fields of `PersonBase` models: one person (the family
reunification's sponsor, a diaspora expert) or a list (`persons`, `members`). In the intake's field order
they are the persons `Intake.people()` gives, one `Person` row each, so the n-th row is the n-th place
found here. A person is added at the end of the last list (and their row after the last row), which keeps
that order.
"""

import copy
import typing
from typing import Any

from pydantic import TypeAdapter, ValidationError

from models import PersonBase
from passage.core.errors import FormInvalid
from passage.programme import Intake

Place = tuple[str, int | None]  # a field of the case file, and the place in it if it is a list


def person_fields(intake: type[Intake]) -> list[tuple[str, type[PersonBase], bool]]:
    """The intake's fields that hold persons, in its order: each with its person model and whether it is a list."""
    found = []
    for name, field in intake.model_fields.items():
        annotation = field.annotation
        listed = typing.get_origin(annotation) is list
        model = typing.get_args(annotation)[0] if listed else annotation
        if isinstance(model, type) and issubclass(model, PersonBase):
            found.append((name, model, listed))
    return found


def person_model(intake: type[Intake], place: Place) -> type[PersonBase]:
    """The model of the person at `place` (e.g. a family member, with their relationship)."""
    return next(model for name, model, _listed in person_fields(intake) if name == place[0])


def newcomers(intake: type[Intake]) -> str | None:
    """The list a person added to the case joins (the last list of persons); None where there is none."""
    lists = [name for name, _model, listed in person_fields(intake) if listed]
    return lists[-1] if lists else None


def places(intake: type[Intake], data: dict[str, Any]) -> list[Place]:
    """Where each person of the case file is, in the order of `Intake.people()` (and of the Person rows)."""
    found: list[Place] = []
    for name, _model, listed in person_fields(intake):
        if listed:
            found += [(name, n) for n in range(len(data.get(name) or []))]
        elif data.get(name) is not None:
            found.append((name, None))
    return found


def entry(data: dict[str, Any], place: Place) -> dict[str, Any]:
    name, n = place
    value: dict[str, Any] = data[name] if n is None else data[name][n]
    return value


def corrected(data: dict[str, Any], place: Place, values: dict[str, Any]) -> dict[str, Any]:
    """The case file with `values` set on the person at `place`; made principal, the others of their list no
    longer are (a list's one principal moves)."""
    edited = copy.deepcopy(data)
    entry(edited, place).update(values)
    name, n = place
    if n is not None and _truthy(values.get("is_principal")):
        for other, person in enumerate(edited[name]):
            if other != n:
                person["is_principal"] = False
    return edited


def added(intake: type[Intake], data: dict[str, Any], person: dict[str, Any]) -> tuple[dict[str, Any], Place]:
    """The case file with `person` at the end of its last list of persons, and where they are."""
    joins = newcomers(intake)
    if joins is None:
        raise FormInvalid({"person": "this programme's case has no list of persons to add to"})
    edited = copy.deepcopy(data)
    edited[joins] = [*(edited.get(joins) or []), dict(person)]
    return edited, (joins, len(edited[joins]) - 1)


def removed(data: dict[str, Any], place: Place) -> dict[str, Any]:
    """The case file without the person at `place` (one of a list: a field of one person stays)."""
    name, n = place
    if n is None:
        raise FormInvalid({"person": f"the case's {name} cannot be removed; correct their data instead"})
    edited = copy.deepcopy(data)
    del edited[name][n]
    return edited


def validated(intake: type[Intake], data: dict[str, Any], place: Place | None) -> Intake:
    """The amended case file checked as a whole by the programme's intake; the person's own fields named by
    their field alone (`birth_date`), the rest by their path in the case file (`persons`)."""
    try:
        return intake.model_validate(data)
    except ValidationError as exc:
        fields = FormInvalid.from_validation(exc).fields
    if place is None:
        raise FormInvalid(fields) from None
    prefix = place[0] if place[1] is None else f"{place[0]}.{place[1]}"
    raise FormInvalid({_own(path, prefix): reason for path, reason in fields.items()}) from None


def _own(path: str, prefix: str) -> str:
    if path == prefix:
        return "form"
    return path.removeprefix(f"{prefix}.") if path.startswith(f"{prefix}.") else path


def _truthy(value: Any) -> bool:
    """Whether a value the intake would read as true ("true", "yes", 1...); anything else is left to it."""
    try:
        return TypeAdapter(bool).validate_python(value) if value is not None else False
    except ValidationError:
        return False
