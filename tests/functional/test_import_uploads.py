"""Uploading import files in the browser: administrators any file, school leads only their own school's."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import ImportOutcome, ImportRun, Role, School


def upload(client, kind: str, content: str, *, school=None, json=False):
    data = {"kind": kind, "file": (io.BytesIO(content.encode()), f"{kind}.csv")}
    if school is not None:
        data["school"] = str(school.id)
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/imports/", data=data, content_type="multipart/form-data", headers=headers)


def runs() -> list[ImportRun]:
    return list(db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id)))


@pytest.fixture
def admin(client, make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def test_an_administrator_imports_schools_and_sees_the_outcome(client, admin):
    response = upload(client, "schools", "urn,name,phase\n345678,Upload School,primary\n")
    run = runs()[-1]
    assert response.status_code == 302 and response.headers["Location"] == f"/imports/{run.id}"
    assert run.outcome is ImportOutcome.SUCCEEDED and run.user_id == admin.id
    page = client.get(f"/imports/{run.id}").text
    assert "File imported" in page and "1 rows read, 1 added or changed" in page
    assert db.session.scalar(sa.select(School.name).where(School.urn == "345678")) == "Upload School"
    assert "schools.csv" in client.get("/imports/").text


def test_a_bad_file_is_answered_422_with_every_problem_and_its_line(client, admin):
    response = upload(client, "schools", "urn,name,phase\n345678,A,primary\n12,B,primary\n")
    assert response.status_code == 422
    for page in (response.text, client.get(f"/imports/{runs()[-1].id}").text):
        assert "Nothing was imported" in page
        assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page
        assert "URN must be 6 digits" in page
    assert [(run.outcome, run.error_count) for run in runs()] == [(ImportOutcome.FAILED, 1)], "the refusal is logged"
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0


def test_the_upload_answers_scripts_with_json(client, admin):
    response = upload(client, "schools", "urn,name,phase\n345678,Upload School,primary\n", json=True)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": f"/imports/{runs()[-1].id}"}


def test_a_refused_file_is_answered_422_in_json_too(client, admin):
    response = upload(client, "schools", "urn,name,phase\n12,B,primary\n", json=True)
    assert response.status_code == 422
    assert response.get_json() == {"redirect": f"/imports/{runs()[-1].id}", "errors": 1}
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0


def test_the_result_page_says_which_schools_a_file_was_for(client, admin, make_school):
    upload(client, "schools", "urn,name,phase\n345678,Upload School,primary\n")
    schools_page = client.get(f"/imports/{runs()[-1].id}").text
    assert "Any (whole authority)" not in schools_page and "Any school in the authority" not in schools_page
    upload(client, "pupils", "upn\n")
    assert "Any school in the authority" in client.get(f"/imports/{runs()[-1].id}").text


def test_the_import_log_is_paged(client, admin, runner, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text("urn,name,phase\n345678,By Admin,primary\n")
    for _ in range(27):
        assert runner.invoke(args=["import", "schools", str(path)]).exit_code == 0
    first, second = client.get("/imports/").text, client.get("/imports/?page=2").text
    ids = [run.id for run in reversed(runs())]
    assert all(f'/imports/{run_id}"' in first for run_id in ids[:25])
    assert f'/imports/{ids[25]}"' not in first and "govuk-pagination" in first and "page=2" in first
    assert all(f'/imports/{run_id}"' in second for run_id in ids[25:])
    assert f'/imports/{ids[0]}"' not in second


def test_a_command_line_import_records_the_operating_system_account(client, admin, runner, tmp_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ewo-loader")
    path = tmp_path / "schools.csv"
    path.write_text("urn,name,phase\n345678,By Admin,primary\n")
    assert runner.invoke(args=["import", "schools", str(path)]).exit_code == 0
    assert runs()[-1].command_line_user == "ewo-loader"
    assert "Command line (ewo-loader)" in client.get(f"/imports/{runs()[-1].id}").text
    assert "Command line (ewo-loader)" in client.get("/imports/").text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "schools"}, "Choose a CSV file to import"),
        ({"file": (io.BytesIO(b"x"), "x.csv")}, "Choose what the file holds"),
        ({"kind": "timetables", "file": (io.BytesIO(b"x"), "x.csv")}, "Select an answer from the list"),
    ],
)
def test_an_incomplete_upload_is_explained_and_nothing_is_recorded(client, admin, form, message):
    response = client.post("/imports/", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.text
    assert runs() == []


@pytest.fixture
def lead_and_schools(client, make_user, make_school, sign_in):
    own, other = make_school(urn="111111"), make_school(urn="222222")
    lead = make_user(Role.SCHOOL_LEAD, schools=[own])
    sign_in(lead)
    return lead, own, other


def test_a_school_lead_cannot_import_another_schools_rows(client, lead_and_schools):
    _lead, own, _other = lead_and_schools
    upload(
        client,
        "pupils",
        "upn,school_urn,forename,surname,date_of_birth,year_group,sex,pupil_premium,"
        "sen_status,looked_after,previously_looked_after,child_protection,child_in_need\n"
        "B801200005001,222222,Ann,Other,2015-01-01,5,F,N,N,N,N,N,N\n",
        school=own,
    )
    run = runs()[-1]
    assert run.outcome is ImportOutcome.FAILED and run.school_id == own.id
    page = client.get(f"/imports/{run.id}").text
    assert "You can only import rows for your own school (111111)" in page
    assert f"{own.name} only: rows for other schools are refused" in page


def test_a_school_lead_cannot_import_schools_or_choose_another_school(client, lead_and_schools):
    _lead, own, other = lead_and_schools
    assert upload(client, "schools", "urn,name,phase\n345678,A,primary\n", school=own).status_code == 400
    assert upload(client, "pupils", "upn\n", school=other).status_code == 400
    assert runs() == []


def test_a_school_lead_sees_only_their_schools_imports(client, lead_and_schools, runner, tmp_path):
    _lead, own, _other = lead_and_schools
    path = tmp_path / "schools.csv"
    path.write_text("urn,name,phase\n345678,By Admin,primary\n")
    runner.invoke(args=["import", "schools", str(path)])
    admins_run = runs()[-1]
    upload(client, "pupils", "upn\n", school=own)
    leads_run = runs()[-1]
    assert client.get(f"/imports/{admins_run.id}").status_code == 404
    assert client.get(f"/imports/{leads_run.id}").status_code == 200
    page = client.get("/imports/").text
    assert f"/imports/{leads_run.id}" in page and f"/imports/{admins_run.id}" not in page
