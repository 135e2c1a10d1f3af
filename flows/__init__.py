"""The programme flows. PROGRAMMES is the one list the CLI, the inbox and the runner read."""

from passage.programmes import Programme


def _registry() -> list[Programme]:
    from flows import resettlement

    return [resettlement.PROGRAMME]


PROGRAMMES: list[Programme] = _registry()
