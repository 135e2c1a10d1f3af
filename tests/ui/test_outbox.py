"""The Notifications page: administrators see the outbox with failures and reasons; others do not."""

from datetime import timedelta

from sqlmodel import Session

from models import NotificationKind, NotificationStatus
from models.common import utcnow
from passage.core.i18n import catalog, local
from passage.core.notify import Notifier
from passage.services.notifications import send_due
from passage.services.users import set_language
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


def test_a_dutch_administrator_reads_the_outbox_in_dutch_with_dutch_dates(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="admin", language="nl")
    open_gate(session=db, case_id=new_case(session=db))
    send_due(session=db, notifier=Notifier(None), now=utcnow() + timedelta(days=4))
    at = app("admin", page=PAGE)
    assert_clean(at)
    assert [t.value for t in at.title] == ["Meldingen"]
    assert [m.label for m in at.metric] == ["wachtend", "wordt verzonden", "verzonden", "mislukt"]
    assert list(at.selectbox[0].options) == ["alle", "wachtend", "wordt verzonden", "verzonden", "mislukt"]
    assert [c.value for c in at.caption] == ["2 melding(en), nieuwste eerst"]
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "id",
        "soort",
        "aan",
        "titel",
        "status",
        "pogingen",
        "aangemaakt op",
        "verzonden op",
        "volgende poging",
        "reden",
    ]
    assert set(table["soort"]) == {"toegewezen"} and set(table["status"]) == {"wachtend"}
    assert all(created.startswith(f"{local(utcnow()):%d-%m-%Y} ") for created in table["aangemaakt op"])


def test_every_status_and_kind_of_a_message_has_a_dutch_entry() -> None:
    words = {value.value for value in [*NotificationStatus, *NotificationKind]}
    assert {word for word in words if word not in catalog("nl")} == set()
