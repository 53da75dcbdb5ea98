"""docs/warehouse.md, the analysts' data dictionary, written from the warehouse's own comments.

Every table, view and column in the warehouse carries a COMMENT (township/sql/); this module
reads them back from duckdb_tables(), duckdb_views(), duckdb_columns() and duckdb_functions()
and writes one Markdown file. The output depends on the schema alone (no row counts, no dates),
so the committed file can be checked against a freshly built sample warehouse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from township.config import DEFAULT_LOCK_WAIT_SECONDS, Settings
from township.forms import FORMS_FILE
from township.rules.catalog import CATALOG_FILE as RULES_FILE
from township.store import dictionary

DOCS_PATH = Path("docs/warehouse.md")
ANALYST_SCHEMA = "marts"
OTHER_SCHEMAS = ("raw", "staging")
GRAIN = re.compile(r"粒度：([^。]*)")
GRAIN_FALLBACK = re.compile(r"(每[^，。：；]*一行)")


@dataclass(frozen=True)
class Example:
    title: str
    note: str
    sql: str


EXAMPLES = [
    Example(
        "The township's figures for a period, with the indicators' names and units",
        "`marts.indicator_values` holds every indicator for every period, village and the "
        "township; `marts.indicator_catalog` says what each code means.",
        """
select v.indicator, c.name_zh, v.value, c.unit, v.numerator, v.denominator, v.note
from marts.indicator_values as v
join marts.indicator_catalog as c on c.code = v.indicator
where v.period = 'SY2026H1' and v.org_level = 'township'
order by v.indicator;
""",
    ),
    Example(
        "Births per village in a period, by parity and policy",
        "`periods` lists the five periods a birth counts in (month, quarter, year, statistical "
        "year, statistical half-year): filter with `list_contains`.",
        """
select
    village_code, village_name,
    count(*) as births,
    count(*) filter (parity = 1) as parity_1,
    count(*) filter (parity = 2) as parity_2,
    count(*) filter (parity >= 3) as parity_3plus,
    count(*) filter (not in_policy) as out_of_policy
from marts.births
where list_contains(periods, 'SY2026H1')
group by all
order by village_code;
""",
    ),
    Example(
        "Lineage: the files and Excel rows behind one indicator value",
        "`marts.indicator_lineage(period, org_code, indicator)` lists the source rows of an "
        "event or stock indicator, for a village or (with the township's code) the whole "
        "township; with `null` for the indicator, the rows behind every indicator at once "
        "(column `indicator`).",
        """
select village_name, file_name, sheet, excel_row, received_at
from marts.indicator_lineage('SY2026H1', '420117104201', 'births_parity_2');
""",
    ),
    Example(
        "Lineage by hand: the same births, with what was recorded about them",
        "Every analyst table carries `submission_id`, `file_name`, `sheet` and `excel_row`: "
        "the cell a village can be pointed at.",
        """
select birth_date, parity, in_policy, mother_id_masked, file_name, sheet, excel_row
from marts.births
where village_code = '420117104201' and parity = 2 and list_contains(periods, 'SY2026H1')
order by birth_date;
""",
    ),
    Example(
        "as_of: births as the warehouse knew them at a past moment, against today",
        "The staging macros take `as_of` (a timestamp; `null` for everything received so far) "
        "and see only the file versions received by then.",
        """
with known_then as (
    select village_code, count(*) as births_then
    from staging.births('2026-04-05 23:59:59')
    where birth_date between '2025-10-01' and '2026-03-31'
    group by all
),

known_now as (
    select village_code, village_name, count(*) as births_now
    from marts.births
    where list_contains(periods, 'SY2026H1')
    group by all
)

select village_code, village_name, births_then, births_now
from known_now
left join known_then using (village_code)
where births_now is distinct from births_then
order by village_code;
""",
    ),
    Example(
        "as_of for any indicator's counts: the measures behind the indicators",
        "`marts.village_measures(as_of)` gives the numerators and denominators per village and "
        "period (from Python, `Warehouse(path, read_only=True).indicator_values(period, as_of)` "
        "computes the indicators themselves).",
        """
select measure, sum(value) as township_value
from marts.village_measures('2026-04-05 23:59:59')
where period = 'SY2026H1' and measure in ('births_total', 'leaflets', 'villages_reported')
group by all
order by measure;
""",
    ),
    Example(
        "Data quality: findings by rule and village (current versions only)",
        "Findings name the rule, sheet and cell, never the value (which can quote an ID number).",
        """
select rule_id, severity, village_name, count(*) as findings
from marts.findings
where is_current_version
group by all
order by findings desc, rule_id, village_name;
""",
    ),
    Example(
        "Late, rejected, erroneous and resubmitted files",
        "",
        """
select report_month, village_name, file_name, received_at, on_time, status, is_resubmission
from marts.submissions
where not on_time or is_resubmission or status in ('has_errors', 'rejected')
order by report_month, village_code, received_at;
""",
    ),
    Example(
        "Rows still quarantined, waiting for the village to resubmit",
        "",
        """
select village_name, report_month, form, file_name, sheet, excel_row, rule_ids
from marts.quarantined_rows
where is_current_version
order by village_code, report_month, form, excel_row;
""",
    ),
]

INTRO = """\
# The township warehouse: a guide for analysts

Generated by `township docs` from the warehouse's own comments (`COMMENT ON …` in
`township/sql/`). Do not edit by hand: change the comments and run
`uv run township docs --sample` (a test fails while this file is out of date).

## Opening it: read-only, on the analysts' copy

After every successful ingest the pipeline publishes **`data/warehouse/township_analyst.duckdb`**:
the whole warehouse (schemas `raw`, `staging`, `marts`, every comment, view and macro), which
holds no name or full ID number, written to a temporary file and renamed over the previous copy
in one step, with the file marked read-only. Open that copy, and open it read-only:

```python
import duckdb

con = duckdb.connect("data/warehouse/township_analyst.duckdb", read_only=True)
con.sql("select * from marts.births limit 5").df()
```

```bash
duckdb -readonly data/warehouse/township_analyst.duckdb
```

An ingest may be running meanwhile: it writes `township.duckdb` and never touches the copy you
have open; your connection keeps the copy it opened, a new connection sees the newest one. How
fresh a copy is: `select max(ingested_at) from marts.submissions`.

Do not open `data/warehouse/township.duckdb` itself. DuckDB lets a process that writes a file
shut every other process out of it, even read-only ones, and a process holding it open (a
notebook, a CLI session) stops the next ingest. Names and full ID numbers are in a file of their
own beside it, `township_restricted.duckdb` (attached as `restricted` by the township office's
report writer, to write the villages' validation reports): not one byte of them is written to
`township.duckdb` or its copy. Everything else carries a keyed hash (`person_key`) and a masked ID
(`420117********002X`) instead.

The notebooks in `notebooks/` (`01_township_overview.ipynb`, `02_data_quality.ipynb`) open the
copy read-only; set `TOWNSHIP_WAREHOUSE` to open another file.

## Layers

| schema | what it holds | for analysts |
| --- | --- | --- |
| `marts` | the analyst tables and views below: stable names and columns | yes: start here |
| `raw` | every received row, valid or quarantined, every file version, as loaded | yes, for data-quality work; may change |
| `staging` | table macros taking `as_of`: current versions, deduplicated births and beneficiaries | yes, for as_of questions |
| `restricted` | names, full ID numbers, findings' wording: the file `township_restricted.duckdb` | no: not in the analysts' copy |
"""


def _cell(text: object) -> str:
    if text is None:
        return "—"
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _grain(comment: str | None) -> str | None:
    if not comment:
        return None
    found = GRAIN.search(comment) or GRAIN_FALLBACK.search(comment)
    return found.group(1).strip() if found else None


def _macros(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str, str, str | None]]:
    """(name, kind, signature, comment) of the schema's macros, by name."""
    return [
        (name, "table macro" if kind == "table_macro" else "macro", ", ".join(params), comment)
        for name, kind, params, comment in dictionary.macros(con, schema)
    ]


def _relation_section(con: duckdb.DuckDBPyConnection, schema: str, level: str) -> list[str]:
    out: list[str] = []
    for name, kind, comment in dictionary.relations(con, schema):
        out += [f"{level} `{schema}.{name}` ({kind})", ""]
        grain = _grain(comment)
        if grain:
            out += [f"**Grain:** {grain}", ""]
        out += [_cell(comment), ""]
        out += ["| column | type | description |", "| --- | --- | --- |"]
        for column, data_type, column_comment in dictionary.columns(con, schema, name):
            out.append(f"| `{column}` | {_cell(data_type)} | {_cell(column_comment)} |")
        out.append("")
    return out


def _macro_section(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    macros = _macros(con, schema)
    if not macros:
        return []
    out = ["| macro | kind | description |", "| --- | --- | --- |"]
    for name, kind, signature, comment in macros:
        out.append(f"| `{schema}.{name}({signature})` | {kind} | {_cell(comment)} |")
    return [*out, ""]


def warehouse_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The data dictionary of the warehouse `con` is connected to, as Markdown."""
    out = [INTRO, "## Example queries", ""]
    out += [
        "Each runs as it stands against the sample warehouse (`township synth` then "
        "`township ingest`); a test runs them all.",
        "",
    ]
    for example in EXAMPLES:
        out += [f"### {example.title}", ""]
        if example.note:
            out += [example.note, ""]
        out += ["```sql", example.sql.strip(), "```", ""]
    out += [f"## Analyst tables and views (`{ANALYST_SCHEMA}`)", ""]
    out += _relation_section(con, ANALYST_SCHEMA, "###")
    if _macros(con, ANALYST_SCHEMA):
        out += [f"### Table macros in `{ANALYST_SCHEMA}`", ""]
        out += _macro_section(con, ANALYST_SCHEMA)
    out += ["## Other layers", ""]
    for schema in OTHER_SCHEMAS:
        out += [f"### `{schema}`", ""]
        out += _macro_section(con, schema)
        out += _relation_section(con, schema, "####")
    return "\n".join(out).rstrip() + "\n"


def render_docs(warehouse: Path, wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> str:
    """The Markdown for the warehouse file, opened read-only (waiting `wait_seconds` while
    another process holds it)."""
    from township.store.connection import connect

    con = connect(Path(warehouse), read_only=True, wait_seconds=wait_seconds)
    try:
        return warehouse_markdown(con)
    finally:
        con.close()


def write_docs(warehouse: Path, output: Path = DOCS_PATH) -> bool:
    """Write the Markdown to `output`; True when the file changed."""
    text = render_docs(warehouse)
    output = Path(output)
    if output.exists() and output.read_text(encoding="utf-8") == text:
        return False
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8", newline="\n")
    return True


def sample_settings(root: Path) -> Settings:
    """Settings for a sample township kept entirely under `root`."""
    root = Path(root)
    return Settings(
        raw_dir=root / "raw",
        villages=root / "reference" / "villages.csv",
        warehouse=root / "warehouse" / "township.duckdb",
        outbox=root / "outbox",
        key_file=root / "secrets" / "person_key",
        catalog=None,  # a file, whatever the environment says: the docs describe the file
        lake_data=None,
        runner="local",
    )


def build_sample_warehouse(root: Path) -> Settings:
    """The sample township under `root`, ingested, with its analysts' copy published."""
    from township.ingest import ingest
    from township.store import analyst_copy_path, publish
    from township.synth import generate_sample

    settings = sample_settings(root)
    generate_sample(
        settings.raw_dir, settings.villages, settings.villages.with_name("ground_truth.json")
    )
    ingest(settings)
    if not analyst_copy_path(settings.warehouse).exists():  # unless the ingest published it
        publish.publish(settings.warehouse)
    return settings


# ---------------------------------------------------------------- the contract (docs/contract.md)

CONTRACT_PATH = Path("docs/contract.md")
# A generated block of docs/contract.md: the prose around it is written by hand, the block is
# rewritten from its catalog by `township docs --contract` (a test fails while it is stale).
GENERATED_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z]+) -->\n).*?(<!-- end generated -->)", re.DOTALL
)
TYPE_WORDS = {
    "text": "文字",
    "id": "18位身份证号（15位旧号升为18位）",
    "date": "日期",
    "month": "报告期 YYYY-MM",
    "count": "非负整数",
    "parity": "孩次 1, 2, 3…（一孩/二孩/多孩/第一孩…）",
}
KIND_WORDS = {"cover": "封面", "person": "每人一行", "record": "每月一条记录"}
SEVERITY_WORDS = {"error": "错误", "warning": "警告"}


def _forms_markdown() -> str:
    from township.forms import load_catalogue

    catalogue = load_catalogue()
    raw = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))["vocabularies"]
    parts = []
    for form in catalogue.forms.values():
        traits = [KIND_WORDS.get(form.kind, form.kind)] + (["可不报"] if form.optional else [])
        parts += [
            f"**{form.name_zh}** (`{form.name}`; {'，'.join(traits)}; 工作表名："
            f"{'、'.join(form.sheet_aliases)})",
            "",
            "| field | 中文名 | 表头别名 | 取值 | 必填 |",
            "|---|---|---|---|---|",
        ]
        for f in form.fields:
            values = TYPE_WORDS.get(f.type) or "、".join(raw.get(f.type, {})) or f.type
            parts.append(
                f"| `{f.name}` | {f.name_zh} | {_aliases_said(f)} | {_cell(values)} "
                f"| {'是' if f.required else ''} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _aliases_said(field) -> str:
    strong = [a for a in field.aliases if a not in field.weak_aliases]
    weak = f"；没有其他列时也认：{'、'.join(field.weak_aliases)}" if field.weak_aliases else ""
    return "、".join(strong) + weak


def _rules_markdown() -> str:
    from township.analysis import rule_names

    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    names = rule_names(RULES_FILE)
    lines = ["| rule | 名称 | 严重程度 | 村里读到的说明 | 怎么改 |", "|---|---|---|---|---|"]
    for rid, spec in rules.items():
        lines.append(
            f"| `{rid}` | {_cell(names[rid])} | {SEVERITY_WORDS.get(spec['severity'])} "
            f"| {_cell(spec['message'])} | {_cell(spec['fix'])} |"
        )
    return "\n".join(lines) + "\n"


def _indicators_markdown() -> str:
    from township.indicators.catalog import load_catalog

    lines = [
        "| code | 中文名 | 类型 | 分子 | 分母 | 系数 | 小数位 | 单位 | 正常值范围 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i in load_catalog():
        band = (
            f"{i['normal_low']}–{i['normal_high']}"
            if i["normal_low"] is not None or i["normal_high"] is not None
            else ""
        )
        kind = i["kind"] + ("，年化" if i["annualised"] else "")
        denominator = f"`{i['denominator']}`" if i["denominator"] else ""
        lines.append(
            f"| `{i['code']}` | {i['name_zh']} | {kind} | `{i['numerator']}` "
            f"| {denominator} | {i['factor']} "
            f"| {i['decimals']} | {_cell(i['unit'] or '')} | {band} |"
        )
    return "\n".join(lines) + "\n"


CONTRACT_TABLES = {
    "forms": _forms_markdown,
    "rules": _rules_markdown,
    "indicators": _indicators_markdown,
}


def render_contract(text: str) -> str:
    """docs/contract.md with each generated block rewritten from its catalog."""

    def block(match: re.Match) -> str:
        make = CONTRACT_TABLES.get(match["name"])
        if make is None:
            raise ValueError(f"docs/contract.md: no generated block named {match['name']!r}")
        return f"{match[1]}{make()}{match[3]}"

    return GENERATED_BLOCK.sub(block, text)
