"""Retention: closed cases pseudonymised after the period, statistics kept; one person's data exported."""

import json
from datetime import timedelta

from sqlmodel import Session, col, select

from models import AuditEvent, Case, CaseComment, CaseStatus, Person, Role
from models.common import utcnow
from passage.core.settings import get_settings
from passage.services import cases, privacy
from passage.services.comments import add_comment
from passage.services.decisions import decide
from tests.factories import new_case, open_gate
from tests.flows.test_family_reunification import CHILDREN, request


def test_a_case_closed_past_the_retention_period_loses_its_names_and_keeps_its_statistics(db: Session) -> None:
    old, recent = new_case(session=db), new_case(session=db, unhcr_ref="TUR-24-000002")
    for case_id in (old, recent):
        cases.close_case(session=db, case_id=case_id, status=CaseStatus.CLOSED, outcome="arrived")
    closed_long_ago = db.get(Case, old)
    assert closed_long_ago is not None
    closed_long_ago.closed_at = utcnow() - timedelta(days=get_settings().retention_days + 1)
    db.commit()
    assert privacy.pseudonymise_due(session=db) == ["RST-00001"]
    assert privacy.pseudonymise_due(session=db) == []  # once only
    case = db.get(Case, old)
    assert case is not None and case.title == "RST-00001 (pseudonymised)"
    persons = cases.persons_of(session=db, case_id=old)
    assert [(p.full_name, p.nationality, str(p.birth_date)) for p in persons] == [
        ("RST-00001-P1", "SY", "1984-01-01"),
        ("RST-00001-P2", "SY", "2012-01-01"),
    ]
    assert "محمد" not in json.dumps(case.data, ensure_ascii=False)
    assert (case.status, case.outcome, case.data["country_of_asylum"]) == (CaseStatus.CLOSED, "arrived", "LB")
    assert [p.full_name for p in cases.persons_of(session=db, case_id=recent)][0] == "محمد الأحمد"


def test_a_pseudonymised_case_keeps_its_comments_shape_but_not_their_text(db: Session) -> None:
    case_id = new_case(session=db)
    add_comment(session=db, actor="cw.amal", case_id=case_id, text="Spoke to محمد الأحمد's cousin in Beirut")
    add_comment(session=db, actor="mo.sara", case_id=case_id, text="Asthma, inhaler on the flight", medical=True)
    cases.close_case(session=db, case_id=case_id, status=CaseStatus.CLOSED, outcome="arrived")
    case = db.get(Case, case_id)
    assert case is not None
    case.closed_at = utcnow() - timedelta(days=get_settings().retention_days + 1)
    db.commit()
    assert privacy.pseudonymise_due(session=db) == ["RST-00001"]
    rows = db.exec(select(CaseComment).where(CaseComment.case_id == case_id).order_by(col(CaseComment.id))).all()
    assert [(c.author, c.medical, c.text) for c in rows] == [
        ("cw.amal", False, privacy.REMOVED_COMMENT),
        ("mo.sara", True, privacy.REMOVED_COMMENT),
    ]


def test_a_persons_export_has_their_name_exactly_and_is_audited(db: Session) -> None:
    new_case(session=db)
    [(person_id, name, ref)] = privacy.find_persons(session=db, actor="pm.anna", name="زینب احمدی")  # Dari script
    export = privacy.export_person(session=db, actor="pm.anna", person_id=person_id)
    assert (name, ref, export.person["full_name"]) == ("زینب احمدی", "RST-00001", "زینب احمدی")
    assert export.case["ref"] == "RST-00001" and export.audit[0]["action"] == "case.opened"
    assert db.get(Person, person_id) is not None
    assert privacy.export_person(session=db, actor="pm.anna", person_id=person_id).audit[-1]["action"] == (
        "privacy.exported"
    )


def family_with_dna_results(db: Session) -> tuple[int, int]:
    """A family whose two children had IND's DNA result recorded, the second not confirmed with a comment."""
    case = cases.open_case(session=db, programme="family-reunification", case_file=request(CHILDREN), actor="cw.amal")
    for number, (child, verdict) in enumerate(zip(CHILDREN, ("confirmed", "not_confirmed"), strict=True), start=1):
        task = open_gate(
            session=db,
            case_id=case.id or 0,
            programme="family-reunification",
            step=f"dna-result-{number}",
            title=f"Record IND's DNA result: {child['full_name']}",
            form_type="dna-result",
            role=Role.CASE_WORKER,
        )
        decide(
            session=db,
            task_id=task,
            actor="cw.pieter",
            approve=verdict == "confirmed",
            deliver=False,
            comment=f"IND letter about child {number}",
            data={"relationship": verdict, "ind_reference": "IND-9"},
        )
    first = db.exec(select(Person).where(Person.full_name == CHILDREN[0]["full_name"])).one()
    return case.id or 0, first.id or 0


def test_an_export_masks_dna_data_as_every_read_does_and_leaves_out_the_other_members(db: Session) -> None:
    _case_id, person_id = family_with_dna_results(db)
    export = privacy.export_person(session=db, actor="pm.anna", person_id=person_id)
    assert [t["step"] for t in export.tasks] == ["dna-result-1"]  # the other child's result is not theirs
    assert [(d["data"]["relationship"], d["comment"]) for d in export.decisions] == [
        ("relationship confirmed", "withheld")  # a programme manager reads the outcome, never the DNA data
    ]
    text = json.dumps(export.model_dump(mode="json"), ensure_ascii=False)
    assert "not_confirmed" not in text and "child 2" not in text and "child 1" not in text
    assert not db.exec(select(AuditEvent).where(AuditEvent.action == "sensitive.read")).all()  # nothing revealed
