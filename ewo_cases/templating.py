"""Jinja set-up: the GOV.UK template packages, navigation by role, and display filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from ewo_cases.access import can_use
from ewo_cases.models import Role
from ewo_cases.models.pupils import year_group_label
from ewo_cases.services.approvals import APPROVAL_LABELS
from workflows import CLOSURE_REASON_LABELS, NOT_OPENED, STAGE_LABELS
from workflows.attendance import Band

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NavItem:
    """A section of the service, linked from the service navigation or, for the roles it is not primary for, from
    the home page's list of other tools (so each role's navigation fits on one line)."""

    text: str
    endpoint: str
    #: URL prefix under which the item counts as the current section.
    section: str
    #: What the section is for, said on the home page when it is listed there.
    description: str = ""
    #: The roles whose service navigation shows it; other roles that may use it find it on their home page.
    primary_for: frozenset[Role] = frozenset(Role)


#: The roles that work with children's records day to day.
CASEWORK = frozenset({Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER})

NAVIGATION: list[NavItem] = [
    NavItem("Home", "home.index", "/"),
    NavItem("Cases", "cases.index", "/cases", primary_for=CASEWORK),
    NavItem("Pupils", "pupils.index", "/pupils", primary_for=CASEWORK),
    NavItem("Attendance lists", "identification.index", "/lists", primary_for=CASEWORK),
    NavItem(
        "Referrals",
        "referrals.index",
        "/referrals",
        "Schools' requests for the attendance team's help, and what was decided.",
        primary_for=frozenset({Role.OFFICER, Role.SCHOOL_LEAD}),
    ),
    NavItem("Approvals", "approvals.index", "/approvals", primary_for=frozenset({Role.OFFICER, Role.MANAGER})),
    NavItem("Legal", "legal.caseload", "/legal", primary_for=frozenset({Role.OFFICER, Role.MANAGER})),
    NavItem(
        "Targeting meetings",
        "targeting.index",
        "/targeting",
        "Each school's termly targeting support meeting and its pack of pupils to discuss.",
        primary_for=frozenset({Role.SCHOOL_LEAD}),
    ),
    NavItem("Oversight", "oversight.caseloads", "/oversight", primary_for=frozenset({Role.MANAGER})),
    NavItem("Reports", "reports.index", "/reports", primary_for=CASEWORK),
    NavItem(
        "Users",
        "users.index",
        "/users",
        "Create accounts, set roles and the schools each person works with, reset passwords and deactivate accounts.",
        primary_for=frozenset({Role.ADMIN}),
    ),
    NavItem(
        "Schools",
        "schools.index",
        "/schools",
        "Schools and the trusts they belong to.",
        primary_for=frozenset({Role.ADMIN}),
    ),
    NavItem(
        "Imports",
        "imports.index",
        "/imports",
        "Upload schools, pupils, carers and register marks, and see what each import did.",
        primary_for=frozenset({Role.ADMIN}),
    ),
    NavItem(
        "Letter templates",
        "letter_templates.index",
        "/letter-templates",
        "The wording of each kind of letter the service writes to families.",
        primary_for=frozenset({Role.ADMIN}),
    ),
    NavItem(
        "Directory",
        "directory.index",
        "/directory",
        "Agencies and professionals who work with families, to add to a case's people.",
        primary_for=frozenset(),
    ),
]

#: Who a person should ask when the service stands in their way, by role (the 403 page and the phase banner).
HELP_CONTACT = {
    Role.OFFICER: "your team manager",
    Role.SCHOOL_LEAD: "your school's education welfare officer",
    Role.MANAGER: "an administrator of this service",
    Role.ADMIN: "another administrator or your IT service desk",
}
#: For someone not signed in.
ACCOUNT_CONTACT = "whoever set up your account"


def help_contact() -> str:
    """Who the current user should ask for help or access."""
    return HELP_CONTACT[current_user.role] if current_user.is_authenticated else ACCOUNT_CONTACT


def _usable(item: NavItem) -> bool:
    return item.endpoint in current_app.view_functions and can_use(item.endpoint)


def navigation() -> list[dict[str, object]]:
    """The current user's primary sections (those they may use, and which exist), with the current one marked."""
    items = []
    for item in NAVIGATION:
        if not _usable(item) or current_user.role not in item.primary_for:
            continue
        active = request.path == "/" if item.section == "/" else request.path.startswith(item.section)
        items.append({"href": url_for(item.endpoint), "text": item.text, "active": active})
    return items


def other_tools() -> list[NavItem]:
    """The sections the current user may use that their navigation leaves out, for their home page."""
    return [item for item in NAVIGATION if _usable(item) and current_user.role not in item.primary_for]


def admin_tools() -> list[NavItem]:
    """An administrator's sections with what each is for, for the administration home page."""
    return [item for item in NAVIGATION if item.description and _usable(item)]


#: The sections of a case, in the order of its sub-navigation: (label, endpoint taking ``case_id``).
CASE_SECTIONS = (
    ("Overview", "cases.show"),
    ("Timeline", "chronology.index"),
    ("People", "cases.people"),
    ("Meetings", "meetings.index"),
    ("Action plan", "plans.show"),
    ("Letters", "letters.index"),
    ("Legal", "legal.show"),
    ("Audit", "cases.audit"),
)


def case_sections(case_id: int) -> list[dict[str, object]]:
    """The case's sections the current user may open, marking the one being shown."""
    current_blueprint = (request.endpoint or "").split(".")[0]
    return [
        {
            "text": label,
            "href": url_for(endpoint, case_id=case_id),
            "active": request.endpoint == endpoint
            or (
                endpoint != "cases.show"
                and endpoint.split(".")[0] == current_blueprint
                and current_blueprint != "cases"
            ),
        }
        for label, endpoint in CASE_SECTIONS
        if endpoint in current_app.view_functions and can_use(endpoint)
    ]


def url_with(**changes: object) -> str:
    """This page's URL with some query parameters changed (repeated parameters are kept)."""
    args = request.args.to_dict(flat=False)
    args.update(changes)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def pagination(page: int, total: int, page_size: int) -> dict[str, object] | None:
    """``govukPagination`` parameters for page ``page`` of ``total`` rows; None for a single page."""
    pages = (total + page_size - 1) // page_size
    if pages <= 1:
        return None
    items: list[dict[str, object]] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 2:
            items.append({"number": number, "href": url_with(page=number), "current": number == page})
        elif abs(number - page) == 3:
            items.append({"ellipsis": True})
    return {
        "previous": {"href": url_with(page=page - 1)} if page > 1 else None,
        "next": {"href": url_with(page=page + 1)} if page < pages else None,
        "items": items,
    }


def format_date(value: date | datetime | None, style: str = "long") -> str:
    """``1 September 2026`` (long) or ``1 Sep 2026`` (short), in UK time for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    month = "%b" if style == "short" else "%B"
    return f"{value.day} {value.strftime(month)} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """``1 September 2026 at 2:05pm`` in UK time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{format_date(local)} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def init_app(app: Flask) -> None:
    """Load our templates first, then the GOV.UK macros under their package prefixes."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_global(navigation)
    app.add_template_global(other_tools)
    app.add_template_global(admin_tools)
    app.add_template_global(help_contact)
    app.add_template_global(url_with)
    app.add_template_global(case_sections)
    app.add_template_global(STAGE_LABELS, "stage_labels")
    app.add_template_global(NOT_OPENED, "not_opened")
    app.add_template_global(CLOSURE_REASON_LABELS, "closure_labels")
    app.add_template_global(APPROVAL_LABELS, "approval_labels")
    app.add_template_global(year_group_label, "year_label")
    app.add_template_global(Band, "band_of")
    app.add_template_global(pagination)
    app.add_template_global(can_use)
    app.context_processor(
        lambda: {
            "authority_name": app.config["AUTHORITY_NAME"],
            "user": current_user,
        }
    )
