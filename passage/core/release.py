"""Which Passage this is: the version of the installed distribution (pyproject.toml's [project])."""

from importlib import metadata

# The distribution's name ("passage" on PyPI is another project's); the packages and the command are `passage`.
DISTRIBUTION = "passage-workflows"


def version() -> str:
    return metadata.version(DISTRIBUTION)
