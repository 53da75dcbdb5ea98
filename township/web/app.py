"""`township web`: villages upload their workbook and see its check at once; the office sees
the board and starts the monthly run. Starlette, served by uvicorn; pages rendered on the
server from Jinja2 templates, no JavaScript.

Security (README "Web intake"): tokens compared in constant time (store.verify); a CSRF token
in every form, checked against the session's; the upload's size refused from its
Content-Length before anything is read, and the body counted as it streams; the stored name
never taken from the client (intake.stored_name); the reader's own limits apply in its worker
process; another village's upload or report is 404; sessions signed (itsdangerous) and
expiring, and ended when their token is rotated or revoked.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from township.calendar import month_zh, parse_month, previous_month
from township.config import Settings
from township.privacy import load_or_create_key
from township.read.files import ACCEPTED_SUFFIXES
from township.reports.village import LEDGER_PARTS
from township.store import WarehouseBusy
from township.villages import VillageRegistry
from township.web import board, intake, store

log = logging.getLogger(__name__)
COOKIE = "township_session"
ERROR_ZH = {  # Starlette's own errors (an unknown address, a wrong method), in Chinese
    401: "请先登录。",
    404: "没有这个页面。",
    405: "不支持这种访问方式，请从页面上的按钮操作。",
}
FORM_BYTES = 16 * 1024  # a sign-in or a button: no form of ours is larger
MULTIPART_SLACK = 64 * 1024  # the upload's form around the file itself
TEMPLATES = Path(__file__).with_name("templates")
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
STATUS_CLASS = {
    "accepted": "ok",
    "accepted_with_warnings": "warn",
    "has_errors": "bad",
    "rejected": "refused",
}


class TooLarge(Exception):
    pass


# No script, no frame, no other origin: the pages are forms and tables, styled inline.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),  # a village's findings stay off shared caches
]


class SecurityHeaders:
    """Every response with SECURITY_HEADERS."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        return await self.app(scope, receive, with_headers)


def create_app(settings: Settings) -> Starlette:
    web = Web(settings)
    routes = [
        Route("/", web.home),
        Route("/login", web.login_page, methods=["GET"]),
        Route("/login", web.login, methods=["POST"]),
        Route("/logout", web.logout, methods=["POST"]),
        Route("/village", web.village_page),
        Route("/village/upload", web.upload, methods=["POST"]),
        Route("/village/uploads/{upload_id}", web.village_upload),
        Route("/village/uploads/{upload_id}/report", web.village_report),
        Route("/village/outbox/{month}/{name}", web.village_outbox_report),
        Route("/office", web.office_page),
        Route("/office/uploads/{upload_id}", web.office_upload),
        Route("/office/uploads/{upload_id}/report", web.office_report),
        Route("/office/submissions/{submission_id}", web.office_submission),
        Route("/office/run", web.office_run, methods=["POST"]),
    ]
    handlers = {HTTPException: web.http_error, TooLarge: web.too_large, Exception: web.failed}
    app = Starlette(
        routes=routes, exception_handlers=handlers, middleware=[Middleware(SecurityHeaders)]
    )
    app.state.web = web
    return app


class Web:
    def __init__(self, settings: Settings):
        self.settings = settings
        secret = settings.web_secret.get_secret_value().encode() if settings.web_secret else None
        self.signer = URLSafeTimedSerializer(
            load_or_create_key(settings.web_secret_file, secret), salt="township-web-session"
        )
        self.registry = VillageRegistry.load(settings.villages)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
        )
        self.env.globals.update(
            month_zh=month_zh,
            SEVERITY_ZH=SEVERITY_ZH,
            STATUS_CLASS=STATUS_CLASS,
            LEDGER_PARTS=LEDGER_PARTS,
        )
        self.runs: dict[str, tuple[subprocess.Popen, datetime, Path]] = {}

    # ------------------------------------------------------------------ sessions and pages
    def session(self, request: Request) -> dict:
        """The signed session, {} when absent, tampered with or expired; a sign-in whose token
        was rotated or revoked since is dropped."""
        try:
            data = self.signer.loads(
                request.cookies.get(COOKIE, ""), max_age=self.settings.web_session_seconds
            )
        except BadSignature:
            return {}
        if not isinstance(data, dict):
            return {}
        who = data.get("who")
        if who and store.generation(self.settings.web_db, who) != data.get("gen"):
            data = {"csrf": data.get("csrf")}
        return data

    def render(self, request: Request, name: str, status: int = 200, **context) -> Response:
        session = self.session(request)
        session.setdefault("csrf", secrets.token_urlsafe(24))
        context |= {"csrf": session["csrf"], "who": session.get("who")}
        html = self.env.get_template(name).render(**context)
        return self.with_session(HTMLResponse(html, status_code=status), session)

    def with_session(self, response: Response, session: dict) -> Response:
        response.set_cookie(
            COOKIE,
            self.signer.dumps(session),
            max_age=self.settings.web_session_seconds,
            httponly=True,
            samesite="strict",
            secure=self.settings.web_secure_cookies,
        )
        return response

    async def form(self, request: Request, limit: int = FORM_BYTES, **parse) -> dict:
        """The posted form, its size capped, its CSRF token checked against the session's."""
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            raise HTTPException(411, "请求缺少长度。")
        if int(declared) > limit:
            raise TooLarge()
        capped = Request(request.scope, receive=_capped(request.receive, limit))
        form = await capped.form(**parse)
        expected = self.session(request).get("csrf") or ""
        given = form.get("csrf")
        if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
            raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试。")
        return form

    def signed_in(self, request: Request, office: bool) -> str:
        who = self.session(request).get("who")
        if who is None:
            raise HTTPException(401, "请先登录。")
        if (who == store.OFFICE) != office:
            raise HTTPException(404, "没有这个页面。")
        return who

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401 and request.method == "GET":
            return RedirectResponse("/login", status_code=303)
        ours = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
        message = ours or ERROR_ZH.get(exc.status_code, "请求无法完成，请返回首页重试。")
        if exc.status_code == 404:  # whatever was asked for: the same answer, nothing more
            message = ERROR_ZH[404]
        return self.render(request, "error.html", status=exc.status_code, message=message)

    async def failed(self, request: Request, exc: Exception) -> Response:
        """Anything else: logged whole for the office, one Chinese line for the user."""
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        message = "服务器处理出错。如刚上传了文件，文件已收到；请稍后查看或联系镇计生办。"
        return HTMLResponse(
            self.env.get_template("error.html").render(message=message), status_code=500
        )

    async def too_large(self, request: Request, exc: TooLarge) -> Response:
        return self.render(request, "error.html", status=413, message="提交的内容太大。")

    # ------------------------------------------------------------------ signing in
    async def home(self, request: Request) -> Response:
        who = self.session(request).get("who")
        target = "/login" if who is None else "/office" if who == store.OFFICE else "/village"
        return RedirectResponse(target, status_code=303)

    async def login_page(self, request: Request) -> Response:
        return self.render(request, "login.html")

    async def login(self, request: Request) -> Response:
        form = await self.form(request)
        who = str(form.get("code", "")).strip()
        token = str(form.get("token", "")).strip()
        known = who == store.OFFICE or self.registry.by_code.get(who) is not None
        generation = store.verify(self.settings.web_db, who, token) if known else None
        if generation is None:
            return self.render(request, "login.html", status=401, failed=True, code=who)
        session = {"csrf": secrets.token_urlsafe(24), "who": who, "gen": generation}
        target = "/office" if who == store.OFFICE else "/village"
        return self.with_session(RedirectResponse(target, status_code=303), session)

    async def logout(self, request: Request) -> Response:
        await self.form(request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # ------------------------------------------------------------------ a village
    async def village_page(self, request: Request) -> Response:
        code = self.signed_in(request, office=False)
        return self.village_render(request, code)

    def village_render(self, request: Request, code: str, status: int = 200, **extra):
        village = self.registry.by_code.get(code)
        months = board.months_ending(previous_month(zone=self.settings.zone), 3)[::-1]
        return self.render(
            request,
            "village.html",
            status=status,
            village=village,
            months=months,
            uploads=store.uploads(self.settings.web_db, code),
            official=official_reports(self.settings, code),
            accept=",".join(ACCEPTED_SUFFIXES),
            limit_mb=self.settings.max_file_bytes / 1024 / 1024,
            **extra,
        )

    async def upload(self, request: Request) -> Response:
        code = self.signed_in(request, office=False)
        limit = self.settings.max_file_bytes + MULTIPART_SLACK
        try:
            form = await self.form(request, limit, max_files=1, max_fields=4)
        except TooLarge:
            return self.village_render(request, code, 413, problem="文件太大，超过了上传上限。")
        file, month = form.get("file"), str(form.get("month", ""))
        try:
            month = parse_month(month)
        except ValueError:
            return self.village_render(request, code, 400, problem="请选择报告期。")
        if file is None or isinstance(file, str) or not file.filename:
            return self.village_render(request, code, 400, problem="请选择要上传的文件。")
        try:
            upload = await run_in_threadpool(
                intake.receive, self.settings, code, month, file.filename, file.file
            )
        except WarehouseBusy:
            problem = "镇计生办正在进行月度入库，暂时无法校验，文件未保存。请几分钟后重新上传。"
            return self.village_render(request, code, 503, problem=problem)
        finally:
            await file.close()
        return RedirectResponse(f"/village/uploads/{upload.upload_id}", status_code=303)

    def own_upload(self, request: Request, office: bool) -> store.Upload:
        who = self.signed_in(request, office)
        found = store.upload(
            self.settings.web_db, request.path_params["upload_id"], None if office else who
        )
        if found is None:
            raise HTTPException(404)
        return found

    async def village_upload(self, request: Request) -> Response:
        return self.upload_render(request, self.own_upload(request, office=False), "/village")

    def upload_render(self, request: Request, upload: store.Upload, base: str) -> Response:
        village = self.registry.by_code.get(upload.village_code)
        return self.render(request, "upload.html", upload=upload, village=village, base=base)

    async def village_report(self, request: Request) -> Response:
        return self.report_file(self.own_upload(request, office=False))

    def report_file(self, upload: store.Upload) -> Response:
        if not upload.report_path or not Path(upload.report_path).is_file():
            raise HTTPException(404)
        path = Path(upload.report_path)
        return FileResponse(path, filename=path.name, media_type=XLSX)

    async def village_outbox_report(self, request: Request) -> Response:
        """A report of the monthly run, if it is one of the village's own (listed, never a
        path taken from the request)."""
        code = self.signed_in(request, office=False)
        month, name = request.path_params["month"], request.path_params["name"]
        for m, path in official_reports(self.settings, code):
            if (m, path.name) == (month, name):
                return FileResponse(path, filename=path.name, media_type=XLSX)
        raise HTTPException(404)

    # ------------------------------------------------------------------ the office
    async def office_page(self, request: Request) -> Response:
        self.signed_in(request, office=True)
        last = request.query_params.get("end")
        try:
            last = parse_month(last) if last else None
        except ValueError:
            last = None
        made = await run_in_threadpool(board.build, self.settings, last)
        return self.render(request, "office.html", board=made, runs=self.run_states())

    async def office_upload(self, request: Request) -> Response:
        return self.upload_render(request, self.own_upload(request, office=True), "/office")

    async def office_report(self, request: Request) -> Response:
        return self.report_file(self.own_upload(request, office=True))

    async def office_submission(self, request: Request) -> Response:
        self.signed_in(request, office=True)
        found = await run_in_threadpool(
            board.submission_ledger, self.settings, request.path_params["submission_id"]
        )
        if found is None:
            raise HTTPException(404)
        about, forms = found
        village = self.registry.by_code.get(about["village_code"])
        return self.render(request, "ledger.html", about=about, forms=forms, village=village)

    async def office_run(self, request: Request) -> Response:
        self.signed_in(request, office=True)
        form = await self.form(request)
        try:
            month = parse_month(str(form.get("month", "")))
        except ValueError:
            raise HTTPException(400, "报告期应为 YYYY-MM。") from None
        running = self.runs.get(month)
        if running is None or running[0].poll() is not None:
            self.runs[month] = start_monthly_run(self.settings, month)
        return RedirectResponse(f"/office?end={month}", status_code=303)

    def run_states(self) -> list[dict]:
        return [
            {
                "month": month,
                "started": started,
                "state": "运行中"
                if proc.poll() is None
                else ("已完成" if proc.returncode == 0 else f"失败（退出码 {proc.returncode}）"),
                "log": log.name,
            }
            for month, (proc, started, log) in sorted(self.runs.items())
        ]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHLY_RUN = (
    "import sys\nfrom township.serving import load_flow\n"
    "load_flow('monthly_ingest')(month=sys.argv[1])\n"
)


def official_reports(settings: Settings, code: str) -> list[tuple[str, Path]]:
    """The village's reports from the monthly runs (outbox/<month>/<code>_….xlsx), newest
    month first, the last MONTHS_SHOWN months that have any."""
    outbox = Path(settings.outbox)
    if not outbox.is_dir():
        return []
    months = sorted(
        (p.name for p in outbox.iterdir() if p.is_dir() and MONTH_DIR.fullmatch(p.name)),
        reverse=True,
    )
    found = []
    for month in months[: board.MONTHS_SHOWN]:
        found += [(month, p) for p in sorted((outbox / month).glob(f"{code}_*.xlsx"))]
    return found


MONTH_DIR = re.compile(r"\d{4}-\d{2}")


def start_monthly_run(settings: Settings, month: str) -> tuple[subprocess.Popen, datetime, Path]:
    """The monthly flow for `month`, in a process of its own (the web server stays
    responsive), with this server's settings; its output in data/web/runs/."""
    logs = Path(settings.web_db).parent / "runs"
    logs.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    log = logs / f"{month}_{started:%Y%m%d-%H%M%S}.log"
    env = {**os.environ, **_settings_env(settings)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", MONTHLY_RUN, month],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    return proc, started, log


def _settings_env(settings: Settings) -> dict[str, str]:
    names = ("raw_dir", "villages", "warehouse", "outbox", "key_file", "timezone")
    return {
        Settings.env_name(n): str(Path(getattr(settings, n)).absolute())
        if n != "timezone"
        else settings.timezone
        for n in names
    }


def _capped(receive, limit: int):
    """The request's body, refused (TooLarge) once more than `limit` bytes have come."""
    seen = 0

    async def capped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
        return message

    return capped
