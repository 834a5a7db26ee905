"""The demonstration authority: schools, trusts and one account per role, the same on every run.

Running it again adds only what is missing, so it is safe to repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Phase, Role, School, Trust, User
from ewo_cases.services import schools as school_service
from ewo_cases.services import users as user_service

DEMO_TRUSTS = ("Northfield Learning Trust", "Riverside Academies Partnership")

#: (URN, name, phase, trust index)
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


def load_demo() -> None:
    """Load everything the demonstration shows; flush, do not commit."""
    load_demo_authority()


def load_demo_authority() -> None:
    """Create the demo trusts, schools and accounts that do not exist yet; flush, do not commit."""
    trusts = {trust.name: trust for trust in db.session.scalars(sa.select(Trust))}
    for name in DEMO_TRUSTS:
        if name not in trusts:
            trusts[name] = school_service.create_trust(name=name, actor=None)
    schools = {school.urn: school for school in db.session.scalars(sa.select(School))}
    for urn, name, phase, trust_index in DEMO_SCHOOLS:
        if urn not in schools:
            schools[urn] = school_service.create_school(
                urn=urn, name=name, phase=phase, trust=trusts[DEMO_TRUSTS[trust_index]], actor=None
            )
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
