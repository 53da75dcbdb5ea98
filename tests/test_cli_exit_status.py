"""The command line's exit statuses (README): 0 success, 1 one clear line, 2 bad arguments,
3 the warehouse held by another process; each told in one line on stderr, `township: …`.

One small warehouse (two villages, 2026-03) is built per module; the commands run in process
(typer's CliRunner) where nothing depends on the process, as real subprocesses otherwise."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from analyst_sample import HOLD_FILE, ingest_holding
from builders import birth_row, no_warehouse_yet, township_settings, write_births
from typer.testing import CliRunner

from township.cli import app
from township.config import Settings
from township.ingest import ingest
from township.store import restricted_path

FUHE, TAOYUAN = "420117104201", "420117104202"
HEADER = "village_code,village_name,aliases,township_code,township_name,email\n"
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


def env_for(s: Settings, **extra: str) -> dict[str, str | None]:
    """The township's paths in the environment, and no other TOWNSHIP_ setting."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TOWNSHIP_")}
    env |= {
        "TOWNSHIP_RAW_DIR": str(s.raw_dir),
        "TOWNSHIP_VILLAGES": str(s.villages),
        "TOWNSHIP_WAREHOUSE": str(s.warehouse),
        "TOWNSHIP_OUTBOX": str(s.outbox),
        "TOWNSHIP_KEY_FILE": str(s.key_file),
    }
    return env | extra


def run_in_process(args: list[str], env: dict[str, str | None]):
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stderr


def run_subprocess(args: list[str], env: dict[str, str | None], cwd: Path, timeout: float = 60):
    full = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    done = subprocess.run(
        [sys.executable, "-m", "township.cli", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stderr


def run_each_in_process(
    commands: list[list[str]], env: dict[str, str | None], cwd: Path
) -> list[tuple[int, str, float]]:
    """Each command in this process, one after the other, in `cwd`: the exit status, the
    stderr and the seconds it took, in the commands' order."""
    results = []
    with contextlib.chdir(cwd):
        for args in commands:
            started = time.monotonic()
            code, stderr = run_in_process(args, env)
            results.append((code, stderr, time.monotonic() - started))
    return results


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("township: "), stderr
    return lines[0]


def build_township(root: Path) -> Settings:
    s = township_settings(root)
    for n, village in enumerate((FUHE, TAOYUAN), start=1):
        write_births(s.raw_dir / "2026-03" / f"{village}.xlsx", [birth_row(n, "2026-03-02")])
    ingest(s)
    return s


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> Settings:
    return build_township(tmp_path_factory.mktemp("township"))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # whatever a command would write by default lands here
    return tmp_path


# ---------------------------------------------------------------- 2: bad arguments

BAD_ARGUMENTS = [
    (["ingest", "2026-13"], "bad month '2026-13'"),
    (["ingest", "foo"], "bad month 'foo'"),
    (["ingest", "2026-3"], "bad month '2026-3'"),
    (["reports", "2026-3"], "bad month '2026-3'"),
    (["reports", "2026-00"], "bad month '2026-00'"),
    (["summary", "SY2026H3"], "unknown period 'SY2026H3'"),
    (["summary", "2026-13"], "unknown period '2026-13'"),
    (["summary", "SY2026H1", "--format", "pdf"], "unknown format 'pdf'"),
    (["summary", "SY2026H1", "--as-of", "yesterday"], "--as-of 'yesterday'"),
    (["summary", "SY2026H1", "--as-of", "2026-04-31"], "--as-of '2026-04-31'"),
    (["summary", "SY2026H1", "--township", "4201"], "--township '4201'"),
    (["summary", "SY2026H1", "--township", "420117999"], "unknown township code 420117999"),
    (["summary", "SY2026H1", "--output", "x.xlsx"], "--output is for --format xlsx"),
    (["trace", "SY2026H1", "no_such_indicator"], "unknown indicator 'no_such_indicator'"),
    (["trace", "SY2026H3", "births_total"], "unknown period 'SY2026H3'"),
    (["trace", "SY2026H1", "births_total", "--org", "12"], "--org '12'"),
    (["trace", "SY2026H1", "births_total", "--org", "420117104999"], "unknown org code"),
    (["serve", "--month", "2026-13"], "--month '2026-13'"),
    (["demo", "--period", "SY2026H3"], "unknown period 'SY2026H3'"),
    (["template", "blank.txt"], "give a .xlsx file name"),
    (["synth", "--villages", "."], "--villages .: is a folder"),
    (["docs", "--output", "."], "is a folder"),
    (["materialize", "--warehouse", "no/such.duckdb"], "--warehouse no/such.duckdb: no such file"),
    (["summary", "SY2026H1", "--warehouse", "no/such.duckdb"], "no such file"),
    (["reports", "2026-03", "--raw-dir", "no/such"], "--raw-dir no/such: no such folder"),
    (["ingest", "--villages", "no/such.csv"], "--villages no/such.csv: no such file"),
    (["ingest", "--runner", "cloud"], "--runner 'cloud'"),
]


@pytest.mark.parametrize(
    ("args", "said"), BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS]
)
def test_bad_argument_exits_2_with_one_line_in_every_command(township, in_tmp, args, said):
    before = sorted(p.name for p in in_tmp.iterdir())
    code, stderr = run_in_process(args, env_for(township))
    assert code == 2, stderr
    assert said in one_line(stderr)
    assert sorted(p.name for p in in_tmp.iterdir()) == before  # nothing written


def test_bad_month_exits_2_before_any_work(tmp_path):
    """Nothing is read nor created: no warehouse appears for a month that cannot be."""
    s = no_warehouse_yet(township_settings(tmp_path))
    write_births(s.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    for month in ("2026-13", "2026-3", "０２６-03", "2026-03\n"):
        code, stderr = run_in_process(["ingest", month], env_for(s))
        assert code == 2 and "bad month" in one_line(stderr)
    assert not s.warehouse.exists()


def test_trace_names_the_indicator_catalog_and_prints_a_header(township):
    code, stderr = run_in_process(["trace", "SY2026H1", "birth_total"], env_for(township))
    line = one_line(stderr)
    assert code == 2 and "did you mean births_total" in line and "catalog.yaml" in line
    result = CliRunner().invoke(app, ["trace", "SY2026H1", "births_total"], env=env_for(township))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "村\t文件\t位置"
    assert len(lines) == 1 + 2 + 1 and lines[-1].startswith("2 row(s) behind births_total")


def test_usage_errors_are_one_line_with_exit_status_2(township, tmp_path):
    """typer's own checks (a missing argument, a number that is none, an unknown option or
    command) through the console script's entry point, in one line like the rest."""
    for args in (["reports"], ["synth", "--seed", "x"], ["summary", "SY2026H1", "--bogus"]):
        code, stderr = run_subprocess(args, env_for(township), tmp_path)
        assert code == 2, stderr
        assert f"see `township {args[0]} --help`" in one_line(stderr)


# ---------------------------------------------------------------- 3: a busy warehouse

BUSY_COMMANDS = [
    ["ingest", "--quiet"],
    ["summary", "SY2026H1"],
    ["summary", "SY2026H1", "--format", "json"],
    ["trace", "SY2026H1", "births_total"],
    ["reports", "2026-03"],
    ["docs", "--output", "dictionary.md"],
    ["materialize"],
    ["demo"],
]


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A township whose warehouse another process holds for writing, for the whole module."""
    s = build_township(tmp_path_factory.mktemp("held"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(s.warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield s
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


@pytest.fixture(scope="module")
def busy_runs(held) -> list[tuple[int, str, float]]:
    """Every command of BUSY_COMMANDS run against the held warehouse, waiting 0.3 s."""
    env = env_for(held, TOWNSHIP_LOCK_WAIT_SECONDS="0.3")
    return run_each_in_process(BUSY_COMMANDS, env, held.raw_dir.parent)


@pytest.mark.parametrize("index", range(len(BUSY_COMMANDS)), ids=[a[0] for a in BUSY_COMMANDS])
def test_busy_warehouse_exits_3_after_the_configured_wait_in_every_command(busy_runs, index):
    code, stderr, took = busy_runs[index]
    assert code == 3, stderr
    assert "held by another process (waited 0.3 s)" in one_line(stderr)
    assert took < 30  # the configured wait, not the default minute


RESTRICTED_COMMANDS = [
    ["summary", "SY2026H1"],
    ["summary", "SY2026H1", "--format", "xlsx"],
    ["reports", "2026-03"],
]


@pytest.fixture(scope="module")
def restricted_busy_runs(tmp_path_factory) -> list[tuple[int, str, float]]:
    """RESTRICTED_COMMANDS run while another process holds the restricted file."""
    s = build_township(tmp_path_factory.mktemp("held_restricted"))
    with ingest_holding(restricted_path(s.warehouse), script=HOLD_FILE):
        env = env_for(s, TOWNSHIP_LOCK_WAIT_SECONDS="0.6")
        return run_each_in_process(RESTRICTED_COMMANDS, env, s.raw_dir.parent)


@pytest.mark.parametrize(
    "index", range(len(RESTRICTED_COMMANDS)), ids=["summary", "summary-xlsx", "reports"]
)
def test_a_held_restricted_file_is_a_busy_warehouse_exit_3_after_the_configured_wait(
    restricted_busy_runs, index
):
    """The names and ID numbers' file beside the warehouse is the same warehouse: another
    process holding it is waited for TOWNSHIP_LOCK_WAIT_SECONDS, then exit status 3."""
    code, stderr, took = restricted_busy_runs[index]
    assert code == 3, stderr
    assert "held by another process (waited 0.6 s)" in one_line(stderr)
    assert 0.6 <= took < 40  # the configured wait, not the default minute


# ---------------------------------------------------------------- 1: villages.csv unusable

VILLAGE_LISTS = [
    ("zero-byte", b"", "the file is empty"),
    ("header only", HEADER.encode(), "no villages, only the header row"),
    ("no name column", b"village_code,name\n420117104201,a\n", "no column village_name"),
    (
        "code twice",
        (HEADER + f"{FUHE},a,,,,\n{TAOYUAN},b,,,,\n{FUHE},c,,,,\n").encode(),
        f"row 4: village_code {FUHE} is already on row 2",
    ),
    ("11 digits", (HEADER + f"{FUHE},a,,,,\n42011710420,b,,,,\n").encode(), "row 3"),
    ("undecodable", HEADER.encode() + bytes(range(128, 256)) * 8, "cannot be decoded"),
    ("UTF-16", (HEADER + f"{FUHE},复合村,,,,\n").encode("utf-16-le"), "cannot be decoded"),
    ("NUL in a name", (HEADER + f"{FUHE},a\x00b,,,,\n").encode(), "row 2: village_name"),
    ("a folder", None, "is a folder"),
]


@pytest.mark.parametrize(
    ("content", "said"), [v[1:] for v in VILLAGE_LISTS], ids=[v[0] for v in VILLAGE_LISTS]
)
def test_unusable_village_list_exits_1_naming_file_problem_and_row(tmp_path, content, said):
    s = no_warehouse_yet(township_settings(tmp_path))
    if content is None:
        s.villages.unlink()
        s.villages.mkdir()
    else:
        s.villages.write_bytes(content)
    write_births(s.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    code, stderr = run_in_process(["ingest", "--quiet"], env_for(s))
    assert code == 1
    line = one_line(stderr)
    assert str(s.villages) in line and said in line
    assert not s.warehouse.exists()


@pytest.mark.parametrize("args", [["ingest"], ["serve"], ["demo"]])
def test_unusable_village_list_exits_1_in_every_command_that_reads_it(tmp_path, in_tmp, args):
    s = township_settings(tmp_path)
    s.villages.write_bytes((HEADER + f"{FUHE},a,,,,\n{FUHE},b,,,,\n").encode())
    write_births(s.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    code, stderr = run_in_process(args, env_for(s))
    assert code == 1
    assert f"{s.villages} row 3: village_code {FUHE} is already on row 2" in one_line(stderr)


# ---------------------------------------------------------------- 1: a damaged warehouse


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:5000])


def _cut_short(path: Path) -> None:
    """A copy that stopped near its end: DuckDB itself opens it."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 9 // 10])


def _corrupt_blocks(path: Path) -> None:
    """Garbage inside every data block, the headers intact: found by the blocks' checksums."""
    data = bytearray(path.read_bytes())
    for start in range(3 * 4096, len(data), 256 * 1024):
        data[start + 64 : start + 4096] = os.urandom(4096 - 64)
    path.write_bytes(bytes(data))


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE = {"truncated": _truncate, "cut short": _cut_short, "corrupt blocks": _corrupt_blocks}
DAMAGE |= {"random": _random_bytes, "empty": _zero_bytes, "a directory": _directory}


@pytest.fixture
def damaged_copy(township, tmp_path) -> Settings:
    """The module's township, copied whole, to be damaged."""
    root = tmp_path / "copy"
    shutil.copytree(township.raw_dir.parent.parent, root)
    return township_settings(root)


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
@pytest.mark.parametrize("args", [["summary", "SY2026H1"], ["ingest", "--quiet"]], ids=str)
def test_damaged_warehouse_exits_1_saying_which_file_and_what_to_do(damaged_copy, damage, args):
    """Read-only (summary) and for writing (ingest): each kind of damage, one line."""
    damage(damaged_copy.warehouse)
    code, stderr = run_in_process(args, env_for(damaged_copy))
    assert code == 1
    line = one_line(stderr)
    assert f"warehouse file {damaged_copy.warehouse} is damaged or not a DuckDB warehouse" in line
    assert "township.duckdb and township_restricted.duckdb together from the backup" in line
    assert "township ingest" in line


@pytest.mark.parametrize(
    "args",
    [
        ["reports", "2026-03"],
        ["materialize"],
        ["trace", "SY2026H1", "births_total"],
        ["docs", "--output", "d.md"],
    ],
    ids=str,
)
def test_damaged_warehouse_exits_1_in_every_command_that_opens_it(damaged_copy, in_tmp, args):
    _cut_short(damaged_copy.warehouse)
    code, stderr = run_in_process(args, env_for(damaged_copy))
    assert code == 1 and "is damaged or not a DuckDB warehouse" in one_line(stderr)


@pytest.mark.parametrize("damage", [_random_bytes, _cut_short], ids=["random", "cut short"])
def test_damaged_restricted_file_is_named(damaged_copy, damage):
    restricted = restricted_path(damaged_copy.warehouse)
    damage(restricted)
    code, stderr = run_in_process(["reports", "2026-03"], env_for(damaged_copy))
    assert code == 1
    line = one_line(stderr)
    assert f"warehouse file {restricted} is damaged" in line and "from the backup" in line


def test_status_without_a_prefect_server_exits_1_in_one_line(township, tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = env_for(township, TOWNSHIP_PREFECT_PORT=str(port), PREFECT_API_URL=None)
    code, stderr = run_subprocess(["status"], env, tmp_path)
    assert code == 1, stderr
    assert "no Prefect server to ask" in one_line(stderr)
