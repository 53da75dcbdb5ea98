"""The form catalogue (schemas/forms.yaml) as Python objects."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FORMS_FILE = Path(__file__).resolve().parent.parent / "schemas" / "forms.yaml"


@dataclass(frozen=True)
class Field:
    name: str
    name_zh: str
    aliases: tuple[str, ...]
    type: str
    required: bool = False
    personal: bool = False


@dataclass(frozen=True)
class Form:
    name: str
    name_zh: str
    kind: str  # cover | person | record
    sheet_aliases: tuple[str, ...]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Catalogue:
    forms: dict[str, Form]
    list_item_headers: frozenset[str]
    list_value_headers: frozenset[str]
    totals_markers: tuple[str, ...]
    footer_markers: tuple[str, ...]
    units_markers: tuple[str, ...]
    vocabularies: dict[str, dict[str, object]]

    @property
    def data_forms(self) -> list[Form]:
        return [f for f in self.forms.values() if f.kind != "cover"]


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


def _field(name: str, spec: dict) -> Field:
    return Field(
        name=name,
        name_zh=spec["name_zh"],
        aliases=tuple(spec["aliases"]),
        type=spec["type"],
        required=bool(spec.get("required", False)),
        personal=bool(spec.get("personal", False)),
    )


@cache
def load_catalogue(path: Path = FORMS_FILE) -> Catalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    forms = {
        name: Form(
            name=name,
            name_zh=spec["name_zh"],
            kind=spec["kind"],
            sheet_aliases=tuple(spec["sheet_aliases"]),
            fields=tuple(_field(f, s) for f, s in spec["fields"].items()),
        )
        for name, spec in raw["forms"].items()
    }
    markers = raw["non_data_markers"]
    return Catalogue(
        forms=forms,
        list_item_headers=frozenset(normalise_label(h) for h in raw["list_headers"]["item"]),
        list_value_headers=frozenset(normalise_label(h) for h in raw["list_headers"]["value"]),
        totals_markers=tuple(normalise_label(m) for m in markers["totals"]),
        footer_markers=tuple(normalise_label(m) for m in markers["footer"]),
        units_markers=tuple(markers["units"]),
        vocabularies={
            k: {normalise_label(a): v for a, v in vocab.items()}
            for k, vocab in raw["vocabularies"].items()
        },
    )
