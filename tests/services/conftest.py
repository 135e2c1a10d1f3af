"""Real message receivers for the notification tests: an SMTP server and an HTTP endpoint on loopback."""

from collections.abc import Iterator

import pytest

from tests.mailboxes import Hook, Mailbox, hook_server, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def hook() -> Iterator[Hook]:
    with hook_server() as endpoint:
        yield endpoint
