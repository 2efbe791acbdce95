"""A template's `{{ value }}` escapes as markupsafe does, without copying
what is escaped already (site/escaping.py)."""

from __future__ import annotations

import jinja2
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from factcheck.site.escaping import Environment, escaped


class _Html:
    def __html__(self) -> str:
        return "<b>own</b>"


class _Text(str):
    pass


class _Safe(Markup):
    pass


@given(st.text())
def test_a_string_is_escaped_as_markupsafe_escapes_it(text: str) -> None:
    made = escaped(text)
    assert made == escape(text)
    assert type(made) is Markup


def test_what_is_escaped_already_is_handed_back_as_it_is() -> None:
    safe = Markup("<i>already</i> &amp; escaped")
    assert escaped(safe) is safe


def test_anything_else_is_escaped_by_markupsafe() -> None:
    for value in (5, 2.5, None, _Html(), _Text("<a>"), _Safe("<s>"), ["<x>"]):
        assert escaped(value) == escape(value)
        assert type(escaped(value)) is type(escape(value))


TEMPLATE = """\
{{ text }}|{{ safe }}|{{ number }}|{{ safe ~ text }}|{{ text|upper }}|{{ own }}
{% autoescape false %}{{ text }}{% endautoescape %}
{% macro box(x) %}<div>{{ x }}</div>{% endmacro %}{{ box(text) }}{{ box(safe) }}
{% set block %}<p>{{ text }}</p>{% endset %}{{ block }}
{% if flag %}{% autoescape flag %}{{ text }}{% endautoescape %}{% endif %}
"""


def test_a_template_renders_as_jinja2s_own_environment_renders_it() -> None:
    # (The golden files, made before, hold the site's own templates to the same bytes.)
    values = {"text": '<Tom & "Jerry\'s">', "safe": Markup("<em>x</em>"), "number": 3, "own": _Html(), "flag": True}
    made = []
    for kind in (Environment, jinja2.Environment):
        for finalize in (None, lambda value: "" if value is None else value):
            env = kind(autoescape=True, undefined=jinja2.StrictUndefined, loader=jinja2.DictLoader(TEMPLATES))
            env.finalize = finalize
            made.append((env.get_template("page.html").render(values), env.from_string(TEMPLATE).render(values)))
    ours, ours_finalized, theirs, theirs_finalized = made
    assert ours == theirs and ours_finalized == theirs_finalized
    assert "&lt;Tom &amp; &#34;Jerry&#39;s&#34;&gt;" in ours[1]
    assert "<EM>X</EM>" in ours[0]
    source = Environment(autoescape=True).compile(TEMPLATE, raw=True)
    assert "environment.escaped(" in source


TEMPLATES = {
    "base.html": "<title>{% block title %}{{ text }}{% endblock %}</title>{% block body %}{% endblock %}",
    "macros.html": '{% macro card(x) %}<div class="card">{{ x }}'
    "{% if caller is defined %}{{ caller() }}{% endif %}</div>{% endmacro %}",
    "page.html": """{% extends "base.html" %}{% import "macros.html" as m %}
{% block title %}{{ super() }} | {{ safe }}{% endblock %}
{% block body %}{% call m.card(text) %}<i>{{ safe }}</i>{% endcall %}{{ m.card(safe) }}
{% filter upper %}<p>{{ text }}{{ safe }}</p>{% endfilter %}{% include "macros.html" %}{% endblock %}""",
}
