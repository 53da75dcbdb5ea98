"""The form catalogue (schemas/forms.yaml) as Python objects."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from township.paths import project_file

FORMS_FILE = project_file("schemas", "forms.yaml")


# How a field of each type is stored outside `restricted` (a personal field is text there).
SQL_TYPES = {
    "text": "varchar",
    "id": "varchar",
    "sex": "varchar",
    "date": "date",
    "parity": "integer",
    "in_policy": "boolean",
    "residence": "varchar",
    "category": "varchar",
    "count": "integer",
    "month": "varchar",
}


@dataclass(frozen=True)
class Field:
    name: str
    name_zh: str
    aliases: tuple[str, ...]
    type: str
    required: bool = False
    personal: bool = False
    measure: str | None = None  # of a record form's field: stock | event
    # headers naming the field only where no other column of the table does (身份证 beside
    # 母亲身份证号 is someone else's): also among `aliases`
    weak_aliases: tuple[str, ...] = ()

    @property
    def sql_type(self) -> str:
        return "varchar" if self.personal else SQL_TYPES[self.type]


@dataclass(frozen=True)
class Sum:
    """A total of some of a record form's fields (a blank counted as 0)."""

    name: str
    name_zh: str
    of: tuple[str, ...]


@dataclass(frozen=True)
class PersonKey:
    """The ID field that stands for the person outside restricted, as a keyed hash and masked."""

    field: str
    masked: str
    facts: tuple[str, ...] = ()  # with the person, what makes one fact counted once

    @property
    def columns(self) -> list[str]:
        """The columns of raw.<form> that identify one fact: the person's key and the others."""
        return ["person_key", *self.facts]


@dataclass(frozen=True)
class Form:
    name: str
    name_zh: str
    kind: str  # cover | person | record
    sheet_aliases: tuple[str, ...]
    fields: tuple[Field, ...]
    person_key: PersonKey | None = None
    dated_by: str | None = None  # a person form's date field: a row counts in its period
    sums: tuple[Sum, ...] = ()
    optional: bool = False  # a village may leave it out

    @property
    def measure_kinds(self) -> list[str]:
        """stock and/or event: what a one-record form's figures are."""
        return list(dict.fromkeys(f.measure for f in self.fields))

    def sum_measure(self, total: Sum) -> str:
        """A sum's kind: its fields'."""
        return self.field(total.of[0]).measure

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def public_fields(self) -> list[Field]:
        """What the analysts' tables hold of a row (raw.<form>)."""
        return [f for f in self.fields if not f.personal]

    @property
    def personal_fields(self) -> list[Field]:
        """What only restricted.<form> holds."""
        return [f for f in self.fields if f.personal]


@dataclass(frozen=True)
class Catalogue:
    forms: dict[str, Form]
    list_item_headers: frozenset[str]
    list_value_headers: frozenset[str]
    totals_markers: tuple[str, ...]
    footer_markers: tuple[str, ...]
    units_markers: tuple[str, ...]
    unit_words: frozenset[str]
    household_units: tuple[str, ...]
    none_markers: tuple[str, ...]
    blank_counts: frozenset[str]
    title_words: tuple[str, ...]
    left_out_markers: tuple[str, ...]
    left_out_tails: frozenset[str]
    vocabularies: dict[str, dict[str, object]]
    header_prefixes: tuple[str, ...] = ()
    header_suffixes: tuple[str, ...] = ()  # longest first
    header_notes: tuple[str, ...] = ()
    header_distinctions: tuple[str, ...] = ()
    child_words: tuple[str, ...] = ()  # 婴儿: a heading of the child's column
    parent_words: tuple[str, ...] = ()  # 母亲, 父亲: of a parent's
    columns_not_read: frozenset[str] = frozenset()
    columns_not_read_containing: tuple[str, ...] = ()
    columns_not_read_opening: tuple[str, ...] = ()
    month_columns: frozenset[str] = frozenset()  # 月份: a column saying each row's month
    group_columns: frozenset[str] = frozenset()  # 组别: a column naming each row's group
    example_sheet_words: tuple[str, ...] = ()
    instruction_sheet_words: tuple[str, ...] = ()
    template_sheet_words: tuple[str, ...] = ()

    @property
    def notes_sheet_words(self) -> tuple[str, ...]:
        """Examples, instructions and the template: read only where no other sheet holds a form."""
        return self.example_sheet_words + self.instruction_sheet_words + self.template_sheet_words

    @property
    def data_forms(self) -> list[Form]:
        return [f for f in self.forms.values() if f.kind != "cover"]

    def of_kind(self, kind: str) -> list[Form]:
        return [f for f in self.forms.values() if f.kind == kind]

    def allowed(self, vocabulary: str) -> list[object]:
        """The values a coded field may take, in the catalogue's order."""
        return list(dict.fromkeys(self.vocabularies[vocabulary].values()))


# Punctuation, spaces, and control and invisible characters (a NUL, a zero-width space).
_PUNCT = re.compile(
    r"[\s\u3000·•:：;；?？!！()（）\[\]【】“”\"'‘’*＊、,，.。/\\_\-—"
    r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ud800-\udfff]+"
)


def normalise_label(text: object) -> str:
    """A header or sheet name reduced to what identifies it: NFKC, no spaces or punctuation."""
    if text is None:
        return ""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def _field(name: str, spec: dict, form_measure: str | None) -> Field:
    return Field(
        name=name,
        name_zh=spec["name_zh"],
        aliases=tuple(spec["aliases"]) + tuple(spec.get("weak_aliases", ())),
        weak_aliases=tuple(spec.get("weak_aliases", ())),
        type=spec["type"],
        required=bool(spec.get("required", False)),
        personal=bool(spec.get("personal", False)),
        measure=spec.get("measure", form_measure),
    )


def _form(name: str, spec: dict) -> Form:
    key = spec.get("person_key")
    person_key = None
    if key:
        masked = key.get("masked", f"{key['field']}_masked")
        person_key = PersonKey(key["field"], masked, tuple(key.get("with", ())))
    measure = spec.get("measure")
    fields = tuple(_field(f, s, measure) for f, s in spec["fields"].items())
    sums = tuple(
        Sum(total, detail["name_zh"], tuple(detail["of"]))
        for total, detail in (spec.get("sums") or {}).items()
    )
    return Form(
        name,
        spec["name_zh"],
        spec["kind"],
        tuple(spec["sheet_aliases"]),
        fields,
        person_key,
        spec.get("dated_by"),
        sums,
        bool(spec.get("optional", False)),
    )


@cache
def load_catalogue(path: Path = FORMS_FILE) -> Catalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    forms = {name: _form(name, spec) for name, spec in raw["forms"].items()}
    markers = raw["non_data_markers"]
    not_read = raw["columns_not_read"]
    return Catalogue(
        forms=forms,
        list_item_headers=frozenset(normalise_label(h) for h in raw["list_headers"]["item"]),
        list_value_headers=frozenset(normalise_label(h) for h in raw["list_headers"]["value"]),
        totals_markers=tuple(normalise_label(m) for m in markers["totals"]),
        footer_markers=tuple(normalise_label(m) for m in markers["footer"]),
        units_markers=tuple(markers["units"]),
        unit_words=frozenset(raw["unit_words"]),
        household_units=tuple(raw["households"]),
        none_markers=tuple(normalise_label(m) for m in markers["none"]),
        blank_counts=frozenset(raw["blank_counts"]),
        title_words=tuple(normalise_label(w) for w in raw["title_words"]),
        left_out_markers=tuple(
            normalise_label(m) for m in [*raw["example_sheets"], *markers["left_out"]]
        ),
        left_out_tails=frozenset(normalise_label(m) for m in markers["left_out_tails"]),
        vocabularies={
            k: {normalise_label(a): v for a, v in vocab.items()}
            for k, vocab in raw["vocabularies"].items()
        },
        header_prefixes=tuple(raw["header_words"]["prefixes"]),
        header_suffixes=tuple(sorted(raw["header_words"]["suffixes"], key=len, reverse=True)),
        header_notes=tuple(normalise_label(n) for n in raw["header_words"]["notes"]),
        header_distinctions=tuple(raw["header_words"]["distinctions"]),
        child_words=tuple(raw["header_words"]["child"]),
        parent_words=tuple(raw["header_words"]["parent"]),
        columns_not_read=frozenset(
            normalise_label(h)
            for h in [*not_read["headers"], *not_read["months"], *not_read["groups"]]
        ),
        month_columns=frozenset(normalise_label(h) for h in not_read["months"]),
        group_columns=frozenset(normalise_label(h) for h in not_read["groups"]),
        columns_not_read_containing=tuple(not_read["containing"]),
        columns_not_read_opening=tuple(not_read["opening"]),
        example_sheet_words=tuple(normalise_label(w) for w in raw["example_sheets"]),
        instruction_sheet_words=tuple(normalise_label(w) for w in raw["instruction_sheets"]),
        template_sheet_words=tuple(normalise_label(w) for w in raw["template_sheets"]),
    )


def sql_context() -> dict:
    """What the SQL templates (township/sql) see of the forms: the catalogue, and how each
    field is described in the warehouse's comments."""
    catalogue = load_catalogue()
    return {
        "person_forms": catalogue.of_kind("person"),
        "record_forms": catalogue.of_kind("record"),
        "data_forms": catalogue.data_forms,
        "describe": lambda field: _describe(field, catalogue),
        "quoted": lambda text: str(text).replace("'", "''"),
        "names": lambda forms: ", ".join(f"'{form.name}'" for form in forms),
    }


def _describe(field: Field, catalogue: Catalogue) -> str:
    """A column's comment: its Chinese name, and the values a coded field takes."""
    if field.personal:
        return field.name_zh
    if field.type in ("sex", "residence", "category"):
        return f"{field.name_zh}：{' | '.join(catalogue.allowed(field.type))}"
    if field.type == "in_policy":
        return f"{field.name_zh}（空视为符合）"
    if field.type == "parity":
        return f"{field.name_zh} 1, 2, 3…"
    return field.name_zh
