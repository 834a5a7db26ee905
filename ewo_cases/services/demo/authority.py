"""The demonstration authority's schools, trusts and accounts (one per role, and a second officer)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Phase, Role, School, Trust, User
from ewo_cases.services import schools as school_service
from ewo_cases.services import users as user_service

DEMO_TRUSTS = ("Northfield Learning Trust", "Riverside Academies Partnership")

#: (URN, name, phase, index into DEMO_TRUSTS or None for a maintained school)
DEMO_SCHOOLS = (
    ("100001", "Northfield Primary School", Phase.PRIMARY, 0),
    ("100002", "Northfield Academy", Phase.SECONDARY, 0),
    ("100003", "Hilltop Infant and Junior School", Phase.PRIMARY, 0),
    ("100004", "Riverside High School", Phase.SECONDARY, 1),
    ("100005", "Riverside Park Primary", Phase.PRIMARY, 1),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    #: URNs of an officer's patch or a lead's school.
    school_urns: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount(
        "officer@demo.example", "Priya Shah", Role.OFFICER, "kestrel-harbour-lantern", ("100001", "100002", "100003")
    ),
    DemoAccount("officer2@demo.example", "Daniel Hughes", Role.OFFICER, "meadow-copper-fjord", ("100004", "100005")),
    DemoAccount("lead@demo.example", "Tom Price", Role.SCHOOL_LEAD, "orchard-violin-summit", ("100002",)),
    DemoAccount("manager@demo.example", "Grace Okafor", Role.MANAGER, "granite-pelican-voyage"),
    DemoAccount("admin@demo.example", "Sam Taylor", Role.ADMIN, "saffron-tundra-beacon"),
)


def database_is_empty() -> bool:
    """Whether nobody has set the service up yet (no schools and no accounts)."""
    return not (
        db.session.scalar(sa.select(sa.func.count(User.id))) or db.session.scalar(sa.select(sa.func.count(School.id)))
    )


def holds_only_demo_data() -> bool:
    """Whether every account and school is one the demo makes (true of an empty database too), so that loading the
    demo cannot add its published sign-ins to a live service or its pupils to a real school."""
    emails = set(db.session.scalars(sa.select(User.email)))
    schools = {(urn, name) for urn, name in db.session.execute(sa.select(School.urn, School.name))}
    demo_schools = {(urn, name) for urn, name, *_ in (*DEMO_SCHOOLS, *_extra_schools(len(schools)))}
    return emails <= {account.email for account in DEMO_ACCOUNTS} and schools <= demo_schools


def load_demo_authority(extra_schools: int = 0) -> list[School]:
    """Create the demo trusts, schools (and ``extra_schools`` more) and accounts that do not exist yet."""
    trusts = {trust.name: trust for trust in db.session.scalars(sa.select(Trust))}
    for name in DEMO_TRUSTS:
        if name not in trusts:
            trusts[name] = school_service.create_trust(name=name, actor=None)
    schools = {school.urn: school for school in db.session.scalars(sa.select(School))}
    wanted = [*DEMO_SCHOOLS, *_extra_schools(extra_schools)]
    for urn, name, phase, trust_index in wanted:
        if urn not in schools:
            trust = trusts[DEMO_TRUSTS[trust_index]] if trust_index is not None else None
            schools[urn] = school_service.create_school(urn=urn, name=name, phase=phase, trust=trust, actor=None)
    for account in DEMO_ACCOUNTS:
        if user_service.find_by_email(account.email) is None:
            user_service.create_user(
                email=account.email,
                name=account.name,
                role=account.role,
                password=account.password,
                schools=[schools[urn] for urn in account.school_urns],
                actor=None,
            )
    db.session.flush()
    return [schools[urn] for urn, *_ in wanted]


def _extra_schools(count: int) -> list[tuple[str, str, Phase, int | None]]:
    """More schools for a large synthetic authority: mostly primaries, some in trusts, some maintained."""
    places = ("Ashford", "Beacon", "Castle", "Dale", "Elmwood", "Fairfield", "Glebe", "Holmes", "Ivy", "Juniper")
    schools = []
    for number in range(count):
        phase = Phase.SECONDARY if number % 5 == 0 else Phase.PRIMARY
        kind = "Academy" if phase is Phase.SECONDARY else "Primary School"
        trust = (0, 1, None)[number % 3]
        schools.append((f"{200001 + number}", f"{places[number % 10]} {kind} {number // 10 + 1}", phase, trust))
    return schools
