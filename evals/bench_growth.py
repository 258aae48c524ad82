"""Growth: ingest time, question latency, disk and peak memory at 1k, 10k and 100k chunks.

Corpus: PolNeAR train (840 articles, about 8.1k chunks, read in place from ../shared/polnear,
never copied). A size it can hold (1k) is a real ingest of its first articles, in file order,
until the chunk count is reached: MiniLM, claim extraction and every write, model loading
included. A larger size starts from the index of all of PolNeAR train (``bench_questions``'
index, built by it if missing, with the ingest time in its built.json; or, with
``--ingest-base``, ingested in this run) and adds copies of its articles under distinct ids,
their vectors copied rather than re-encoded (``replicate.py``). That write time is reported as
replication, never as ingest. Copies keep the speakers and the vocabulary: what grows is
chunks, claims and claims per speaker, not the number of names.

At each size, in a fresh process (so peak memory is that size's): start-up to ready
(``warm_up``), then the same question mix (``question_mix`` drawn once from the smallest index,
so every size answers the same questions) asked ``--rounds`` times after warm-up, each next to
its floor (one query embedding + one Chroma query, ``bench_questions.time_mix``). Printed: a
table, the growth exponent of p50 per interval (1.0 is linear), a per-route table; written:
evals/out/growth/growth.json and growth.png.

    python evals/bench_growth.py                                  # 1k, 10k, 100k (~15 min)
    python evals/bench_growth.py --rebuild --ingest-base          # every figure from this run (~25 min)
    python evals/bench_growth.py --sizes 1000,10000 --questions 30 --data-dir /tmp/growth
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_questions import OUT as QUESTIONS_OUT
from bench_questions import build, corpus_files, disk_bytes, question_mix

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "evals" / "out" / "growth"
ROUTES = 6  # question_mix draws per_route questions for each of its six routes


def wait_for_base(base: Path, *, poll_seconds: float = 60, timeout_seconds: float = 3600) -> dict[str, Any]:
    """The full PolNeAR train index: wait while another process builds it, or build it."""
    marker, deadline = base / "built.json", time.monotonic() + timeout_seconds
    while base.exists() and not marker.exists():  # never build over a folder someone is filling
        if time.monotonic() > deadline:
            raise SystemExit(f"{base} has no built.json after {timeout_seconds:.0f} s; is its build still running?")
        print(f"waiting for {marker} ...", flush=True)
        time.sleep(poll_seconds)
    return build("polnear", base)


def prefix_files(base: Path, size: int) -> list[Path]:
    """The first PolNeAR train files (in file order) whose chunks reach ``size``, counted in the base index."""
    from bot.config import Settings
    from bot.service import Whosaid

    records = Whosaid(Settings(data_dir=base)).records
    per_article: dict[str, int] = {}
    for _, _, fields in records.iter_chunk_texts():
        per_article[fields["article_id"]] = per_article.get(fields["article_id"], 0) + 1
    per_source = {a.source: per_article.get(a.id, 0) for a in records.list_articles()}
    files, total = [], 0
    for path in corpus_files("polnear"):
        if total >= size:
            break
        files.append(path)
        total += per_source.get(str(path), 0)
    return files


def build_size(size: int, folder: Path, *, base: Path, base_built: dict[str, Any], rebuild: bool) -> dict[str, Any]:
    """Ingest (or copy the base and replicate) an index of about ``size`` chunks into ``folder``, once."""
    from bot.config import Settings
    from bot.service import Whosaid

    marker = folder / "built.json"
    if marker.exists() and not rebuild:
        built: dict[str, Any] = json.loads(marker.read_text())
        if built.get("size") == size:
            return built
    shutil.rmtree(folder, ignore_errors=True)
    built = {"size": size, "ingest_seconds": None, "ingested_chunks": 0, "replicated_chunks": 0,
             "replicate_seconds": None}
    if size <= base_built["chunks"]:
        files = prefix_files(base, size)
        started = time.perf_counter()
        report = Whosaid(Settings(data_dir=folder)).ingest(files)
        built |= {"files": len(files), "ingest_seconds": time.perf_counter() - started, "failed": report.failed,
                  "ingested_chunks": report.chunks, "ingest_from": "this run"}
    else:
        shutil.copytree(base, folder)
        built |= {"files": base_built["files"], "ingest_seconds": base_built["ingest_seconds"],
                  "ingested_chunks": base_built["chunks"], "ingest_from": str(base / "built.json")}
        from replicate import replicate

        service = Whosaid(Settings(data_dir=folder))
        started = time.perf_counter()
        written = replicate(service, target_chunks=size)
        built |= {"replicate_seconds": time.perf_counter() - started, "replicated_chunks": written["chunks"]}
    service = Whosaid(Settings(data_dir=folder))
    service.query_embedder.embed(["warm up"])
    started = time.perf_counter()
    service.search("warm up", k=1)  # builds and saves the BM25 index, as the first question after an ingest would
    built |= {"lexical_seconds": time.perf_counter() - started, **service.records.counts()}
    built["disk_bytes"] = disk_bytes(folder)
    marker.write_text(json.dumps(built, indent=1))
    return built


def question_phase(folder: Path, mix_path: Path, *, rounds: int) -> dict[str, Any]:
    """Run ``_answer_mix`` in a fresh process and return its figures."""
    command = [sys.executable, __file__, "--phase", str(folder), "--mix", str(mix_path), "--rounds", str(rounds)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _answer_mix(folder: Path, mix_path: Path, *, rounds: int) -> dict[str, Any]:
    """In the fresh process: start-up to ready, the timed mix, and this process's peak memory."""
    from bench_questions import time_mix

    from bot.config import Settings
    from bot.service import Whosaid

    mix = [tuple(item) for item in json.loads(mix_path.read_text())]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    service = Whosaid(Settings(data_dir=folder))
    service.warm_up()
    ready = time.perf_counter() - started
    timed = time_mix(service, mix, rounds=rounds)  # type: ignore[arg-type]
    # VmHWM, not getrusage's ru_maxrss: that one survives exec, so it holds the parent's size at fork.
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    peak, now = (int(status[key].split()[0]) * 1024 for key in ("VmHWM", "VmRSS"))
    return {**timed, "ready_seconds": ready, "peak_rss_bytes": peak, "rss_end_bytes": now,
            "load_before": load_before, "load_after": os.getloadavg()[0]}


def exponent(small: float, large: float, n_small: int, n_large: int) -> float:
    """b in time ~ n^b between two sizes: 1.0 is linear growth, 0 is flat."""
    return math.log(large / small) / math.log(n_large / n_small)


def print_tables(rows: list[dict[str, Any]]) -> None:
    """The build and question tables, and the per-route p50s with their growth exponent."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 120))
    built = Table(title="Index per size (ingest: s / real chunks; replication: s / copied chunks, not ingest)")
    for name in ("size", "chunks", "claims", "ingest", "replication", "BM25 build", "disk"):
        built.add_column(name, justify="right")
    asked = Table(title="Questions per size (ms, extractive composer; floor: embed + one Chroma query)")
    for name in ("chunks", "ready", "p50", "p95", "mean", "floor p50", "p50/floor", "peak RSS", "RSS at end", "load"):
        asked.add_column(name, justify="right")
    for r in rows:
        b, q = r["built"], r["questions"]
        ingest = f"{b['ingest_seconds']:.0f} s / {b['ingested_chunks']:,}"
        ingest += "" if b["ingest_from"] == "this run" else " (base)"
        replicated = f"{b['replicate_seconds']:.0f} s / {b['replicated_chunks']:,}" if b["replicate_seconds"] else "-"
        built.add_row(f"{r['size']:,}", f"{b['chunks']:,}", f"{b['claims']:,}", ingest, replicated,
                      f"{b['lexical_seconds']:.1f} s", f"{b['disk_bytes'] / 1e6:,.0f} MB")
        asked.add_row(
            f"{b['chunks']:,}", f"{q['ready_seconds']:.1f} s", f"{q['all']['p50']:.1f}", f"{q['all']['p95']:.1f}",
            f"{q['all']['mean']:.1f}", f"{q['floor']['p50']:.1f}", f"{q['ratio_p50']:.2f}x",
            f"{q['peak_rss_bytes'] / 1e6:,.0f} MB", f"{q['rss_end_bytes'] / 1e6:,.0f} MB",
            f"{q['load_before']:.1f}-{q['load_after']:.1f}",
        )
    console.print(built, asked)
    routes = Table(title="p50 ms per route, and its growth exponent over the last interval (1.0 = linear)")
    routes.add_column("route")
    for r in rows:
        routes.add_column(f"{r['built']['chunks']:,}", justify="right")
    routes.add_column("exponent", justify="right")
    for name in ["all", "floor", *sorted(rows[0]["questions"]["routes"])]:
        values = [r["questions"][name]["p50"] if name in ("all", "floor") else r["questions"]["routes"][name]["p50"]
                  for r in rows]
        grow = "-"
        if len(rows) > 1:
            grow = f"{exponent(values[-2], values[-1], rows[-2]['built']['chunks'], rows[-1]['built']['chunks']):.2f}"
        routes.add_row(name, *(f"{v:.1f}" for v in values), grow)
    console.print(routes)


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    """Latency, build times and memory against chunks (log axes), with a linear reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["built"]["chunks"] for r in rows]
    q = [r["questions"] for r in rows]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, values in (("p50", [x["all"]["p50"] for x in q]), ("p95", [x["all"]["p95"] for x in q]),
                          ("floor p50", [x["floor"]["p50"] for x in q])):
        lat.plot(n, values, marker="o", label=label)
    lat.plot(n, [q[0]["all"]["p50"] * x / n[0] for x in n], linestyle=":", color="grey", label="linear from first p50")
    lat.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per question", title="Question latency")
    lat.legend()
    mem.plot(n, [r["built"]["disk_bytes"] / 1e6 for r in rows], marker="o", label="disk (MB)")
    mem.plot(n, [x["peak_rss_bytes"] / 1e6 for x in q], marker="o", label="peak RSS, questions (MB)")
    mem.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="Disk and memory")
    mem.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    """Build (or reuse) each size, time questions at each in a fresh process, report and chart."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="Chunk counts, comma-separated.")
    parser.add_argument("--questions", type=int, default=60, help=f"Questions in the mix ({ROUTES} routes).")
    parser.add_argument("--rounds", type=int, default=3, help="Times the whole mix is asked.")
    parser.add_argument("--data-dir", type=Path, default=OUT, help="Where the indexes and results are written.")
    parser.add_argument("--base", type=Path, default=QUESTIONS_OUT / "polnear",
                        help="Index of all PolNeAR train to reuse (built there if missing).")
    parser.add_argument("--ingest-base", action="store_true",
                        help="Ingest all PolNeAR train in this run (into DATA_DIR/base) instead of reusing --base.")
    parser.add_argument("--rebuild", action="store_true", help="Build every size again, even if built before.")
    parser.add_argument("--phase", type=Path, help=argparse.SUPPRESS)  # the per-size child process
    parser.add_argument("--mix", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_answer_mix(args.phase, args.mix, rounds=args.rounds)))
        return

    from bot.config import Settings
    from bot.service import Whosaid

    sizes = sorted(int(s) for s in args.sizes.split(","))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    base = args.data_dir / "base" if args.ingest_base else args.base
    if args.ingest_base and (args.rebuild or not (base / "built.json").exists()):
        shutil.rmtree(base, ignore_errors=True)  # ours: rebuilt on request, or half built by a killed run
    base_built = wait_for_base(base)
    built = {size: build_size(size, args.data_dir / f"chunks-{size}", base=base, base_built=base_built,
                              rebuild=args.rebuild) for size in sizes}
    mix_path = args.data_dir / "mix.json"
    smallest = Whosaid(Settings(data_dir=args.data_dir / f"chunks-{sizes[0]}"))
    mix_path.write_text(json.dumps(question_mix(smallest, per_route=max(1, args.questions // ROUTES))))
    rows = []
    for size in sizes:
        print(f"timing questions at {built[size]['chunks']:,} chunks ...", flush=True)
        rows.append({"size": size, "built": built[size],
                     "questions": question_phase(args.data_dir / f"chunks-{size}", mix_path, rounds=args.rounds)})
    print_tables(rows)
    result = {"argv": sys.argv[1:], "date": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(),
              "seconds": time.perf_counter() - started, "base": base_built,
              "base_ingested_in_run": args.ingest_base and args.rebuild, "rows": rows}
    (args.data_dir / "growth.json").write_text(json.dumps(result, indent=1))
    chart(rows, args.data_dir / "growth.png")
    print(f"wrote {args.data_dir / 'growth.json'} and {args.data_dir / 'growth.png'}")


if __name__ == "__main__":
    main()
