"""Family reunification, with DNA sample collection on IND's request (DNA: since May 2021) (docs/procedures.md §3).

Each family member travels on their own merits: a member whose relationship IND does not confirm, who
cannot travel, or who stays behind (removed from the case by an amendment) leaves the journey while the
others go on; nothing of theirs holds the family. Steps marked *assumption* are not spelled out by the
source pages (docs/procedures.md).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any, TypeVar

from prefect import flow
from pydantic import Field

from flows.family_reunification_forms import (
    IMPORT_LAYOUT,
    DnaAppointment,
    DnaResult,
    DnaSample,
    FamilyMember,
    MemberEscort,
    MemberFitness,
    MemberNeeds,
    MvvVisa,
    ReunificationArrival,
    ReunificationRequest,
    ReunificationTravel,
)
from flows.forms_common import Fitness
from models import CaseStatus, Role
from passage.programme import Example, Gate, GateForm, Programme
from tasks import CaseInfo, CaseOutcome, finish, gate, load_case, record

F = TypeVar("F", bound=GateForm)

APPOINTMENT = Gate("dna-appointment", "Schedule the DNA sampling appointment", DnaAppointment, Role.CASE_WORKER)
SAMPLE = Gate("dna-sample", "DNA sample collected", DnaSample, Role.CASE_WORKER, due=timedelta(days=30))
# Assumption: IND reports within eight weeks of the sample; the gate falls overdue after that.
RESULT = Gate("dna-result", "Record IND's DNA result", DnaResult, Role.CASE_WORKER, due=timedelta(weeks=8))
VISA = Gate("visa", "Entry visa (MVV) issued", MvvVisa, Role.CASE_WORKER, due=timedelta(days=30))
NEEDS = Gate("needs", "Assess needs for the journey", MemberNeeds, Role.CASE_WORKER)
FITNESS = Gate("fitness", "Fit to travel", MemberFitness, Role.MEDICAL_OFFICER)
ESCORT = Gate("escort", "Arrange an escort", MemberEscort, Role.MOVEMENT_OFFICER)
TRAVEL = Gate("travel", "Book the journey", ReunificationTravel, Role.MOVEMENT_OFFICER)
ARRIVAL = Gate("arrival", "Arrival; inform the sponsor", ReunificationArrival, Role.CASE_WORKER, due=timedelta(days=2))


def for_member(spec: Gate[F], number: int, member: FamilyMember) -> Gate[F]:
    """The gate asked about one member: its own task (`dna-result-2`) titled with the member's name."""
    return spec.numbered(number, f"{spec.title}: {member.full_name}")


def family(case: CaseInfo, request: ReunificationRequest) -> dict[int, FamilyMember]:
    """The members as they stand in the case now, by number: their place in IND's request, kept when one is
    removed by an amendment, so that each member's gates stay theirs (the sponsor is the case's person 1)."""
    return {number - 1: member for number, member in zip(case.numbers[1:], request.members, strict=True)}


@dataclass
class Journey:
    """Who of the family still travels, and why the others left (members by their number)."""

    members: dict[int, FamilyMember]
    left: dict[int, str] = field(default_factory=dict)

    def going(self) -> list[tuple[int, FamilyMember]]:
        return [(n, m) for n, m in self.members.items() if n not in self.left]

    def leave(self, number: int, reason: str) -> str:
        self.left[number] = reason
        return f"{self.members[number].full_name}: {reason}"

    def departures(self) -> str:
        return "; ".join(f"{self.members[n].full_name} ({reason})" for n, reason in sorted(self.left.items()))


def needs_escort(needs: MemberNeeds, fitness: MemberFitness | None) -> bool:
    """An unaccompanied minor always travels with an escort; so does a member fit only with escort."""
    return needs.unaccompanied_minor or (fitness is not None and fitness.fitness == Fitness.FIT_WITH_ESCORT)


def leave(case: CaseInfo, journey: Journey, number: int, reason: str) -> None:
    """A member leaves the journey: recorded on the case's timeline with the reason."""
    note = journey.leave(number, reason)
    record(case, f"member-leaves-{number}", "A family member leaves the journey", note)


def dna_tests(case: CaseInfo, journey: Journey) -> None:
    """Appointment, samples and IND's results for the members IND asked about; who has none leaves."""
    tested = [(n, m) for n, m in journey.going() if m.dna_requested]
    if not tested:
        return
    names = [m.full_name for _, m in tested]
    appointment = gate(case, APPOINTMENT, requested_by=case.opened_by, context={"members": names})
    if not appointment.approved:
        # The members IND asked about cannot show the relationship; the others go on without them.
        for number, _member in tested:
            leave(case, journey, number, f"no DNA sampling appointment: {appointment.comment}")
        return
    samples: dict[int, str] = {}
    for number, member in tested:
        sample = gate(case, for_member(SAMPLE, number, member), context=appointment.data())
        if sample.approved:
            samples[number] = sample.sample_id
        else:
            # No comment in the reason: the case's outcome is read by every role, a DNA gate's comment is DNA data.
            leave(case, journey, number, "no DNA sample")
    for number, member in tested:
        if number in samples:
            result = gate(case, for_member(RESULT, number, member), context={"sample_id": samples[number]})
            if not result.approved:
                leave(case, journey, number, "relationship not confirmed by IND")
    return None


def assess_needs(case: CaseInfo, journey: Journey) -> dict[str, Any]:
    """Each travelling member's needs, fitness where needed, escort where needed; returns the travel context."""
    context: dict[str, Any] = {"travellers": [], "escorted": [], "missing_documents": {}}
    for number, member in journey.going():
        needs = gate(case, for_member(NEEDS, number, member))
        if not needs.approved:
            leave(case, journey, number, f"cannot travel: {needs.comment}")
            continue
        fitness = gate(case, for_member(FITNESS, number, member)) if needs.medical_condition else None
        if fitness is not None and not fitness.approved:
            leave(case, journey, number, "not fit to travel")
            continue
        if needs_escort(needs, fitness):
            gate(case, for_member(ESCORT, number, member), context={"unaccompanied_minor": needs.unaccompanied_minor})
            context["escorted"].append(member.full_name)
        if needs.missing_documents:
            context["missing_documents"][member.full_name] = [d.value for d in needs.missing_documents]
        context["travellers"].append(member.full_name)
    return context


def with_departures(outcome: str, journey: Journey) -> str:
    return f"{outcome}; left the journey: {journey.departures()}" if journey.left else outcome


@flow(name="family-reunification", log_prints=False)
def family_reunification(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """A sponsor's family members abroad, from IND's request to their arrival in the Netherlands."""
    case = load_case(case_ref)
    request = ReunificationRequest.model_validate(case.data)
    journey = Journey(family(case, request))
    # 1-2. IND's request; where IND asks, DNA sampling at an MHAC and IND's result per member.
    dna_tests(case, journey)
    if not journey.going():
        return finish(case, CaseStatus.REJECTED, with_departures("no family member travels", journey))
    # 3. The entry visa for the members who go on.
    visa = gate(case, VISA, context={"members": [m.full_name for _, m in journey.going()]})
    if not visa.approved:
        return finish(case, CaseStatus.REJECTED, with_departures(f"no entry visa: {visa.comment}", journey))
    # 4. Needs per member: medical, missing documents, unaccompanied minors (escort).
    travel_context = assess_needs(case, journey)
    if not journey.going():
        return finish(case, CaseStatus.REJECTED, with_departures("no family member travels", journey))
    # 5. The journey.
    travel = gate(case, TRAVEL, context=travel_context)
    if not travel.approved:
        return finish(case, CaseStatus.REJECTED, with_departures(f"journey not booked: {travel.comment}", journey))
    # 6. Arrival; the sponsor is informed.
    arrival = gate(case, ARRIVAL, context={"sponsor": request.sponsor.full_name, "flight": travel.flight})
    arrived = f"{len(journey.going())} of {len(journey.members)} family members arrived {arrival.arrived_on}"
    return finish(case, CaseStatus.CLOSED, with_departures(f"{arrived}, sponsor informed", journey))


TODAY = date.today().isoformat()
SPONSOR = {"full_name": "Yonas Tesfaye", "nationality": "ER", "birth_date": "1986-05-14", "municipality": "Utrecht"}
KIDS = [
    {"full_name": "Selam Yonas", "nationality": "ER", "birth_date": "2011-03-02", "relationship": "child"},
    {"full_name": "Dawit Yonas", "nationality": "ER", "birth_date": "2014-10-19", "relationship": "child"},
]
EXAMPLES = (
    Example(
        {
            "ind_ref": "IND-FR-2026-0311",
            "sponsor": SPONSOR,
            "members": [{**kid, "country_of_stay": "ET", "dna_requested": True} for kid in KIDS],
        },
        decided=(
            (APPOINTMENT, {"site": "ethiopia", "appointment_on": TODAY}),
            (
                for_member(SAMPLE, 1, FamilyMember.model_validate({**KIDS[0], "country_of_stay": "ET"})),
                {"sample_id": "MHAC-ADD-0042", "consent_recorded": True, "collected_on": TODAY},
            ),
        ),
    ),
    Example(
        {
            "ind_ref": "IND-FR-2026-0407",
            "sponsor": {"full_name": "رنا الخطيب", "nationality": "SY", "municipality": "Zwolle"},
            "members": [
                {"full_name": "سامر الخطيب", "nationality": "SY", "relationship": "spouse", "country_of_stay": "LB"},
            ],
        },
        overdue=VISA,
    ),
)

PROGRAMME = Programme(
    slug="family-reunification",
    title="Family reunification",
    ref_prefix="FAM",
    flow=family_reunification,
    intake=ReunificationRequest,
    gates=(APPOINTMENT, SAMPLE, RESULT, VISA, NEEDS, FITNESS, ESCORT, TRAVEL, ARRIVAL),
    examples=EXAMPLES,
    import_layout=IMPORT_LAYOUT,
)
