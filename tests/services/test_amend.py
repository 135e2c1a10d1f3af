"""Amending a case's persons: validated as a whole, audited without names, and what depends on them follows."""

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, Case, CaseStatus, HumanTask, Person, QuotaUsage, Reservation, TaskStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.core.errors import CaseNotOpen, FormInvalid, NotFound, NotPermitted, QuotaExceeded
from passage.services import amend, amend_tasks, quota, reviews
from passage.services.cases import attach_run, close_case, open_case, persons_of
from passage.services.decisions import decide
from passage.services.timeline import case_view
from tests.factories import new_case, open_gate, referral
from tests.offline import cut_off_prefect

NEWBORN = {"full_name": "Baby Ahmad", "nationality": "SY", "birth_date": "2026-11-01"}
SPONSOR = {"full_name": "Yonas Tesfaye", "nationality": "ER", "birth_date": "1986-05-14", "municipality": "Utrecht"}
MEMBERS = [
    {"full_name": "Selam Yonas", "nationality": "ER", "relationship": "child", "country_of_stay": "ET"},
    {"full_name": "Dawit Yonas", "nationality": "ER", "relationship": "child", "country_of_stay": "ET"},
]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    cut_off_prefect(monkeypatch)


def persons(db: Session, case_id: int) -> list[Person]:
    db.expire_all()
    return list(persons_of(session=db, case_id=case_id))


def reserved_case(db: Session, **overrides: Any) -> Case:
    """A resettlement case holding its places, as its flow's `quota-reserved` step leaves it."""
    case = open_case(session=db, programme="resettlement-nl", case_file=referral(**overrides), actor="cw.amal")
    year, people = case.data["quota_year"], persons(db, case.id or 0)
    quota.reserve(
        session=db, case_id=case.id, year=year, nationalities={p.nationality for p in people}, persons=len(people)
    )
    db.commit()
    return case


def used(db: Session) -> dict[str, int]:
    with Session(get_engine()) as fresh:  # what is committed, whatever this session holds
        return {row.rule: row.used for row in fresh.exec(select(QuotaUsage))}


def test_a_corrected_birth_date_recomputes_the_minor_flag_and_is_audited_without_values(db: Session) -> None:
    ten = (date.today() - timedelta(days=3653)).isoformat()
    case_id = new_case(session=db, persons=[referral()["persons"][0], {**referral()["persons"][1], "birth_date": ten}])
    child = persons(db, case_id)[1]
    assert db.get(Case, case_id).flags == ["minor"]  # type: ignore[union-attr]
    done = amend.correct_person(
        session=db,
        ref="RST-00001",
        actor="cw.amal",
        person_id=child.id or 0,
        values={"birth_date": "2001-07-01"},
        reason="UNHCR corrected the year",
    )
    assert (done.change, done.persons) == (amend.Change.CORRECTED, {child.id: ["birth_date"]})
    case = db.get(Case, case_id)
    assert case is not None and case.flags == [] and case.data["persons"][1]["birth_date"] == "2001-07-01"
    assert str(persons(db, case_id)[1].birth_date) == "2001-07-01"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.amended")).one()
    assert (event.actor, event.case_id) == ("cw.amal", case_id)
    assert (
        event.detail["persons"] == {str(child.id): ["birth_date"]}
        and event.detail["reason"] == "UNHCR corrected the year"
    )
    assert "2001" not in str(event.detail) and "زینب" not in str(event.detail)  # ids and field names only


def test_a_corrected_name_follows_into_the_title_and_the_tasks_asked_about_them(db: Session) -> None:
    case_id = new_case(session=db)
    principal = persons(db, case_id)[0]
    task_id = open_gate(session=db, case_id=case_id, context={"members": ["محمد الأحمد"]})
    amend.correct_person(
        session=db,
        ref="RST-00001",
        actor="pm.anna",
        person_id=principal.id or 0,
        values={"full_name": "محمد أحمد"},
        reason="passport spelling",
    )
    case, task = db.get(Case, case_id), db.get(HumanTask, task_id)
    assert case is not None and case.title.startswith("محمد أحمد (+1)")
    assert task is not None and task.context == {"members": ["محمد أحمد"]}


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"birth_date": "2999-01-01"}, {"birth_date": "a birth date must lie between 1900 and today"}),
        ({"nationality": "sy"}, {"nationality": "use a two-letter ISO country code in capitals, e.g. SY"}),
        ({"birthdate": "2001-01-01"}, {"birthdate": "Extra inputs are not permitted"}),
        ({"is_principal": False}, {"form": "persons: exactly one person must be the principal applicant"}),
        ({"full_name": "محمد الأحمد"}, {"form": "nothing to change: these are the values recorded"}),
    ],
)
def test_a_wrong_correction_names_the_field_and_writes_nothing(
    db: Session, values: dict[str, Any], errors: dict[str, str]
) -> None:
    case_id = new_case(session=db)
    principal = persons(db, case_id)[0]
    with pytest.raises(FormInvalid) as refused:
        amend.correct_person(
            session=db, ref="RST-00001", actor="cw.amal", person_id=principal.id or 0, values=values, reason="typo"
        )
    assert refused.value.fields == errors
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.amended")).first() is None
    assert [(p.full_name, p.nationality, p.is_principal) for p in persons(db, case_id)][0] == (
        "محمد الأحمد",
        "SY",
        True,
    )


def test_the_principal_moves_to_the_person_made_principal(db: Session) -> None:
    case_id = new_case(session=db)
    first, second = persons(db, case_id)
    done = amend.correct_person(
        session=db,
        ref="RST-00001",
        actor="cw.amal",
        person_id=second.id or 0,
        values={"is_principal": True},
        reason="UNHCR: she leads",
    )
    assert done.persons == {first.id: ["is_principal"], second.id: ["is_principal"]}
    assert [p.is_principal for p in persons(db, case_id)] == [False, True]


def test_a_newborn_takes_a_place_in_every_quota_the_case_holds(db: Session) -> None:
    case = reserved_case(db, quota_year=2014)
    assert used(db) == {"national": 2, "syrian": 2}
    done = amend.add_person(session=db, ref=case.ref, actor="cw.amal", person=NEWBORN, reason="born in Beirut")
    assert [(r.rule, r.held, r.holds) for r in done.places] == [("national", 2, 3), ("syrian", 2, 3)]
    assert used(db) == {"national": 3, "syrian": 3}
    assert {r.amount for r in db.exec(select(Reservation))} == {3}  # a withdrawal gives back three
    added = persons(db, case.id or 0)[-1]
    assert (added.id, added.full_name, added.number) == (done.person_id, "Baby Ahmad", 3)
    assert done.persons == {added.id: ["birth_date", "full_name", "nationality"]}


def test_a_newborn_the_quota_has_no_room_for_is_refused_naming_the_quota_and_nothing_is_written(db: Session) -> None:
    case = reserved_case(db, quota_year=2014)
    quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=248)  # the sub-quota full: 250 of 250
    db.commit()
    with pytest.raises(QuotaExceeded) as refused:
        amend.add_person(session=db, ref=case.ref, actor="cw.amal", person=NEWBORN, reason="born in Beirut")
    assert str(refused.value) == (
        "Syrian sub-quota 2013-2014 (2013-2014) has 0 of 250 places left; this amendment needs 1 more"
    )
    assert used(db) == {"national": 250, "syrian": 250}  # the national place taken first was given back
    assert len(persons(db, case.id or 0)) == 2 and len(db.get(Case, case.id).data["persons"]) == 2  # type: ignore[union-attr]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.amended")).first() is None


def test_a_member_who_stays_behind_gives_back_their_place_and_the_others_keep_their_numbers(db: Session) -> None:
    third = {"full_name": "Hana", "nationality": "SY", "birth_date": "2016-01-01"}
    case = reserved_case(db, persons=[*referral()["persons"], third])
    first, second, _ = persons(db, case.id or 0)
    done = amend.remove_person(session=db, ref=case.ref, actor="cw.amal", person_id=second.id or 0, reason="stays")
    assert (done.change, done.person_id, done.persons) == (amend.Change.REMOVED, second.id, {second.id: []})
    assert used(db) == {"national": 2}
    assert [(p.full_name, p.number) for p in persons(db, case.id or 0)] == [("محمد الأحمد", 1), ("Hana", 3)]
    assert db.get(Case, case.id).title.startswith("محمد الأحمد (+1)")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("index", "errors"),
    [
        (0, {"form": "persons: exactly one person must be the principal applicant"}),
        (1, {}),
    ],
)
def test_removing_the_principal_is_refused_until_another_is(db: Session, index: int, errors: dict[str, str]) -> None:
    case_id = new_case(session=db)
    person = persons(db, case_id)[index]
    if not errors:
        amend.remove_person(session=db, ref="RST-00001", actor="cw.amal", person_id=person.id or 0, reason="stays")
        return
    with pytest.raises(FormInvalid) as refused:
        amend.remove_person(session=db, ref="RST-00001", actor="cw.amal", person_id=person.id or 0, reason="stays")
    assert refused.value.fields == errors


def reunification(db: Session) -> Case:
    request = {"ind_ref": "IND-FR-2026-0100", "sponsor": SPONSOR, "members": MEMBERS}
    return open_case(session=db, programme="family-reunification", case_file=request, actor="cw.amal")


def needs_of(db: Session, case: Case, number: int, name: str) -> int:
    """A decided per-member gate, as the flow asks it (`needs-2`, titled with the member's name)."""
    task_id = open_gate(
        session=db,
        case_id=case.id or 0,
        programme="family-reunification",
        step=f"needs-{number}",
        title=f"Assess needs for the journey: {name}",
        form_type="member-needs",
        role="case_worker",
    )
    decide(session=db, task_id=task_id, actor="cw.pieter", approve=True, deliver=False)
    return task_id


def test_a_decision_about_a_corrected_person_is_marked_for_review_until_a_manager_clears_it(db: Session) -> None:
    case = reunification(db)
    selam, dawit = persons(db, case.id or 0)[1:]
    about_selam, about_dawit = needs_of(db, case, 1, "Selam Yonas"), needs_of(db, case, 2, "Dawit Yonas")
    done = amend.correct_person(
        session=db,
        ref=case.ref,
        actor="cw.amal",
        person_id=selam.id or 0,
        values={"full_name": "Selam Yonas Tesfaye"},
        reason="IND spelling",
    )
    assert done.for_review == [about_selam]  # not Dawit's
    assert db.get(HumanTask, about_selam).title == "Assess needs for the journey: Selam Yonas Tesfaye"  # type: ignore[union-attr]
    [review] = reviews.reviews_of(session=db, ref=case.ref, actor="pm.anna")
    assert (review.task_id, review.reason) == (about_selam, "IND spelling")
    view = case_view(session=db, ref=case.ref, actor="pm.anna")
    assert [e.title for e in view.timeline if e.review] == [
        "Assess needs for the journey: Selam Yonas Tesfaye: approved"
    ]
    assert ("amendment", "Case amended: person corrected", "IND spelling") in [
        (e.kind, e.title, e.detail) for e in view.timeline
    ]
    with pytest.raises(NotPermitted, match="cw.amal is not a programme manager of family-reunification"):
        reviews.clear(session=db, review_id=review.id, actor="cw.amal")
    reviews.clear(session=db, review_id=review.id, actor="pm.anna")
    assert reviews.reviews_of(session=db, ref=case.ref, actor="pm.anna") == []
    cleared = db.exec(select(AuditEvent).where(AuditEvent.action == "decision.reviewed")).one()
    assert (cleared.actor, cleared.task_id) == ("pm.anna", about_selam)
    # An added member makes a decision about the family as a whole one to review; one about a member is not.
    visa = open_gate(
        session=db,
        case_id=case.id or 0,
        step="visa",
        title="Entry visa (MVV) issued",
        context={"members": ["Dawit Yonas"]},
    )
    decide(session=db, task_id=visa, actor="pm.anna", approve=True, deliver=False)
    baby = {**NEWBORN, "nationality": "ER", "relationship": "child", "country_of_stay": "ET"}
    added = amend.add_person(session=db, ref=case.ref, actor="cw.amal", person=baby, reason="born in Addis")
    assert added.for_review == [visa] and about_dawit not in added.for_review


def test_removing_a_member_cancels_the_open_tasks_asked_about_them_and_their_run_is_woken(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = reunification(db)
    selam = persons(db, case.id or 0)[1]
    run = str(uuid4())
    attach_run(session=db, case_id=case.id or 0, flow_run_id=run)
    title = "Assess needs for the journey: Selam Yonas"
    open_task = open_gate(session=db, case_id=case.id or 0, step="needs-1", title=title, flow_run_id=run)
    done = amend.remove_person(session=db, ref=case.ref, actor="cw.amal", person_id=selam.id or 0, reason="stays")
    assert (done.cancelled, done.woken) == ([open_task], [])  # Prefect unreachable here: the run is not woken
    assert db.get(HumanTask, open_task).status == TaskStatus.CANCELLED  # type: ignore[union-attr]
    # The reconciler's next pass wakes the run still waiting at the cancelled task, once Prefect answers.
    resumed: list[tuple[str, str]] = []
    paused = prefect_bridge.RunState(type="PAUSED", name="Suspended", pause_key="needs-1")
    monkeypatch.setattr(prefect_bridge, "run_state", lambda _run: paused)
    monkeypatch.setattr(prefect_bridge, "resume", lambda run_id, *, step: resumed.append((run_id, step)))
    assert [task.id for task in amend_tasks.stranded(session=db)] == [open_task]
    assert amend_tasks.wake_stranded(session=db) == 1 and resumed == [(run, "needs-1")]
    with pytest.raises(FormInvalid) as refused:
        amend.remove_person(
            session=db, ref=case.ref, actor="cw.amal", person_id=persons(db, case.id or 0)[0].id or 0, reason="x"
        )
    assert refused.value.fields == {"person": "the case's sponsor cannot be removed; correct their data instead"}


def test_a_family_members_principal_tick_is_the_programmes_to_set(db: Session) -> None:
    case = reunification(db)
    member = persons(db, case.id or 0)[1]
    with pytest.raises(FormInvalid) as refused:
        amend.correct_person(
            session=db,
            ref=case.ref,
            actor="cw.amal",
            person_id=member.id or 0,
            values={"is_principal": True},
            reason="x",
        )
    assert refused.value.fields == {"is_principal": "this programme decides who is the principal"}


@pytest.mark.parametrize(
    ("actor", "error", "message"),
    [
        ("mo.sara", NotPermitted, "mo.sara is not a case worker or programme manager of resettlement-nl"),
        ("cw.other", NotPermitted, "cw.other has no role in resettlement-nl"),
        ("nobody", NotFound, "no active user 'nobody'"),
    ],
)
def test_only_a_case_worker_or_manager_of_the_programme_amends(
    db: Session, actor: str, error: type[Exception], message: str
) -> None:
    new_case(session=db)
    with pytest.raises(error, match=message):
        amend.add_person(session=db, ref="RST-00001", actor=actor, person=NEWBORN, reason="born")


def test_a_closed_case_a_missing_reason_and_an_unknown_person_are_refused(db: Session) -> None:
    case_id = new_case(session=db)
    with pytest.raises(FormInvalid) as refused:
        amend.add_person(session=db, ref="RST-00001", actor="cw.amal", person=NEWBORN, reason="  ")
    assert refused.value.fields == {"reason": "an amendment needs a reason"}
    with pytest.raises(NotFound, match="case RST-00001 has no person 424242"):
        amend.remove_person(session=db, ref="RST-00001", actor="cw.amal", person_id=424242, reason="stays")
    close_case(session=db, case_id=case_id, status=CaseStatus.CLOSED, outcome="arrived")
    with pytest.raises(CaseNotOpen, match="case RST-00001 is closed: a closed case cannot be amended"):
        amend.add_person(session=db, ref="RST-00001", actor="cw.amal", person=NEWBORN, reason="born")
    assert len(db.exec(select(Person).where(col(Person.case_id) == case_id)).all()) == 2
