"""The case page's link to its flow run in Prefect's UI, for the operators who follow a case's process there."""

from uuid import UUID

import streamlit as st

from passage.core.settings import get_settings
from passage.services.timeline import CaseView
from ui.i18n import t


def flow_run_url(flow_run_id: str | None) -> str | None:
    """The run's page in Prefect's UI (served beside its API, at the API's address without `/api`)."""
    try:
        run_id = UUID(flow_run_id or "")
    except ValueError:  # not started yet (the reconciler starts it once Prefect answers)
        return None
    return f"{get_settings().prefect_api_url.removesuffix('/api')}/runs/flow-run/{run_id}"


def flow_run_link(view: CaseView) -> None:
    """A link to the case's flow run, when it has one."""
    url = flow_run_url(view.flow_run_id)
    if url is not None:
        st.link_button(t("Flow run in Prefect"), url)
