"""Done when (issue 19): a user added on the Administration page with an e-mail address receives the next
assignment through a real SMTP server, with no edit of the routing file (its one `mail:` line reaches them)."""

from pathlib import Path

import pytest
from sqlmodel import Session

from models import User
from passage.core.settings import get_settings
from passage.services.notifications import send_due
from tests.factories import new_case, open_gate
from tests.mailboxes import smtp_server
from tests.services.test_notifications import LATER
from tests.ui.conftest import OpenApp, assert_clean

ADMIN = "pages/admin.py"


def test_a_user_added_on_the_admin_page_is_mailed_their_next_assignment(
    db: Session, app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as mailbox:
        routing = tmp_path / "notify.yml"
        routing.write_text(
            f"version: 1\nmail: mailto://127.0.0.1:{mailbox.port}?from=passage@example.org&format=text\n",
            encoding="utf-8",
        )
        before = routing.read_text(encoding="utf-8")
        monkeypatch.setenv("PASSAGE_NOTIFY_CONFIG", str(routing))
        get_settings.cache_clear()

        at = app("admin", page=ADMIN)
        at.text_input(key="new-username").input("pm.noor")
        at.text_input(key="new-full-name").input("Noor Haddad")
        at.text_input(key="new-email").input("noor.haddad@example.org")
        at.selectbox(key="new-role").set_value("programme_manager")
        at.selectbox(key="new-programme").set_value("resettlement-nl")
        next(b for b in at.button if b.label == "Save user").click().run()
        assert_clean(at)
        noor = db.get(User, "pm.noor")
        assert noor is not None and noor.active and noor.email == "noor.haddad@example.org"

        task_id = open_gate(session=db, case_id=new_case(session=db))
        send_due(session=db, now=LATER)
        (mail,) = mailbox.to("noor.haddad@example.org")
        assert mail.subject == "[Passage] New task: Accept for selection mission (RST-00001)"
        assert f"/?task={task_id}" in mail.body
    assert routing.read_text(encoding="utf-8") == before
