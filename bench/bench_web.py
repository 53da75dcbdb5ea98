"""Web intake benchmark: from a village's upload to its findings on the page, for one workbook
(封面 and the forms) against the sample warehouse, warm, served by uvicorn on 127.0.0.1;
against the bare python-calamine read of the same file in the same process.

    uv run python bench/bench_web.py [--repeat 7]

The sample warehouse is bench_check's (bench/cache/check/, built once). The web's own files
(tokens, uploads, reports) go to a temporary folder. Each measured upload is a POST of the
workbook as a browser sends it (multipart, with the session cookie and CSRF token), followed
to the result page, timed until that page's HTML is in. The first upload warms the server
and is not counted. Writes the "Web intake" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_check import bare_read, changed_workbook, sample  # noqa: E402
from results import write_section  # noqa: E402

START, END = "<!-- web:start -->", "<!-- web:end -->"
MONTH = "2026-03"
VILLAGE = "420117104201"
TARGET_SECONDS = 1.0


def serve(settings):
    import uvicorn

    from township.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def signed_in(base: str, token: str):
    import httpx

    client = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"csrf": csrf, "code": VILLAGE, "token": token})
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/village").text)[1]
    return client, csrf


def upload_seconds(client, csrf: str, path: Path) -> float:
    body = path.read_bytes()
    start = time.perf_counter()
    page = client.post(
        "/village/upload",
        data={"csrf": csrf, "month": MONTH},
        files={"file": (path.name, body, "application/octet-stream")},
    )
    seconds = time.perf_counter() - start
    assert page.status_code == 200 and 'id="status"' in page.text, page.text[:300]
    return seconds


def measure(repeat: int) -> dict:
    from township.web import store

    base_settings = sample()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        tmp = Path(tmp)
        settings = base_settings.with_paths(
            raw_dir=tmp / "raw", web_db=tmp / "web" / "intake.sqlite3"
        ).with_paths(web_secret_file=tmp / "secret")
        path = changed_workbook(base_settings, tmp)
        token = store.issue(settings.web_db, VILLAGE)
        server, thread, base = serve(settings)
        try:
            client, csrf = signed_in(base, token)
            upload_seconds(client, csrf, path)  # warm-up, not counted
            pages, reads = [], []
            for _ in range(repeat):
                reads.append(bare_read(path))
                pages.append(upload_seconds(client, csrf, path))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    return {
        "page": statistics.median(pages),
        "worst": max(pages),
        "read": statistics.median(reads),
        "load": os.getloadavg()[0],
    }


def report(m: dict) -> str:
    verdict = "met" if m["page"] <= TARGET_SECONDS else "NOT met"
    return "\n".join(
        [
            START,
            "## Web intake (`township web`): upload to findings on the page",
            "",
            "`uv run python bench/bench_web.py`: a village's workbook (封面 and the forms) "
            "uploaded to uvicorn on 127.0.0.1 as a browser sends it, followed to the result "
            "page, against the sample warehouse, warm; median of the runs.",
            "",
            "| measure | time | against the bare read |",
            "|---|---:|---:|",
            f"| bare python-calamine read of the workbook | {1000 * m['read']:.1f} ms | 1× |",
            f"| upload → result page with the findings | {1000 * m['page']:.0f} ms "
            f"(worst {1000 * m['worst']:.0f} ms) | {m['page'] / m['read']:.0f}× |",
            "",
            f"Target ≤ {TARGET_SECONDS:.0f} s: {verdict}, at a load average of {m['load']:.1f} "
            "(2 cores, shared). Nearly all of it is the check "
            "(see Check above); the upload, the stored file and the page cost the rest.",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    section = report(measure(args.repeat))
    print(section)
    write_section(section, START, END)


if __name__ == "__main__":
    main()
