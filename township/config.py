"""Settings, read once: `TOWNSHIP_*` environment variables with defaults relative to the working
directory (README). The one module that reads the environment for a township setting; the rest
of the library is handed a Settings (a command or a flow run builds one and passes it down)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from township.calendar import DEFAULT_TIMEZONE

ENV_PREFIX = "TOWNSHIP_"
RUNNERS = ("local", "dask")

# What the reader takes on from one file (README "What villages may send"). The reader's own
# defaults are these, so a caller that passes nothing is still protected.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_SHEET_ROWS = 20000
# Wider than any form; the old .xls limit (IV). Rows x columns is what calamine allocates.
DEFAULT_MAX_SHEET_COLUMNS = 256
# Declared in a workbook's zip directory, checked before anything is inflated: a village
# workbook is a few MB unpacked; a zip bomb is gigabytes.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100.0
# Worksheets at least this large (their XML, as the zip directory declares it) are looked at
# before calamine reads them: their extent from <dimension>, refused over a limit unread. A
# smaller sheet is read by calamine and its extent checked before it becomes Python objects
# (it can only be large by a stray cell far out: 0 looks at every sheet, at some cost).
DEFAULT_SCAN_SHEET_BYTES = 256 * 1024
# DuckDB's memory per connection: a province-sized run spills to disk instead of exhausting
# the machine.
DEFAULT_DUCKDB_MEMORY = "600MB"
SMTP_PORT, SMTP_SSL_PORT = 25, 465
# How long a command waits for a warehouse another process holds (TOWNSHIP_LOCK_WAIT_SECONDS):
# the default of every function that opens one, so none waits a minute of its own.
DEFAULT_LOCK_WAIT_SECONDS = 60.0


class SettingsError(ValueError):
    """A setting that cannot be used, named by its environment variable."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where the villages' reports are e-mailed from (township/delivery.py)."""

    host: str
    port: int = SMTP_PORT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "township@localhost"
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 30.0


class Settings(BaseSettings):
    """Every setting of the project. `Settings()` reads the environment; keyword arguments
    override it (`Settings(raw_dir=..., warehouse=...)`). An empty variable counts as unset."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True)

    # -- where things are
    raw_dir: Path = Path("data/raw")
    villages: Path = Path("data/reference/villages.csv")
    warehouse: Path = Path("data/warehouse/township.duckdb")
    outbox: Path = Path("data/outbox")
    key_file: Path = Path("data/secrets/person_key")
    # The key for person hashes itself; unset, it is kept in key_file (created on first run).
    person_key: SecretStr | None = None

    # -- what the reader takes on (township/read)
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, ge=0)
    max_sheet_rows: int = Field(DEFAULT_MAX_SHEET_ROWS, ge=0)
    max_sheet_columns: int = Field(DEFAULT_MAX_SHEET_COLUMNS, ge=0)
    max_uncompressed_bytes: int = Field(DEFAULT_MAX_UNCOMPRESSED_BYTES, ge=0)
    max_compression_ratio: float = Field(DEFAULT_MAX_COMPRESSION_RATIO, ge=0)
    scan_sheet_bytes: int = Field(DEFAULT_SCAN_SHEET_BYTES, ge=0)
    # Address space a reader worker may take beyond what it starts with: a file that still
    # blows up past the reader's checks ends that worker, and is refused alone.
    max_reader_memory: int = Field(2 * 1024**3, ge=0)
    workers: int = Field(0, ge=0)  # reader processes; 0: one per core

    # -- the warehouse
    lock_wait_seconds: float = Field(DEFAULT_LOCK_WAIT_SECONDS, ge=0)
    # 人口变动: people by which a month's population may differ from last month's plus its own
    # births, deaths and moves before the village is asked to check (a birth reported late)
    population_tolerance: int = Field(3, ge=0)
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY
    # Scaling out (README "Scaling out"); unset, one DuckDB file and this machine, as before.
    # catalog: a DuckLake catalog instead of the DuckDB file, `postgres:dbname=township host=…`;
    # lake_data: where its data files go (a folder or s3://…), needed when the lake is created.
    catalog: str | None = None
    lake_data: str | None = None
    # runner: where files are read and validated, `local` (this machine) or `dask` (a Dask
    # cluster: the scheduler at dask_address, e.g. tcp://10.0.0.5:8786, else a local cluster).
    runner: Literal["local", "dask"] = "local"
    dask_address: str | None = None

    # -- the township's clock, the schedule's server, the charts
    timezone: str = DEFAULT_TIMEZONE
    # the local Prefect server `township serve` starts when none is configured (Prefect's port)
    prefect_port: int = Field(4200, ge=1, le=65535)
    cjk_font: Path | None = None  # a font file with Chinese glyphs for the PNG charts

    # -- the web intake (township/web, README "Web intake"): tokens and uploads in a small
    # SQLite file; sessions signed with web_secret, else a key kept in web_secret_file
    web_db: Path = Path("data/web/intake.sqlite3")
    web_secret: SecretStr | None = None
    web_secret_file: Path = Path("data/secrets/web_secret")
    web_session_seconds: int = Field(8 * 3600, ge=60)  # a sign-in lasts a working day
    web_secure_cookies: bool = False  # true behind the HTTPS reverse proxy

    # -- e-mail to villages (township/delivery.py); no host: reports stay in the outbox
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)  # default 25, or 465 with smtp_ssl
    smtp_ssl: bool = False  # implicit TLS, as 163.com and QQ mail use on port 465
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None  # default: the user
    # the township office: told by e-mail when a monthly run fails or crashes (township/alerts.py)
    office_email: str | None = None

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None

    @field_validator("smtp_host", "smtp_user", "smtp_from", "office_email", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("smtp_ssl", "smtp_starttls", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("runner", mode="before")
    @classmethod
    def _runner(cls, value: object) -> object:
        if value not in RUNNERS:
            raise ValueError(f"use {' or '.join(RUNNERS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a time zone; use a name such as Asia/Shanghai") from None
        return value

    @classmethod
    def env_name(cls, name: str) -> str:
        """The environment variable of a setting: raw_dir → TOWNSHIP_RAW_DIR."""
        return f"{ENV_PREFIX}{name.upper()}"

    def with_paths(self, **paths: Path | None) -> Settings:
        """A copy with the given paths replaced; None keeps the current value."""
        return self._replaced({k: Path(v) for k, v in paths.items() if v is not None})

    def with_options(self, **options: object) -> Settings:
        """A copy with the given (non-path) settings replaced; None keeps the current value."""
        return self._replaced({k: v for k, v in options.items() if v is not None})

    def _replaced(self, changes: dict[str, object]) -> Settings:
        # Built anew, not model_copy: the changed values are validated like the others.
        return type(self)(**{**dict(self), **changes})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reader_limits(self) -> dict[str, int | float]:
        """The limits the reader checks, as read_file's keyword arguments."""
        return {
            "max_bytes": self.max_file_bytes,
            "max_rows": self.max_sheet_rows,
            "max_columns": self.max_sheet_columns,
            "max_uncompressed_bytes": self.max_uncompressed_bytes,
            "max_compression_ratio": self.max_compression_ratio,
            "scan_sheet_bytes": self.scan_sheet_bytes,
        }

    @property
    def uses_lake(self) -> bool:
        return bool(self.catalog)

    @property
    def smtp(self) -> SmtpSettings | None:
        """The SMTP settings, or None when no host is set (e-mail is off)."""
        if not self.smtp_host:
            return None
        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port or (SMTP_SSL_PORT if self.smtp_ssl else SMTP_PORT),
            user=self.smtp_user,
            password=password or None,
            sender=self.smtp_from or self.smtp_user or SmtpSettings.sender,
            starttls=self.smtp_starttls,
            use_ssl=self.smtp_ssl,
        )

    @property
    def person_key_bytes(self) -> bytes | None:
        return self.person_key.get_secret_value().encode("utf-8") if self.person_key else None


SECRETS = ("person_key", "smtp_password", "web_secret")


def _describe(exc: ValidationError) -> str:
    """`TOWNSHIP_WORKERS='abc': Input should be a valid integer …`, one clause per setting."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "settings"
        shown = "" if name in SECRETS else f"={error.get('input')!r}"
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{Settings.env_name(name)}{shown}: {message}")
    return "; ".join(parts)
