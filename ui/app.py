"""The inbox's router: the pages the login's roles may use (ui/navigation.py); pages are thin, everything goes
through the services."""

import streamlit as st

from ui import navigation, state
from ui.i18n import t

# An emoji, not a :material/...: icon: Streamlit draws an emoji's favicon itself (a data: URL), but fetches a
# material icon's from Google's font server, which the inbox's Content-Security-Policy refuses (ui/server.py).
st.set_page_config(page_title="Passage", page_icon="📥", layout="wide")
login = state.logged_in()
roles = state.roles(login.username) if login is not None else None
registered = navigation.pages(roles)
current = st.navigation(list(registered.values()))
st.session_state[state.HERE] = current.url_path  # "" for the default page
# By URL path: st.navigation hands back its own copy of the page.
spec = next((s for s in navigation.SPECS if registered[s.file].url_path == current.url_path), None)
if login is None and spec is not None:
    state.login_page()  # every page's URL shows the login before login, and returns there after it
elif login is None or spec is None or roles is None or navigation.may_use(spec, roles):
    current.run()
elif (user := state.current_user()) is not None:
    st.title(t(spec.title))
    spec.refusal(user)
