"""Checking single values of the contract files. Each function returns ``(value, problem)``: the parsed
value, or None and a sentence saying what is wrong."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.gb import upn as upn_number

from ewo_cases.models import YEAR_GROUPS, SenStatus

FLAGS = {"Y": True, "N": False}
SEN_STATUSES = {status.value: status for status in SenStatus}
SEXES = ("F", "M")
YEAR_GROUP_SET = frozenset(YEAR_GROUPS)

_UPN_PROBLEMS = {
    InvalidLength: "UPN must be 13 characters",
    InvalidFormat: "UPN must be a letter, then 11 digits, then a digit or a letter",
    InvalidChecksum: "UPN check letter does not match the rest of the number",
    InvalidComponent: "UPN does not start with a real local authority number",
}


@lru_cache(maxsize=1 << 18)
def upn(value: str) -> tuple[str | None, str | None]:
    """A valid Unique Pupil Number, its check letter verified."""
    try:
        return upn_number.validate(value), None
    except ValidationError as error:
        return None, _UPN_PROBLEMS.get(type(error), "UPN is not valid")


@lru_cache(maxsize=4096)
def iso_date(value: str) -> tuple[date | None, str | None]:
    """A real calendar date written YYYY-MM-DD."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None, "Date must be written YYYY-MM-DD"
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, "Date does not exist"


def flag(value: str) -> tuple[bool | None, str | None]:
    """Y or N (capitals, as the contract writes them)."""
    if value in FLAGS:
        return FLAGS[value], None
    return None, "Must be Y or N"


def optional_flag(value: str) -> tuple[bool | None, str | None]:
    """Y, N or empty (unknown)."""
    return (None, None) if not value else flag(value)


def choice(value: str, allowed: tuple[str, ...] | frozenset[str], what: str) -> tuple[str | None, str | None]:
    """One of a fixed set of values."""
    if value in allowed:
        return value, None
    listed = ", ".join(YEAR_GROUPS if allowed is YEAR_GROUP_SET else sorted(allowed))
    return None, f"{what} must be one of: {listed}"
