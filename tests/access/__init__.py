"""The hand-written role x endpoint matrix, one module per area, each defining ``EXPECTED``."""

from __future__ import annotations

import importlib
import pkgutil

from ewo_cases.access import PUBLIC
from ewo_cases.models import Role

ADMIN, MANAGER, OFFICER, LEAD = Role.ADMIN, Role.MANAGER, Role.OFFICER, Role.SCHOOL_LEAD
EVERYONE = frozenset(Role)
#: Everyone who works with children's records: officers, school leads and managers.
CASEWORK = frozenset({OFFICER, LEAD, MANAGER})
#: The local authority's caseworkers.
LA_CASEWORK = frozenset({OFFICER, MANAGER})

__all__ = ["ADMIN", "CASEWORK", "EVERYONE", "LA_CASEWORK", "LEAD", "MANAGER", "OFFICER", "PUBLIC", "expected_access"]


def expected_access() -> dict[str, frozenset[Role] | str]:
    """Every module's expectations, merged; an endpoint listed twice is a mistake."""
    merged: dict[str, frozenset[Role] | str] = {}
    for info in pkgutil.iter_modules(__path__):
        expected = importlib.import_module(f"{__name__}.{info.name}").EXPECTED
        clash = merged.keys() & expected.keys()
        assert not clash, f"listed twice: {clash}"
        merged.update(expected)
    return merged
