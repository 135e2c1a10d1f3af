"""The inbox: the task list (filters in the URL), or one task when the URL names it (`?task=12`)."""

import streamlit as st

from ui import inbox_list, task_page
from ui.state import current_user

user = current_user()
if user is not None:
    # Statements, not a conditional expression: Streamlit's magic would print the expression's value (None).
    selected = st.query_params.get("task")
    if selected and selected.isascii() and selected.isdigit():  # "²" is a digit to isdigit(), not to int()
        task_page.render(user, int(selected))
    else:
        inbox_list.render(user)
