"""Letter wording is filled in by a sandbox that reaches only the case's facts: template attacks are refused with a
message when an administrator saves them, are never run, and a bad template in the database is a clear refusal
(never a 500) when a letter is made."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, Letter, LetterKind, LetterTemplate, Role
from ewo_cases.services import letter_sandbox, letters
from ewo_cases.services.letter_sandbox import WordingError, as_html
from ewo_cases.services.letter_wording import DEFAULTS, placeholders, sample_facts
from tests.letter_helpers import add_carer, count, parents

ATTACKS = [
    pytest.param("{{ ''.__class__.__mro__ }}", "looks inside a placeholder", id="class-mro"),
    pytest.param("{{ ''.__class__.__mro__[1].__subclasses__() }}", "", id="subclasses"),
    pytest.param("{{ config }}", "“config”, which is not a placeholder", id="config"),
    pytest.param("{{ config.update(SECRET_KEY='stolen') }}", "", id="config-update"),
    pytest.param("{{ request }}", "“request”", id="request"),
    pytest.param("{{ request.environ }}", "looks inside a placeholder", id="request-environ"),
    pytest.param("{{ self.__init__.__globals__ }}", "", id="self-globals"),
    pytest.param("{{ lipsum.__globals__.os.popen('id').read() }}", "", id="lipsum-os"),
    pytest.param("{{ cycler.__init__.__globals__ }}", "", id="cycler"),
    pytest.param("{% for x in range(10**9) %}x{% endfor %}", "has a loop", id="huge-loop"),
    pytest.param("{{ 9 ** 9 ** 9 }}", "does arithmetic", id="huge-power"),
    pytest.param("{{ child_name * 100000000 }}", "does arithmetic", id="huge-string"),
    pytest.param("{{ child_name | center(100000000) }}", "the filter “center”", id="huge-filter"),
    pytest.param("{{ child_name | safe }}", "the filter “safe”", id="safe"),
    pytest.param("{{ child_name | attr('__class__') }}", "the filter “attr”", id="attr-filter"),
    pytest.param("{{ child_name.upper() }}", "", id="method-call"),
    pytest.param("{{ no_such_name.attribute }}", "", id="undefined-attribute"),
    pytest.param("{{ child_name['__class__'] }}", "square brackets", id="getitem"),
    pytest.param("{% set x = child_name %}{{ x }}", "sets a variable", id="set"),
    pytest.param("{% include 'base.html' %}", "includes another template", id="include"),
    pytest.param("{% extends 'base.html' %}", "extends another template", id="extends"),
    pytest.param("{% import 'base.html' as b %}", "imports another template", id="import"),
    pytest.param("{% macro m() %}{% endmacro %}", "defines a macro", id="macro"),
    pytest.param("{{ child_name", "has a mistake", id="unclosed"),
    pytest.param("{% if child_name %}no end", "has a mistake", id="unclosed-if"),
    pytest.param("{% if %}{% endif %}", "has a mistake", id="empty-if"),
    pytest.param("{% if child_name %}" * 900 + "{% endif %}" * 900, "", id="deep-nesting"),
]


@pytest.fixture
def admin(make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


@pytest.mark.parametrize(("body", "message"), ATTACKS)
def test_an_attack_is_refused_when_an_administrator_saves_it(client, admin, app, body, message):
    secret = app.config["SECRET_KEY"]
    response = client.post("/letter-templates/attendance_concern", data={"subject": "Subject", "body": body})

    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and "The wording" in response.text
    assert message in response.text
    assert count(LetterTemplate) == 0
    assert count(AuditEvent, AuditEvent.action == "letter_template.updated") == 0
    assert app.config["SECRET_KEY"] == secret


@pytest.mark.parametrize(("body", "message"), ATTACKS)
def test_an_attack_is_refused_on_preview_too(client, admin, body, message):
    response = client.post(
        "/letter-templates/attendance_concern", data={"subject": "Subject", "body": body, "preview": "y"}
    )
    assert response.status_code == 400 and message in response.text
    assert "Preview with made-up facts" not in response.text


def test_an_attack_in_the_subject_is_refused_against_the_subject(client, admin):
    response = client.post("/letter-templates/attendance_concern", data={"subject": "{{ config }}", "body": "Fine."})
    assert response.status_code == 400
    assert "The subject, line 1, uses “config”" in response.text


def test_placeholders_of_another_kind_of_letter_are_refused(app, db_session):
    with pytest.raises(WordingError, match="“penalty_notice_reference”"):
        letters.check_wording(LetterKind.ATTENDANCE_CONCERN, "S", "{{ penalty_notice_reference }}")
    letters.check_wording(LetterKind.PENALTY_NOTICE, "S", "{{ penalty_notice_reference }}")


def test_wording_that_fails_only_when_filled_in_is_refused(app, db_session):
    with pytest.raises(WordingError, match="could not be filled in"):
        letters.check_wording(LetterKind.ATTENDANCE_CONCERN, "S", "{{ child_name | default(1, 2, 3, 4) }}")


def test_over_long_wording_is_refused(app, db_session):
    with pytest.raises(WordingError, match="20,000 characters or fewer"):
        letters.check_wording(LetterKind.ATTENDANCE_CONCERN, "S", "x" * 20_001)
    with pytest.raises(WordingError, match="200 characters or fewer"):
        letters.check_wording(LetterKind.ATTENDANCE_CONCERN, "x" * 201, "Text")


@pytest.mark.parametrize("kind", list(LetterKind), ids=lambda kind: kind.value)
def test_every_standard_wording_passes_the_checks_and_fills_in(app, db_session, kind):
    wording = DEFAULTS[kind]
    letters.check_wording(kind, wording.subject, wording.body)
    subject, body = letter_sandbox.fill(wording.subject, wording.body, sample_facts(kind))
    assert "{{" not in subject and "{{" not in body and "{%" not in body
    assert len(subject) <= 200 and body.startswith("<p")
    used = {name for name in placeholders(kind) if f"{{{{ {name}" in wording.body or name in wording.subject}
    assert used, "a letter should use the case's facts"


def test_a_bad_template_already_in_the_database_is_refused_when_a_letter_is_made_never_run(
    client, app, make_pupil, make_case, sign_in
):
    pupil = make_pupil()
    add_carer(pupil)
    case = make_case(pupil)
    db.session.add(
        LetterTemplate(kind=LetterKind.ATTENDANCE_CONCERN, subject="S", body="{{ config.update(SECRET_KEY='x') }}")
    )
    db.session.flush()
    sign_in(case.assigned_officer)
    secret = app.config["SECRET_KEY"]
    data = {"kind": "attendance_concern", "addressee": str(parents(case)[0].id)}

    preview = client.get(f"/cases/{case.id}/letters/new", query_string={**data, "preview": "yes"})
    made = client.post(f"/cases/{case.id}/letters/new", data=data)

    for response in (preview, made):
        assert response.status_code == 400
        assert "needs fixing by an administrator" in response.text
    assert app.config["SECRET_KEY"] == secret
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_facts_are_escaped_and_the_wordings_own_markup_prints_as_text(app, db_session):
    facts = {**sample_facts(LetterKind.ATTENDANCE_CONCERN), "addressee_name": '<script>alert("x")</script>'}
    _subject, body = letter_sandbox.fill(
        "S", 'Dear {{ addressee_name }}, <img src=x onerror="alert(1)"> &amp; welcome', facts
    )
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp;amp; welcome" in body


def test_the_subject_is_plain_text_on_one_line(app, db_session):
    facts = {**sample_facts(LetterKind.ATTENDANCE_CONCERN), "child_name": "Sam <b>O'Neil</b>"}
    subject, _body = letter_sandbox.fill("About {{ child_name }}\n  and more", "Body", facts)
    assert subject == "About Sam <b>O'Neil</b> and more"


def test_letter_text_is_laid_out_as_paragraphs_headings_and_lists():
    html = as_html("First line\nsecond line\n\n## A heading\nText after it\n\n- one\n- two &amp; three\nAfter")
    assert html == (
        '<p class="govuk-body">First line<br>\nsecond line</p>\n'
        '<h3 class="govuk-heading-s">A heading</h3>\n'
        '<p class="govuk-body">Text after it</p>\n'
        '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>two &amp; three</li></ul>\n'
        '<p class="govuk-body">After</p>'
    )
