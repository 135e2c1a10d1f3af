"""The `passage` command line: the same services the inbox uses."""

from passage.cli.main import app, main

__all__ = ["app", "main"]
