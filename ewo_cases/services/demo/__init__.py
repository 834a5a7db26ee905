"""The demonstration authority: schools, trusts, accounts, pupils and their families, and registers for
last academic year and this one to date. The same seed and the same today make the same data, and
running it again changes nothing, so it is safe to repeat. Larger authorities (``schools``, ``pupils``)
are for benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Phase, Pupil, Role, School
from ewo_cases.services import users as user_service
from ewo_cases.services.attendance import figures
from ewo_cases.services.attendance import registers as register_store
from ewo_cases.services.demo.authority import (
    DEMO_ACCOUNTS,
    DEMO_SCHOOLS,
    DemoAccount,
    database_is_empty,
    holds_only_demo_data,
    load_demo_authority,
)
from ewo_cases.services.demo.calendar import school_year
from ewo_cases.services.demo.cases import STORY_SCHOOL_DAYS, load_demo_cases, too_early_for_cases
from ewo_cases.services.demo.imports import load_demo_imports
from ewo_cases.services.demo.marks import pupil_register, template
from ewo_cases.services.demo.people import DemoPupil, make_pupils
from ewo_cases.services.imports.carers import store_carers
from ewo_cases.services.imports.rows import upsert_by_key

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_SCHOOLS",
    "STORY_SCHOOL_DAYS",
    "DemoAccount",
    "database_is_empty",
    "holds_only_demo_data",
    "load_demo",
    "too_early_for_cases",
]

#: Pupils per school of the small demonstration authority, by phase.
PUPILS_BY_PHASE = {Phase.PRIMARY: 120, Phase.SECONDARY: 200}
#: Share of pupils who were at another school last year.
MOVED_SCHOOL = 0.02


def load_demo(*, today: date, seed: int = 1, schools: int = len(DEMO_SCHOOLS), pupils: int | None = None) -> None:
    """Load the demonstration authority; flush, do not commit."""
    school_rows = load_demo_authority(extra_schools=max(0, schools - len(DEMO_SCHOOLS)))
    this_year = register_store.academic_year_of(today)
    rng = random.Random(seed)
    made = make_pupils(
        rng,
        [(school.urn, school.phase, 2000 + index) for index, school in enumerate(school_rows)],
        _pupils_per_school(school_rows, pupils),
        this_year,
    )
    pupil_ids = _store_people(made, {school.urn: school.id for school in school_rows})
    _store_registers(rng, made, pupil_ids, school_rows, this_year, today - timedelta(days=1))
    figures.refresh()
    load_demo_cases(today)
    accounts = {account.role: user_service.find_by_email(account.email) for account in reversed(DEMO_ACCOUNTS)}
    load_demo_imports(accounts[Role.ADMIN], accounts[Role.SCHOOL_LEAD], today)


def _pupils_per_school(schools: list[School], total: int | None) -> dict[str, int]:
    if total is None:
        return {school.urn: PUPILS_BY_PHASE.get(school.phase, 120) for school in schools}
    weights = {school.urn: 2.5 if school.phase is Phase.SECONDARY else 1.0 for school in schools}
    scale = total / sum(weights.values())
    counts = {urn: int(weight * scale) for urn, weight in weights.items()}
    counts[schools[0].urn] += total - sum(counts.values())
    return counts


def _store_people(made: list[DemoPupil], school_ids: dict[str, int]) -> dict[str, int]:
    """Write pupils, carers and their ties; return each UPN's pupil id."""
    upsert_by_key(
        Pupil,
        "upn",
        [
            {
                **{k: v for k, v in pupil.record.items() if k != "school_urn"},
                "school_id": school_ids[pupil.record["school_urn"]],
            }
            for pupil in made
        ],
    )
    pupil_ids = dict(db.session.execute(sa.select(Pupil.upn, Pupil.id)).all())
    people, ties = {}, {}
    for pupil in made:
        for carer in pupil.family.carers:
            person = {key: carer[key] for key in ("forename", "surname", "address", "phone", "email")}
            people[carer["carer_ref"]] = person
            ties[(pupil_ids[pupil.upn], carer["carer_ref"])] = {
                "relationship_to_pupil": carer["relationship"],
                "parental_responsibility": carer["parental_responsibility"],
                "lives_with_pupil": carer["lives_with_pupil"],
            }
    store_carers(people, ties)
    return pupil_ids


def _store_registers(
    rng: random.Random,
    made: list[DemoPupil],
    pupil_ids: dict[str, int],
    schools: list[School],
    this_year: int,
    until: date,
) -> None:
    """Last year's full registers and this year's up to ``until``; a few pupils moved school in between."""
    by_urn = {school.urn: school for school in schools}
    imported = {}
    for year in (this_year - 1, this_year):
        calendar = school_year(year)
        snow_day = calendar.school_days[len(calendar.school_days) // 2]
        templates = {
            school.urn: template(calendar, year, until, frozenset({snow_day} if index == 1 else ()))
            for index, school in enumerate(schools)
        }
        for pupil in made:
            urn = pupil.record["school_urn"]
            if year < this_year and rng.random() < MOVED_SCHOOL:
                urn = rng.choice([s.urn for s in schools if s.phase is by_urn[urn].phase])
            register = pupil_register(rng, pupil, templates[urn], calendar, year, until, current=year == this_year)
            if register is not None:
                imported[(pupil_ids[pupil.upn], by_urn[urn].id, year)] = bytearray(register)
    register_store.merge(imported)
