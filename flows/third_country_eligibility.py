"""The ten eligibility conditions of resettlement to a third country, as the source page lists them.

Four are data and are checked here; six need a person's judgement and are gates of the flow. Each
condition is evaluated on its own, so a refusal names exactly the conditions that failed.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from flows.third_country_forms import ResidenceBasis, ThirdCountryApplication
from models import Role


@dataclass(frozen=True)
class Condition:
    number: int  # its place in the page's list, so a refusal can be read against the page
    key: str
    text: str


COUNTRY_LIST = Condition(1, "country-list", "a national of a country on the country list")
RESIDENCE = Condition(
    2,
    "permanent-residence",
    "permanent residence guaranteed in the destination country, not a short-stay visa or an investment programme",
)
MEANS = Condition(3, "lacks-means", "lacks the financial means to pay for the departure")
NO_OBJECTION = Condition(4, "no-objection", "the Government of the Netherlands has no objection to the departure")
FIVE_YEARS = Condition(
    5, "five-year-rule", "no departure with the assistance of IOM or the Dutch government in the last five years"
)
TRAVEL_DOCUMENT = Condition(6, "travel-document", "holds or can obtain a valid travel document")
GENUINE = Condition(7, "no-false-pretences", "the application is not based on false pretences")
COOPERATION = Condition(8, "cooperation", "provides the necessary information and follows instructions")
SAFETY = Condition(9, "safe", "the resettlement can be safely organised")
PROCEDURES = Condition(
    10, "ends-procedures", "agrees to end pending residence procedures or the withdrawal of the Dutch/EU permit"
)

# Assumption: the page links a country list it does not reproduce; these are placeholders for the
# programme manager to replace with the published list (ISO 3166 alpha-2).
NATIONALITIES = frozenset(
    {"AF", "DZ", "EG", "ER", "ET", "IQ", "IR", "LB", "LY", "MA", "PK", "SD", "SO", "SY", "TR", "YE"}
)
PERMANENT = frozenset({ResidenceBasis.PERMANENT_RESIDENCE, ResidenceBasis.CITIZENSHIP})

# The judgement conditions and who judges them (assumption: the roles; condition 10 only where it applies).
JUDGEMENTS: tuple[tuple[Condition, Role], ...] = (
    (MEANS, Role.CASE_WORKER),
    (NO_OBJECTION, Role.CASE_WORKER),  # the government's answer, recorded by a case worker
    (GENUINE, Role.PROGRAMME_MANAGER),
    (COOPERATION, Role.CASE_WORKER),
    (SAFETY, Role.MOVEMENT_OFFICER),
    (PROCEDURES, Role.CASE_WORKER),
)


class Verdict(BaseModel):
    """One condition, met or not, with the reason."""

    number: int
    condition: str
    text: str
    met: bool
    reason: str = ""

    @classmethod
    def of(cls, condition: Condition, met: bool, reason: str = "") -> "Verdict":
        return cls(number=condition.number, condition=condition.key, text=condition.text, met=met, reason=reason)


class Eligibility(BaseModel):
    verdicts: list[Verdict]

    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.met]


def five_years_before(day: date) -> date:
    return day.replace(year=day.year - 5) if (day.month, day.day) != (2, 29) else date(day.year - 5, 2, 28)


def data_checks(application: ThirdCountryApplication, today: date) -> Eligibility:
    """The four conditions the application's data decides."""
    nationality = application.applicant.nationality
    basis = application.residence_basis
    last = application.last_assisted_departure
    return Eligibility(
        verdicts=[
            Verdict.of(COUNTRY_LIST, nationality in NATIONALITIES, f"nationality {nationality}"),
            Verdict.of(RESIDENCE, basis in PERMANENT, f"{basis.value.replace('_', ' ')} in the destination country"),
            Verdict.of(
                FIVE_YEARS,
                last is None or last < five_years_before(today),
                "no earlier assisted departure" if last is None else f"assisted departure on {last}",
            ),
            Verdict.of(
                TRAVEL_DOCUMENT,
                application.travel_document != "none",
                f"travel document: {application.travel_document}",
            ),
        ]
    )


def not_eligible(failed: list[Verdict]) -> str:
    """The refusal the applicant receives: every failed condition, by its number on the page."""
    listed = "; ".join(f"({v.number}) {v.text}: {v.reason}" for v in sorted(failed, key=lambda v: v.number))
    return f"not eligible, {len(failed)} condition(s) not met: {listed}"
