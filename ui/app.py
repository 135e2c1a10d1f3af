"""The inbox's router: pages are thin, everything goes through the services."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Passage", page_icon=":material/inbox:", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "inbox.py", title="Inbox", icon=":material/inbox:", default=True),
        st.Page(PAGES / "cases.py", title="Cases", icon=":material/folder_open:"),
        st.Page(PAGES / "new_case.py", title="New case", icon=":material/create_new_folder:"),
        st.Page(PAGES / "admin.py", title="Administration", icon=":material/admin_panel_settings:"),
        st.Page(PAGES / "outbox.py", title="Notifications", icon=":material/outgoing_mail:"),
    ]
)
navigation.run()
