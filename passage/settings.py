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
    # Upper bound on flow processes running at once: every resumed gate starts one, and
    # the SQLite Prefect server stops answering at about 45 live ones.
    max_flow_processes: int = 8
    runner_poll_seconds: float = 0.5
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
