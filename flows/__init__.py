"""The programme flows. PROGRAMMES is the one list the CLI, the inbox and the runner read.

SCHEDULED lists the operations flows (no case) that the runner deploys with a cron schedule. The
registry (passage.programme.registry) loads this package by name: a new programme is one new module
and one line here.
"""

from flows import (
    afghan_transfer,
    diaspora,
    family_reunification,
    funder_report,
    labour_inclusion,
    operations,
    resettlement,
    third_country,
    voluntary_return,
)
from passage.programme import Programme, Scheduled

PROGRAMMES: list[Programme] = [
    resettlement.PROGRAMME,
    afghan_transfer.PROGRAMME,
    family_reunification.PROGRAMME,
    labour_inclusion.PROGRAMME,
    funder_report.PROGRAMME,
    third_country.PROGRAMME,
    voluntary_return.PROGRAMME,
    diaspora.PROGRAMME,
]

SCHEDULED: list[Scheduled] = operations.SCHEDULED
