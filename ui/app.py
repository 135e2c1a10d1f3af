"""The inbox's router: pages are thin, everything goes through the services."""

from pathlib import Path

import streamlit as st

from ui.i18n import t

PAGES = Path(__file__).parent / "pages"

# An emoji, not a :material/...: icon: Streamlit draws an emoji's favicon itself (a data: URL), but fetches a
# material icon's from Google's font server, which the inbox's Content-Security-Policy refuses (ui/server.py).
st.set_page_config(page_title="Passage", page_icon="📥", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "inbox.py", title=t("Inbox"), icon=":material/inbox:", default=True),
        st.Page(PAGES / "cases.py", title=t("Cases"), icon=":material/folder_open:"),
        st.Page(PAGES / "new_case.py", title=t("New case"), icon=":material/create_new_folder:"),
        st.Page(PAGES / "import_cases.py", title=t("Import cases"), icon=":material/upload_file:"),
        st.Page(PAGES / "dashboard.py", title=t("Dashboards"), icon=":material/monitoring:"),
        st.Page(PAGES / "admin.py", title=t("Administration"), icon=":material/admin_panel_settings:"),
        st.Page(PAGES / "outbox.py", title=t("Notifications"), icon=":material/outgoing_mail:"),
    ]
)
navigation.run()
