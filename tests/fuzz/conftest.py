"""Fuzzing: a reproducible hypothesis profile for CI (PASSAGE_FUZZ_PROFILE=deep searches wider), the CLI fixture."""

import os

from hypothesis import HealthCheck, settings

from tests.cli.test_cli import passage  # noqa: F401  (the CLI through its entry point, as tests/cli runs it)

# "ci" (the default): derandomized, so every run of `make test` tries the same inputs and a failure
# reproduces; "deep": random inputs and ten times as many, for a search by hand before a release.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # One database per test, shared by its examples on purpose: each example checks the row counts itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", parent=settings.get_profile("ci"), derandomize=False)
PROFILE = os.environ.get("PASSAGE_FUZZ_PROFILE", "ci")
