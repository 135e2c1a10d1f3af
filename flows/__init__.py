"""The programme flows. PROGRAMMES is the one list the CLI, the inbox and the runner read."""

from passage.programmes import Programme


def _registry() -> list[Programme]:
    from flows import (
        afghan_transfer,
        diaspora,
        family_reunification,
        funder_report,
        labour_inclusion,
        resettlement,
        third_country,
        voluntary_return,
    )

    return [
        resettlement.PROGRAMME,
        afghan_transfer.PROGRAMME,
        family_reunification.PROGRAMME,
        labour_inclusion.PROGRAMME,
        funder_report.PROGRAMME,
        third_country.PROGRAMME,
        voluntary_return.PROGRAMME,
        diaspora.PROGRAMME,
    ]


PROGRAMMES: list[Programme] = _registry()
