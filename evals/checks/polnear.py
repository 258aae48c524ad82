"""Attributed fact-checks generated from PolNeAR attributions, checked over the PolNeAR articles.

    .venv/bin/python -m evals.checks.polnear [--split dev] [--sample 60] [--seed 13] [--out DIR] [--no-cache]

Generation (deterministic with --seed). For every annotated attribution outside the title line
whose source is a name (``evals.checks.sources``; pronoun sources are skipped by the rule of
``evals.answers.polnear``) and whose content, cleaned as there, has 6 to 40 words and reads as a
clause after "said that" (a finite verb heads its first sentence, spaCy; "to check out...", "the
integrity of the vote" and "why ..." do not):

- the true check is "<S> said that <C>": S the annotated source span, cleaned (no parenthesis
  such as "(R-Utah)", no apposition after a comma or dash, no possessive "'s"), C the content;
- the swapped check is "<S2> said that <C>": the same C, S2 another named source of the same
  article who is a different person: no shared surname and neither containing the other (the
  matching helper), with any variant of S in the article ("Obstfeld" is also "IMF chief economist
  Maury Obstfeld"), not its initials, and never written together with S as one name ("Hillary"
  and "Clinton"). S2 is the first way the article names that person, chosen with the seed.

The sample is --sample of the contents that have a partner: --sample true and as many swapped checks.

Each check is answered by ``Whosaid.ask(claim, mode="check")`` over an index of the split's
articles (real models, extraction on), built once per run and cached under evals/out/cache
(``evals.answers.polnear_index``). A speaker is "named" when ``answer.attribution.found_speaker``
(or, when that is missing, the first attribution's speaker or speaker_mention) matches the gold
source by ``evals.answers.polnear.matches`` (typographic apostrophes made plain). The figures:

- true_supported_named: true checks with verdict "supported" and the true source named;
- swapped_not_supported: swapped checks with any verdict but "supported";
- swapped_real_named: swapped checks where the true source (not the claimed one) is named;
- swapped_misattributed: swapped checks with verdict "misattributed".

The corpus is read from ../shared/polnear and never copied into the project: the articles, the
index and the checks live in temporary directories or under evals/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

from bot.config import Settings
from bot.model import VERDICTS, Answer
from bot.service import Whosaid
from evals.answers.polnear import MAX_WORDS, MIN_WORDS, clean_content, is_pronoun, span_text
from evals.answers.polnear_index import CACHE, indexed
from evals.attribution.polnear import DEFAULT_ROOT, load_split
from evals.checks.sources import clean_source, name_words, same_name, swap_partners

OUT = Path(__file__).resolve().parents[2] / "evals" / "out" / "checks-polnear"
FIGURES = ("true_supported_named", "swapped_not_supported", "swapped_real_named", "swapped_misattributed")
Kind = Literal["true", "swapped"]
_QUESTION_WORDS = frozenset({"what", "why", "how", "whether"})
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


@dataclass(frozen=True, slots=True)
class Said:
    """A usable attribution: who (as the article names them) said what, in which article."""

    article: str
    source: str
    content: str


@dataclass(frozen=True, slots=True)
class Check:
    """A generated check: the claim, the speaker it names, and who is on record saying the content."""

    kind: Kind
    article: str
    claim: str
    content: str
    speaker: str  # the speaker the claim names
    source: str  # the annotated source of the content (the speaker of a true check)


# -- generation ----------------------------------------------------------------------------------


def article_sayings(name: str, text: str, golds: Sequence[Any], skipped: Counter[str]) -> tuple[list[Said], list[str]]:
    """The usable attributions of one article, and the named sources of it in text order (all variants)."""
    sayings: list[Said] = []
    variants: list[str] = []
    seen: set[str] = set()
    title_end = text.find("\n") if "\n" in text else len(text)
    for attr in sorted(golds, key=lambda a: a.source[0][0] if a.source else a.content[0][0]):
        if not attr.source:
            skipped["no source"] += 1
            continue
        if min(s for s, _ in (*attr.source, *attr.content)) < title_end:
            skipped["in the title"] += 1  # headline case and headline grammar: neither reads as a claim
            continue
        raw = span_text(text, attr.source)
        if is_pronoun(raw):
            skipped["pronoun source"] += 1
            continue
        source = clean_source(raw)
        if not name_words(source, text, attr.source[0][0]):
            skipped["not a name"] += 1
            continue
        if source not in variants:
            variants.append(source)
        content = clean_content(span_text(text, attr.content))
        if not MIN_WORDS <= len(content.split()) <= MAX_WORDS:
            skipped["too short or long"] += 1
        elif content.casefold() in seen:
            skipped["duplicate content"] += 1
        else:
            seen.add(content.casefold())
            sayings.append(Said(name, source, content))
    return sayings, variants


def clauses(contents: Sequence[str], spacy_model: str) -> list[bool]:
    """Whether each content reads as a clause after "said that": its first sentence has a finite verb
    and it is no question ("to check out...", "the integrity of the vote", "why ..." are not)."""
    from bot.attribution import AttributionExtractor

    nlp = AttributionExtractor(spacy_model=spacy_model).nlp
    flags = []
    for content, doc in zip(contents, nlp.pipe(contents), strict=True):
        root = next(doc.sents).root
        finite = root.tag_ in _FINITE or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in root.children)
        flags.append(finite and content.split()[0].casefold() not in _QUESTION_WORDS)
    return flags


def generate(
    root: Path, split: str, *, spacy_model: str | None = None
) -> tuple[list[tuple[Said, list[str]]], Counter[str], list[tuple[str, str]]]:
    """Every usable attribution with its swap partners (other named people of its article, one name
    each, in text order), the counts of skipped attributions, and the (name, text) articles."""
    articles = load_split(root, split, None)
    skipped: Counter[str] = Counter()
    found: list[tuple[Said, list[str]]] = []
    for name, text, golds in articles:
        sayings, variants = article_sayings(name, text, golds, skipped)
        people: list[str] = []
        for variant in variants:  # the first (and usually fullest) name of each person
            if not any(same_name(variant, known) for known in people):
                people.append(variant)
        found += [(said, swap_partners(said.source, variants, people, text)) for said in sayings]
    flags = clauses([said.content for said, _ in found], spacy_model or Settings().spacy_model)
    skipped["not a clause"] = flags.count(False)
    usable = [pair for pair, ok in zip(found, flags, strict=True) if ok]
    return usable, skipped, [(name, text) for name, text, _ in articles]


def sample_pairs(usable: Sequence[tuple[Said, list[str]]], n: int, seed: int) -> list[tuple[Check, Check]]:
    """``n`` (true, swapped) pairs over contents that have a swap partner, chosen with ``seed``."""
    rng = random.Random(seed)
    eligible = [(said, others) for said, others in usable if others]
    pairs = []
    for said, others in rng.sample(eligible, min(n, len(eligible))):
        other = rng.choice(others)
        pairs.append((_check("true", said, said.source), _check("swapped", said, other)))
    return pairs


def _check(kind: Kind, said: Said, speaker: str) -> Check:
    claim = f"{speaker[:1].upper()}{speaker[1:]} said that {said.content}"
    return Check(kind, said.article, claim, said.content, speaker, said.source)


# -- checking and scoring ------------------------------------------------------------------------


def named(answer: Answer, gold: str) -> bool:
    """Whether the answer names ``gold`` as who is on record: found_speaker, else the top attribution."""
    found = getattr(getattr(answer, "attribution", None), "found_speaker", None)
    if found:
        return same_name(gold, found)
    top = answer.attributions[0] if answer.attributions else None
    return top is not None and (same_name(gold, top.speaker) or same_name(gold, top.speaker_mention))


def check_all(service: Whosaid, checks: Sequence[Check]) -> list[dict[str, Any]]:
    """Check every claim and record the verdict, who was found, and whether the true source is named."""
    rows = []
    for check in checks:
        began = time.perf_counter()
        try:
            answer = service.ask(check.claim, mode="check")
        except Exception as exc:  # the engine is being rewritten: one failure is one row, not the run
            rows.append({**asdict(check), "error": f"{type(exc).__name__}: {exc}", "verdict": None,
                         "source_named": False, "speaker_named": False,
                         "ms": round(1000 * (time.perf_counter() - began), 1)})
            continue
        seconds = time.perf_counter() - began
        attribution = getattr(answer, "attribution", None)
        top = answer.attributions[0] if answer.attributions else None
        rows.append({
            **asdict(check), "error": None, "verdict": answer.verdict, "abstained": answer.abstained,
            "claimed_speaker": getattr(attribution, "claimed_speaker", None),
            "found_speaker": getattr(attribution, "found_speaker", None),
            "match": getattr(attribution, "match", None),
            "differences": [asdict(d) for d in getattr(attribution, "differences", ())],
            "top_speaker": top.speaker if top else None, "top_speaker_mention": top.speaker_mention if top else None,
            "source_named": named(answer, check.source),
            "speaker_named": named(answer, check.speaker),
            "ms": round(1000 * seconds, 1),
        })
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The four figures (percent of their kind), the verdicts of each kind, errors and latency."""
    true = [r for r in rows if r["kind"] == "true"]
    swapped = [r for r in rows if r["kind"] == "swapped"]
    counts = {
        "true_supported_named": sum(r["verdict"] == "supported" and r["source_named"] for r in true),
        "swapped_not_supported": sum(r["verdict"] != "supported" for r in swapped),
        "swapped_real_named": sum(r["source_named"] for r in swapped),
        "swapped_misattributed": sum(r["verdict"] == "misattributed" for r in swapped),
    }
    ms = sorted(float(r["ms"]) for r in rows)
    return {
        "true_checks": len(true), "swapped_checks": len(swapped),
        **{key: _pct(count, len(true if key.startswith("true") else swapped)) for key, count in counts.items()},
        "counts": counts,
        "verdicts": {"true": verdicts(true), "swapped": verdicts(swapped)},
        "found_speaker_set": {"true": sum(bool(r.get("found_speaker")) for r in true),
                              "swapped": sum(bool(r.get("found_speaker")) for r in swapped)},
        "errors": sum(r["error"] is not None for r in rows),
        "median_ms": ms[len(ms) // 2] if ms else 0.0,
    }


def verdicts(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """How many rows have each verdict ("none": no verdict, "error": the check failed)."""
    tally = Counter("error" if r["error"] else r["verdict"] or "none" for r in rows)
    return {v: tally[v] for v in (*VERDICTS, "none", "error") if tally[v] or v in VERDICTS}


def _pct(count: int, of: int) -> float:
    return round(100.0 * count / of, 1) if of else 0.0


def run(
    root: Path = DEFAULT_ROOT, split: str = "dev", *, sample: int = 60, seed: int = 13, out: Path | None = None,
    cache: Path | None = CACHE,
) -> dict[str, Any]:
    """Generate, sample, index, check, score: the results data (figures under "summary").

    With ``out``, the sampled checks are written there as checks.jsonl before they are run.
    With ``cache`` (None: build in a temporary directory only), the index is cached there.
    """
    began = time.perf_counter()
    usable, skipped, articles = generate(root, split)
    generate_seconds = time.perf_counter() - began
    pairs = sample_pairs(usable, sample, seed)
    checks = [check for pair in pairs for check in pair]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "checks.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in checks)
    began = time.perf_counter()
    with indexed(articles, cache=cache, label=f"polnear-{split}") as (service, built):
        index_seconds = time.perf_counter() - began
        rows = check_all(service, checks)
        check_seconds = time.perf_counter() - began - index_seconds
    return {
        "split": split, "seed": seed, "articles": len(articles), "claims": built.claims,
        "index_cached": built.cached, "ingest_seconds": built.ingest_seconds,
        "generate_seconds": round(generate_seconds, 1),
        "index_seconds": round(index_seconds, 1), "check_seconds": round(check_seconds, 1),
        "usable": len(usable), "with_partner": sum(bool(others) for _, others in usable),
        "skipped": {**dict(sorted(skipped.items())), "no other named source": sum(not o for _, o in usable)},
        "summary": summarise(rows), "results": rows,
    }


def print_tables(data: dict[str, Any], console: Console) -> None:
    """The four figures, then the verdicts of each kind side by side."""
    summary = data["summary"]
    table = Table(title=f"PolNeAR {data['split']}: '<S> said that <C>' checks "
                        f"({summary['true_checks']} true + {summary['swapped_checks']} swapped, seed {data['seed']})")
    table.add_column("figure")
    table.add_column("%", justify="right")
    table.add_column("n", justify="right")
    for key in FIGURES:
        of = summary["true_checks" if key.startswith("true") else "swapped_checks"]
        table.add_row(key.replace("_", " "), f"{summary[key]:.1f}", f"{summary['counts'][key]}/{of}")
    console.print(table)
    kinds = Table(title="verdicts")
    kinds.add_column("verdict")
    for kind in ("true", "swapped"):
        kinds.add_column(kind, justify="right")
    names = dict.fromkeys([*summary["verdicts"]["true"], *summary["verdicts"]["swapped"]])
    for verdict in names:
        kinds.add_row(verdict, *(str(summary["verdicts"][k].get(verdict, 0)) for k in ("true", "swapped")))
    console.print(kinds)


def main() -> None:
    """Generate, sample, index, check, score; print the figures and write results.json and checks.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--split", choices=["train", "dev"], default="dev")
    parser.add_argument("--sample", type=int, default=60, help="pairs: this many true and as many swapped checks")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-cache", action="store_true", help=f"build the index afresh, without {CACHE}")
    args = parser.parse_args()
    if not args.root.is_dir():
        raise SystemExit(f"PolNeAR is not at {args.root}; pass --root.")
    if args.sample < 1:
        raise SystemExit("--sample must be at least 1.")
    data = run(args.root, args.split, sample=args.sample, seed=args.seed, out=args.out,
               cache=None if args.no_cache else CACHE)
    how = "from the cache" if data["index_cached"] else f"ingested in {data['ingest_seconds']:.0f} s"
    print(f"generated in {data['generate_seconds']:.0f} s; index of {data['articles']} {args.split} articles "
          f"({data['claims']} claims) {how}, ready in {data['index_seconds']:.0f} s; checks "
          f"{data['check_seconds']:.0f} s. {data['usable']} usable contents, "
          f"{data['with_partner']} with a swap partner; skipped {data['skipped']}")
    if data["summary"]["errors"]:
        print(f"{data['summary']['errors']} checks failed (see 'error' in checks.jsonl)")
    print_tables(data, Console(width=120))
    (args.out / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in data["results"])
    print(f"wrote {args.out / 'results.json'} and {args.out / 'checks.jsonl'}")


if __name__ == "__main__":
    main()
