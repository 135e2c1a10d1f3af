"""The one place that reads configuration (env prefix PASSAGE_)."""

import re
from datetime import date, time
from functools import lru_cache
from pathlib import Path

import holidays
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class QuotaRule(BaseModel):
    """A cap on persons accepted: yearly, or over a span of years for one nationality."""

    key: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str
    limit: int = Field(gt=0)
    per_year: bool = True
    year_from: int | None = None
    year_to: int | None = None
    nationality: str | None = Field(default=None, description="ISO 3166 alpha-2 code")
    programme: str = Field(default="resettlement-nl", description="the programme whose cases count against it")


DEFAULT_QUOTAS = [
    QuotaRule(key="national", label="National resettlement quota", limit=500),
    QuotaRule(
        key="syrian",
        label="Syrian sub-quota 2013-2014",
        limit=250,
        per_year=False,
        year_from=2013,
        year_to=2014,
        nationality="SY",
    ),
]


class Settings(BaseSettings):
    """Passage configuration; every field can be set as PASSAGE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PASSAGE_", env_nested_delimiter="__")

    home: Path = Path(".passage")
    database_url: str = ""
    host: str = "127.0.0.1"
    prefect_port: int = 4200
    inbox_port: int = 8501
    api_port: int = 8502  # the REST API (`passage api`, passage/api)
    # How long `passage up` waits for each server to answer (a loaded machine starts Prefect slowly).
    startup_seconds: float = Field(default=90.0, gt=0)
    inbox_base_url: str = ""
    demo_mode: bool = True
    quotas: list[QuotaRule] = Field(default_factory=lambda: list(DEFAULT_QUOTAS))
    # Yearly ceilings in whole euros by budget key, overriding a programme's own default.
    budgets: dict[str, int] = Field(default_factory=dict)
    # Upper bound on flow processes running at once: every resumed gate starts one, and
    # the SQLite Prefect server stops answering at about 45 live ones.
    max_flow_processes: int = Field(default=8, ge=1, le=40)
    # How long a gate that just opened keeps its process, looking for a decision, before it suspends. A
    # decision within it (a script, a bulk approval, a person who had the case open) goes on in the same
    # process; one after it resumes the suspended run, about a CPU-second more (README, quota year).
    gate_grace_seconds: float = Field(default=3.0, ge=0, le=60)
    # How often the worker asks for runs to start: a resumed gate waits at most this long.
    worker_poll_seconds: float = Field(default=0.25, gt=0, le=60)
    work_pool: str = Field(default="passage", pattern=r"^[a-z0-9-]+$")
    # Production (README "Production"): the Prefect server Passage starts keeps its state in PostgreSQL
    # (`postgresql+asyncpg://user@host/db`) instead of SQLite in the home ...
    prefect_database_url: str = Field(default="", pattern=r"^(postgresql\+asyncpg://.+)?$")
    # ... or Passage uses a Prefect server run elsewhere (its API, e.g. http://prefect:4200/api) and starts none.
    prefect_server_url: str = Field(default="", pattern=r"^(https?://.+/api)?$")
    # The credentials of Prefect's API (`user:password`, Prefect's own server auth): every Passage process
    # and the Prefect UI need them. Unset, Passage makes them once in <home>/prefect/api-auth.
    prefect_api_auth: SecretStr | None = None
    # A worker tells the pool it is alive this often; a run whose worker was silent for six of these is a
    # zombie (its worker died), which the reconciler marks Crashed and brings back.
    worker_heartbeat_seconds: int = Field(default=10, ge=1, le=300)
    reconcile_seconds: float = 5.0
    # A gate's wait runs out this long after it opens (unless the gate sets its own): the task expires.
    gate_expiry_days: int = Field(default=90, ge=1, le=3650)
    # Notifications: routing lives in an Apprise YAML file (default <home>/notify.yml).
    notify_config: Path | None = None
    office_timezone: str = "Europe/Amsterdam"
    office_open: time = time(9, 0)
    office_close: time = time(17, 0)
    # Working days are Monday to Friday less this country's public holidays (the `holidays` package: "NL",
    # or "" for none), of its subdivision where holidays differ by region, and the office's own closing days.
    holiday_country: str = "NL"
    holiday_subdivision: str = ""
    office_closed_days: list[date] = Field(default_factory=list, description='e.g. ["2026-12-24"]')
    # Reminders at these business-hour offsets from the due date (negative: before it).
    reminder_offsets: list[float] = Field(default_factory=lambda: [-8.0, 8.0, 24.0, 40.0])
    # A task still open after this many reminders goes to the programme's lead as well (0: never).
    escalate_after: int = Field(default=2, ge=0)
    notify_language: str = Field(default="en", pattern=r"^(en|nl)$", description="for channels and leads")
    # The CLI's language when --as names no one; the login page's when the browser's is neither.
    language: str = Field(default="en", pattern=r"^(en|nl)$", description="the office's default language")
    notify_max_attempts: int = Field(default=12, ge=1)
    notify_retry_seconds: float = Field(default=30.0, gt=0, description="first backoff; doubles, at most 1 h")
    # Access: "password" (bcrypt passwords in the app database) or "oidc" (Streamlit's st.login, see README).
    login: str = Field(default="password", pattern=r"^(password|oidc)$")
    oidc_provider: str = Field(default="", description="the [auth.<name>] section of secrets.toml; '' = [auth]")
    # Login throttle, per username and per source address: after the free failures each failure doubles the
    # wait before the next try (from login_delay_seconds up to login_delay_max_seconds); never a hard lock.
    login_free_failures: int = Field(default=5, ge=1, description="failures per username before waits begin")
    login_source_free_failures: int = Field(default=20, ge=1, description="the same per source address")
    login_delay_seconds: float = Field(default=1.0, gt=0, description="the first wait; doubles per failure")
    login_delay_max_seconds: float = Field(default=900.0, gt=0, description="the longest wait (15 min)")
    login_forget_minutes: int = Field(default=60, ge=1, description="failures older than this are forgotten")
    # Behind a proxy (deploy/nginx.conf) the client's address is the last one the proxy appended to
    # X-Forwarded-For; without a proxy that header is the client's own word, so it is trusted only when set.
    trust_forwarded_for: bool = Field(default=False, description="take the source address from X-Forwarded-For")
    session_minutes: int = Field(default=480, ge=1, description="a login lasts this long, then log in again")
    # The demo users' password, seeded by `passage up` in demo mode only (README).
    demo_password: str = Field(default="passage-demo", min_length=8, max_length=72)
    # The audit trail's seal (docs/data-protection.md): the key of its keyed hash chain, kept outside the
    # database (unset: made once in <home>/audit/key), and the folder of its signed checkpoints (unset:
    # <home>/audit), which belong where the database's administrators cannot write. The runner writes a
    # checkpoint this often when the trail has grown.
    audit_key: SecretStr | None = None
    audit_checkpoints: Path | None = None
    audit_checkpoint_seconds: float = Field(default=60.0, gt=0)
    # Closed cases are pseudonymised this many days after closing (assumption: two years).
    retention_days: int = Field(default=730, ge=1)
    notify_send_seconds: float = Field(default=5.0, gt=0, description="how often `serve` sends the outbox")
    # Imports of cases from CSV or Excel larger than these are refused whole (the limits are in the message).
    import_max_bytes: int = Field(default=5_000_000, ge=1)
    import_max_rows: int = Field(default=5_000, ge=1)
    # Cron of a scheduled flow by flow name, overriding its default (e.g. {"notify-sweep": "*/5 * * * 1-5"}).
    schedules: dict[str, str] = Field(default_factory=dict)

    @field_validator("prefect_api_auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[^:\s]+:\S{12,}", value.get_secret_value()):
            raise ValueError("give user:password, the password at least 12 characters without spaces")
        return value

    @model_validator(mode="after")
    def _holidays_known(self) -> "Settings":
        if self.holiday_country:
            try:
                holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)
            except NotImplementedError as exc:  # the package's word for an unknown country or subdivision
                raise ValueError(f"holiday_country/holiday_subdivision: {exc}") from None
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home.resolve() / 'passage.db'}"

    @property
    def prefect_api_url(self) -> str:
        return self.prefect_server_url or f"http://{self.host}:{self.prefect_port}/api"

    @property
    def inbox_url(self) -> str:
        return self.inbox_base_url or f"http://{self.host}:{self.inbox_port}"

    @property
    def notify_config_path(self) -> Path:
        return self.notify_config or self.home / "notify.yml"


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
