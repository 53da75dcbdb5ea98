"""The reference list of villages (villages.csv) and resolving a file to its village."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from township.forms import normalise_label
from township.read.grid import Rejected, decode_text

CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{12})(?!\d)")
VILLAGE_CODE = re.compile(r"[0-9]{12}")
TOWNSHIP_CODE = re.compile(r"[0-9]{9}")
REQUIRED_COLUMNS = ("village_code", "village_name")
# What a village's name ends in (桃园村, 东湖社区): without it, its short name (桃园), which a
# township's sheet of the villages' rows may label a row with.
NAME_ENDINGS = ("村民委员会", "村委会", "居委会", "社区", "村")
# NUL, tabs, line breaks in a cell: the names go into reports' titles and file names.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class VillageListError(Exception):
    """villages.csv cannot be used: the message names the file, the problem and the row."""


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    aliases: tuple[str, ...]
    township_code: str
    township_name: str
    email: str | None = None


OPENINGS_KEPT = 65536


class VillageRegistry:
    def __init__(self, villages: list[Village]):
        self.villages = villages
        self.by_code = {v.code: v for v in villages}
        names = [(normalise_label(n), v) for v in villages for n in (v.name, *v.aliases) if n]
        # Longest names first, so 李家湾村 wins over 李家 when both are registered.
        self._names = sorted(names, key=lambda item: -len(item[0]))
        self._exact = dict(self._names)
        # The names by their first character: a file name is looked up at each of its own
        # characters, not against every village (a prefecture has ten thousand of them).
        self._by_first: dict[str, list[tuple[int, str, Village]]] = {}
        self._by_first2: dict[str, list[tuple[int, str, Village]]] = {}
        for rank, (name, village) in enumerate(self._names):
            if name:
                self._by_first.setdefault(name[0], []).append((rank, name, village))
                self._by_first2.setdefault(name[:2], []).append((rank, name, village))
        self._openings: dict[str, Village | None] = {}  # opening(), by label
        self._short = _short_names(villages, set(self._exact))
        # The townships' names (复合镇): a village named or aliased as the township's first
        # characters (复合村, alias 复合) is no match inside the township's name.
        self._towns_by_first: dict[str, list[str]] = {}
        for town in {normalise_label(v.township_name) for v in villages} - set(self._exact):
            if len(town) > 1:
                self._towns_by_first.setdefault(town[0], []).append(town)

    @classmethod
    def load(cls, path: Path) -> VillageRegistry:
        """The villages of `path`; VillageListError when the file cannot be used as it is (a
        half-read list would turn every file of a missing village into a rejection)."""
        path = Path(path)
        return cls(_villages(path, _text(path)))

    @property
    def townships(self) -> dict[str, str]:
        return {v.township_code: v.township_name for v in self.villages}

    def by_name(self, text: object) -> Village | None:
        return self._exact.get(normalise_label(text)) if text else None

    def by_short_name(self, text: object) -> Village | None:
        """The village whose name without its ending a text is (桃园 for 桃园村), where that
        is no other village's name and no two villages share it."""
        return self._short.get(normalise_label(text)) if text else None

    def code_of(self, text: object) -> Village | None:
        return self.by_code.get(str(text).strip()) if text else None

    def in_file_name(self, file_name: str) -> Village | None:
        for code in CODE_IN_TEXT.findall(file_name):
            if code in self.by_code:
                return self.by_code[code]
        found = self._names_found(normalise_label(Path(file_name).stem))
        # the longest name found (the first registered among equals), as a scan over all would
        return min(found, key=lambda item: item[0], default=(None, None))[1]

    def opening(self, text: str) -> Village | None:
        """The village whose full name a text opens with (桃园村节育措施情况), the longest; not
        an alias, which other words open with too (桃园 of 桃园小区), nor the township's name."""
        head = text.lstrip()[:2]
        if head not in self._by_first2 and head[:1] not in self._by_first2:
            return None  # most words open with no name (项目, 已婚育龄妇女数): not looked up
        if text not in self._openings:  # the same titles and headers in every file
            if len(self._openings) > OPENINGS_KEPT:  # `township serve` runs for months
                self._openings.clear()
            self._openings[text] = self._opening(normalise_label(text))
        return self._openings[text]

    def _opening(self, label: str) -> Village | None:
        if any(label.startswith(town) for town in self._towns_by_first.get(label[:1], ())):
            return None
        # by the first two characters: a prefecture's thousands of names share first ones
        named = (*self._by_first2.get(label[:2], ()), *self._by_first2.get(label[:1], ()))
        return min(
            (
                (rank, v)
                for rank, name, v in named
                if label.startswith(name) and name == normalise_label(v.name)
            ),
            key=lambda found: found[0],
            default=(None, None),
        )[1]

    def _names_found(self, label: str) -> list[tuple[int, Village]]:
        """(rank, village) of each registered name standing in a label."""
        in_town_name = {
            j
            for i, char in enumerate(label)
            for town in self._towns_by_first.get(char, ())
            if label.startswith(town, i)
            for j in range(i, i + len(town))
        }
        return [
            (rank, village)
            for i, char in enumerate(label)
            if i not in in_town_name
            for rank, name, village in self._by_first.get(char, ())
            if label.startswith(name, i)
        ]


def _short_names(villages: list[Village], names: set[str]) -> dict[str, Village]:
    """Each village's name without its ending (NAME_ENDINGS), of two characters or more; not
    one that is a registered name or alias, nor one two villages share (东风村, 东风社区)."""
    found: dict[str, list[Village]] = {}
    for village in villages:
        short = short_name(village.name)
        if short and short not in names:
            found.setdefault(short, []).append(village)
    return {short: vs[0] for short, vs in found.items() if len(vs) == 1}


def short_name(name: str) -> str | None:
    """A village's name without its ending (NAME_ENDINGS), as a label, where two characters or
    more are left (桃园 of 桃园村; none of 新村)."""
    label = normalise_label(name)
    ending = next((e for e in NAME_ENDINGS if label.endswith(e)), None)
    short = label[: -len(ending)] if ending else ""
    return short if len(short) >= 2 else None


def _text(path: Path) -> str:
    if path.is_dir():  # not an OSError to retry: waiting will not make it a file
        raise VillageListError(f"{path}: is a folder, not the CSV file of villages")
    data = path.read_bytes()  # a missing or unreadable file: the OSError names it
    try:
        text = decode_text(data) if data.strip() else ""
        if text.count("\x00") > len(text) // 4:  # UTF-16 (Excel's "Unicode Text"), misread
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL bytes")
    except (Rejected, UnicodeDecodeError) as exc:
        raise VillageListError(
            f"{path}: the text cannot be decoded (not UTF-8, GBK or GB18030): "
            "save it again as CSV UTF-8"
        ) from exc
    if not text.strip():
        raise VillageListError(f"{path}: the file is empty (expected a header row and villages)")
    return text


def _villages(path: Path, text: str) -> list[Village]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [(name or "").strip() for name in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise VillageListError(
                f"{path}: no column {', '.join(missing)} in the header row "
                f"(found: {', '.join(_shown(h) for h in header if h) or 'nothing'})"
            )
        reader.fieldnames = header
        villages = _checked_rows(path, reader)
    except csv.Error as exc:
        raise VillageListError(f"{path} row {reader.line_num}: not a CSV file ({exc})") from exc
    if not villages:
        raise VillageListError(f"{path}: no villages, only the header row")
    return villages


def _shown(text: str) -> str:
    return text if text.isprintable() else repr(text)


def _checked_rows(path: Path, reader: csv.DictReader) -> list[Village]:
    """Every row that holds anything, checked. Rows are numbered as Excel and editors show
    them, the header being row 1 (a cell holding line breaks aside)."""
    villages: list[Village] = []
    first_seen: dict[str, int] = {}
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line (or one of bare commas) holds no village
        where = f"{path} row {reader.line_num}"
        village = _village(row, where)
        if village.code in first_seen:
            raise VillageListError(
                f"{where}: village_code {village.code} is already on row {first_seen[village.code]}"
            )
        first_seen[village.code] = reader.line_num
        villages.append(village)
    return villages


def _cell(row: dict, column: str) -> str:
    value = row.get(column)
    return value.strip() if isinstance(value, str) else ""


def _village(row: dict, where: str) -> Village:
    for column, value in row.items():
        if isinstance(value, str) and CONTROL.search(value):
            raise VillageListError(f"{where}: {column} holds a control character ({value!r})")
    code, name = _cell(row, "village_code"), _cell(row, "village_name")
    if not VILLAGE_CODE.fullmatch(code):
        raise VillageListError(f"{where}: village_code {code!r} is not 12 digits")
    if not name:
        raise VillageListError(f"{where}: village_name is empty (village {code})")
    township_code = _cell(row, "township_code") or code[:9]
    if not TOWNSHIP_CODE.fullmatch(township_code):
        raise VillageListError(f"{where}: township_code {township_code!r} is not 9 digits")
    return Village(
        code=code,
        name=name,
        aliases=tuple(a.strip() for a in _cell(row, "aliases").split("|") if a.strip()),
        township_code=township_code,
        township_name=_cell(row, "township_name"),
        email=_cell(row, "email") or None,
    )
