"""Validation of a whole batch: one pandera call per form across every file of the batch."""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pandera.pandas as pa
from stdnum import numdb

from township.forms import load_catalogue
from township.model import ERROR, FileRead, Finding
from township.rules.catalog import finding
from township.rules.checks import age_on, birth_date_of_id
from township.rules.models import models

CONTEXT = ["_file", "_rec", "_row", "_sheet", "_report_month"]
# Which cell a whole-record rule points at, when pandera does not name a column.
RULE_FIELD = {
    "birth_date.future": "birth_date",
    "birth_date.late": "birth_date",
    "birth_date.prior_year": "birth_date",
    "births.duplicate_in_file": "mother_id",
    "reward.age": "category",
    "special.age": "category",
    "approved_on.outside_month": "approved_on",
    "contraception.sum": "married_women",
}
PANDERA_RULE = {"not_nullable": "required"}
# Rules whose cause may be in any of several cells of the row (an age: the ID number, the
# approval date or the category): the finding points at the row, not at one of them.
ROW_RULES = {"reward.age", "special.age"}

# pandera builds a model's schema on first use (~0.3 s in a fresh process, most of it the
# first model): built here, once per process, so that forked workers inherit them.
MODELS = models()
for _model in MODELS.values():
    _model.to_schema()


@functools.cache
def warm_up() -> None:
    """Each model run once on a blank row, and the region table of ID numbers loaded: what
    pandera (its checks' first run, its backends' imports) and python-stdnum do once per
    process. Done in the process that forks the reader workers (an ingest, township check, the
    web intake), once: every worker then starts with it done instead of doing it again."""
    numdb.get("cn/loc")
    for form, model in MODELS.items():
        frame = form_frame([], form)
        frame.loc[0] = [None] * len(frame.columns)
        # a blank row breaks every rule: the point is to have run them
        with contextlib.suppress(pa.errors.SchemaErrors):
            model.validate(frame, lazy=True)


@dataclass
class ValidatedBatch:
    """Each form's records across the batch, with `_has_error`, and the findings per file."""

    frames: dict[str, pd.DataFrame]
    findings: dict[int, list[Finding]] = field(default_factory=dict)


def form_frame(files: list[FileRead], form: str) -> pd.DataFrame:
    fields = load_catalogue().forms[form].field_names
    rows = []
    for i, fr in enumerate(files):
        sheet = fr.sheets.get(form)
        if fr.rejection or sheet is None:
            continue
        for rec_no, (record, excel_row) in enumerate(zip(sheet.records, sheet.rows, strict=True)):
            rows.append(
                {
                    **record,
                    "_file": i,
                    "_rec": rec_no,
                    "_row": excel_row,
                    "_sheet": sheet.sheet,
                    "_report_month": fr.report_month,
                }
            )
    # object from the start: built first and cast after, a column holding a blank (None) in
    # one file turns every other file's 100 into 100.0, which is no longer a count.
    return pd.DataFrame(rows, columns=[*fields, *CONTEXT], dtype=object)


def validate_batch(files: list[FileRead]) -> ValidatedBatch:
    batch = ValidatedBatch(frames={}, findings={i: list(fr.findings) for i, fr in enumerate(files)})
    for form, model in MODELS.items():
        frame = form_frame(files, form)
        errors: set[int] = set()
        if len(frame):
            for idx, f in _failures(model, frame, files, form):
                batch.findings[int(frame.at[idx, "_file"])].append(f)
                if f.severity == ERROR:
                    errors.add(idx)
        errors |= _reader_errors(frame, files)
        frame["_has_error"] = frame.index.isin(list(errors))
        batch.frames[form] = frame
        _empty_record_findings(files, form, batch)
    return batch


def _reader_errors(frame: pd.DataFrame, files: list[FileRead]) -> set[int]:
    """Records whose row holds an error the reader found at one of its cells (a formula saved
    without its result, a mark of the template's example or of a cancelled row): kept out like
    those validation finds."""
    marked = {
        (i, f.sheet, f.row)
        for i, fr in enumerate(files)
        for f in fr.findings
        if f.severity == ERROR and f.row is not None
    }
    if not marked or not len(frame):
        return set()
    keys = zip(frame["_file"], frame["_sheet"], frame["_row"], strict=True)
    return {idx for idx, key in zip(frame.index, keys, strict=True) if key in marked}


def _empty_record_findings(files: list[FileRead], form: str, batch: ValidatedBatch) -> None:
    spec = load_catalogue().forms[form]
    for i, fr in enumerate(files):
        sheet = fr.sheets.get(form)
        if spec.kind == "record" and sheet is not None and not sheet.records:
            batch.findings[i].append(
                finding("record.empty", field_zh=spec.name_zh, sheet=sheet.sheet)
            )


def _failures(
    model: type[pa.DataFrameModel], frame: pd.DataFrame, files: list[FileRead], form: str
):
    try:
        model.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    seen: set[tuple[int, str, str]] = set()
    for case in cases.itertuples(index=False):
        if pd.isna(case.index):
            # Every column exists and is of type object, so a failure without a row can only be
            # a check that crashed: a bug that must not pass as "no findings".
            raise RuntimeError(
                f"validation check {case.check!r} on {form} failed to run: {case.failure_case}"
            )
        rule = PANDERA_RULE.get(case.check, case.check)
        idx = int(case.index)
        for fld in _fields_of(case, rule):
            if (idx, rule, fld) not in seen:
                seen.add((idx, rule, fld))
                yield idx, _finding(frame, files, form, idx, rule, fld)


def _fields_of(case, rule: str) -> list[str]:
    if isinstance(case.failure_case, dict):
        return list(case.failure_case)
    if case.schema_context == "Column":
        return [case.column]
    return [RULE_FIELD.get(rule, case.column)]


def _finding(
    frame: pd.DataFrame, files: list[FileRead], form: str, idx: int, rule: str, fld: str
) -> Finding:
    row = frame.loc[idx]
    fr = files[int(row["_file"])]
    sheet = fr.sheets[form]
    value = row.get(fld)
    whole_row = rule in ROW_RULES
    return finding(
        rule,
        field_zh=load_catalogue().forms[form].field(fld).name_zh,
        value=None if whole_row else value.isoformat() if isinstance(value, date) else value,
        other=_other(rule, frame, row),
        variant=_variant(rule, frame, row, value),
        sheet=sheet.sheet,
        row=int(row["_row"]),
        cell=None if whole_row else sheet.cells[int(row["_rec"])].get(fld),
        field=None if whole_row else fld,
    )


# A count in households, as typed (20户, 20（户）) or as the reader gives one written in a 户
# column or under 单位：户 (20（单位：户）); not 户 in other words (见户籍表, 12人（含3户）)
_HOUSEHOLDS = re.compile(r"\d\s*(?:户|[(（]\s*(?:单位\s*[:：]?\s*)?户\s*[)）])$")


def _variant(rule: str, frame: pd.DataFrame, row: pd.Series, value: object) -> str | None:
    """twins: a birth repeating another's mother, date and parity with the other sex (twins
    given one 孩次, where the contract has them consecutive); households: a count of 户 (86户,
    86（单位：户）)."""
    if rule == "count.invalid":
        return "households" if isinstance(value, str) and _HOUSEHOLDS.search(value) else None
    if rule != "births.duplicate_in_file":
        return None
    sexes = {row["child_sex"], _first_of_key(frame, row)["child_sex"]}
    return "twins" if len(sexes) == 2 and not any(pd.isna(s) for s in sexes) else None


def _first_of_key(frame: pd.DataFrame, row: pd.Series) -> pd.Series:
    """The first row of the file with the row's birth key (mother, date, parity)."""
    key = ["_file", "mother_id", "birth_date", "parity"]
    same = frame[(frame[key].astype(str) == row[key].astype(str)).all(axis=1)]
    return same.loc[same["_row"].idxmin()]


def _other(rule: str, frame: pd.DataFrame, row: pd.Series) -> object:
    """The rule-specific detail in a message (report month, the limit, the first row…)."""
    month = row["_report_month"]
    if rule in ("birth_date.future", "birth_date.late", "approved_on.outside_month"):
        return f"{month[:4]}年{int(month[5:])}月"
    if rule == "births.duplicate_in_file":
        return int(_first_of_key(frame, row)["_row"])
    if rule in ("reward.age", "special.age"):
        age = age_on(birth_date_of_id(row.get("id_number")), row.get("approved_on"))
        return f"{row.get('approved_on')}，{age}周岁"
    if rule == "contraception.method_exceeds":
        return row.get("married_women")
    if rule == "contraception.sum":
        methods = [
            "iud",
            "implant",
            "female_sterilization",
            "male_sterilization",
            "pill",
            "condom",
            "other_method",
            "no_method",
        ]
        return sum(v for v in (row.get(m) for m in methods) if isinstance(v, int))
    if rule == "migrants.order":
        return "流出已婚育龄妇女数或流出人口数"
    if rule == "services.checkups":
        return row.get("checkups_due")
    return ""
