"""SQL files as Jinja templates over the form definitions, as dbt renders its models: what a
form's tables hold follows from schemas/forms. Only identifiers and comments come from the
definitions; values are always bound (`?`)."""

from __future__ import annotations

import functools

import jinja2


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )


def render(text: str, name: str = "<sql>") -> str:
    """A file's text, rendered when it is a template (holds `{{` or `{%`)."""
    if "{{" not in text and "{%" not in text:
        return text
    from township.forms import sql_context

    return _environment().from_string(text).render(**sql_context())
