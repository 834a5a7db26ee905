"""The standard wording of every kind of letter, and the placeholders (the case's facts) each kind may use.

Wording is plain text with placeholders like ``{{ child_name }}`` and ``{% if second_notice %}`` blocks. A blank
line starts a new paragraph, a line starting ``## `` is a heading and lines starting ``- `` make a bulleted list.
Administrators can change the wording; these defaults are used until they do.

The law quoted: Education Act 1996 s7, s444(1) and (1A), s444A and s447; Children Act 1989 s36; Anti-social
Behaviour Act 2003 s19; the Education (Penalty Notices) (England) Regulations 2007 as amended in 2024
(statutory-rules.md sections 3 and 4).
"""

from __future__ import annotations

from dataclasses import dataclass

from ewo_cases.models import LetterKind


@dataclass(frozen=True)
class Wording:
    """A letter's subject line and body, as placeholders and text."""

    subject: str
    body: str


#: Every placeholder a letter may use, with what it holds (shown to administrators).
COMMON_FACTS = {
    "authority_name": "The local authority's name",
    "letter_date": "The date of the letter (today)",
    "case_reference": "The case reference, like EWO-26-0042",
    "child_name": "The child's full name",
    "child_forename": "The child's first name",
    "child_date_of_birth": "The child's date of birth",
    "child_upn": "The child's unique pupil number",
    "child_year_group": "The child's year group, like Year 7",
    "school_name": "The child's school",
    "addressee_name": "The name of the person the letter is to",
    "addressee_address": "Their address, one line per part",
    "officer_name": "The education welfare officer on the case",
    "officer_email": "The officer's email address",
    "attendance_percentage": "Attendance this school year, like 84.5%",
    "attendance_period_start": "The first day the attendance figures cover",
    "attendance_period_end": "The last day the attendance figures cover",
    "possible_sessions": "Sessions (half days) the child could have attended this school year",
    "unauthorised_sessions": "Sessions of unauthorised absence this school year",
    "unauthorised_sessions_10_weeks": "Sessions of unauthorised absence in the last 10 school weeks",
    "penalty_threshold_met": "Whether the national penalty notice threshold is met (for {% if %})",
}
MEETING_FACTS = {
    "meeting_kind": "The kind of meeting, like Family attendance meeting",
    "meeting_date": "The date of the meeting",
    "meeting_time": "The time it starts, like 9:30am",
    "meeting_place": "Where it is held",
}
MEETING_SUMMARY_FACTS = {
    **MEETING_FACTS,
    "meeting_held_on": "The date the meeting was held",
    "meeting_summary": "The summary of the meeting",
    "meeting_decisions": "What was decided",
    "meeting_actions": "The actions agreed at the meeting, as a bulleted list",
    "child_views": "The child's views",
    "family_views": "The family's views",
}
NOTICE_TO_IMPROVE_FACTS = {
    "notice_issued_on": "The date the notice to improve is issued",
    "improvement_starts_on": "The first day of the improvement period",
    "improvement_ends_on": "The last day of the improvement period",
    "improvement_weeks": "The length of the improvement period in school weeks",
    "sufficient_improvement": "What counts as sufficient improvement",
}
PENALTY_NOTICE_FACTS = {
    "penalty_notice_reference": "The penalty notice's reference, like PN-26-0007",
    "notice_issued_on": "The date the penalty notice is issued",
    "second_notice": "Whether this is the parent's second notice for the child in 3 years (for {% if %})",
    "absence_period_start": "The first day of the absence the notice is for",
    "absence_period_end": "The last day of the absence the notice is for",
    "amount_reduced": "The reduced amount (£80), or nothing for a second notice",
    "amount_full": "The full amount (£160)",
    "reduced_days": "Days from receipt to pay the reduced amount (21)",
    "payment_days": "Days from receipt to pay in full (28)",
    "reduced_deadline": "The last day to pay the reduced amount, once receipt is recorded",
    "payment_deadline": "The last day to pay, once receipt is recorded",
}
CONTRACT_FACTS = {
    "parent_commitments": "What the parents agree to do",
    "support_commitments": "The support the school and local authority will give",
    "contract_agreed_on": "The date the contract was agreed, if it has been",
    "contract_review_on": "The date the contract will be reviewed",
}

KIND_FACTS: dict[LetterKind, dict[str, str]] = {
    LetterKind.ATTENDANCE_CONCERN: {},
    LetterKind.MEETING_INVITATION: MEETING_FACTS,
    LetterKind.NOTICE_TO_IMPROVE: NOTICE_TO_IMPROVE_FACTS,
    LetterKind.PENALTY_NOTICE: PENALTY_NOTICE_FACTS,
    LetterKind.WARNING_OF_LEGAL_ACTION: {},
    LetterKind.ATTENDANCE_CONTRACT: CONTRACT_FACTS,
    LetterKind.MEETING_SUMMARY: MEETING_SUMMARY_FACTS,
}

#: The record a kind of letter is about, when it is about one (the form field that chooses it).
SOURCE_FOR_KIND = {
    LetterKind.MEETING_INVITATION: "meeting",
    LetterKind.MEETING_SUMMARY: "meeting",
    LetterKind.NOTICE_TO_IMPROVE: "notice_to_improve",
    LetterKind.PENALTY_NOTICE: "penalty_notice",
    LetterKind.ATTENDANCE_CONTRACT: "contract",
}

#: What each kind is for, shown when choosing one.
KIND_HINTS = {
    LetterKind.ATTENDANCE_CONCERN: "First letter about falling attendance, offering support",
    LetterKind.MEETING_INVITATION: "Invites the family to a meeting scheduled on the case",
    LetterKind.NOTICE_TO_IMPROVE: "The final chance to engage with support before a penalty notice",
    LetterKind.PENALTY_NOTICE: "The notice itself, to the parent it was issued to",
    LetterKind.WARNING_OF_LEGAL_ACTION: "The formal warning that legal action is being considered",
    LetterKind.ATTENDANCE_CONTRACT: "The contract's terms, for the parents to sign",
    LetterKind.MEETING_SUMMARY: "What was discussed and agreed at a meeting that has been held",
}


def placeholders(kind: LetterKind) -> dict[str, str]:
    """Return the placeholders a kind of letter may use, with what each holds."""
    return {**COMMON_FACTS, **KIND_FACTS[kind]}


SAMPLE_FACTS: dict[str, object] = {
    "authority_name": "Example County Council",
    "letter_date": "3 November 2025",
    "case_reference": "EWO-25-0042",
    "child_name": "Sam Taylor",
    "child_forename": "Sam",
    "child_date_of_birth": "14 May 2014",
    "child_upn": "A801200012345",
    "child_year_group": "Year 6",
    "school_name": "Riverside Primary School",
    "addressee_name": "Alex Taylor",
    "addressee_address": "12 Mill Lane\nRiverside\nRV1 2AB",
    "officer_name": "Jo Patel",
    "officer_email": "jo.patel@example.gov.uk",
    "attendance_percentage": "84.5%",
    "attendance_period_start": "3 September 2025",
    "attendance_period_end": "31 October 2025",
    "possible_sessions": 78,
    "unauthorised_sessions": 11,
    "unauthorised_sessions_10_weeks": 11,
    "penalty_threshold_met": True,
    "meeting_kind": "Family attendance meeting",
    "meeting_date": "12 November 2025",
    "meeting_time": "9:30am",
    "meeting_place": "Riverside Primary School, meeting room 2",
    "meeting_held_on": "12 November 2025",
    "meeting_summary": "We talked about Sam's mornings and the worries Sam has about lunchtimes.",
    "meeting_decisions": "Sam will have a soft start in the library for four weeks.",
    "meeting_actions": "- Bring Sam to school by 8:45am each day (Family, by 12 December 2025)\n"
    "- Arrange a lunchtime club place (School, by 19 November 2025)",
    "child_views": "Sam said lunchtimes are the hardest part of the day.",
    "family_views": "Alex said mornings are difficult since the baby was born.",
    "notice_issued_on": "3 November 2025",
    "improvement_starts_on": "10 November 2025",
    "improvement_ends_on": "8 December 2025",
    "improvement_weeks": 4,
    "sufficient_improvement": "No unauthorised absence, and attendance of at least 95%, during the period.",
    "penalty_notice_reference": "PN-25-0007",
    "second_notice": False,
    "absence_period_start": "8 September 2025",
    "absence_period_end": "31 October 2025",
    "amount_reduced": "£80",
    "amount_full": "£160",
    "reduced_days": 21,
    "payment_days": 28,
    "reduced_deadline": "",
    "payment_deadline": "",
    "parent_commitments": "Make sure Sam is at school by 8:45am every day.\nTell the school by 9am if Sam is ill.",
    "support_commitments": "A soft start in the library for four weeks.\n"
    "A weekly check-in with the school's learning mentor.",
    "contract_agreed_on": "12 November 2025",
    "contract_review_on": "10 December 2025",
}


def sample_facts(kind: LetterKind) -> dict[str, object]:
    """Return made-up facts for every placeholder of ``kind``, to preview and check wording with."""
    return {name: SAMPLE_FACTS[name] for name in placeholders(kind)}


DEFAULTS: dict[LetterKind, Wording] = {
    LetterKind.ATTENDANCE_CONCERN: Wording(
        subject="{{ child_name }}'s attendance at {{ school_name }}",
        body="""Dear {{ addressee_name }},

I am an education welfare officer at {{ authority_name }}. I am writing because we are worried about \
{{ child_forename }}'s attendance at {{ school_name }}.

Between {{ attendance_period_start }} and {{ attendance_period_end }}, {{ child_forename }}'s \
attendance was {{ attendance_percentage }}. {{ child_forename }} has had {{ unauthorised_sessions }} \
sessions (half days) of unauthorised absence this school year, {{ unauthorised_sessions_10_weeks }} of them in \
the last 10 school weeks.

Missing school affects children's learning, friendships and wellbeing. A child who misses 10% or more of their \
sessions is counted as persistently absent.

## What the law says

As a parent, you must make sure that {{ child_forename }} receives a suitable full-time education (Education \
Act 1996, section 7). If a child who is registered at a school does not attend regularly, their parents may be \
committing an offence under section 444 of the Education Act 1996.

## What happens next

We want to work with you and the school to understand what is making it hard for {{ child_forename }} to \
attend, and to agree the support that would help. This might be help from the school, from early help services \
or from other services that work with families.

Please contact me as soon as you can to talk about this, or to arrange a meeting. If there are reasons for \
{{ child_forename }}'s absence that the school does not know about, such as an illness or a medical \
condition, please tell me and the school.
""",
    ),
    LetterKind.MEETING_INVITATION: Wording(
        subject="Invitation to a meeting about {{ child_name }}'s attendance",
        body="""Dear {{ addressee_name }},

I would like to invite you to a meeting about {{ child_forename }}'s attendance at {{ school_name }}.

- Meeting: {{ meeting_kind }}
- Date: {{ meeting_date }}
- Time: {{ meeting_time }}
{% if meeting_place %}
- Place: {{ meeting_place }}
{% endif %}

The meeting is a chance for us to hear your views and {{ child_forename }}'s, to understand what is making it \
hard for {{ child_forename }} to attend school, and to agree a plan of support together. The school and, where it \
helps, other professionals who work with your family will also be invited.

You are welcome to bring a friend, relative or someone else to support you. If you need an interpreter or any \
changes so that you can take part, please let me know.

If you cannot come at this time, please contact me before the meeting so that we can arrange another date.
""",
    ),
    LetterKind.NOTICE_TO_IMPROVE: Wording(
        subject="Notice to improve: {{ child_name }}'s attendance at {{ school_name }}",
        body="""Dear {{ addressee_name }},

This is a notice to improve about the attendance of {{ child_name }} (born {{ child_date_of_birth }}) at \
{{ school_name }}. It is your final chance to engage with support before a penalty notice is considered.

## Why you are receiving this notice

{% if penalty_threshold_met %}
{{ child_forename }} has had {{ unauthorised_sessions_10_weeks }} sessions (half days) of unauthorised absence in \
the last 10 school weeks. This meets the national threshold for considering a penalty notice: 10 sessions of \
unauthorised absence within a rolling period of 10 school weeks.
{% else %}
{{ child_forename }} has had {{ unauthorised_sessions_10_weeks }} sessions (half days) of unauthorised absence in \
the last 10 school weeks, and {{ child_forename }}'s attendance this school year is {{ attendance_percentage }}.
{% endif %}

Support has been offered to help {{ child_forename }} attend school regularly, but it has not been taken up or \
has not worked.

## The improvement period

The improvement period lasts {{ improvement_weeks }} school weeks, from {{ improvement_starts_on }} to \
{{ improvement_ends_on }}.

Sufficient improvement during this period means: {{ sufficient_improvement }}

## Support available to you

We still want to help. Please contact me to talk about the support available, such as a meeting with the \
school, an attendance contract or help from early help services.

## What happens if attendance does not improve

If {{ child_forename }}'s attendance does not improve sufficiently during the improvement period, the local \
authority may issue you with a penalty notice under section 444A of the Education Act 1996. A penalty notice \
gives you the chance to avoid prosecution for the offence under section 444(1) of the Act by paying a penalty. \
The local authority's code of conduct for penalty notices explains when one can be issued; ask me if you would \
like a copy.

If there are reasons for {{ child_forename }}'s absence that the school or I do not know about, please tell me now.
""",
    ),
    LetterKind.PENALTY_NOTICE: Wording(
        subject="Penalty notice {{ penalty_notice_reference }}: failure to secure regular attendance at school",
        body="""To {{ addressee_name }}

## Penalty notice under section 444A of the Education Act 1996

- Reference: {{ penalty_notice_reference }}
- Date of issue: {{ notice_issued_on }}
- Child: {{ child_name }} (born {{ child_date_of_birth }})
- School: {{ school_name }}

This penalty notice is issued to you as a parent of {{ child_name }}, a registered pupil at {{ school_name }}. \
{{ child_forename }} had unauthorised absence from school between {{ absence_period_start }} and \
{{ absence_period_end }}, and so failed to attend the school regularly. This may be an offence under section \
444(1) of the Education Act 1996.

This notice gives you the chance to avoid being prosecuted for that offence by paying a penalty. If you pay the \
penalty in full within the time allowed, you will not be prosecuted for {{ child_forename }}'s absence in that \
period.

## How much to pay, and when

The time to pay starts on the day you receive this notice.

{% if second_notice %}
This is the second penalty notice issued to you for {{ child_forename }} within 3 years, so there is no reduced \
amount. You must pay {{ amount_full }} within {{ payment_days }} days of receiving this notice\
{% if payment_deadline %} (by {{ payment_deadline }}){% endif %}.
{% else %}
- Pay {{ amount_reduced }} if you pay within {{ reduced_days }} days of receiving this notice\
{% if reduced_deadline %} (by {{ reduced_deadline }}){% endif %}.
- Pay {{ amount_full }} if you pay after that but within {{ payment_days }} days of receiving this notice\
{% if payment_deadline %} (by {{ payment_deadline }}){% endif %}.
{% endif %}

Pay the penalty to {{ authority_name }}, quoting the reference {{ penalty_notice_reference }}. Contact \
{{ officer_name }} ({{ officer_email }}) to find out how to pay.

## If you do not pay

Not paying the penalty is not an offence in itself. But if it is not paid in full within {{ payment_days }} days \
of receipt, the local authority must decide whether to prosecute you for the offence under section 444 of the \
Education Act 1996 or to withdraw this notice. If you are prosecuted and convicted, the court can fine you and \
can make a parenting order.

A parent can receive no more than 2 penalty notices for the same child within 3 years. If attendance problems \
continue after that, the local authority will consider other action, which may include prosecution.

## Withdrawal

There is no right of appeal against a penalty notice. The local authority can withdraw a notice if it ought not \
to have been issued, was issued to the wrong person or contains material errors. If you think one of these \
applies, write to me straight away, quoting the reference.

This notice is issued under the Education (Penalty Notices) (England) Regulations 2007, as amended by the \
Education (Penalty Notices) (England) (Amendment) Regulations 2024.
""",
    ),
    LetterKind.WARNING_OF_LEGAL_ACTION: Wording(
        subject="Warning of legal action: {{ child_name }}'s attendance at {{ school_name }}",
        body="""Dear {{ addressee_name }},

I have written to you before about {{ child_forename }}'s attendance at {{ school_name }}. \
{{ child_forename }}'s attendance this school year is {{ attendance_percentage }}, with \
{{ unauthorised_sessions }} sessions (half days) of unauthorised absence, {{ unauthorised_sessions_10_weeks }} of \
them in the last 10 school weeks.

Support has been offered to your family, but {{ child_forename }}'s attendance has not improved enough. I must now \
warn you that the local authority is considering legal action.

## What the law says

Parents must make sure that their child receives a suitable full-time education (Education Act 1996, section 7). \
If a child who is registered at a school fails to attend regularly, the parent is guilty of an offence under \
section 444(1) of the Education Act 1996. If a parent knows that their child is failing to attend regularly and, \
without reasonable justification, fails to make them attend, that is a more serious offence under section \
444(1A).

## The legal steps the local authority may take

- A penalty notice under section 444A of the Education Act 1996: £80 if paid within 21 days of receiving it, or \
£160 if paid within 28 days. A second notice within 3 years is £160, paid within 28 days.
- An application to the family court for an education supervision order (Children Act 1989, section 36). A \
supervisor would advise and help you and {{ child_forename }}, and could give directions that you must follow.
- Prosecution in the magistrates' court under section 444 of the Education Act 1996. On conviction the court can \
fine you up to £1,000 for the offence under section 444(1); for the offence under section 444(1A) it can fine you \
up to £2,500, send you to prison for up to 3 months, or both. The court can also make a parenting order.

Before prosecuting, the local authority must consider whether to apply for an education supervision order \
instead of, or as well as, prosecuting (Education Act 1996, section 447).

## What you should do now

Please contact me within 10 school days, so that we can talk about what is getting in the way of \
{{ child_forename }}'s attendance and the support that is still available. If there are reasons for \
{{ child_forename }}'s absence that the school or I do not know about, such as an illness, please tell me now: \
they will be taken into account.
""",
    ),
    LetterKind.ATTENDANCE_CONTRACT: Wording(
        subject="Attendance contract for {{ child_name }}",
        body="""Between {{ addressee_name }} and {{ authority_name }}, about {{ child_name }} (born \
{{ child_date_of_birth }}), a pupil at {{ school_name }}.

An attendance contract is a written agreement between parents, the school and the local authority (Anti-social \
Behaviour Act 2003, section 19). It sets out what you agree to do to improve {{ child_forename }}'s attendance, and \
the support you will be given. It is voluntary and not legally binding: nobody can be sued for not keeping to it. \
But if it is not kept to, the local authority may take that into account when it considers what to do next, \
which could include legal action.

## What you agree to do

{{ parent_commitments }}

## The support you will be given

{{ support_commitments }}

## Review

We will meet to review how the contract is working on {{ contract_review_on }}.

## Signatures

Parent: ______________________________ Date: ______________

For {{ authority_name }}: ______________________________ Date: ______________
""",
    ),
    LetterKind.MEETING_SUMMARY: Wording(
        subject="Summary of the meeting about {{ child_name }}'s attendance on {{ meeting_held_on }}",
        body="""Dear {{ addressee_name }},

This letter sets out what was discussed and agreed at the {{ meeting_kind | lower }} about \
{{ child_forename }}'s attendance on {{ meeting_held_on }}.

## Summary

{{ meeting_summary }}

{% if family_views %}
## Your views

{{ family_views }}

{% endif %}
{% if child_views %}
## {{ child_forename }}'s views

{{ child_views }}

{% endif %}
{% if meeting_decisions %}
## What was decided

{{ meeting_decisions }}

{% endif %}
{% if meeting_actions %}
## Actions agreed

{{ meeting_actions }}

{% endif %}
If anything in this summary is not right, or you have any questions, please contact me.
""",
    ),
}
