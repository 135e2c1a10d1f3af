"""The one place that reads configuration (env prefix PASSAGE_)."""

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
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
    inbox_base_url: str = ""
    demo_mode: bool = True
    quotas: list[QuotaRule] = Field(default_factory=lambda: list(DEFAULT_QUOTAS))
    # Yearly ceilings in whole euros by budget key, overriding a programme's own default.
    budgets: dict[str, int] = Field(default_factory=dict)
    # Upper bound on flow processes running at once: every resumed gate starts one, and
    # the SQLite Prefect server stops answering at about 45 live ones.
    max_flow_processes: int = Field(default=8, ge=1, le=40)
    # How often the worker asks for runs to start: a resumed gate waits at most this long.
    worker_poll_seconds: float = Field(default=0.25, gt=0, le=60)
    work_pool: str = Field(default="passage", pattern=r"^[a-z0-9-]+$")
    reconcile_seconds: float = 5.0

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home.resolve() / 'passage.db'}"

    @property
    def prefect_api_url(self) -> str:
        return f"http://{self.host}:{self.prefect_port}/api"

    @property
    def inbox_url(self) -> str:
        return self.inbox_base_url or f"http://{self.host}:{self.inbox_port}"


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
