"""The Notifications page: administrators see the outbox with failures and reasons; others do not."""

from datetime import timedelta

from sqlmodel import Session

from models.common import utcnow
from passage.notify import Notifier
from passage.services.notifications import send_due
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean

PAGE = "pages/outbox.py"


def test_an_administrator_sees_what_failed_and_why(db: Session, app: OpenApp) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    send_due(session=db, notifier=Notifier(None), now=utcnow() + timedelta(days=4))
    at = app("admin", page=PAGE)
    assert_clean(at)
    assert [m.value for m in at.metric] == ["2", "0", "0", "0"]  # pending, sending, sent, failed
    table = at.dataframe[0].value
    assert sorted(table["to"]) == ["pm.anna", "pm.joost"]
    assert set(table["reason"]) == {
        "no URL in notify.yml is tagged user:pm.anna",
        "no URL in notify.yml is tagged user:pm.joost",
    }


def test_others_are_told_the_outbox_is_for_administrators(db: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=PAGE)
    assert_clean(at)
    assert [w.value for w in at.warning] == ["The notification outbox is for administrators."]
