"""`passage up`'s seeding: the demo staff and cases in demo mode, and nothing at all outside it."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session, create_engine, select

from models import AuditEvent, Case, RoleGrant, User
from passage.core.settings import get_settings
from passage.demo.seed import seed_for_up


@pytest.fixture
def bare(database_url: str) -> Iterator[Session]:
    """A fresh, migrated database with no staff (the `db` fixture seeds the demo staff)."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_outside_demo_mode_up_seeds_nothing(bare: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSAGE_DEMO_MODE", "false")
    get_settings.cache_clear()
    try:
        said = seed_for_up(session=bare)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert [u.username for u in bare.exec(select(User))] == ["system"]  # the service account, no one to log in as
    assert bare.exec(select(RoleGrant)).all() == []
    assert bare.exec(select(Case)).all() == []
    assert bare.exec(select(AuditEvent)).all() == []
    assert said == ["Demo data        none (PASSAGE_DEMO_MODE=false); first administrator: passage users create-admin"]
    assert not any(get_settings().demo_password in line for line in said)
