"""Calibration set for the citation support threshold. FICTIONAL: every name, place and
number is invented for these tests.

Each case is (sentence, cited passage ids). Unsupported sentences cite a real passage but say
something it does not (the hard gates for quotes and numbers are tested separately), so they
measure the soft support score alone. Run ``python -m tests.unit.answer.calibration`` to print
the score ranges behind ``bot.answer.citations.DEFAULT_THRESHOLD``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.answer.support import EmbeddingSupport, SupportScorer, support_score
from bot.index.embedder import Embedder, HashEmbedder

PASSAGES = {
    1: "Port Alder Mayor Helena Voss said on Monday that the harbour bridge would reopen in June. "
    '"We will not cut corners on safety," she said.',
    2: "The council spokesman, Tomas Brandt, estimated that up to 1,200 commuters use the bridge every day. "
    "Brandt did not say when tolls would return.",
    3: "The Velmar defence ministry announced that 498 soldiers had died in the fighting near Oskova, "
    "and rejected higher figures as propaganda.",
    4: "Alliance officials estimated that up to 15,000 Velmar soldiers were killed or wounded near Oskova, "
    "citing satellite images of field hospitals.",
}
TITLES = {1: "Harbour bridge to reopen", 2: "Commuters wait", 3: "Ministry gives toll", 4: "Alliance estimate"}

SUPPORTED: list[tuple[str, tuple[int, ...]]] = [
    ("Mayor Helena Voss said the harbour bridge would reopen in June.", (1,)),
    ("Voss promised not to cut corners on safety.", (1,)),
    ("The bridge is expected to reopen in June, according to the mayor.", (1,)),
    ("Tomas Brandt estimated that up to 1,200 commuters use the bridge daily.", (2,)),
    ("The council spokesman did not say when tolls would return.", (2,)),
    ("Brandt, speaking for the council, put daily bridge use at up to 1,200 commuters.", (2,)),
    ("The Velmar defence ministry said 498 soldiers died near Oskova.", (3,)),
    ("The ministry rejected higher figures as propaganda.", (3,)),
    ("According to the ministry, 498 soldiers died in the fighting.", (3,)),
    ("Alliance officials estimated up to 15,000 Velmar soldiers were killed or wounded.", (4,)),
    ("The alliance cited satellite images of field hospitals.", (4,)),
    ("Estimates of Velmar losses near Oskova range from 498 dead to up to 15,000 killed or wounded.", (3, 4)),
    ("The mayor of Port Alder expects the bridge to reopen in June.", (1,)),
    ("Officials of the alliance based their estimate on satellite images.", (4,)),
]

UNSUPPORTED: list[tuple[str, tuple[int, ...]]] = [
    ("The mayor resigned after the bridge scandal.", (1,)),
    ("Voss blamed the contractor for structural failures.", (1,)),
    ("Engineers found cracks in the bridge foundations.", (1,)),
    ("Brandt said tolls would be abolished permanently.", (2,)),
    ("The council plans a new ferry terminal downtown.", (2,)),
    ("Commuters protested outside city hall demanding compensation.", (2,)),
    ("The ministry admitted heavy losses and promised an inquiry.", (3,)),
    ("Velmar troops captured the regional airport overnight.", (3,)),
    ("The defence minister was dismissed by parliament.", (3,)),
    ("Alliance officials accused Velmar of hiding mass graves.", (4,)),
    ("The alliance imposed sanctions on Velmar banks.", (4,)),
    ("Journalists were barred from visiting the front line.", (4,)),
    ("The harbour will host an international sailing regatta.", (1,)),
    ("Opposition lawmakers demanded an independent investigation into the casualties.", (3, 4)),
]


def scores(cases: Sequence[tuple[str, tuple[int, ...]]], scorer: SupportScorer | None) -> list[float]:
    """Support score of each case against its cited passages."""
    return [
        support_score(
            sentence, [PASSAGES[n] for n in cited], scorer, context=[TITLES[n] for n in cited]
        )
        for sentence, cited in cases
    ]


def report(name: str, embedder: Embedder | None) -> str:
    """One line: the ranges of supported and unsupported scores for one scorer."""
    scorer = EmbeddingSupport(embedder) if embedder is not None else None
    good, bad = scores(SUPPORTED, scorer), scores(UNSUPPORTED, scorer)
    return f"{name:8} supported {min(good):.2f}-{max(good):.2f}  unsupported {min(bad):.2f}-{max(bad):.2f}"


if __name__ == "__main__":
    from bot.index.embedder import SentenceTransformerEmbedder

    print(report("lexical", None))
    print(report("hash", HashEmbedder()))
    if "--no-minilm" not in sys.argv:
        print(report("minilm", SentenceTransformerEmbedder()))
