"""Searching pupils and cases: each matching rule, the user's scope, short and overlong queries, and the cap."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, Role
from ewo_cases.services import search as search_service
from ewo_cases.services.cases import reassign
from tests.case_records import add_parent
from workflows import CaseStage


@pytest.fixture
def home(make_school):
    return make_school(name="Home School")


@pytest.fixture
def away(make_school):
    return make_school(name="Away School")


@pytest.fixture
def amelie(make_pupil, home):
    return make_pupil(home, forename="Amelie", surname="Zander")


@pytest.fixture
def outsider(make_pupil, away):
    """A child at another school, with a name nobody at the home school shares."""
    return make_pupil(away, forename="Quentin", surname="Farraway")


@pytest.fixture
def officer(make_user, home):
    return make_user(Role.OFFICER, schools=[home], name="Olive Officer")


def found_pupils(response) -> set[int]:
    return {int(pupil_id) for pupil_id in re.findall(r'href="/pupils/(\d+)"', response.text)}


def found_cases(response) -> set[int]:
    return {int(case_id) for case_id in re.findall(r'href="/cases/(\d+)"', response.text)}


@pytest.mark.parametrize(
    "query",
    ["amel", "ZANDER", "Zan", "amelie zander", "Amelie   Zander", "lie zan", "  amelie  ", "Zander Amelie", "der ame"],
    ids=[
        "forename part",
        "surname in capitals",
        "surname part",
        "full name",
        "extra spaces",
        "across",
        "padded",
        "surname first",
        "surname first, in part",
    ],
)
def test_a_pupil_is_found_by_any_part_of_their_name_in_any_case(client, sign_in, officer, amelie, query):
    sign_in(officer)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert found_pupils(response) == {amelie.id}


@pytest.mark.parametrize("query", ["Mia Parent", "parent", "PARENT MIA", "mia par"])
def test_a_pupil_is_found_by_a_parent_or_carers_name(client, sign_in, officer, amelie, outsider, make_case, query):
    case = make_case(amelie, officer=officer)
    add_parent(case, "Mia", "Parent")
    other = make_case(outsider)
    add_parent(other, "Mia", "Parent")  # the same name at a school the officer does not work with
    sign_in(officer)
    response = client.get("/search", query_string={"q": query})
    assert found_pupils(response) == {amelie.id}
    assert found_cases(response) == {case.id}


def test_a_pupil_is_found_by_their_whole_upn_typed_in_lower_case_with_spaces(client, sign_in, officer, amelie):
    sign_in(officer)
    upn = amelie.upn.lower()
    spaced = f" {upn[:4]} {upn[4:9]}  {upn[9:]} "
    assert found_pupils(client.get("/search", query_string={"q": spaced})) == {amelie.id}
    assert found_pupils(client.get("/search", query_string={"q": amelie.upn[:-1]})) == set(), "only a whole UPN"


def test_a_case_is_found_by_its_reference_or_its_beginning_and_by_its_child(
    client, sign_in, officer, amelie, make_case
):
    case = make_case(amelie, officer=officer)
    sign_in(officer)
    for query in (case.reference, case.reference.lower(), case.reference[:-1], case.reference[:7], "zander"):
        response = client.get("/search", query_string={"q": query})
        assert found_cases(response) == {case.id}, query
    assert found_pupils(client.get("/search", query_string={"q": case.reference})) == set()


def test_a_name_that_starts_like_every_reference_does_not_find_every_case(
    client, sign_in, officer, amelie, make_pupil, home, make_case
):
    make_case(amelie, officer=officer)
    ewan = make_pupil(home, forename="Ewan", surname="Hart")
    sign_in(officer)
    assert found_cases(client.get("/search", query_string={"q": "ew"})) == set()
    response = client.get("/search", query_string={"q": "EWO-"})
    assert found_cases(response) == set() and "No pupils or cases match ‘EWO-’" in response.text
    assert found_pupils(client.get("/search", query_string={"q": "ewa"})) == {ewan.id}


def test_wildcards_typed_by_a_user_are_matched_literally(client, sign_in, officer, amelie):
    sign_in(officer)
    for query in ("%%", "__", "a%e"):
        assert found_pupils(client.get("/search", query_string={"q": query})) == set(), query


def test_results_show_what_each_pupil_and_case_is(client, sign_in, officer, amelie, make_case, make_figures):
    case = make_case(amelie, CaseStage.SEVERE, officer=officer)
    sign_in(officer)
    text = client.get("/search", query_string={"q": "zander"}).text
    assert "1 pupil and 1 case match ‘zander’" in text
    for shown in (amelie.upn, "Home School", "Year 5", "Severe absence", case.reference, "Olive Officer", "Open"):
        assert shown in text, shown


def test_a_school_lead_finds_nothing_at_another_school(client, sign_in, make_user, home, amelie, outsider, make_case):
    case = make_case(outsider)
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[home]))
    queries = ("Quentin Farraway", "farraway", outsider.upn, outsider.upn.lower(), case.reference, case.reference[:-1])
    for query in queries:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200
        assert found_pupils(response) == set() and found_cases(response) == set(), query
        assert "No pupils or cases match" in response.text and "Away School" not in response.text, query
    assert found_pupils(client.get("/search", query_string={"q": "Zander"})) == {amelie.id}


def test_an_officer_finds_their_patch_and_their_own_cases_only(
    client, sign_in, officer, make_user, make_pupil, away, outsider, make_case
):
    theirs = make_case(make_pupil(away, forename="Quinn", surname="Farraway"))
    reassign([theirs], officer, actor=make_user(Role.MANAGER), reason="Covering a colleague's patch")
    someone_elses = make_case(outsider)
    sign_in(officer)
    response = client.get("/search", query_string={"q": "farraway"})
    assert found_cases(response) == {theirs.id}
    assert found_pupils(response) == {theirs.pupil_id}
    assert someone_elses.reference not in response.text and outsider.upn not in response.text
    assert found_pupils(client.get("/search", query_string={"q": outsider.upn})) == set()


def test_a_manager_searches_the_whole_authority(client, sign_in, make_user, amelie, outsider):
    sign_in(make_user(Role.MANAGER))
    assert found_pupils(client.get("/search", query_string={"q": "zander"})) == {amelie.id}
    assert found_pupils(client.get("/search", query_string={"q": "farraway"})) == {outsider.id}


def test_an_administrator_may_not_search_or_see_the_search_box(client, sign_in, make_user, amelie):
    sign_in(make_user(Role.ADMIN))
    assert client.get("/search", query_string={"q": "Zander"}).status_code == 403
    assert 'id="header-search"' not in client.get("/").text


def test_the_header_search_box_is_on_every_page_but_the_search_page(client, sign_in, officer, amelie):
    sign_in(officer)
    page = client.get(f"/pupils/{amelie.id}").text
    assert 'id="header-search"' in page and 'action="/search"' in page
    assert 'id="header-search"' not in client.get("/search").text


@pytest.mark.parametrize("query", ["", "   ", "z"])
def test_an_empty_or_very_short_query_is_a_hint_not_an_error(client, sign_in, officer, amelie, query):
    sign_in(officer)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "There is a problem" not in response.text and found_pupils(response) == set()
    if query.strip():
        assert "Enter at least 2 characters to search: ‘z’ is too short" in response.text
    else:
        assert "Search by part of a pupil’s name" in response.text


def test_the_page_without_a_query_is_the_empty_search_form(client, sign_in, officer):
    sign_in(officer)
    response = client.get("/search")
    assert response.status_code == 200 and 'name="q"' in response.text


def test_an_overlong_query_is_refused_with_an_error_summary(client, sign_in, officer, amelie):
    sign_in(officer)
    assert client.get("/search", query_string={"q": "z" * 100}).status_code == 200
    response = client.get("/search", query_string={"q": "Zander" + "z" * 95})
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#q"' in response.text
    assert "Your search must be 100 characters or fewer" in response.text
    assert "<title>Error: " in response.text and found_pupils(response) == set()


def test_nothing_found_says_what_was_searched(client, sign_in, officer, amelie):
    sign_in(officer)
    response = client.get("/search", query_string={"q": "Nobody <here>"})
    assert response.status_code == 200
    assert "No pupils or cases match ‘Nobody &lt;here&gt;’" in response.text


def test_results_are_capped_with_a_link_to_the_whole_list(client, sign_in, officer, home, make_pupil):
    for number in range(search_service.RESULT_LIMIT + 2):
        make_pupil(home, forename=f"Kid{number:02d}", surname="Plentiful")
    sign_in(officer)
    response = client.get("/search", query_string={"q": "plentiful"})
    assert len(found_pupils(response)) == search_service.RESULT_LIMIT
    assert f"Showing the first {search_service.RESULT_LIMIT} of 52 pupils" in response.text
    assert 'href="/pupils/?q=plentiful"' in response.text and "See all 52 pupils in the pupil list" in response.text
    assert "52 pupils and 0 cases match" in response.text
    assert "52 pupils" in client.get("/pupils/?q=plentiful").text


def test_cases_are_capped_too(db_session, officer, make_pupil, home, make_case):
    opened = [make_case(make_pupil(home, surname="Twin"), officer=officer) for _ in range(3)]
    opened[0].stage = CaseStage.CLOSED
    db_session.flush()
    found = search_service.find_cases(officer, "twin", limit=2)
    assert found.total == 3 and found.capped
    assert [row[0].id for row in found.rows] == [opened[2].id, opened[1].id], "open cases first, newest first"


def test_the_full_lists_match_as_the_search_does(client, sign_in, officer, amelie, make_case):
    """The search page links to the pupil and case lists with its query; they use the same rules."""
    case = make_case(amelie, officer=officer)
    sign_in(officer)
    spaced_upn = f"{amelie.upn[:6].lower()} {amelie.upn[6:]}"
    assert f"/pupils/{amelie.id}" in client.get("/pupils/", query_string={"q": spaced_upn}).text
    assert f"/cases/{case.id}" in client.get("/cases/", query_string={"q": spaced_upn}).text
    prefix = case.reference[:-1].lower()
    search_page = client.get("/search", query_string={"q": prefix}).text
    assert f'href="/cases/?q={prefix}&amp;status=all"' in search_page
    assert f'href="/cases/{case.id}"' in client.get("/cases/", query_string={"q": prefix, "status": "all"}).text


def test_searching_is_not_logged_as_viewing_a_record(client, sign_in, officer, amelie):
    """A results list is like the pupil list: only opening a child's record is logged."""
    sign_in(officer)
    client.get("/search", query_string={"q": "zander"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessLog)) == 0
