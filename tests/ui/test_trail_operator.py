"""The case page's audit trail names the operator behind an identity acted as, and the inbox records its own."""

from sqlmodel import Session, select

from models import AuditEvent
from passage.services import audit
from passage.services.decisions import decide
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean


def test_the_trail_shows_who_acted_as_whom_and_the_inbox_records_its_user(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    with audit.operating(channel="cli", operator="ops.root"):
        decide(session=db, task_id=task_id, actor="pm.anna", approve=True, comment="ok", deliver=False)
    at = app("mo.sara", page="pages/cases.py", case="RST-00001")
    assert_clean(at)
    trail = at.dataframe[-1].value
    rows = list(zip(trail["who"], trail["what"], trail["detail"], strict=True))
    [(who, _what, detail)] = [row for row in rows if row[1] == "task.approved"]
    assert who == "pm.anna (via cli by ops.root)"
    assert "origin" not in detail  # said once, in "who"
    assert ("mo.sara", "case.viewed") in [(w, a) for w, a, _d in rows]  # the operator is the actor: shown plain
    db.expire_all()
    viewed = db.exec(select(AuditEvent).where(AuditEvent.action == "case.viewed")).all()
    assert [e.detail.get("origin") for e in viewed] == [{"channel": "inbox", "operator": "mo.sara"}]
