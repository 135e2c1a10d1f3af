"""`passage cases hold|resume|withdraw|reopen`: several cases at once, one `error:` line per refusal, JSON."""

import json

from sqlmodel import Session, col, select

from models import AuditEvent, Case, CaseStatus
from passage.services.cases import close_case
from tests.cli.test_cli import Passage
from tests.factories import new_case

SECOND_FAMILY = [{"full_name": "Omar Khalil", "nationality": "SY", "birth_date": "1979-08-30", "is_principal": True}]


def two_cases(db: Session) -> tuple[str, str]:
    first = new_case(session=db)
    second = new_case(session=db, unhcr_ref="JOR-14-000250", persons=SECOND_FAMILY)
    return db.get(Case, first).ref, db.get(Case, second).ref  # type: ignore[union-attr]


def test_holding_several_cases_reports_each_and_resuming_takes_them_off_hold(db: Session, passage: Passage) -> None:
    held, closed = two_cases(db)
    close_case(
        session=db,
        case_id=db.exec(select(Case.id).where(Case.ref == closed)).one() or 0,
        status=CaseStatus.CLOSED,
        outcome="arrived",
    )
    ran = passage("cases", "hold", held, closed, "--reason", "security check", "--as", "pm.anna")
    assert ran.code == 1
    assert ran.out == f"{held}  on hold\n"
    assert ran.err == f"error: {closed}: case {closed} is closed: only an open case is put on hold\n"

    ran = passage("cases", "resume", held, "--as", "pm.anna", "--json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out) == [{"ref": held, "ok": True, "status": "new", "on_hold": False, "reason": ""}]
    refused = passage("cases", "hold", held, "--reason", "", "--as", "pm.anna")
    assert refused.code == 1 and refused.err.startswith("error: reason: ")


def test_withdraw_and_reopen_from_the_command_line(db: Session, passage: Passage) -> None:
    ref, _other = two_cases(db)
    ran = passage("cases", "withdraw", ref, "--reason", "other", "--as", "cw.amal")
    assert ran.code == 1 and ran.err == "error: note: say in the note why the case is withdrawn\n"
    assert passage("cases", "withdraw", ref, "--reason", "bored", "--as", "cw.amal").code == 2  # not a reason

    ran = passage("cases", "withdraw", ref, "--reason", "deceased", "--as", "cw.amal", "--json")
    assert ran.code == 0, ran.err
    view = json.loads(ran.out)
    assert (view["status"], view["outcome"]) == ("withdrawn", "withdrawn: deceased")
    again = passage("cases", "withdraw", ref, "--reason", "applicant", "--as", "pm.anna")
    assert again.err == f"error: case {ref} is already withdrawn: only an open case is withdrawn\n"

    ran = passage("cases", "reopen", ref, "--reason", "registered in error", "--as", "pm.anna")
    assert ran.code == 0, ran.err
    assert ran.out == f"{ref} reopened (new); Prefect did not answer, the reconciler starts its flow\n"
    query = select(AuditEvent.action).where(col(AuditEvent.action).startswith("case.")).order_by(col(AuditEvent.id))
    trail = db.exec(query).all()
    assert [a for a in trail if a != "case.viewed"][-2:] == ["case.withdrawn", "case.reopened"]
