"""Ingest speed against the physical floor, measured in one run.

Floor: load the same embedding model and encode the same chunk texts once, in the same
chunking and batch size. Measured: a fresh ``Whosaid`` ingesting the same files end to end
(loading, chunking, extraction when on, embedding, Chroma and SQL writes). Printed: seconds,
chunks per second, and the ratio of the two.

    python evals/bench_ingest.py                      # seeds + PolNeAR train (first 100)
    python evals/bench_ingest.py --polnear-limit 840  # all of PolNeAR train
    python evals/bench_ingest.py --no-extract         # without attribution
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = ROOT.parent / "shared" / "polnear" / "train" / "text"


def corpus_files(limit: int) -> list[Path]:
    """The seeds, plus PolNeAR train articles read in place (never copied)."""
    files = sorted((ROOT / "seeds").glob("*.txt"))
    if POLNEAR_TRAIN.is_dir():
        files += sorted(POLNEAR_TRAIN.glob("*.txt"))[:limit]
    return files


def floor(files: list[Path], settings: object) -> tuple[float, float, list[str]]:
    """(seconds to load the model, seconds to encode every chunk once, chunk count)."""
    from bot.index.embedder import SentenceTransformerEmbedder
    from bot.ingest.chunking import chunk_text

    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        chunks = chunk_text(
            text, article_id="x", max_chars=settings.chunk_max_chars,  # type: ignore[attr-defined]
            overlap=settings.chunk_overlap_sentences,  # type: ignore[attr-defined]
        )
        texts += [c.text for c in chunks]
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(batch_size=settings.embedding_batch_size)  # type: ignore[attr-defined]
    embedder.embed(texts[:64])  # the same warm-up as the measured side
    loaded = time.perf_counter()
    for i in range(0, len(texts), 256):  # the same grouping as the ingest pipeline
        embedder.embed(texts[i : i + 256])
    return loaded - started, time.perf_counter() - loaded, texts


def main() -> None:
    """Run the floor and the real ingest on the same files and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear-limit", type=int, default=100)
    parser.add_argument("--no-extract", action="store_true")
    args = parser.parse_args()

    from bot.config import Settings
    from bot.service import Whosaid

    files = corpus_files(args.polnear_limit)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), extract_claims=not args.no_extract)
        load_s, encode_s, texts = floor(files, settings)
        n_chunks = len(texts)
        started = time.perf_counter()
        service = Whosaid(settings)
        service.embedder.embed(texts[:64])
        model_s = time.perf_counter() - started
        report = service.ingest(files)
        total_s = time.perf_counter() - started
    assert report.chunks == n_chunks, (report.chunks, n_chunks)
    floor_s = load_s + encode_s
    print(f"files: {len(files)}  chunks: {n_chunks}  claims: {report.claims}  extraction: {not args.no_extract}")
    print(f"floor  : load model {load_s:6.2f} s + encode {encode_s:6.2f} s = {floor_s:6.2f} s"
          f"  ({n_chunks / encode_s:7.1f} chunks/s encoding)")
    print(f"ingest : load model {model_s:6.2f} s + ingest {report.seconds:6.2f} s = {total_s:6.2f} s"
          f"  ({n_chunks / report.seconds:7.1f} chunks/s ingesting)")
    print(f"ratio  : end to end {total_s / floor_s:.2f}x the floor; "
          f"ingest alone {report.seconds / encode_s:.2f}x pure encoding")


if __name__ == "__main__":
    main()
