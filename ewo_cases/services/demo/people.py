"""Made-up pupils and the adults who care for them, with realistic proportions of each cohort and of
brothers and sisters at different schools. The same seed always makes the same people."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum.gb import upn as upn_number

from ewo_cases.models import Phase

FORENAMES = tuple(
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Muhammad Freya Leo Lily Harry Florence Oscar Willow Archie "
    "Rosie Jack Sophia Charlie Evie Theo Aisha Jacob Zara Alfie Maya Henry Ella Thomas Grace Joshua Chloe Kacper "
    "Zofia Yusuf Amara Dylan Priya Reuben Niamh Kai Layla Ethan".split()
)
WOMEN = tuple(
    "Sarah Emma Laura Rachel Hannah Fatima Joanne Kerry Agnieszka Chioma Nadia Claire Gemma Leanne Samina Aoife "
    "Michelle Donna Yasmin Helen".split()
)
MEN = tuple(
    "James Daniel Mark Craig Imran Tomasz Kwame Stuart Gareth Lee Wayne Ryan Adam Paul Sean Bilal Marcus Robert "
    "Chris Jamal".split()
)
FEMALE_RELATIONSHIPS = {"Mother", "Grandmother", "Stepmother"}
SURNAMES = tuple(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White "
    "Roberts Green Hall Khan Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward Hughes Moore "
    "Ahmed Kowalski Okafor Nowak Begum Ali Mensah Murphy O'Brien Lewis Baker".split()
)
STREETS = (
    "Church Lane",
    "Station Road",
    "Victoria Street",
    "Mill Road",
    "Park Avenue",
    "Queens Road",
    "Orchard Close",
    "The Crescent",
    "Meadow Way",
    "High Street",
    "Riverside Walk",
    "Elm Grove",
)
ETHNICITIES = (
    ("WBRI", 70),
    ("WOTH", 6),
    ("APKN", 5),
    ("AIND", 3),
    ("BAFR", 4),
    ("MWBC", 4),
    ("CHNE", 1),
    ("WIRI", 1),
    ("BCRB", 2),
    ("OOTH", 2),
    ("REFU", 2),
)
#: Year groups by phase, and the age on 31 August before the year starts.
YEAR_GROUPS = {
    Phase.PRIMARY: ("R", "1", "2", "3", "4", "5", "6"),
    Phase.SECONDARY: ("7", "8", "9", "10", "11"),
    Phase.ALL_THROUGH: ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
    Phase.SPECIAL: ("3", "5", "7", "9", "11", "12", "13"),
}
#: A real LA number (UPNs must start with one) for the made-up authority.
LA_NUMBER = "919"


@dataclass
class Family:
    """The adults of one household, shared by brothers and sisters."""

    surname: str
    address: str
    carers: list[dict] = field(default_factory=list)


@dataclass
class DemoPupil:
    """One made-up pupil: the ``pupils.csv`` columns, and how much school they tend to miss."""

    record: dict
    family: Family
    #: Share of possible sessions this pupil tends to miss.
    absence_rate: float
    #: School day (index within the year) they joined on, or left after.
    joins: int | None = None
    leaves: int | None = None

    @property
    def upn(self) -> str:
        return self.record["upn"]


def make_upn(establishment: int, serial: int, issued: int) -> str:
    """A valid UPN: check letter, LA, establishment number, issue year and serial."""
    body = f"{LA_NUMBER}{establishment:04d}{issued % 100:02d}{serial % 1000:03d}"
    return upn_number.calc_check_digit(body) + body


def choose_weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([option for option, _ in options], weights=[weight for _, weight in options])[0]


def absence_rate(rng: random.Random, needs: int) -> float:
    """About one pupil in five misses 10% or more, one in fifty 50% or more; more with more needs."""
    draw = rng.random()
    if draw < 0.018 + 0.01 * needs:
        return rng.uniform(0.52, 0.85)
    if draw < 0.17 + 0.05 * needs:
        return rng.uniform(0.105, 0.30)
    if draw < 0.42:
        return rng.uniform(0.04, 0.09)
    return rng.uniform(0.0, 0.035)


def make_pupils(
    rng: random.Random, schools: list[tuple[str, Phase, int]], pupils_per_school: dict[str, int], academic_year: int
) -> list[DemoPupil]:
    """Make the pupils of every school; about a third share a household with a pupil made before them."""
    pupils: list[DemoPupil] = []
    families: list[Family] = []
    for urn, phase, establishment in schools:
        year_groups = YEAR_GROUPS.get(phase, YEAR_GROUPS[Phase.PRIMARY])
        for serial in range(pupils_per_school[urn]):
            year_group = year_groups[serial % len(year_groups)]
            family = rng.choice(families) if families and rng.random() < 0.3 else _new_family(rng, families)
            pupils.append(_make_pupil(rng, urn, establishment, serial, year_group, family, academic_year))
    return pupils


def _new_family(rng: random.Random, families: list[Family]) -> Family:
    number = len(families) + 1
    family = Family(
        rng.choice(SURNAMES),
        f"{rng.randint(1, 180)} {rng.choice(STREETS)}, Anytown AN{number % 9 + 1} "
        f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
    )
    shape = rng.random()
    adults = [("Mother", True, True)]
    if shape < 0.55:
        adults.append(("Father", True, True))
    elif shape < 0.70:
        adults += [("Father", True, False), ("Stepfather", False, True)]
    elif shape < 0.73:
        adults = [("Grandmother", False, False), ("Mother", True, True)]
    for position, (relationship, responsibility, lives_with) in enumerate(adults):
        names = WOMEN if relationship in FEMALE_RELATIONSHIPS else MEN
        forename = _not_taken(rng.choice(names), names, {carer["forename"] for carer in family.carers})
        if relationship == "Grandmother":
            surname = rng.choice(SURNAMES)
        elif relationship.startswith("Step"):
            # A step-parent seldom shares the family's surname; deriving it keeps the random draws unchanged.
            surname = SURNAMES[(SURNAMES.index(family.surname) + 7) % len(SURNAMES)]
        else:
            surname = family.surname
        family.carers.append(
            {
                "carer_ref": f"C{number:06d}{position}",
                "forename": forename,
                "surname": surname,
                "relationship": relationship,
                "parental_responsibility": responsibility,
                "lives_with_pupil": lives_with,
                "address": family.address,
                "phone": f"07700 9{rng.randint(0, 99999):05d}",
                "email": f"{forename.lower()}.{surname.lower().replace(chr(39), '')}{number}@example.com",
            }
        )
    families.append(family)
    return family


def _not_taken(name: str, names: tuple[str, ...], taken: set[str]) -> str:
    """``name``, or the next one in ``names`` not already used in the family (two adults of one name in a
    household could not be told apart)."""
    while name in taken:
        name = names[(names.index(name) + 1) % len(names)]
    return name


def _make_pupil(
    rng: random.Random, urn: str, establishment: int, serial: int, year_group: str, family: Family, academic_year: int
) -> DemoPupil:
    age = 4 if year_group == "R" else int(year_group) + 4
    born = date(academic_year - age - 1, 9, 1) + timedelta(days=rng.randint(0, 364))
    needs = {
        "pupil_premium": rng.random() < 0.26,
        "sen_status": rng.choices("NKE", weights=(83, 13, 4))[0],
        "looked_after": rng.random() < 0.012,
        "previously_looked_after": rng.random() < 0.01,
        "child_protection": rng.random() < 0.012,
        "child_in_need": rng.random() < 0.03,
    }
    need_count = sum(1 for key, value in needs.items() if value and value != "N")
    record = {
        "upn": make_upn(establishment, serial, academic_year - age + 4),
        "school_urn": urn,
        "forename": rng.choice(FORENAMES),
        "surname": family.surname,
        "date_of_birth": born,
        "year_group": year_group,
        "sex": rng.choice("FM"),
        **needs,
        "ethnicity": choose_weighted(rng, ETHNICITIES),
        "eal": rng.random() < 0.18,
    }
    pupil = DemoPupil(record, family, absence_rate(rng, need_count))
    if rng.random() < 0.04:
        pupil.joins = rng.randint(20, 120)
    elif rng.random() < 0.03:
        pupil.leaves = rng.randint(40, 150)
    return pupil
