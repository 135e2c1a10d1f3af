"""Passage's long-running processes: the Prefect server, the warm worker, the runner, `passage up`'s stack."""
