"""Schools and trusts: scoped lists for everyone, administration for administrators."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, Phase, Role, School, Trust


@pytest.fixture
def three_schools(make_school, make_trust):
    trust = make_trust("Valley Trust")
    return [
        make_school(name="Alder Primary", trust=trust),
        make_school(name="Birch Academy", trust=trust),
        make_school(name="Cedar School"),
    ]


@pytest.mark.parametrize(
    ("role", "linked", "visible"),
    [
        (Role.SCHOOL_LEAD, [1], ["Birch Academy"]),
        (Role.OFFICER, [0, 2], ["Alder Primary", "Cedar School"]),
        (Role.MANAGER, [], ["Alder Primary", "Birch Academy", "Cedar School"]),
        (Role.ADMIN, [], ["Alder Primary", "Birch Academy", "Cedar School"]),
    ],
)
def test_each_role_sees_only_its_schools(client, make_user, sign_in, three_schools, role, linked, visible):
    sign_in(make_user(role, schools=[three_schools[i] for i in linked]))
    page = client.get("/schools/").text
    for school in three_schools:
        assert (school.name in page) == (school.name in visible)


def test_only_administrators_see_the_change_links(client, make_user, sign_in, three_schools):
    sign_in(make_user(Role.MANAGER))
    page = client.get("/schools/").text
    assert "Add a school" not in page and "/edit" not in page


@pytest.fixture
def admin(make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def test_admin_adds_a_school_in_a_trust(client, admin, make_trust):
    trust = make_trust("Hill Trust")
    response = client.post(
        "/schools/new", data={"urn": "654321", "name": "Hill Primary", "phase": "primary", "trust": trust.id}
    )
    assert response.status_code == 302
    school = db.session.scalar(sa.select(School).where(School.urn == "654321"))
    assert (school.name, school.phase, school.trust_id) == ("Hill Primary", Phase.PRIMARY, trust.id)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "school.created")).actor_id == admin.id


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"urn": "", "name": "X", "phase": "primary"}, "Enter the school&#39;s URN"),
        ({"urn": "12345", "name": "X", "phase": "primary"}, "URN must be 6 digits"),
        ({"urn": "654321", "name": "", "phase": "primary"}, "Enter the school&#39;s name"),
        ({"urn": "654321", "name": "X", "phase": ""}, "Choose the school&#39;s phase"),
        ({"urn": "654321", "name": "X", "phase": "college"}, "Select the phase from the list"),
        ({"urn": "654321", "name": "X", "phase": "primary", "trust": "999999"}, "Select the trust from the list"),
    ],
)
def test_bad_school_details_are_explained_and_nothing_is_written(client, admin, form, message):
    response = client.post("/schools/new", data={"trust": "0", **form})
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0


def test_a_urn_already_in_use_is_refused(client, admin, make_school):
    make_school(urn="111111")
    response = client.post("/schools/new", data={"urn": "111111", "name": "Twin", "phase": "primary", "trust": "0"})
    assert response.status_code == 400 and "A school with this URN already exists" in response.text


def test_admin_changes_a_school_and_a_stale_form_is_a_conflict(client, admin, make_school):
    school = make_school(name="Old Name")
    version = school.version
    form = {"urn": school.urn, "name": "New Name", "phase": "secondary", "trust": "0", "version": version}
    assert client.post(f"/schools/{school.id}/edit", data=form).status_code == 302
    assert db.session.get(School, school.id).name == "New Name"
    response = client.post(f"/schools/{school.id}/edit", data={**form, "name": "Lost Update"})
    assert response.status_code == 409
    assert db.session.get(School, school.id).name == "New Name"


def test_admin_adds_and_renames_a_trust(client, admin):
    assert client.post("/schools/trusts/new", data={"name": "Oak Trust"}).status_code == 302
    trust = db.session.scalar(sa.select(Trust).where(Trust.name == "Oak Trust"))
    response = client.post(
        f"/schools/trusts/{trust.id}/edit", data={"name": "Oak Learning Trust", "version": trust.version}
    )
    assert response.status_code == 302
    assert db.session.get(Trust, trust.id).name == "Oak Learning Trust"
    duplicate = client.post("/schools/trusts/new", data={"name": "Oak Learning Trust"})
    assert duplicate.status_code == 400 and "A trust with this name already exists" in duplicate.text
