"""The web intake over HTTP (Starlette's TestClient against the real app, real files, a real
warehouse): every security point of the README's "Web intake" and what a village sees."""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from pathlib import Path

import pytest
from builders import birth_row, set_received, township_settings, write_births
from hostile_files import repeated, sheet_xml, xlsx

with warnings.catch_warnings():  # Starlette would rather have httpx2, which is not in the lock
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from township.ingest import ingest
from township.web import store
from township.web.app import COOKIE, create_app

MONTH = "2026-03"
FUHE, TAOYUAN = "420117104201", "420117104202"
LIMIT = 300_000  # TOWNSHIP_MAX_FILE_BYTES here


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    s = township_settings(
        root,
        web_db=root / "data" / "web" / "intake.sqlite3",
        web_secret_file=root / "data" / "secrets" / "web_secret",
        max_file_bytes=LIMIT,
    )
    first = write_births(s.raw_dir / MONTH / f"{FUHE}_3月.xlsx", [birth_row(1, "2026-03-08")])
    set_received(first, datetime(2026, 4, 3, 10, 0))
    ingest(s)
    tokens = {who: store.issue(s.web_db, who) for who in (FUHE, TAOYUAN, store.OFFICE)}
    return s, tokens


@pytest.fixture
def client(township):
    s, _ = township
    with TestClient(create_app(s), follow_redirects=False) as c:
        yield c


def csrf_of(client: TestClient, page: str = "/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)[1]


def sign_in(client: TestClient, township, who: str) -> str:
    _, tokens = township
    response = client.post(
        "/login", data={"csrf": csrf_of(client), "code": who, "token": tokens[who]}
    )
    assert response.status_code == 303
    return csrf_of(client, "/village" if who != store.OFFICE else "/office")


def upload(client: TestClient, csrf: str, path: Path, name: str | None = None):
    with open(path, "rb") as fh:
        return client.post(
            "/village/upload",
            data={"csrf": csrf, "month": MONTH},
            files={"file": (name or path.name, fh, "application/octet-stream")},
        )


def bad_births(folder: Path, n: int = 3) -> Path:
    """A births workbook with one wrong check digit; `n` makes its other birth its own."""
    bad = birth_row(2, "2026-03-09")
    bad[1] = bad[1][:-1] + ("1" if bad[1][-1] != "1" else "2")
    folder.mkdir(parents=True, exist_ok=True)
    return write_births(folder / "三月.xlsx", [bad, birth_row(n, "2026-03-10")], cover_month=MONTH)


def test_wrong_token_signs_nobody_in(client, township):
    page = client.get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert (
        "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]
    )
    response = client.post(
        "/login", data={"csrf": csrf_of(client), "code": FUHE, "token": township[1][TAOYUAN]}
    )
    assert response.status_code == 401 and "口令不对" in response.text
    assert client.get("/village").headers["location"] == "/login"
    response = client.post("/login", data={"csrf": csrf_of(client), "code": "x", "token": "y"})
    assert response.status_code == 401


def test_a_form_without_its_csrf_token_is_refused(client, township, tmp_path):
    _, tokens = township
    csrf_of(client)
    response = client.post("/login", data={"code": FUHE, "token": tokens[FUHE]})
    assert response.status_code == 403
    csrf = sign_in(client, township, FUHE)
    with open(bad_births(tmp_path), "rb") as fh:
        response = client.post(
            "/village/upload", data={"month": MONTH}, files={"file": ("a.xlsx", fh)}
        )
    assert response.status_code == 403
    response = client.post(
        "/village/upload",
        data={"csrf": csrf[:-1] + ("A" if csrf[-1] != "A" else "B"), "month": MONTH},
    )
    assert response.status_code == 403


def test_an_oversize_upload_is_refused_before_it_is_read(client, township, tmp_path):
    s, _ = township
    csrf = sign_in(client, township, FUHE)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"\0" * (LIMIT + 100_000))
    before = sorted(s.raw_dir.rglob("*"))
    response = upload(client, csrf, big)
    assert response.status_code == 413 and "文件太大" in response.text
    assert sorted(s.raw_dir.rglob("*")) == before
    response = client.post(
        "/village/upload",
        content=b"x" * 10,
        headers={"content-length": str(LIMIT * 10), "content-type": "multipart/form-data"},
    )
    assert response.status_code == 413


def test_a_village_sees_its_findings_and_another_village_gets_404(client, township, tmp_path):
    s, _ = township
    csrf = sign_in(client, township, TAOYUAN)
    response = upload(client, csrf, bad_births(tmp_path))
    assert response.status_code == 303
    page = response.headers["location"]
    upload_id = page.rsplit("/", 1)[1]
    text = client.get(page).text
    assert "有错误" in text and "出生登记" in text and "修改方法" in text
    report = client.get(f"{page}/report")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    [stored] = [u for u in store.uploads(s.web_db, TAOYUAN) if u.upload_id == upload_id]
    assert re.fullmatch(
        rf"{MONTH}/{TAOYUAN}_\d{{8}}-\d{{6}}_web[0-9a-f]{{8}}\.xlsx", stored.stored_path
    )

    client.cookies.clear()
    sign_in(client, township, FUHE)
    for url in (page, f"{page}/report", f"/village/uploads/{upload_id[:-1]}0"):
        assert client.get(url).status_code == 404
    assert TAOYUAN not in client.get("/village").text
    assert client.get("/office").status_code == 404  # a village is not the office

    client.cookies.clear()
    sign_in(client, township, store.OFFICE)
    assert client.get(f"/office/uploads/{upload_id}").status_code == 200
    assert client.get(page).status_code == 404  # the office's pages are its own


def test_a_hostile_file_under_a_hostile_name_is_refused_and_kept_inside(client, township, tmp_path):
    s, _ = township
    csrf = sign_in(client, township, FUHE)
    bomb = xlsx(
        tmp_path / "bomb.xlsx",
        {
            "出生登记": repeated(
                b"<worksheet><sheetData>", b"<row></row>" * 4096, 2_000, b"</sheetData></worksheet>"
            )
        },
    )
    response = upload(client, csrf, bomb, name="../../../etc/cron.d/x.xlsx")
    assert response.status_code == 303
    text = client.get(response.headers["location"]).text
    assert "已拒收" in text and "文件未逐行校验" in text and "错误 0 处" not in text
    [latest] = store.uploads(s.web_db, FUHE)[:1]
    assert latest.stored_path.startswith(f"{MONTH}/{FUHE}_") and ".." not in latest.stored_path
    assert not (s.raw_dir.parent / "etc").exists() and not list(tmp_path.parent.glob("**/cron.d"))
    response = upload(client, csrf, bomb, name="x\r\n.xlsx\u202e")
    assert response.status_code == 303


def test_sessions_expire_and_end_when_the_token_is_rotated(client, township):
    s, tokens = township
    sign_in(client, township, TAOYUAN)
    assert client.get("/village").status_code == 200
    tokens[TAOYUAN] = store.issue(s.web_db, TAOYUAN)  # rotated: the old session ends
    assert client.get("/village").status_code == 303
    client.cookies.set(COOKIE, "forged.value.here")
    assert client.get("/village").status_code == 303
    assert sheet_xml  # the hostile builders are the reader tests' own


def test_only_the_office_may_start_the_monthly_run_and_only_with_its_csrf_token(client, township):
    sign_in(client, township, FUHE)
    assert client.post("/office/run", data={"csrf": csrf_of(client, "/village")}).status_code == 404
    client.cookies.clear()
    sign_in(client, township, store.OFFICE)
    assert client.post("/office/run", data={"month": MONTH}).status_code == 403
    response = client.post("/office/run", data={"csrf": csrf_of(client, "/office"), "month": "x"})
    assert response.status_code == 400


def test_tokens_are_issued_listed_and_revoked_from_the_command_line(township, tmp_path):
    from test_cli_exit_status import env_for, run_in_process
    from typer.testing import CliRunner

    from township.cli import app

    s, _ = township
    env = env_for(s) | {"TOWNSHIP_WEB_DB": str(tmp_path / "tokens.sqlite3")}
    issued = CliRunner().invoke(app, ["tokens", "issue", TAOYUAN], env=env)
    token = issued.stdout.strip()
    assert issued.exit_code == 0 and len(token) >= 32
    assert store.verify(tmp_path / "tokens.sqlite3", TAOYUAN, token)
    listed = CliRunner().invoke(app, ["tokens", "list"], env=env).stdout
    assert TAOYUAN in listed and token not in listed
    assert token not in (tmp_path / "tokens.sqlite3").read_bytes().decode("latin-1")
    assert run_in_process(["tokens", "issue", "999999999999"], env)[0] == 2
    assert run_in_process(["tokens", "revoke", TAOYUAN], env)[0] == 0
    assert not store.verify(tmp_path / "tokens.sqlite3", TAOYUAN, token)
    assert run_in_process(["tokens", "revoke", TAOYUAN], env)[0] == 1


def test_an_upload_while_the_monthly_run_holds_the_warehouse_is_not_kept(township, tmp_path):
    from analyst_sample import ingest_holding

    s, _ = township
    with TestClient(create_app(s.with_options(lock_wait_seconds=0.5)), follow_redirects=False) as c:
        csrf = sign_in(c, township, FUHE)
        before = sorted(s.raw_dir.rglob("*"))
        with ingest_holding(s.warehouse):
            response = upload(c, csrf, bad_births(tmp_path))
        assert response.status_code == 503 and "几分钟后重新上传" in response.text
        assert sorted(s.raw_dir.rglob("*")) == before


def test_the_monthly_run_then_finds_what_the_upload_was_told(client, township, tmp_path):
    from township.reports.outbox import report_inputs
    from township.store import Warehouse

    s, _ = township
    csrf = sign_in(client, township, TAOYUAN)
    sent = bad_births(tmp_path, n=9)  # a file the warehouse has never had
    upload_id = upload(client, csrf, sent).headers["location"].rsplit("/", 1)[1]
    told = store.upload(s.web_db, upload_id, TAOYUAN)
    ingest(s)
    with Warehouse.open(s, read_only=True) as wh:
        [real] = [
            i
            for i in report_inputs(wh, MONTH, s.raw_dir)
            if i.file_path == s.raw_dir / told.stored_path
        ]
    assert real.status == told.status and real.received_at == told.uploaded_at
    found = [(f.sheet, f.cell, f.severity, f.message_zh, f.fix_zh) for f in real.findings]
    shown = [
        (f["sheet"], f["cell"], f["severity"], f["message"], f["fix"])
        for f in told.detail["findings"]
    ]
    assert sorted(found) == sorted(shown)


def test_a_village_downloads_its_own_reports_of_the_monthly_run_and_no_other(client, township):
    s, _ = township
    folder = s.outbox / MONTH
    folder.mkdir(parents=True, exist_ok=True)
    own, other = folder / f"{TAOYUAN}_桃园村_20260404-090000.xlsx", folder / f"{FUHE}_复合村.xlsx"
    own.write_bytes(b"PK own")
    other.write_bytes(b"PK other")
    sign_in(client, township, TAOYUAN)
    page = client.get("/village").text
    assert own.name in page and other.name not in page
    assert client.get(f"/village/outbox/{MONTH}/{own.name}").content == b"PK own"
    for url in (f"{MONTH}/{other.name}", f"{MONTH}/..%2F{MONTH}%2F{other.name}", f"x/{own.name}"):
        assert client.get(f"/village/outbox/{url}").status_code == 404


def test_errors_are_told_in_chinese(client):
    assert "不支持这种访问方式" in client.post("/").text  # wrong method, before any form
    assert "没有这个页面" in client.get("/../etc/passwd").text
    assert client.get("/nothing-here").status_code == 404


def test_a_check_that_fails_is_told_in_one_chinese_line(township, tmp_path):
    s, _ = township
    damaged = tmp_path / "warehouse" / "township.duckdb"
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a database" * 100)
    app = create_app(s.with_paths(warehouse=damaged))
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        csrf = sign_in(c, township, FUHE)
        response = upload(c, csrf, bad_births(tmp_path / "inbox", n=11))
    assert response.status_code == 500 and "文件已收到" in response.text
    assert "Traceback" not in response.text and "duckdb" not in response.text.lower()
