"""The ``whosaid`` command: thin commands over ``bot.service.Whosaid``.

Heavy modules (torch, spaCy, Chroma) are imported inside commands, so ``whosaid --help``
is instant. Every ``WhosaidError`` becomes one sentence on stderr and its exit code.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_common import AsJson, DataDir, emit_json, service
from bot.cli_sources import print_versions, run_watch, sources_app, watch
from bot.errors import WhosaidError
from bot.render import attribution_sentences

if TYPE_CHECKING:
    from bot.model import Answer, Claim, IngestReport

app = typer.Typer(
    name="whosaid",
    help="Who said what, in your news articles: ingest, search, and check claims with citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.command()
def ingest(
    targets: Annotated[
        list[str], typer.Argument(help="Files or folders (.txt .md .html .json .jsonl), or http(s) URLs of pages.")
    ],
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Ingest articles from files or the web: chunk, embed, extract claims, index."""
    from rich.progress import Progress

    from bot.ingest.loaders import discover
    from bot.model import IngestReport, web_url

    urls = [t for t in targets if web_url(t)]
    paths = [Path(t) for t in targets if not web_url(t)]
    whosaid = service(data_dir)
    files = discover(paths)
    report = IngestReport()
    if paths:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task("ingesting", total=len(files))
            report = whosaid.ingest(paths, on_file=lambda _path: progress.advance(task))
    if urls:
        report = _merged(report, whosaid.ingest_urls(urls))
    for path, reason in report.failures:
        typer.echo(f"skipped {path}: {reason}", err=True)
    typer.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else report.summary())
    if report.failed:
        raise typer.Exit(1)


def _merged(first: IngestReport, second: IngestReport) -> IngestReport:
    from bot.model import IngestReport

    return IngestReport(
        new=first.new + second.new, updated=first.updated + second.updated,
        unchanged=first.unchanged + second.unchanged, failed=first.failed + second.failed,
        chunks=first.chunks + second.chunks, claims=first.claims + second.claims,
        seconds=first.seconds + second.seconds, failures=first.failures + second.failures,
        article_ids=first.article_ids + second.article_ids, phases=first.phases,
    )


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 5,
    article: Annotated[list[str] | None, typer.Option(help="Only this article id (repeatable).")] = None,
    publisher: Annotated[str | None, typer.Option(help="Only this publisher.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before YYYY-MM-DD.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Hybrid (dense + BM25) search over passages, best first."""
    from bot.model import SearchFilters

    filters = SearchFilters(
        article_ids=tuple(article) if article else None,
        publisher=publisher,
        published_from=_date(since, "--since"),
        published_to=_date(until, "--until"),
    )
    hits = service(data_dir).search(text, k=k, filters=filters)
    if as_json:
        emit_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        typer.echo("No passage matches.")
    for n, hit in enumerate(hits, start=1):
        typer.echo(f"[{n}] {hit.title}  ({hit.source} {hit.start}-{hit.end}, score {hit.score:.4f})")
        typer.echo(f"    {' '.join(hit.text.split())}\n")


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="An article id from search or articles.")],
    versions: Annotated[
        bool, typer.Option("--versions", help="List every version and what changed in its claims.")
    ] = False,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Print an article's metadata and exact text (or, with --versions, its history)."""
    if versions:
        print_versions(service(data_dir).versions(article_id), as_json=as_json)
        return
    article = service(data_dir).article(article_id)
    if as_json:
        emit_json(article.to_dict())
        return
    for key in ("id", "title", "source", "url", "published", "publisher", "author"):
        value = getattr(article, key)
        if value:
            typer.echo(f"{key:>9}: {value}")
    typer.echo("")
    typer.echo(article.text)


@app.command()
def articles(as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """List the ingested articles."""
    found = service(data_dir).articles()
    if as_json:
        emit_json([{k: v for k, v in a.to_dict().items() if k != "text"} for a in found])
        return
    for article in found:
        typer.echo(f"{article.id}  {article.title[:70]}  ({article.source})")
    typer.echo(f"{len(found)} article(s)")


@app.command()
def remove(
    target: Annotated[str, typer.Argument(help="An article id, or the source (path or URL) it came from.")],
    data_dir: DataDir = None,
) -> None:
    """Delete an article and everything derived from it."""
    removed = service(data_dir).remove(target)
    typer.echo(f"removed {len(removed)} article(s): {', '.join(removed)}")


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read (nothing is indexed).")],
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Print who claimed what in files, without an index."""
    for path, claims in service(data_dir).extract(paths):
        _print_claims(claims, as_json=as_json, path=str(path))


@app.command()
def claims(
    speaker: Annotated[str | None, typer.Option(help="Only this speaker (canonical name).")] = None,
    article: Annotated[str | None, typer.Option(help="Only this article id.")] = None,
    about: Annotated[str | None, typer.Option(help="Rank by meaning: claims nearest to this text.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """List the claims held in the index, or the ones nearest in meaning to --about."""
    whosaid = service(data_dir)
    if about is not None:
        found = [claim for claim, _ in whosaid.search_claims(about, k=10, speaker=speaker)]
    else:
        found = whosaid.claims(speaker=speaker, article_id=article)
    _print_claims(found, as_json=as_json)
    if not as_json and not found:
        typer.echo("No claims match.")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, e.g. 'Who said that ...?'")] = None,
    session: Annotated[
        str | None, typer.Option(help="Continue a conversation by id; 'new' starts one and prints its id.")
    ] = None,
    questions: Annotated[
        Path | None, typer.Option(help='A JSONL file of {"question", "mode": "ask"|"check", "session"?}.')
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Answer a question from the indexed articles, citing exact passages."""
    whosaid = service(data_dir)
    if questions is not None:
        from bot.cli_batch import answer_file

        answer_file(whosaid, questions)
        return
    if question is None:
        raise typer.BadParameter("Give a question, or --questions FILE.jsonl.")
    if session == "new":
        session = whosaid.start_session()
        typer.echo(f"session: {session}", err=True)
    _print_answer(whosaid.ask(question, session=session), as_json=as_json)


@app.command()
def check(
    claim: Annotated[str, typer.Argument(help="A claim to check against what the sources say.")],
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Check a claim: who supports, denies or disputes it, with citations."""
    _print_answer(service(data_dir).ask(claim, mode="check"), as_json=as_json)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: WHOSAID_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: WHOSAID_PORT or 8000; 0 picks a free one).")] = None,
    watch_sources: Annotated[
        bool, typer.Option("--watch", help="Also poll the sources (one watcher per database, however many servers).")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API, the chat widget and its demo page (Ctrl-C stops it)."""
    from bot.api.server import serve as run_server  # FastAPI and uvicorn load only for this command

    whosaid = service(data_dir)
    settings = whosaid.settings
    beside = None
    if watch_sources:
        def beside(stop: threading.Event) -> None:
            run_watch(whosaid, stop=stop, once=False, echo=lambda report: typer.echo(report.summary(), err=True))
    run_server(whosaid, host=host or settings.host, port=settings.port if port is None else port, echo=typer.echo,
               beside=beside)


@app.command()
def slack(data_dir: DataDir = None) -> None:
    """Answer in Slack over Socket Mode, without a public URL (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)."""
    from bot.slack.app import verify_token  # Bolt loads only for this command
    from bot.slack.socket import connect, create_socket_handler

    whosaid = service(data_dir)
    handler = create_socket_handler(whosaid.settings, whosaid)
    name = verify_token(handler.app)
    try:
        whosaid.warm_up()  # models load now, and answer threads never race to build the graph
    except WhosaidError as exc:
        typer.echo(f"warning: {exc}", err=True)
    connect(handler)
    try:
        typer.echo(f"Listening in Slack as @{name} over Socket Mode; Ctrl-C stops.", err=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("stopped.", err=True)
    finally:
        handler.close()


@app.command("eval")
def eval_(
    out: Annotated[Path | None, typer.Option(help="The report folder (default: evals/out/report).")] = None,
    polnear: Annotated[
        Path | None, typer.Option(help="The PolNeAR corpus (default: ../shared/polnear, skipped when absent).")
    ] = None,
    sample: Annotated[int, typer.Option(min=1, help="How many PolNeAR-generated questions to answer.")] = 200,
    quick: Annotated[bool, typer.Option(help="A smoke run: seed attribution and 10 seed questions only.")] = False,
) -> None:
    """Run the quality evals and write a report folder (needs a source checkout)."""
    root = Path(__file__).resolve().parents[1]  # evals/ is not installed: it sits beside bot/ in a checkout
    if not (root / "evals" / "report.py").is_file():
        typer.echo(f"error: whosaid eval needs a source checkout, and there is no evals/ folder in {root}.", err=True)
        raise typer.Exit(2)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from rich.console import Console

    from evals.report import DEFAULT_OUT, Options, report, summary_table

    results = report(Options(out=out or DEFAULT_OUT, polnear=polnear, sample=sample, quick=quick),
                     echo=lambda line: typer.echo(line, err=True))
    Console(width=None if sys.stdout.isatty() else 120).print(summary_table(results))
    typer.echo(f"wrote {out or DEFAULT_OUT}/report.md")


def _print_answer(answer: Answer, *, as_json: bool) -> None:
    if as_json:
        emit_json(answer.to_dict())
        return
    if answer.verdict:
        typer.echo(f"Verdict: {answer.verdict} (what the indexed sources say, not ground truth)")
    for line in attribution_lines(answer):
        typer.echo(line)
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\nSources:")
    speakers = {a.citation: a.speaker for a in answer.attributions}
    for citation in answer.citations:
        who = f"{speakers[citation.id]}: " if speakers.get(citation.id) else ""
        quote = " ".join(citation.quote.split())
        typer.echo(f"[{citation.id}] {who}{quote}")
        typer.echo(f"    {citation.title} ({citation.source}, characters {citation.start}-{citation.end})")
        if citation.superseded_by:
            typer.echo(f"    (an earlier version: the article has changed since; "
                       f"`whosaid show {citation.superseded_by} --versions`)")


@app.command("train-attribution")
def train_attribution(
    data: Annotated[Path, typer.Option("--data", help="A brat corpus: text/NAME.txt and attributions/NAME_*.ann.")],
    seed: Annotated[int, typer.Option("--seed", help="Shuffling seed; the same seed gives the same model.")] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the model file (default: the package's own).")
    ] = None,
    design: Annotated[
        str, typer.Option("--design", help="'minilm' (BiLSTM-CRF over MiniLM states) or 'crf' (CRFsuite).")
    ] = "minilm",
    dev: Annotated[
        Path | None, typer.Option("--dev", help="A brat corpus to choose the epoch on (minilm only).")
    ] = None,
) -> None:
    """Train the attribution tagger (WHOSAID_ATTRIBUTION=model) on an annotated corpus."""
    from rich.progress import Progress

    from bot.attribution.tagger import MODEL_DIR
    from bot.attribution.training import train
    from bot.attribution.training_minilm import train_minilm
    from bot.config import load_settings

    if design not in {"minilm", "crf"}:
        raise typer.BadParameter(f"--design {design!r} is not a design: use minilm or crf.")
    settings = load_settings()
    with Progress(disable=not sys.stderr.isatty(), transient=True) as progress:
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done)

        folder = out or MODEL_DIR
        if design == "crf":
            report = train(data, folder, seed=seed, spacy_model=settings.spacy_model, progress=advance)
        else:
            report = train_minilm(data, folder, seed=seed, dev=dev, spacy_model=settings.spacy_model, progress=advance)
    typer.echo(
        f"trained on {report.articles} articles ({report.sequences} paragraphs) in {report.seconds:.0f} s: "
        f"{report.path} ({report.bytes / 1e6:.1f} MB); use it with WHOSAID_ATTRIBUTION=model"
        + ("" if out is None else f" WHOSAID_ATTRIBUTION_MODEL={report.path}")
    )


def attribution_lines(answer: Answer) -> list[str]:
    """The ``Attribution: ...`` lines printed under the verdict of a check that names its speaker."""
    return [f"Attribution: {sentence}" for sentence in attribution_sentences(answer)]


def _print_claims(found: list[Claim], *, as_json: bool, path: str | None = None) -> None:
    for claim in found:
        if as_json:
            data = claim.to_dict()
            emit_json({"path": path, **data} if path else data)
        else:
            who = claim.speaker or "(unattributed)"
            role = f" ({claim.role})" if claim.role else ""
            typer.echo(f"{who}{role} — {claim.cue} [{claim.kind}, {claim.stance}]: {claim.content}")


def _date(value: str | None, flag: str) -> str | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{flag} takes a date as YYYY-MM-DD, not {value!r}.") from None


app.add_typer(sources_app, name="sources")
app.command()(watch)


def main() -> None:
    """Entry point: run the app, turning known errors into one sentence and an exit code."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except WhosaidError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted: finished articles are kept; run the same command again to complete.", err=True)
        sys.exit(130)
