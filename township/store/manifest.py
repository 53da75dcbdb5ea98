"""The warehouse's definitions: every `.sql` file under township/sql/{raw,restricted,staging,marts},
each creating the objects it is named for, applied in the order their references require.

No list is kept by hand: a file's references to other files' objects (`staging.births(`,
`raw.submissions`) are read from its text, and the files are applied after what they use.
Files may be Jinja templates over the form definitions (schemas/forms): the tables of the
forms are generated from them, so a form is defined once."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("raw", "restricted", "staging", "marts")
RESTRICTED = "restricted"
CREATES = re.compile(
    r"create\s+(?:or\s+replace\s+)?(table|view|macro)\s+(?:if\s+not\s+exists\s+)?(\w+\.\w+)",
    re.IGNORECASE,
)
REFERENCE = re.compile(r"\b(raw|restricted|staging|marts)\.(\w+)\b")
COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|'(?:[^']|'')*'")


@dataclass(frozen=True)
class Definition:
    """One SQL file: what it creates (tables, and views and macros), what it uses."""

    name: str  # e.g. "staging/births.sql"
    text: str
    tables: frozenset[str]
    others: frozenset[str]  # views and macros
    uses: frozenset[str]

    @property
    def layer(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def creates(self) -> frozenset[str]:
        return self.tables | self.others


def sql(name: str) -> str:
    """The text of a file under township/sql (a query, or a definition), templates rendered."""
    from township.store.templates import render

    return render((SQL_DIR / name).read_text(encoding="utf-8"), name)


def _definition(name: str) -> Definition:
    text = sql(name)
    created = CREATES.findall(text)
    tables = frozenset(obj.lower() for kind, obj in created if kind.lower() == "table")
    others = frozenset(obj.lower() for kind, obj in created if kind.lower() != "table")
    code = COMMENTS_AND_STRINGS.sub("", text)
    uses = frozenset(f"{s}.{o}".lower() for s, o in REFERENCE.findall(code)) - tables - others
    return Definition(name, text, tables, others, uses)


@functools.cache
def definitions() -> tuple[Definition, ...]:
    """Every definition, each after the ones creating what it uses (layer, then name, first)."""
    found = [
        _definition(f"{layer}/{path.name}")
        for layer in LAYERS
        for path in sorted((SQL_DIR / layer).glob("*.sql"))
    ]
    maker = {obj: d.name for d in found for obj in d.creates}
    ordered: list[Definition] = []
    done: set[str] = set()
    waiting = list(found)
    while waiting:
        ready = [d for d in waiting if all(maker.get(u, d.name) in done | {d.name} for u in d.uses)]
        if not ready:
            names = ", ".join(d.name for d in waiting)
            raise ValueError(f"definitions that use each other in a circle: {names}")
        first = ready[0]
        ordered.append(first)
        done.add(first.name)
        waiting.remove(first)
    return tuple(ordered)


@functools.cache
def fingerprint() -> str:
    """What the warehouse's definitions are: the SHA-256 of them all, in the order applied."""
    digest = hashlib.sha256()
    for d in definitions():
        digest.update(d.name.encode() + b"\0" + d.text.encode() + b"\0")
    return digest.hexdigest()


def tables(layer: str | None = None) -> list[str]:
    """`schema.table` of every table the definitions create (of one layer)."""
    return [t for d in definitions() if layer in (None, d.layer) for t in sorted(d.tables)]


def restricted_tables() -> list[str]:
    """The tables of names and ID numbers (without the schema): births, findings, …"""
    return [t.split(".", 1)[1] for t in tables(RESTRICTED)]


def lake_ddl(text: str) -> str:
    """A table's DDL for DuckLake, which has no PRIMARY KEY or UNIQUE: keys become NOT NULL
    (uniqueness is the ingest's: a file already loaded for a month is never loaded again)."""
    text = re.sub(r",\s*primary key\s*\([^)]*\)", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+primary key\b", " not null", text, flags=re.IGNORECASE)
