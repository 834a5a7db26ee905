"""Filling in letter wording, which administrators write, so that it can reach nothing but the case's facts.

Four layers, each enough on its own to stop the usual template attacks:

1. The wording is checked before it is saved and again before it is used: it may contain text, the placeholders
   of its kind of letter, ``{% if %}`` blocks, comparisons and a few text filters. Looking inside a value
   (``x.y``, ``x[0]``), calling anything, loops, ``{% set %}``, includes, macros and arithmetic are refused with a
   message that says which line and why.
2. It is rendered by Jinja's ``ImmutableSandboxedEnvironment`` with no globals (no ``range``, ``config``,
   ``request`` or ``url_for``), only the allowed filters and tests, and ``StrictUndefined``.
3. The context is one flat dict of strings, numbers and booleans built by ``letters.letter_facts``: no model
   objects, so there is nothing to traverse even if a check were missed.
4. Autoescaping is on for the facts, and the wording's own text is escaped as it is read, so neither a parent's
   name nor the wording can put markup in a letter. The escaped text is then laid out as paragraphs, headings
   and lists by ``as_html``, which adds the only tags a letter has.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_DATA, Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ewo_cases.models.letters import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from ewo_cases.services.errors import ServiceError

#: Filters that only change letter case, trim or stand in for an empty value: none can make text grow.
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})
ALLOWED_TESTS = frozenset({"none", "true", "false", "number", "string", "eq", "ne"})
#: Everything else in Jinja's syntax tree is refused.
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Compare,
    nodes.Operand,
    nodes.Filter,
    nodes.Test,
    nodes.Concat,
    nodes.Keyword,
)
#: How a refused construct is described to the administrator.
REFUSED = {
    nodes.Getattr: "looks inside a placeholder (with a dot)",
    nodes.Getitem: "looks inside a placeholder (with square brackets)",
    nodes.Call: "calls a function",
    nodes.For: "has a loop ({% for %})",
    nodes.Assign: "sets a variable ({% set %})",
    nodes.AssignBlock: "sets a variable ({% set %})",
    nodes.Macro: "defines a macro",
    nodes.CallBlock: "calls a macro",
    nodes.Include: "includes another template",
    nodes.Import: "imports another template",
    nodes.FromImport: "imports another template",
    nodes.Extends: "extends another template",
    nodes.Block: "has a {% block %}",
    nodes.FilterBlock: "has a {% filter %} block",
    nodes.With: "has a {% with %} block",
    nodes.BinExpr: "does arithmetic",
    nodes.UnaryExpr: "does arithmetic",
}


class WordingError(ServiceError):
    """Letter wording that cannot be used; ``message`` says where and why, for the administrator."""


class _EscapedText(Extension):
    """Escape the wording's own text as it is read, so an administrator's ``<`` prints as ``<`` in a letter."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type == TOKEN_DATA:
                yield Token(token.lineno, TOKEN_DATA, str(escape(token.value)))
            else:
                yield token


def _environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        extensions=[_EscapedText],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.clear()
    environment.filters = {name: environment.filters[name] for name in ALLOWED_FILTERS}
    environment.tests = {name: environment.tests[name] for name in ALLOWED_TESTS}
    return environment


SANDBOX = _environment()


def check(subject: str, body: str, names: Mapping[str, str], sample: Mapping[str, object]) -> None:
    """Refuse wording that is too long, has a mistake, uses anything but ``names``, or fails on ``sample``."""
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise WordingError(f"The subject must be {MAX_SUBJECT_LENGTH} characters or fewer", field="subject")
    if len(body) > MAX_BODY_LENGTH:
        raise WordingError(f"The wording must be {MAX_BODY_LENGTH:,} characters or fewer", field="body")
    for field, source in (("subject", subject), ("body", body)):
        _check_source(field, source, names)
    fill(subject, body, sample)


def fill(subject: str, body: str, facts: Mapping[str, object]) -> tuple[str, Markup]:
    """Return the subject as plain text and the body as HTML, filled in with ``facts``."""
    names = dict.fromkeys(facts, "")
    for field, source in (("subject", subject), ("body", body)):
        _check_source(field, source, names)
    filled_subject = " ".join(html.unescape(_render("subject", subject, facts)).split())
    return filled_subject[:MAX_SUBJECT_LENGTH], as_html(_render("body", body, facts))


def _check_source(field: str, source: str, names: Mapping[str, str]) -> None:
    try:
        tree = SANDBOX.parse(source)
        problems = ((node, _refusal(node, names)) for node in _walk(tree))
        node, problem = next(((node, problem) for node, problem in problems if problem), (None, None))
    except TemplateSyntaxError as error:
        raise WordingError(f"{_where(field, error.lineno)} has a mistake: {error.message}", field=field) from error
    except RecursionError as error:
        raise WordingError(f"{_where(field, None)} is nested too deeply", field=field) from error
    if problem:
        raise WordingError(f"{_where(field, node.lineno)} {problem}", field=field)


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _refusal(node: nodes.Node, names: Mapping[str, str]) -> str | None:
    """Say what is wrong with one node of the wording, or None if it is allowed."""
    if isinstance(node, nodes.Name) and node.name not in names:
        return f"uses “{node.name}”, which is not a placeholder this letter can use. Check it against the list"
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
        return f"uses the filter “{node.name}”. Letters can use: {', '.join(sorted(ALLOWED_FILTERS))}"
    if isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
        return f"uses the test “{node.name}”. Letters can use: {', '.join(sorted(ALLOWED_TESTS))}"
    if isinstance(node, ALLOWED_NODES):
        return None
    description = next((text for kind, text in REFUSED.items() if isinstance(node, kind)), "uses a template feature")
    return f"{description}, which letters cannot do. Use only the placeholders listed and {{% if %}} blocks"


def _where(field: str, line: int | None) -> str:
    place = "The subject" if field == "subject" else "The wording"
    return f"{place}, line {line}," if line else place


def _render(field: str, source: str, facts: Mapping[str, object]) -> str:
    try:
        return SANDBOX.from_string(source).render(dict(facts))
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as error:
        message = getattr(error, "message", None) or str(error)
        raise WordingError(f"{_where(field, None)} could not be filled in: {message}", field=field) from error


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def as_html(rendered: str) -> Markup:
    """Lay out rendered letter text: blank lines part paragraphs, ``## `` heads a section, ``- `` makes a list.

    The rendered text is escaped throughout (facts by autoescaping, the wording by ``_EscapedText``); it is
    unescaped to plain text here and every piece escaped again as it is placed between the layout's own tags.
    """
    text = html.unescape(rendered).replace("\r\n", "\n").strip()
    return Markup("\n").join(part for block in _BLANK_LINE.split(text) for part in _block_html(block))


def _block_html(block: str) -> Iterator[Markup]:
    paragraph: list[str] = []
    items: list[str] = []
    for line in (line.strip() for line in block.split("\n")):
        if not line:
            continue
        if line.startswith("- "):
            yield from _paragraph(paragraph)
            paragraph = []
            items.append(line[2:].strip())
            continue
        yield from _list(items)
        items = []
        if line.startswith("## "):
            yield from _paragraph(paragraph)
            paragraph = []
            yield Markup('<h3 class="govuk-heading-s">{}</h3>').format(line[3:].strip())
        else:
            paragraph.append(line)
    yield from _paragraph(paragraph)
    yield from _list(items)


def _paragraph(lines: list[str]) -> Iterator[Markup]:
    if lines:
        yield Markup('<p class="govuk-body">{}</p>').format(Markup("<br>\n").join(lines))


def _list(items: list[str]) -> Iterator[Markup]:
    if items:
        entries = Markup("").join(Markup("<li>{}</li>").format(item) for item in items)
        yield Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(entries)
