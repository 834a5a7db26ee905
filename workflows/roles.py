"""The roles a user can hold: one definition for the access rules of the app and the workflow's guards."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is, which decides what they may see and do."""

    OFFICER = "officer"
    SCHOOL_LEAD = "school_lead"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OFFICER: "Education welfare officer",
    Role.SCHOOL_LEAD: "School attendance lead",
    Role.MANAGER: "Team manager",
    Role.ADMIN: "Administrator",
}
