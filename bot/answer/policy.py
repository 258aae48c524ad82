"""Every threshold of the answering core, in one record the service builds.

Similarities are cosines of the packaged MiniLM model (all-MiniLM-L6-v2); a different
embedding model needs its own calibration. How each value was set:

* ``claim``, ``topic``, ``passage``, ``spread``, ``number_bonus``, ``lexical``, ``max_claims``:
  the middle of the plateau of the tuning split of evals/questions/answers.jsonl
  (evals/answers/calibrate.py), checked on its held-out split;
* ``check``, ``stance_relevance``, ``stance_coverage``, ``figure_relevance``, ``max_evidence``:
  bare claim checks, tuned on the check questions of the same tuning split;
* ``paraphrase``, ``related``, ``misattribution_margin``, ``tie``, ``verbatim``, ``flip_coverage``,
  ``flip_similarity``:
  attributed claim checks and polarity; swept one at a time on the tune split of
  evals/checks/checks.jsonl (fictional) only (evals/checks/calibrate.py), each value inside its
  plateau (``paraphrase`` at the plateau's top, since 0.58 let swapped PolNeAR checks through);
  ``verbatim`` set by hand, ``restated`` by hand on the tune split and the first blind set
  (evals/checks/blind, read while setting it); the held-out split and the PolNeAR dev checks
  (evals/checks/polnear.py) measure them;
* ``support`` (citation verification): tests/unit/answer/calibration.py, see bot/answer/citations.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Cosine similarities (and counts) below which retrieved material does not answer or bear on a question."""

    claim: float = 0.40  # a claim answers a who-said / general question
    topic: float = 0.40  # a known speaker's claim is about the asked topic
    passage: float = 0.50  # a sentence of a passage answers a general question
    spread: float = 0.12  # claims this close to the best are shown together (several speakers)
    number_bonus: float = 0.2  # a claim giving the figures the question names outranks one that does not
    lexical: float = 0.4  # weight of the share of the question's (non-name) words a claim's content has
    max_claims: int = 5
    # Bare claim checks (bot/answer/checks.py).
    check: float = 0.425  # a claim is relevant to a checked claim (checks.takes_position then decides if it counts)
    stance_relevance: float = 0.75  # a source this similar to the claim takes a position on it whatever its words
    stance_coverage: float = 0.6  # ... or one whose content has this share of the claim's (non-name) words
    figure_relevance: float = 0.25  # a figure for the same counted thing counts from this similarity on (same article)
    max_evidence: int = 8  # sources weighed (and listed) per check, most relevant first
    flip_coverage: float = 0.6  # share of the claim's words a source of opposite polarity needs to contradict it
    flip_similarity: float = 0.8  # ... unless its content is this similar
    # Attributed claim checks (bot/answer/attributed.py).
    paraphrase: float = 0.62  # a claim's content this similar to the checked words says them
    related: float = 0.45  # ... this similar: about the same thing (a misquote, or what the speaker said on it)
    misattribution_margin: float = 0.08  # another speaker's words must beat the claimed speaker's by this
    restated: float = 0.5  # below a paraphrase: share of the checked words a clean record of X's needs to say them
    tie: float = 0.02  # the claimed speaker's claims this close to their best are told apart by shared words
    verbatim: float = 0.8  # share of the checked words a passage sentence "X said ..." must hold to be on record
    support: float = 0.55  # citation verification: a cited sentence's support score
