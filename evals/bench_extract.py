"""Attribution cost on hostile text against ordinary prose of the same length, in one run.

Each case runs in a fresh process that loads the spaCy pipeline, extracts a warm-up sentence,
then records its resident memory (the baseline), resets the kernel's peak counter and times
``AttributionExtractor.extract`` on the case's text; peak is the highest resident memory of the
extraction above that baseline (``VmHWM`` after ``/proc/self/clear_refs``, so Linux only).
Every hostile case is reported as a ratio to the prose case of the same length measured in the
same run (issue 16 asks for at most 3x the time and under 500 MB above the baseline).

    python evals/bench_extract.py                 # 100 kB and 1 MB
    python evals/bench_extract.py --sizes 100000  # 100 kB only
    python evals/bench_extract.py --polnear       # prose from PolNeAR train instead (read, never copied)

Cases: ``prose`` (a fictional generator below: names, cues, quotes and paragraphs),
``straight`` (``"`` only, no spaces: issue 16's 200 kB case), ``curly`` (``Roe said “the bridge``
repeated: unbalanced curly quotes after a cue) and ``sentence`` (one sentence of 20,000 words,
whatever the size: it is compared with prose of its own length).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = ROOT.parent / "shared" / "polnear" / "train" / "text"

# FICTIONAL vocabulary: every name and place is invented.
_PEOPLE = ["Mara Quill", "Oren Vale", "Pia Hale", "Tomas Brandt", "Ines Calloway", "Ada Moss"]
_ROLES = ["the harbour master", "a council spokesman", "the regional governor", "an engineer"]
_THINGS = ["the bridge", "the levee", "the ferry service", "the budget", "the new tunnel"]
_STATES = ["would reopen in June", "was safe for now", "had cost 3 million crowns", "needed repairs"]
_CUES = ["said", "told reporters", "claimed", "warned", "insisted"]
_FILLER = ["Crews worked through the night.", "The river rose by two metres on Tuesday.",
           "Traffic was diverted through Kallan.", "Shops on the quay stayed closed."]


def prose(size: int, seed: int = 16) -> str:
    """Fictional news paragraphs of about ``size`` characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        who, what, state = rng.choice(_PEOPLE), rng.choice(_THINGS), rng.choice(_STATES)
        paragraph = " ".join([
            f"{who}, {rng.choice(_ROLES)}, {rng.choice(_CUES)} that {what} {state}.",
            f"“We will not cut corners on {what.split()[-1]},” {who.split()[-1]} said.",
            rng.choice(_FILLER),
            f"According to {rng.choice(_ROLES)}, {rng.choice(_THINGS)} {rng.choice(_STATES)}.",
        ])
        parts.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(parts)[:size]


def polnear_prose(size: int) -> str:
    """Real news paragraphs read from PolNeAR train at run time (never stored in the project)."""
    texts: list[str] = []
    total = 0
    for path in sorted(POLNEAR_TRAIN.glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
        total += len(texts[-1]) + 2
        if total >= size:
            break
    return "\n\n".join(texts)[:size]


def run_on_sentence(words: int = 20_000, seed: int = 16) -> str:
    """One sentence of ``words`` words, with cues, names and quotes but no sentence end."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < words:
        out.extend(f"{rng.choice(_PEOPLE)} {rng.choice(_CUES)} that {rng.choice(_THINGS)} "
                   f"{rng.choice(_STATES)} and “".split())
    return " ".join(out[:words])


def case_text(case: str, size: int, *, real: bool) -> str:
    if case == "prose":
        return polnear_prose(size) if real else prose(size)
    if case == "straight":
        return '"' * size
    if case == "curly":
        return ("Roe said “the bridge " * (size // 21 + 1))[:size]
    if case == "sentence":
        return run_on_sentence()
    raise ValueError(case)


CHILD = """
import json, sys, time
from bot.attribution import AttributionExtractor
from evals.bench_extract import case_text

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

case, size, real = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
text = case_text(case, size, real=real)
engine = AttributionExtractor()
engine.extract("Warm-up, she said.")
baseline = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets VmHWM to the current resident size
began = time.perf_counter()
claims = engine.extract(text)
seconds = time.perf_counter() - began
print(json.dumps({"chars": len(text), "seconds": seconds, "claims": len(claims),
                  "baseline_mb": baseline, "peak_mb": status("VmHWM") - baseline}))
"""


def measure(case: str, size: int, *, real: bool) -> dict[str, float]:
    """One case in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(size), "1" if real else "0"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--polnear", action="store_true", help="prose from PolNeAR train")
    args = parser.parse_args()
    real = args.polnear and POLNEAR_TRAIN.is_dir()
    print("| case | chars | claims | seconds | x prose | peak MB above baseline |")
    print("| --- | --- | --- | --- | --- | --- |")
    sentence_chars = len(run_on_sentence())
    plan = [(size, ["straight", "curly"]) for size in args.sizes] + [(sentence_chars, ["sentence"])]
    for size, cases in plan:
        floor = measure("prose", size, real=real)
        print(_row("prose", floor, floor), flush=True)
        for case in cases:
            print(_row(case, measure(case, size, real=real), floor), flush=True)


def _row(case: str, got: dict[str, float], floor: dict[str, float]) -> str:
    ratio = got["seconds"] / floor["seconds"] if floor["seconds"] else float("nan")
    return (f"| {case} | {got['chars']:,} | {got['claims']:,} | {got['seconds']:.2f} | "
            f"{ratio:.2f}x | {got['peak_mb']:.0f} |")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s in all)")
