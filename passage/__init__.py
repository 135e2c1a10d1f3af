"""Passage: programme workflows with human gates."""

import os

from passage.core.env import prefect_env
from passage.core.settings import get_settings

# Before anything imports Prefect: without an API URL every process would start its own
# throwaway server (4-14 s each) instead of sharing the one `passage up` runs.
for _name, _value in prefect_env(get_settings()).items():
    os.environ.setdefault(_name, _value)
# Prefect creates its home without parents; make sure the whole path exists.
(get_settings().home / "prefect").mkdir(parents=True, exist_ok=True)
