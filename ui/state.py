"""What every page shares: the database (created once per server) and the current user."""

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from passage.db import get_engine, init_db
from passage.services.users import list_users
from passage.settings import get_settings


@st.cache_resource
def engine() -> Engine:
    """The app's one engine; tables created on first use."""
    init_db()
    return get_engine()


@contextmanager
def session() -> Iterator[Session]:
    with Session(engine()) as s:
        yield s


def current_user() -> str | None:
    """The user this browser acts as: a picker in demo mode (login comes with the access issue)."""
    if not get_settings().demo_mode:
        st.error("Login is not configured; set PASSAGE_DEMO_MODE=true for the demo user picker.")
        return None
    with session() as s:
        names = [u.username for u in list_users(session=s) if u.active]
    if not names:
        st.sidebar.warning("No users yet: run `passage up` to seed the demo.")
        return None
    chosen = st.query_params.get("as", names[0])
    user = st.sidebar.selectbox("Acting as (demo)", names, index=names.index(chosen) if chosen in names else 0)
    st.query_params["as"] = user
    return user
