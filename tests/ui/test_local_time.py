"""Every time a page shows is on the office's clock (Europe/Amsterdam by default), stored in UTC: winter +1,
summer +2, with no column that says "UTC"."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from models import Case, HumanTask, Notification
from passage.core.notify import Notifier
from passage.services.notifications import send_due
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean

WINTER = datetime(2026, 1, 16, 16, 0, tzinfo=UTC)  # 17:00 in Amsterdam (CET)
SUMMER = datetime(2026, 7, 16, 15, 0, tzinfo=UTC)  # 17:00 in Amsterdam (CEST)


def test_the_case_timeline_shows_the_amsterdam_clock(db: Session, app: OpenApp) -> None:
    case_id = new_case(session=db)
    task_id = open_gate(session=db, case_id=case_id)
    case, task = db.get(Case, case_id), db.get(HumanTask, task_id)
    assert case is not None and task is not None
    case.created_at, task.created_at = WINTER, SUMMER
    db.commit()
    at = app("pm.anna", page="pages/cases.py", case="RST-00001")
    assert_clean(at)
    timeline = at.dataframe[1].value
    when = dict(zip(timeline["what"], timeline["when"], strict=True))
    assert when["Case opened"] == "16 Jan 2026 17:00"
    assert when["Accept for selection mission"] == "16 Jul 2026 17:00"
    assert not [column for column in timeline.columns if "UTC" in column]


def test_the_outbox_shows_the_amsterdam_clock_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="admin", language="nl")
    open_gate(session=db, case_id=new_case(session=db))
    send_due(session=db, notifier=Notifier(None), now=WINTER)  # failed for want of a route: left pending
    for row in db.exec(select(Notification)).all():
        row.created_at, row.next_attempt_at = WINTER, SUMMER
    db.commit()
    at = app("admin", page="pages/outbox.py")
    assert_clean(at)
    table = at.dataframe[0].value
    assert set(table["aangemaakt op"]) == {"16-01-2026 17:00"}
    assert set(table["volgende poging"]) == {"16-07-2026 17:00"}
    assert not [column for column in table.columns if "UTC" in column]
