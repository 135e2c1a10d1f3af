"""Who may call which service for a case, per role and programme; special-category fields per role."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from models import AuditEvent, Case, Role
from passage.core.errors import NotPermitted
from passage.services import access, assignment, cases, privacy
from passage.services.decisions import decide
from passage.services.human_tasks import list_tasks, task_view
from passage.services.timeline import case_view
from passage.services.users import Grant, UserCreate, create_user
from tests.factories import new_case, open_gate, referral

OWN, OTHER = "resettlement-nl", "afghan-transfer"


class World:
    def __init__(self, session: Session):
        self.case_id = new_case(session=session)
        case = session.get(Case, self.case_id)
        assert case is not None
        self.ref = case.ref
        self.task_id = open_gate(session=session, case_id=self.case_id)
        self.person_id = privacy.find_persons(session=session, actor="system", name="محمد الأحمد")[0][0]


Service = Callable[[Session, str, World], Any]
SERVICES: dict[str, tuple[Service, frozenset[Role]]] = {
    "get_case": (lambda s, a, w: cases.get_case(session=s, ref=w.ref, actor=a), access.CASE_ROLES),
    "case_view": (lambda s, a, w: case_view(session=s, ref=w.ref, actor=a), access.CASE_ROLES),
    "task_view": (lambda s, a, w: task_view(session=s, task_id=w.task_id, actor=a), access.CASE_ROLES),
    "decide": (
        lambda s, a, w: decide(session=s, task_id=w.task_id, actor=a, approve=True, deliver=False),
        frozenset({Role.PROGRAMME_MANAGER}),
    ),
    "claim": (
        lambda s, a, w: assignment.claim(session=s, task_id=w.task_id, actor=a),
        frozenset({Role.PROGRAMME_MANAGER}),
    ),
    "open_case": (
        # The world's family again, under a reference of its own: a likely duplicate, opened anyway.
        lambda s, a, _w: cases.open_case(
            session=s, programme=OWN, case_file=referral(unhcr_ref="SYR-1"), actor=a, open_anyway=True
        ),
        frozenset({Role.CASE_WORKER}),
    ),
    "export_person": (
        lambda s, a, w: privacy.export_person(session=s, actor=a, person_id=w.person_id),
        frozenset({Role.PROGRAMME_MANAGER}),
    ),
}


def staff(session: Session, role: Role, programme: str) -> str:
    username = f"{role.value.replace('_', '-')}.{programme}"
    create_user(
        session=session,
        user_create=UserCreate(
            username=username,
            full_name=username,
            email=f"{username}@example.org",
            grants=[Grant(role=role, programme=programme)],
        ),
    )
    session.commit()
    return username


@pytest.mark.parametrize("programme", [OWN, OTHER])
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("service", list(SERVICES))
def test_each_service_admits_only_its_roles_of_the_cases_programme(
    db: Session, service: str, role: Role, programme: str
) -> None:
    world = World(db)
    actor = staff(db, role, programme)
    call, allowed = SERVICES[service]
    if programme == OWN and role in allowed:
        call(db, actor, world)
    else:
        with pytest.raises(NotPermitted):
            call(db, actor, world)


def test_lists_show_a_person_only_the_programmes_they_hold_a_role_in(db: Session) -> None:
    World(db)
    assert [c.ref for c in cases.list_cases(session=db, actor=staff(db, Role.CASE_WORKER, OWN))] == ["RST-00001"]
    assert cases.list_cases(session=db, actor=staff(db, Role.CASE_WORKER, OTHER)) == []
    assert cases.list_cases(session=db, actor="admin") == []  # administrators see no case data
    assert list_tasks(session=db, actor=staff(db, Role.PROGRAMME_MANAGER, OTHER)) == []
    assert len(list_tasks(session=db, actor=staff(db, Role.PROGRAMME_MANAGER, OWN))) == 1


HEALTH_FORM = {"fitness": "fit_with_escort", "needs": ["medical_escort", "oxygen"]}


@pytest.fixture
def assessed(db: Session) -> str:
    """A case whose health assessment says 'fit with escort, oxygen' (a medical officer decided it)."""
    case_id = new_case(session=db)
    task = open_gate(
        session=db,
        case_id=case_id,
        step="fit-to-travel",
        form_type="fit-to-travel",
        title="Fit to travel",
        role=Role.MEDICAL_OFFICER,
        requested_by="system",
    )
    decide(session=db, task_id=task, actor="mo.sara", approve=True, data=HEALTH_FORM, deliver=False)
    open_gate(session=db, case_id=case_id, step="escort", context=HEALTH_FORM, role=Role.MOVEMENT_OFFICER)
    return "RST-00001"


def health_shown(db: Session, actor: str) -> dict[str, Any]:
    view = case_view(session=db, ref="RST-00001", actor=actor)
    [decided] = [e for e in view.timeline if e.kind == "gate-decided"]
    return decided.data


def reads(db: Session, actor: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "sensitive.read", AuditEvent.actor == actor)
    return list(db.exec(query))


@pytest.mark.parametrize("actor", ["pm.anna", "cw.amal", "mv.tom"])
def test_a_health_outcome_is_only_an_outcome_for_every_non_medical_role(db: Session, assessed: str, actor: str) -> None:
    assert health_shown(db, actor) == {"fitness": "needs escort", "needs": "withheld"}
    [escort_task] = [t for t in list_tasks(session=db, actor="system") if t.step == "escort"]
    assert task_view(session=db, task_id=escort_task.id, actor=actor).context == {
        "fitness": "needs escort",
        "needs": "withheld",
    }
    assert reads(db, actor) == []


def test_a_medical_officer_reads_the_health_outcome_and_the_read_is_recorded(db: Session, assessed: str) -> None:
    assert health_shown(db, "mo.sara") == HEALTH_FORM
    [event] = reads(db, "mo.sara")
    assert event.detail == {"fields": ["fitness", "needs"], "where": "timeline"}


def test_the_administrator_reads_no_case_at_all(db: Session, assessed: str) -> None:
    with pytest.raises(NotPermitted):
        case_view(session=db, ref=assessed, actor="admin")


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("pm.anna", {"relationship": "relationship confirmed", "sample_id": "withheld", "ind_reference": "IND-7"}),
        ("mv.tom", {"relationship": "relationship confirmed", "sample_id": "withheld", "ind_reference": "IND-7"}),
        ("cw.amal", {"relationship": "confirmed", "sample_id": "MHAC-1", "ind_reference": "IND-7"}),
    ],
)
def test_dna_is_only_confirmed_or_not_for_those_outside_the_sampling(
    db: Session, actor: str, shown: dict[str, str]
) -> None:
    case = Case(programme="family-reunification", title="t", ref="FAM-1", opened_by="cw.amal")
    data = {"relationship": "confirmed", "sample_id": "MHAC-1", "ind_reference": "IND-7"}
    assert access.reveal(session=db, actor=actor, case=case, data=data, where="test") == shown
