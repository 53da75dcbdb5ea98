"""The reference list of villages (villages.csv) and resolving a file to its village."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from township.forms import normalise_label
from township.read.grid import decode_text

CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{12})(?!\d)")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    aliases: tuple[str, ...]
    township_code: str
    township_name: str
    email: str | None = None


class VillageRegistry:
    def __init__(self, villages: list[Village]):
        self.villages = villages
        self.by_code = {v.code: v for v in villages}
        names = [(normalise_label(n), v) for v in villages for n in (v.name, *v.aliases) if n]
        # Longest names first, so 李家湾村 wins over 李家 when both are registered.
        self._names = sorted(names, key=lambda item: -len(item[0]))
        self._exact = dict(self._names)

    @classmethod
    def load(cls, path: Path) -> VillageRegistry:
        text = decode_text(Path(path).read_bytes())
        rows = csv.DictReader(io.StringIO(text))
        return cls([_village(row) for row in rows if (row.get("village_code") or "").strip()])

    @property
    def townships(self) -> dict[str, str]:
        return {v.township_code: v.township_name for v in self.villages}

    def by_name(self, text: object) -> Village | None:
        return self._exact.get(normalise_label(text)) if text else None

    def code_of(self, text: object) -> Village | None:
        return self.by_code.get(str(text).strip()) if text else None

    def in_file_name(self, file_name: str) -> Village | None:
        for code in CODE_IN_TEXT.findall(file_name):
            if code in self.by_code:
                return self.by_code[code]
        label = normalise_label(Path(file_name).stem)
        return next((v for name, v in self._names if name and name in label), None)


def _village(row: dict[str, str]) -> Village:
    code = row["village_code"].strip()
    return Village(
        code=code,
        name=row["village_name"].strip(),
        aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
        township_code=(row.get("township_code") or code[:9]).strip(),
        township_name=(row.get("township_name") or "").strip(),
        email=(row.get("email") or "").strip() or None,
    )
