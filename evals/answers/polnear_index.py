"""The index the PolNeAR-generated evals answer over: the split's articles, ingested once.

``indexed(articles)`` yields a warmed-up ``Whosaid`` over the articles (real models, extraction
on) in a temporary directory. With ``cache``, the built data directory is also kept under
``cache/<label>-<key>`` (evals/out/ is git-ignored) and later runs copy it instead of ingesting
again. The key hashes what ingestion depends on: the article texts, the ingest settings, the
versions of chromadb and spaCy, and the source of bot/attribution, bot/ingest, bot/index and
bot/model.py, and the shipped tagger files (the CRF and the MiniLM head); so a change to any of
them rebuilds, and a change to the answering code does not.
Each run works on its own copy, so a run's questions (stored as conversations) never reach the
cache and two runs never share a database.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.service import Whosaid

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "evals" / "out" / "cache"
_CODE = ("bot/attribution", "bot/ingest", "bot/index", "bot/model.py")
_PACKAGES = ("chromadb", "spacy")
_META = "index.json"


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What building the index took: claims extracted, ingest seconds (of the build), and whether cached."""

    claims: int
    ingest_seconds: float
    cached: bool


def eval_settings(data_dir: Path) -> Settings:
    """The settings the PolNeAR evals answer with: the environment's models, extraction on, no LLM."""
    return Settings(data_dir=data_dir, llm=None, extract_claims=True)


@contextmanager
def indexed(
    articles: Sequence[tuple[str, str]], *, cache: Path | None = None, label: str = "polnear"
) -> Iterator[tuple[Whosaid, IndexInfo]]:
    """A warmed-up service over the (name, text) articles, and how its index was built."""
    with tempfile.TemporaryDirectory(prefix="whosaid-polnear-") as tmp:
        work = Path(tmp)
        settings = eval_settings(work / "data")
        cacheable = cache is not None and not settings.chroma_url and not settings.database_url
        entry = cache / f"{label}-{cache_key(articles, settings)}" if cache is not None and cacheable else None
        if entry is not None and (entry / _META).is_file():
            shutil.copytree(entry / "data", work / "data")
            meta = json.loads((entry / _META).read_text(encoding="utf-8"))
            service = Whosaid(settings)
            info = IndexInfo(claims=int(meta["claims"]), ingest_seconds=float(meta["ingest_seconds"]), cached=True)
        else:
            service, info = build(articles, work, settings)
        service.warm_up()  # as a server does: the first question's latency is not the models loading
        if entry is not None and not info.cached:
            save(entry, work / "data", info)
        yield service, info


def build(articles: Sequence[tuple[str, str]], work: Path, settings: Settings) -> tuple[Whosaid, IndexInfo]:
    """Write the articles under ``work/articles`` and ingest them into ``settings.data_dir``."""
    texts = work / "articles"
    texts.mkdir()
    for name, text in articles:
        (texts / f"{name}.txt").write_text(text, encoding="utf-8")
    service = Whosaid(settings)
    began = time.perf_counter()
    report = service.ingest([texts])
    return service, IndexInfo(claims=report.claims, ingest_seconds=round(time.perf_counter() - began, 1), cached=False)


def save(entry: Path, data: Path, info: IndexInfo) -> None:
    """Copy a built data directory into the cache (atomically) and drop older entries of its label."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=entry.parent))
    shutil.copytree(data, staging / "data", ignore=shutil.ignore_patterns("write.lock"))
    (staging / _META).write_text(json.dumps({"claims": info.claims, "ingest_seconds": info.ingest_seconds}),
                                 encoding="utf-8")
    try:
        staging.rename(entry)
    except OSError:  # another run cached the same key meanwhile: keep theirs
        shutil.rmtree(staging, ignore_errors=True)
        return
    label = entry.name.rsplit("-", 1)[0]
    for old in entry.parent.glob(f"{label}-*"):
        if old != entry and old.name.rsplit("-", 1)[0] == label:
            shutil.rmtree(old, ignore_errors=True)


def cache_key(articles: Sequence[tuple[str, str]], settings: Settings) -> str:
    """A short hash of everything the built index depends on (see the module docstring)."""
    digest = hashlib.sha256()
    for name, text in sorted(articles):
        digest.update(f"{name}\0{text}\0".encode())
    ingest = (settings.embedding_model, settings.spacy_model, settings.chunk_max_chars,
              settings.chunk_overlap_sentences, settings.collection_prefix, settings.extract_claims,
              settings.attribution, str(settings.attribution_model))
    digest.update(repr(ingest).encode())
    for package in _PACKAGES:
        digest.update(f"{package}={_version(package)}\0".encode())
    for path in _code_files():
        digest.update(f"{path.relative_to(ROOT)}\0".encode() + path.read_bytes())
    for model in sorted((ROOT / "bot" / "attribution" / "models").iterdir()):  # the shipped taggers
        if model.suffix in {".bin", ".safetensors", ".json"}:  # the MiniLM tagger too, not only the CRF
            digest.update(model.name.encode() + b"\0" + model.read_bytes())
    return digest.hexdigest()[:16]


def _code_files() -> list[Path]:
    files: list[Path] = []
    for part in _CODE:
        path = ROOT / part
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
