from passage.programme import Programme, Scheduled

"""The programme flows. PROGRAMMES is the one list the CLI, the inbox and the runner read.

SCHEDULED lists the operations flows (no case) that the runner deploys with a cron schedule.
"""


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


def _scheduled() -> list[Scheduled]:
    from flows import operations

    return operations.SCHEDULED


SCHEDULED: list[Scheduled] = _scheduled()
