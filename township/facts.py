"""What was read and validated, shaped as the rows of the warehouse's raw and restricted tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from township.forms import Form, load_catalogue
from township.model import ERROR, WARNING, FileRead, Finding
from township.privacy import mask_id, mask_ids_in, person_key
from township.read.files import relative_path
from township.rules.validate import ValidatedBatch


class CellIndex:
    """Where the warehouse-level rules point (ingest._add_derived_findings): the mother's ID
    cell of each birth row, the cells of each one-record form. Built from a chunk's files where
    they were read and sent back instead of them (a chunk of 1,000 village files: 0.7 MB to
    pickle instead of 1.5 MB). A plain class, not a dataclass, so that Prefect (the Dask runner
    returns it from tasks) does not walk its thousands of entries."""

    __slots__ = ("birth_id_cells", "records", "submission_ids")

    def __init__(self) -> None:
        self.birth_id_cells: dict[tuple[str, int], str | None] = {}
        self.records: dict[tuple[str, str], tuple[str, int, dict[str, str]]] = {}
        self.submission_ids: list[str] = []

    @classmethod
    def of(cls, files: list[FileRead]) -> CellIndex:
        index = cls()
        for fr in files:
            index.submission_ids.append(fr.submission_id)
            for form, sheet in fr.sheets.items():
                if form == "births":
                    for row, cells in zip(sheet.rows, sheet.cells, strict=True):
                        index.birth_id_cells[(fr.submission_id, row)] = cells.get("mother_id")
                elif sheet.records:
                    index.records[(fr.submission_id, form)] = (
                        sheet.sheet,
                        sheet.rows[0],
                        sheet.cells[0],
                    )
        return index

    def merge(self, other: CellIndex) -> None:
        self.birth_id_cells.update(other.birth_id_cells)
        self.records.update(other.records)
        self.submission_ids += other.submission_ids

    def without(self, submission_ids: set[str]) -> CellIndex:
        index = CellIndex()
        index.birth_id_cells = {
            k: v for k, v in self.birth_id_cells.items() if k[0] not in submission_ids
        }
        index.records = {k: v for k, v in self.records.items() if k[0] not in submission_ids}
        index.submission_ids = [s for s in self.submission_ids if s not in submission_ids]
        return index


@dataclass
class LoadBatch:
    """Every table's new rows for one batch of files (Arrow), and where its rules point."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    cells: CellIndex = field(default_factory=CellIndex)
    outcomes: list = field(default_factory=list)  # the ledger.FileOutcome of each file read

    def without(self, submission_ids: set[str]) -> LoadBatch:
        """The batch less every row of these submissions (every table has submission_id)."""
        drop = pa.array(sorted(submission_ids), type=pa.string())
        return LoadBatch(
            tables={
                name: table.filter(pc.invert(pc.is_in(table["submission_id"], value_set=drop)))
                if table.num_rows  # an empty table's columns may have no type yet
                else table
                for name, table in self.tables.items()
            },
            cells=self.cells.without(submission_ids),
            outcomes=self.outcomes,
        )


def status_of(fr: FileRead, findings: list[Finding]) -> str:
    if fr.rejection:
        return "rejected"
    if any(f.severity == ERROR for f in findings):
        return "has_errors"
    if any(f.severity == WARNING for f in findings):
        return "accepted_with_warnings"
    return "accepted"


def build_load_batch(
    files: list[FileRead], validated: ValidatedBatch, key: bytes, raw_root, now: datetime
) -> LoadBatch:
    batch = LoadBatch(cells=CellIndex.of(files))
    batch.tables["raw.submissions"] = _submissions(files, validated, raw_root, now)
    batch.tables["raw.submission_forms"] = _submission_forms(files)
    batch.tables["restricted.submissions"] = _refusals(files)
    for form in load_catalogue().data_forms:
        frame = _with_submission(validated.frames[form.name], files)
        batch.tables[f"raw.{form.name}"] = _public_rows(frame, form, key)
        if form.personal_fields:
            batch.tables[f"restricted.{form.name}"] = _personal_rows(frame, form)
    batch.tables["raw.findings"], batch.tables["restricted.findings"] = findings_tables(
        files, validated.findings
    )
    # As Arrow, where the rows were made: a chunk's tables then pickle back from a worker as
    # column buffers (object columns of a DataFrame pickle one Python value at a time), and the
    # warehouse takes them as they are.
    batch.tables = {
        name: pa.Table.from_pandas(frame, preserve_index=False)
        for name, frame in batch.tables.items()
    }
    return batch


def _with_submission(frame: pd.DataFrame, files: list[FileRead]) -> pd.DataFrame:
    frame = frame.copy()
    frame["submission_id"] = frame["_file"].map(lambda i: files[int(i)].submission_id)
    return frame.reset_index(drop=True)


def _lineage(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "submission_id": frame["submission_id"],
            "sheet": frame["_sheet"],
            "excel_row": frame["_row"].astype("int64"),
        }
    )


def _text(value: object) -> str | None:
    """A cell as text; a blank (None, or NaN where a sheet lacks the column) stays empty."""
    if isinstance(value, str):
        return value
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _in_vocabulary(kind: str):
    """A coded cell as stored outside `restricted`: one of its vocabulary's values, else empty.
    Whatever else was typed (a name or an ID number in the wrong column) is an error finding,
    and its text is kept with the finding, in `restricted`, only."""
    allowed = frozenset(load_catalogue().vocabularies[kind].values())
    return lambda value: value if isinstance(value, str) and value in allowed else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _public_rows(frame: pd.DataFrame, form: Form, key: bytes) -> pd.DataFrame:
    """A form's rows as raw.<form> holds them: lineage, the person as a keyed hash and a masked
    ID, each field that is not personal as its type is stored, and whether the row has an error."""
    out = _lineage(frame)
    if form.person_key:
        # a list, not Series.map: pandas turns the None of a blank ID into NaN, a float
        ids = [_text(v) for v in frame[form.person_key.field]]
        out["person_key"] = pd.Series(
            [person_key(key, v) for v in ids], index=out.index, dtype=object
        )
        out[form.person_key.masked] = pd.Series(
            [mask_id(v) for v in ids], index=out.index, dtype=object
        )
    for f in form.public_fields:
        out[f.name] = _stored(f.type)(frame[f.name])
    out["has_error"] = frame["_has_error"].astype(bool)
    return out


def _personal_rows(frame: pd.DataFrame, form: Form) -> pd.DataFrame:
    """A form's personal fields as restricted.<form> holds them: text, with the lineage."""
    out = _lineage(frame)
    for f in form.personal_fields:
        out[f.name] = frame[f.name].map(_text)
    return out


def _stored(kind: str):
    """How a column of a field type is stored: its values as read when they are valid, else
    empty (what was typed stays with the error's finding, in restricted)."""
    if kind in ("sex", "residence", "category"):
        return lambda s: s.map(_in_vocabulary(kind))
    if kind == "date":
        return lambda s: s.map(_date)
    if kind in ("parity", "count"):
        return lambda s: s.map(_int).astype("Int64")
    if kind == "in_policy":
        return lambda s: s.map(lambda v: v if isinstance(v, bool) else None).astype("boolean")
    return lambda s: s.map(_text)


def _submissions(
    files: list[FileRead], validated: ValidatedBatch, raw_root, now: datetime
) -> pd.DataFrame:
    rows = []
    for i, fr in enumerate(files):
        found = validated.findings.get(i, [])
        rows.append(
            {
                "submission_id": fr.submission_id,
                "file_sha256": fr.sha256,
                "file_name": mask_ids_in(fr.file_name),
                "file_path": relative_path(fr.path, raw_root),
                "report_month": fr.report_month,
                "village_code": fr.village_code,
                "received_at": fr.received_at,
                "ingested_at": now,
                "size_bytes": fr.size,
                "status": status_of(fr, found),
                "reason_code": fr.rejection.code if fr.rejection else None,
                "reason_zh": fr.rejection.public_message if fr.rejection else None,
                "n_records": sum(n for _, n in _rows_read(fr).values()),
                "n_errors": sum(f.severity == ERROR for f in found),
                "n_warnings": sum(f.severity == WARNING for f in found),
            }
        )
    return pd.DataFrame(rows)


def _rows_read(fr: FileRead) -> dict[str, tuple[str, int]]:
    """form -> (sheet, data rows read): of a refused file too, when it was read before it was
    refused (the row ledger counts those rows as in a refused file)."""
    if fr.rejection:
        return fr.rows_read
    return {form: (s.sheet, len(s.records)) for form, s in fr.sheets.items()}


def _submission_forms(files: list[FileRead]) -> pd.DataFrame:
    rows = [
        {"submission_id": fr.submission_id, "form": form, "sheet": sheet, "n_records": n}
        for fr in files
        for form, (sheet, n) in _rows_read(fr).items()
    ]
    return pd.DataFrame(rows, columns=["submission_id", "form", "sheet", "n_records"])


def _refusals(files: list[FileRead]) -> pd.DataFrame:
    """What a refused file was told, word for word (it may quote the file: restricted)."""
    rows = [
        {"submission_id": fr.submission_id, "reason_zh": fr.rejection.message_zh}
        for fr in files
        if fr.rejection
    ]
    return pd.DataFrame(rows, columns=["submission_id", "reason_zh"])


def findings_tables(
    files: list[FileRead], findings: dict[int, list[Finding]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return findings_frames({files[i].submission_id: found for i, found in findings.items()})


def findings_frames(
    by_submission: dict[str, list[Finding]], first_numbers: dict[str, int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public (raw) and restricted rows of findings; numbering per submission continues
    after `first_numbers` (the findings it already has)."""
    public, private = [], []
    for submission, found in by_submission.items():
        start = (first_numbers or {}).get(submission, 0) + 1
        for no, f in enumerate(found, start=start):
            public.append((submission, no, f.sheet, f.row, f.cell, f.field, f.rule_id, f.severity))
            private.append((submission, no, f.value, f.message_zh, f.fix_zh))
    cols_pub = [
        "submission_id",
        "finding_no",
        "sheet",
        "excel_row",
        "cell",
        "field",
        "rule_id",
        "severity",
    ]
    cols_priv = ["submission_id", "finding_no", "value", "message_zh", "fix_zh"]
    return pd.DataFrame(public, columns=cols_pub), pd.DataFrame(private, columns=cols_priv)
