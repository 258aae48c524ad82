"""The eval report: run the quality evals, then write a report folder.

    whosaid eval [--out DIR] [--polnear DIR] [--sample N] [--quick]

The evals keep their own scoring; this module only calls them and lays out what they return:
attribution on the seed gold (``evals.attribution.seed``) and on PolNeAR dev against textacy
(``evals.attribution.polnear``), question answering over seeds, fixtures and evals/corpus
(``evals.answers.run``) and on questions generated from PolNeAR dev (``evals.answers.polnear``), and
claim checks on the fictional Sarnport set and on the blind set, per class (``evals.checks.run``),
and generated from PolNeAR dev, true and with the speaker swapped (``evals.checks.polnear``).
The folder (default evals/out/report, git-ignored) holds:

    results.json    provenance (commit, models, prompt hashes), every eval's figures, the headline
    previous.json   the results.json this run replaced: what "previous" is compared against
    report.md       the headline table, the notes and the charts
    metrics.png     headline percentages, this run against the previous one
    baseline.png    PolNeAR attribution, whosaid against textacy (only when PolNeAR was run)
    latency.png     per-question latency of the QA evals
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings
from bot.errors import UserError
from evals.checks.gold import CLASSES as CHECK_CLASSES
from evals.checks.polnear import FIGURES as CHECK_FIGURES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "evals" / "out" / "report"
DEFAULT_POLNEAR = ROOT.parent / "shared" / "polnear"
QUICK_QUESTIONS = 10  # lines of the tuning split answered by --quick (a smoke run, not a measurement)
QUICK_CHECKS = 1  # tuning claim checks of each class run by --quick
POLNEAR_CHECKS = 60  # true "S said that C" checks generated from PolNeAR dev, and as many swapped
CHARTS = ("metrics.png", "baseline.png", "latency.png")
T = TypeVar("T")
Echo = Callable[[str], None]


class ReportError(UserError):
    """An eval report that cannot run as asked (a missing corpus, a missing dependency)."""


@dataclass(frozen=True, slots=True)
class Options:
    """What ``whosaid eval`` was asked to do."""

    out: Path = DEFAULT_OUT
    polnear: Path | None = None  # None: DEFAULT_POLNEAR when it exists
    sample: int = 200  # PolNeAR-generated questions answered
    quick: bool = False


# The blind check sets (evals/checks/blind*), each written by a helper that never read or ran the engine.
BLIND_SETS = {"blind": "blind", "blind2": "second blind", "blind3": "third blind", "blind4": "fourth blind",
              "blind5": "fifth blind", "blind6": "sixth blind"}

# The headline: (key, label, path into results.json). Percentages, except keys ending in _ms.
_PCT = ("attribution", "polnear", "whosaid")
HEADLINE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    *((f"attribution.seed.{m}", f"seed attribution {m.replace('_', ' ')}", ("attribution", "seed", m))
      for m in ("content_F1", "cue_F1", "speaker_F1")),
    *((f"attribution.polnear.{m}", f"PolNeAR attribution {m.replace('_', ' ')}", (*_PCT, m))
      for m in ("content_F1", "source_acc", "cue_acc", "full_F1")),
    *((f"answers.{m}", f"QA {m.replace('_', ' ')}", ("answers", "corpus", "summary", "all", m, "value"))
      for m in ("speaker_accuracy", "exact_citations", "citation_recall", "citation_precision",
                "abstention_accuracy", "verdict_accuracy")),
    *((f"answers.polnear.{m}", f"PolNeAR QA {label}", ("answers", "polnear", "summary", m))
      for m, label in (("speaker_accuracy", "speaker accuracy"), ("speaker_accuracy_answered",
                       "speaker acc. (answered)"), ("abstention_rate", "abstention rate"))),
    *((f"checks.{m}", f"claim checks {m.replace('_', ' ')}", ("checks", "summary", "all", "overall", m, "value"))
      for m in ("verdict_accuracy", "speaker_accuracy")),
    *((f"checks.{c}.verdict_accuracy", f"claim checks {c.replace('_', ' ')} verdict acc.",
       ("checks", "summary", "all", c, "verdict_accuracy", "value")) for c in CHECK_CLASSES),
    *(row for name, label in BLIND_SETS.items() for row in (
        *((f"checks.{name}.{m}", f"{label} claim checks {m.replace('_', ' ')}",
           (f"checks_{name}", "summary", "all", "overall", m, "value"))
          for m in ("verdict_accuracy", "speaker_accuracy")),
        *((f"checks.{name}.{c}.verdict_accuracy", f"{label} claim checks {c.replace('_', ' ')} verdict acc.",
           (f"checks_{name}", "summary", "all", c, "verdict_accuracy", "value")) for c in CHECK_CLASSES),
    )),
    *((f"checks.polnear.{m}", f"PolNeAR checks {m.replace('_', ' ')}", ("checks_polnear", "summary", m))
      for m in CHECK_FIGURES),
    *((f"latency.{e}.{m}_ms", f"{label} {m} latency (ms)", ("latency", e, f"{m}_ms"))
      for e, label in (("answers", "QA"), ("answers_polnear", "PolNeAR QA")) for m in ("median", "p90")),
)


def report(options: Options, echo: Echo) -> dict[str, Any]:
    """Run the evals, write the report folder, and return what was written to results.json."""
    from evals.answers.gold import GoldError

    _require_matplotlib()
    try:
        results = run_evals(options, echo)
    except GoldError as exc:
        raise ReportError(f"The question set is invalid: {exc}.") from None
    write_report(options.out, results)
    return results


def _require_matplotlib() -> None:
    """Fail before minutes of evals, not after them, when the charts cannot be drawn."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise ReportError("The eval report draws its charts with matplotlib: pip install -e '.[eval]'.")


def polnear_root(options: Options) -> Path | None:
    """The PolNeAR folder to use, or None to skip its evals; a folder given but unusable is an error."""
    if options.polnear is None and (options.quick or not DEFAULT_POLNEAR.is_dir()):
        return None
    root = options.polnear or DEFAULT_POLNEAR
    if not (root / "dev" / "attributions").is_dir() or not (root / "dev" / "text").is_dir():
        raise ReportError(f"{root} is not a PolNeAR folder: it has no dev/attributions and dev/text.")
    return root


def run_evals(options: Options, echo: Echo) -> dict[str, Any]:
    """Every eval the options ask for, timed; the results.json data without the comparison."""
    began = time.perf_counter()
    root = polnear_root(options)
    settings = eval_settings()
    results: dict[str, Any] = {"run": provenance(settings, options), "notes": []}
    results["attribution"] = _attribution(settings.spacy_model, root, echo)
    results["answers"] = _answers(options, root, echo)
    results["checks"] = _checks(options, echo)
    if not options.quick:
        for name in BLIND_SETS:
            results[f"checks_{name}"] = _checks_blind(echo, name)
    if root is not None:
        results["checks_polnear"] = _checks_polnear(options, root, echo)
    if options.quick:
        results["notes"].append(f"--quick: seed attribution, {QUICK_QUESTIONS} tuning questions and "
                                f"{QUICK_CHECKS} tuning claim check(s) per class only.")
    elif root is None:
        results["notes"].append(f"PolNeAR is not at {DEFAULT_POLNEAR}: its evals were skipped (pass --polnear DIR).")
    results["run"]["seconds"] = round(time.perf_counter() - began, 1)
    return summarise(results)


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Add the latency figures, the headline and textacy's headline to the evals' results."""
    results["latency"] = latency(results["answers"])
    results["metrics"] = headline(results)
    results["baseline"] = headline(results, baseline=True)
    return results


def _attribution(spacy_model: str, polnear: Path | None, echo: Echo) -> dict[str, Any]:
    from bot.attribution import AttributionExtractor
    from evals.attribution import polnear as on_polnear
    from evals.attribution import seed

    extractor = AttributionExtractor(spacy_model=spacy_model)  # one spaCy load for both evals
    out: dict[str, Any] = {}
    out["seed"] = _step(echo, "attribution on the seed gold", lambda: seed.evaluate(extractor=extractor))
    if polnear is not None:
        out["polnear"] = _step(echo, "attribution on PolNeAR dev, and the textacy baseline",
                               lambda: on_polnear.evaluate(polnear, "dev", extractor=extractor))
    return out


def _answers(options: Options, polnear: Path | None, echo: Echo) -> dict[str, Any]:
    from evals.answers import gold
    from evals.answers import polnear as on_polnear
    from evals.answers import run as qa

    if options.quick:  # only the seeds and the fixtures are indexed: their questions are the tuning split
        def tuning(lines: list[gold.Line]) -> list[gold.Line]:
            return [line for line in lines if line.items[0].split == "tune"][:QUICK_QUESTIONS]

        out = {"corpus": _step(echo, f"QA on {QUICK_QUESTIONS} tuning questions",
                               lambda: qa.figures(corpus=qa.CORPUS[:2], select=tuning))}
    else:
        out = {"corpus": _step(echo, "QA on seeds, fixtures and evals/corpus", qa.figures)}
    if polnear is not None:
        out["polnear"] = _step(echo, f"QA on {options.sample} questions from PolNeAR dev",
                               lambda: on_polnear.run(polnear, "dev", sample=options.sample))
    return out


def _checks(options: Options, echo: Echo) -> dict[str, Any]:
    from evals.checks import run as checks

    if options.quick:
        return _step(echo, f"claim checks ({QUICK_CHECKS} tuning check(s) per class)",
                     lambda: checks.run("tune", per_class=QUICK_CHECKS))
    return _step(echo, "claim checks on evals/checks", lambda: checks.run("all"))


def _checks_blind(echo: Echo, name: str) -> dict[str, Any]:
    from evals.checks import run as checks

    blind, corpus = checks.SETS[name]
    return _step(echo, f"claim checks on a blind set (evals/checks/{name})",
                 lambda: checks.run("all", checks=blind, corpus=corpus))


def _checks_polnear(options: Options, polnear: Path, echo: Echo) -> dict[str, Any]:
    from evals.checks import polnear as on_polnear

    return _step(echo, f"claim checks from PolNeAR dev ({POLNEAR_CHECKS} true and {POLNEAR_CHECKS} swapped)",
                 lambda: on_polnear.run(polnear, "dev", sample=POLNEAR_CHECKS))


def _step(echo: Echo, label: str, work: Callable[[], T]) -> T:
    echo(f"{label} ...")
    began = time.perf_counter()
    value = work()
    echo(f"{label}: {time.perf_counter() - began:.0f} s")
    return value


def eval_settings() -> Settings:
    """The settings the evals run with: the environment's models, the extractive composer."""
    return Settings(llm=None, extract_claims=True)


def provenance(settings: Settings, options: Options) -> dict[str, Any]:
    """What produced the figures: commit, models, prompt hashes, options."""
    commit, dirty = git_commit(ROOT)
    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "dirty": dirty,
        "models": {"embedding": settings.embedding_model, "spacy": settings.spacy_model,
                   "llm": settings.llm or "extractive"},
        "prompts": prompt_hashes(ROOT / "prompts"),
        "quick": options.quick,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
    }


def git_commit(root: Path) -> tuple[str, bool | None]:
    """``git rev-parse HEAD`` and whether the tree has changes; ("unknown", None) outside a checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=30)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown", None
    if head.returncode != 0:
        return "unknown", None
    return head.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else None


def prompt_hashes(folder: Path) -> dict[str, str]:
    """The short sha256 of every prompt file, by file name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in sorted(folder.glob("*")) if p.is_file()}


def latency(answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-question milliseconds of each QA eval that ran, and their median, p90 and max."""
    out = {}
    for name, key in (("corpus", "answers"), ("polnear", "answers_polnear")):
        if answers.get(name):
            ms = sorted(float(r["ms"]) for r in answers[name]["results"])
            out[key] = {"questions": len(ms), "median_ms": _rank(ms, 0.5), "p90_ms": _rank(ms, 0.9),
                        "max_ms": ms[-1] if ms else None, "ms": ms}
    return out


def _rank(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank quantile (the median is the upper one, as the QA evals report it)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


def headline(results: dict[str, Any], *, baseline: bool = False) -> dict[str, float | None]:
    """The HEADLINE figures (None: that eval did not run); with ``baseline``, textacy's where it has them."""
    out: dict[str, float | None] = {}
    for key, _, path in HEADLINE:
        if not baseline:
            out[key] = _dig(results, path)
        elif path[:3] == _PCT and (value := _dig(results, (*_PCT[:2], "textacy", *path[3:]))) is not None:
            out[key] = value
    return out


def _dig(data: Any, path: Sequence[str]) -> float | None:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return None if data is None else round(float(data), 1)


# -- writing -------------------------------------------------------------------------------------


def write_report(out: Path, results: dict[str, Any]) -> None:
    """results.json (the one it replaces kept as previous.json), the charts and report.md."""
    out.mkdir(parents=True, exist_ok=True)
    previous = read_previous(out / "results.json")
    if previous is not None:
        os.replace(out / "results.json", out / "previous.json")
    run = previous.get("run", {}) if previous else {}
    results["previous"] = None if previous is None else {
        "commit": run.get("commit"), "started": run.get("started"), "quick": run.get("quick"),
        "metrics": previous.get("metrics") or {},
    }
    for name in CHARTS:
        (out / name).unlink(missing_ok=True)  # a chart this run does not draw must not look current
    charts = draw_charts(out, results)
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(markdown(results, charts), encoding="utf-8")


def read_previous(path: Path) -> dict[str, Any] | None:
    """The last run's results.json, or None when there is none or it is not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, this run, previous, change, textacy) for every headline figure this run has."""
    before = (results.get("previous") or {}).get("metrics") or {}
    table = []
    for key, label, _ in HEADLINE:
        if key not in results["metrics"] or results["metrics"][key] is None:
            continue
        now, then, base = results["metrics"][key], before.get(key), results["baseline"].get(key)
        change = "-" if then is None else f"{now - then:+.1f}"
        table.append((label, _fmt(now), _fmt(then), change, _fmt(base)))
    return table


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def markdown(results: dict[str, Any], charts: Sequence[str]) -> str:
    """report.md: provenance, the headline table, notes, and the charts."""
    run, previous = results["run"], results.get("previous")
    lines = [
        "# whosaid eval report", "",
        f"- started {run['started']}, {run['seconds']} s; commit `{run['commit'][:12]}`"
        + (" (uncommitted changes)" if run["dirty"] else "") + (" — **quick run**" if run["quick"] else ""),
        f"- models: embedding `{run['models']['embedding']}`, spaCy `{run['models']['spacy']}`, "
        f"LLM `{run['models']['llm']}`",
        "- prompts: " + ", ".join(f"`{name}` {digest}" for name, digest in run["prompts"].items()),
        "- previous: " + ("none (first run in this folder)" if previous is None else
                          f"commit `{str(previous['commit'])[:12]}`, started {previous['started']}"
                          + (" (quick run)" if previous.get("quick") else "")),
        f"- scope: {scope(results)}",
        "", "Percentages, except latency in milliseconds. textacy: its direct-quotation baseline on PolNeAR dev.", "",
        "| figure | this run | previous | change | textacy |", "|---|---:|---:|---:|---:|",
        *(f"| {' | '.join(row)} |" for row in rows(results)),
    ]
    if results["notes"]:
        lines += ["", "## Notes", "", *(f"- {note}" for note in results["notes"])]
    lines += ["", "## Charts", "", *(f"![{name}]({name})" for name in charts)]
    return "\n".join(lines) + "\n"


def scope(results: dict[str, Any]) -> str:
    """What each eval ran on, in one line."""
    attribution, answers = results["attribution"], results["answers"]
    parts = [f"seed article ({attribution['seed'].get('gold', '?')} gold attributions)"]
    if polnear := attribution.get("polnear"):
        parts.append(f"PolNeAR dev ({polnear['articles']} articles, {polnear['gold']} gold attributions)")
    parts.append(f"{answers['corpus']['summary']['all']['questions']} hand-written questions")
    if polnear := answers.get("polnear"):
        parts.append(f"{polnear['summary']['questions']} of {polnear['usable']} questions generated from PolNeAR dev")
    if checks := results.get("checks"):
        parts.append(f"{checks['checks']} claim checks over {checks['articles']} fictional articles")
    return "; ".join(parts)


def summary_table(results: dict[str, Any]) -> Any:
    """The headline as a rich table, for the terminal."""
    from rich.table import Table

    table = Table(title="whosaid eval" + (" (quick)" if results["run"]["quick"] else ""))
    for n, column in enumerate(("figure", "this run", "previous", "change", "textacy")):
        table.add_column(column, justify="left" if n == 0 else "right")
    for row in rows(results):
        table.add_row(*row)
    return table


# -- charts (matplotlib is imported here only, with the Agg backend: no display is needed) --------


def draw_charts(out: Path, results: dict[str, Any]) -> list[str]:
    """Draw the charts this run has data for; their file names."""
    import matplotlib

    matplotlib.use("Agg")
    percent = {k: v for k, v in results["metrics"].items() if v is not None and not k.endswith("_ms")}
    before = (results.get("previous") or {}).get("metrics") or {}
    drawn = [_bars(out / "metrics.png", "this run against the previous one", list(percent),
                   {"this run": percent, "previous": {k: before.get(k) for k in percent}} if before
                   else {"this run": percent})]
    if results["baseline"]:
        ours = {k: results["metrics"][k] for k in results["baseline"]}
        drawn.append(_bars(out / "baseline.png", "PolNeAR dev attribution: whosaid against textacy", list(ours),
                           {"whosaid": ours, "textacy": results["baseline"]}))
    if results["latency"]:
        drawn.append(_histogram(out / "latency.png", {k: v["ms"] for k, v in results["latency"].items()}))
    return drawn


def _bars(path: Path, title: str, names: list[str], series: dict[str, dict[str, Any]]) -> str:
    """Horizontal grouped bars, one group per figure, one bar per series."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 1.2 + 0.32 * len(names) * len(series)), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    for n, (label, values) in enumerate(series.items()):
        ys = [i + (n - (len(series) - 1) / 2) * height for i in range(len(names))]
        bars = ax.barh(ys, [values.get(k) or 0.0 for k in names], height=height, label=label)
        ax.bar_label(bars, labels=[_fmt(values.get(k)) for k in names], padding=2, fontsize=7)
    labels = {key: label for key, label, _ in HEADLINE}
    ax.set_yticks(range(len(names)), [labels[k] for k in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel("%")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=len(series), fontsize=8)
    fig.savefig(path, dpi=110)
    return path.name


def _histogram(path: Path, series: dict[str, list[float]]) -> str:
    """Per-question latency of each QA eval on shared log-spaced bins (a few slow questions would
    squash linear ones), with each eval's median dashed."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = {"answers": "hand-written questions", "answers_polnear": "questions from PolNeAR dev"}
    every = [ms for values in series.values() for ms in values]
    low, high = max(0.1, min(every, default=1.0)), max([1.0, *every])
    high = max(high, low * 2)
    bins = [low * (high / low) ** (i / 40) for i in range(41)]
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    for n, (key, ms) in enumerate(series.items()):
        ax.hist(ms, bins=bins, alpha=0.6, color=f"C{n}", label=f"{labels[key]} ({len(ms)} q.)")
        if ms:
            ax.axvline(_rank(sorted(ms), 0.5) or 0.0, color=f"C{n}", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds per question (log scale; dashed: median)")
    ax.set_ylabel("questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("question latency")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    return path.name
