"""The inbox's pages and who may use them: ui/app.py builds the navigation from the login's roles.

Before login the navigation holds the login page alone. After it, each page is listed to the roles that
may use it (passage/services/access.py decides what each role may do; the pages keep their own checks).
Every page stays registered, hidden from those who may not use it, so that its URL still answers: with the
login before login (which returns there), and with a refusal, not the page, to a role that may not use it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from models import Role
from passage.core.errors import NotPermitted
from passage.services.access import CASE_ROLES
from ui import state
from ui.i18n import t
from ui.text import explain_md

PAGES = Path(__file__).parent / "pages"
ANYONE = frozenset(Role)
CASE_OPENERS = frozenset({Role.CASE_WORKER})  # services/cases.py and importing.py: case workers open cases
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


def _warn(text: str) -> Callable[[str], None]:
    def refuse(_user: str) -> None:
        st.warning(t(text))

    return refuse


def _not_an_administrator(user: str) -> None:
    st.error(explain_md(NotPermitted("{actor} is not an administrator", actor=user)))


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    roles: frozenset[Role]  # who may use the page: any one of these roles, in any programme
    refusal: Callable[[str], None]  # what someone else who opens its URL reads instead


# The inbox is everyone's: an administrator's is empty (administrators see no case data by default).
SPECS = [
    PageSpec("inbox.py", "Inbox", ":material/inbox:", ANYONE, lambda _user: None),
    PageSpec(
        "cases.py",
        "Cases",
        ":material/folder_open:",
        CASE_ROLES,
        _warn("Cases are shown to the roles of their programmes; you have none."),
    ),
    PageSpec(
        "new_case.py",
        "New case",
        ":material/create_new_folder:",
        CASE_OPENERS,
        _warn("Opening cases is for case workers."),
    ),
    PageSpec(
        "import_cases.py",
        "Import cases",
        ":material/upload_file:",
        CASE_OPENERS,
        _warn("Importing opens cases: it is for case workers of a programme with an import."),
    ),
    PageSpec(
        "dashboard.py",
        "Dashboards",
        ":material/monitoring:",
        CASE_ROLES,
        _warn("Dashboards show the programmes you have a role in; you have none."),
    ),
    PageSpec("admin.py", "Administration", ":material/admin_panel_settings:", ADMINISTRATORS, _not_an_administrator),
    PageSpec(
        "outbox.py",
        "Notifications",
        ":material/outgoing_mail:",
        ADMINISTRATORS,
        _warn("The notification outbox is for administrators."),
    ),
]


def may_use(spec: PageSpec, roles: frozenset[Role]) -> bool:
    return spec.roles is ANYONE or bool(spec.roles & roles)


def pages(roles: frozenset[Role] | None) -> dict[str, StreamlitPage]:
    """The navigation's pages by file name, with the login page under "" (roles None: not logged in).

    Every page is registered, so that its URL still answers; those the roles may not use are hidden.
    """
    registered: dict[str, StreamlitPage] = {}
    if roles is None:
        registered[""] = st.Page(state.login_page, title=t("Log in"), icon=":material/login:", default=True)
    for spec in SPECS:
        shown = roles is not None and may_use(spec, roles)
        registered[spec.file] = st.Page(
            PAGES / spec.file,
            title=t(spec.title),
            icon=spec.icon,
            default=roles is not None and spec.file == "inbox.py",
            visibility="visible" if shown else "hidden",
        )
    return registered
