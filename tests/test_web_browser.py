"""The web intake in a real browser: Debian's chromium, headless, driven by Playwright (pointed
at /usr/bin/chromium: no browser is downloaded), against uvicorn serving the app on a free
port of 127.0.0.1. One browser session: a village signs in, uploads a file with errors, sees
the findings, downloads the report, uploads the corrected file and sees 通过; the office's
board shows it; another village cannot reach the first one's upload by its URL.

With TOWNSHIP_SCREENSHOTS=docs the village's result page and the board are saved as
docs/web_village.png and docs/web_board.png."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from builders import birth_row, township_settings, write_births

from township.calendar import deadline, previous_month
from township.ingest import ingest
from township.web import store
from township.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
FUHE, TAOYUAN = "420117104201", "420117104202"
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium (.ci/run installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    s = township_settings(
        root,
        web_db=root / "data" / "web" / "intake.sqlite3",
        web_secret_file=root / "data" / "secrets" / "web_secret",
    )
    month = previous_month(zone=s.zone)
    write_births(
        s.raw_dir / month / f"{FUHE}.xlsx", [birth_row(1, f"{month}-08")], cover_month=month
    )
    ingest(s)
    tokens = {who: store.issue(s.web_db, who) for who in (FUHE, TAOYUAN, store.OFFICE)}
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(s), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield s, tokens, month, f"http://127.0.0.1:{port}", root
    server.should_exit = True
    thread.join(timeout=10)


def files(root: Path, month: str) -> tuple[Path, Path]:
    """桃园村's workbook with a wrong check digit, and the same corrected."""
    rows = [birth_row(2, f"{month}-09"), birth_row(3, f"{month}-10")]
    wrong = [list(r) for r in rows]
    wrong[0][1] = wrong[0][1][:-1] + ("1" if wrong[0][1][-1] != "1" else "2")
    inbox = root / "inbox"
    inbox.mkdir(exist_ok=True)
    return (
        write_births(inbox / "桃园村月报.xlsx", wrong, cover_month=month),
        write_births(inbox / "桃园村月报（改）.xlsx", rows, cover_month=month),
    )


def shoot(page, name: str) -> None:
    folder = os.environ.get("TOWNSHIP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def timeliness(s, month: str) -> str:
    """What the board says of a file received now for `month`."""
    return "按时" if datetime.now(s.zone).date() <= deadline(month) else "逾期"


def sign_in(page, base: str, who: str, token: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#code", who)
    page.fill("#token", token)
    page.click("button[type=submit]")


def test_a_village_uploads_fixes_and_the_office_sees_it(served):
    from playwright.sync_api import sync_playwright

    s, tokens, month, base, root = served
    wrong, corrected = files(root, month)
    uploaded_on_time = {timeliness(s, month)}  # 按时 up to the 5th, 逾期 after it
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            sign_in(page, base, TAOYUAN, tokens[TAOYUAN])
            assert "桃园村" in page.inner_text("header")
            page.set_input_files("input[name=file]", str(wrong))
            page.click("text=上传并校验")
            page.wait_for_selector("#findings")
            assert page.inner_text("#status") == "有错误"
            findings = page.inner_text("#findings")
            assert "出生登记" in findings and "B3" in findings and "修改方法" in findings
            upload_url = page.url
            shoot(page, "web_village.png")
            with page.expect_download() as download:
                page.click("#report")
            report = Path(download.value.path())
            assert download.value.suggested_filename.endswith(".xlsx")
            assert report.read_bytes()[:2] == b"PK"

            page.goto(f"{base}/village")
            page.set_input_files("input[name=file]", str(corrected))
            page.click("text=上传并校验")
            page.wait_for_selector("#status")
            assert page.inner_text("#status") == "通过"
            page.click("text=退出登录")

            sign_in(page, base, store.OFFICE, tokens[store.OFFICE])
            row = page.locator("#board tr", has_text="桃园村")
            uploaded_on_time.add(timeliness(s, month))  # the upload may have crossed midnight
            assert "通过" in row.inner_text()
            assert any(word in row.inner_text() for word in uploaded_on_time), uploaded_on_time
            assert "通过" in page.locator("#board tr", has_text="复合村").inner_text()
            shoot(page, "web_board.png")
            page.click("text=退出登录")

            sign_in(page, base, FUHE, tokens[FUHE])
            for url in (upload_url, f"{upload_url}/report"):
                response = page.goto(url)
                assert response.status == 404 and "没有这个页面" in page.content()
            assert "桃园村月报" not in page.goto(f"{base}/village").text()
        finally:
            browser.close()
