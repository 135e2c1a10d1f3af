"""The registry: every programme and scheduled flow, found by name, and lookups over their gates and forms.

The one door upward in Passage's floors: the programmes are modules of the `flows` package, above the
services that look them up here, so the registry imports that package by name on first use
(`importlib`, never a static import) and a test (tests/programme/test_registry.py) guards that nothing
else does.
"""

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from passage.core.errors import NotFound
from passage.programme.definition import Programme, Scheduled
from passage.programme.gates import Gate, GateForm
from passage.programme.steps import split_numbered

if TYPE_CHECKING:
    from prefect import Flow

# The package whose PROGRAMMES and SCHEDULED lists are the registry.
FLOWS_PACKAGE = "flows"


@cache
def _flows() -> Any:
    return importlib.import_module(FLOWS_PACKAGE)


@cache
def all_scheduled() -> tuple[Scheduled, ...]:
    """Every scheduled operations flow (the list lives in `flows/__init__.py`)."""
    return tuple(_flows().SCHEDULED)


@cache
def all_programmes() -> dict[str, Programme]:
    """Every registered programme by slug (the one list lives in `flows/__init__.py`)."""
    return {programme.slug: programme for programme in _flows().PROGRAMMES}


def get_programme(slug: str) -> Programme:
    try:
        return all_programmes()[slug]
    except KeyError:
        known = ", ".join(sorted(all_programmes()))
        # repr: a name with a line break or a quote in it still makes one line between quotes.
        raise NotFound(f"unknown programme {slug!r} (known: {known})") from None


def flow_named(name: str) -> "Flow[..., Any]":
    """The programme or scheduled flow called `name` (what the worker runs for a flow run)."""
    for programme in all_programmes().values():
        if programme.flow.name == name:
            return programme.flow
    for scheduled in all_scheduled():
        if scheduled.flow.name == name:
            return scheduled.flow
    raise NotFound(f"no programme or scheduled flow '{name}'")


@cache
def form_types() -> dict[str, type[GateForm]]:
    """Every gate form by its form type name, which must name one form across all programmes."""
    found: dict[str, type[GateForm]] = {}
    for programme in all_programmes().values():
        for form in programme.forms:
            other = found.setdefault(form.form_type(), form)
            if other is not form:
                # Tasks store only the form type: two forms of one name would validate against the wrong one.
                raise ValueError(f"form type '{form.form_type()}' of {programme.slug} is already taken by {other}")
    return found


def get_form(form_type: str) -> type[GateForm]:
    try:
        return form_types()[form_type]
    except KeyError:
        raise NotFound(f"unknown form type '{form_type}'") from None


def gates_of(slug: str) -> tuple[Gate[Any], ...]:
    """The programme's gates as it declares them, in its procedure's order."""
    return get_programme(slug).gates


def declares(slug: str, step: str) -> bool:
    """Whether the programme declares the gate `step` opens (a numbered step counts as its gate's)."""
    declared = {spec.step for spec in gates_of(slug)}
    return step in declared or split_numbered(step)[0] in declared


@cache
def _gate_titles() -> dict[str, str]:
    """Every gate's step and title across the programmes (the first, where two share a step)."""
    titles: dict[str, str] = {}
    for slug in all_programmes():
        for spec in gates_of(slug):
            titles.setdefault(spec.step, spec.title)
    return titles


def step_title(step: str) -> str:
    """A step as the inbox's filter names it: its gate's title, with the number of a second round or of a
    family member ("Collect DNA sample (2)"); a step no gate declares is shown as it is."""
    titles = _gate_titles()
    base, number = split_numbered(step)
    if step not in titles and number is not None and base in titles:
        return f"{titles[base]} ({number})"
    return titles.get(step, step)
