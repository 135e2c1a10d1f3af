"""The `passage` fixture (the CLI through its entry point) for every CLI test module, not only test_cli."""

from tests.cli.test_cli import passage  # noqa: F401
