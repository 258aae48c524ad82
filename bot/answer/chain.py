"""The answering chain, as LangChain LCEL runnables:

    condense (follow-ups -> standalone) | plan (route, speakers) | retrieve | compose | verify

Every answer passes citation verification, whichever composer wrote it; an answer left with
no support becomes an abstention. Thresholds are cosine similarities of the packaged MiniLM
model (plus the bonuses below), set in the middle of the plateau of the tuning split of
evals/questions/answers.jsonl (see evals/answers/calibrate.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from bot.answer.citations import ABSTAIN_MESSAGE, EmbeddingSupport, verify
from bot.answer.composer import CitationBook, compose_check, compose_claims, compose_passages, outermost
from bot.answer.llm import LLMComposer
from bot.answer.progress import StageReporter
from bot.answer.quarantine import usable_sentences
from bot.answer.routing import Plan, SpeakerIndex, condense, plan
from bot.answer.text import coverage, numbers_in, topic_terms
from bot.errors import BusyError
from bot.index.embedder import Embedder, embed_query
from bot.index.records import RecordStore
from bot.index.retrieval import HybridRetriever, nearest_claims
from bot.index.vectors import VectorStore
from bot.model import Answer, Article, Claim, SearchHit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class Thresholds:
    """Cosine similarities below which retrieved material does not answer a question."""

    claim: float = 0.40  # a claim answers a who-said / general question
    check: float = 0.425  # a claim is relevant to a checked claim (checks.takes_position then decides if it counts)
    topic: float = 0.40  # a known speaker's claim is about the asked topic
    passage: float = 0.50  # a sentence of a passage answers a general question
    spread: float = 0.12  # claims this close to the best are shown together (several speakers)
    number_bonus: float = 0.2  # a claim giving the figures the question names outranks one that does not
    lexical: float = 0.4  # weight of the share of the question's (non-name) words a claim's content has
    max_claims: int = 5


class _VanishedArticle(Exception):  # noqa: N818 - a signal inside the chain, never seen outside it
    """An article retrieved for this answer was removed before the answer could cite it."""


@dataclass
class _State:
    question: str
    mode: str
    history: list[dict[str, Any]]
    plan: Plan | None = None
    claims: list[tuple[Claim, float]] = field(default_factory=list)
    passages: list[SearchHit] = field(default_factory=list)
    vector: list[float] = field(default_factory=list)  # the question's embedding
    answer: Answer | None = None


class AnswerChain:
    """Answers questions and checks claims from the index, with verified citations."""

    def __init__(
        self, *, records: RecordStore, retriever: HybridRetriever, claim_vectors: VectorStore,
        embedder: Embedder, thresholds: Thresholds | None = None, chat_model: BaseChatModel | None = None,
    ) -> None:
        self._records = records
        self._retriever = retriever
        self._claim_vectors = claim_vectors
        self._embedder = embedder
        self.thresholds = thresholds or Thresholds()
        self._speakers: tuple[int, SpeakerIndex] | None = None
        # With a chat model, it rewrites follow-ups and writes the prose; retrieval, abstention,
        # verdicts and citation verification stay the same whichever composer writes.
        self._llm = LLMComposer(chat_model) if chat_model is not None else None
        self.runnable: Runnable[_State, Answer] = (
            RunnableLambda(self._condense)
            | RunnableLambda(self._retrieve)
            | RunnableLambda(self._compose)
            | RunnableLambda(self._verify)
        )

    def answer(
        self, question: str, *, mode: str = "ask", history: Sequence[dict[str, Any]] = (),
        progress: Callable[[str], None] | None = None,
    ) -> tuple[Answer, str]:
        """The verified answer and the standalone question it answered; ``progress`` hears each stage."""
        config: RunnableConfig | None = {"callbacks": [StageReporter(progress)]} if progress else None
        attempts = 3
        while True:
            state = _State(question=question, mode=mode, history=list(history))
            try:
                answer = self.runnable.invoke(state, config=config)
                break
            except _VanishedArticle:  # another writer removed a retrieved article: answer from the index as it is now
                attempts -= 1
                if not attempts:
                    raise BusyError("The sources kept changing while answering; ask again.") from None
        assert state.plan is not None
        return answer, state.plan.standalone

    # -- steps ---------------------------------------------------------------------------
    def _condense(self, state: _State) -> _State:
        speakers = self._speaker_index()
        if self._llm is not None and state.history:
            standalone = self._llm.condense(state.question, state.history)
        else:
            standalone = condense(state.question, state.history, speakers)
        state.plan = plan(state.question, standalone, speakers, mode=state.mode)
        return state

    def _retrieve(self, state: _State) -> _State:
        route = state.plan
        assert route is not None
        if route.unknown_speaker:
            return state
        if route.route == "what_did" and route.speaker and not route.topic:
            # The answer shows the first max_claims outermost claims in (article, offset) order; each
            # article quoting the speaker has at least one, so the first max_claims articles hold them.
            claims = self._records.first_claims(speaker=route.speaker, max_articles=self.thresholds.max_claims)
            state.claims = outermost([(c, 1.0) for c in sorted(claims, key=lambda c: (c.article_id or "", c.start))])
            return state
        query = route.topic or route.standalone
        state.vector = embed_query(self._embedder, query)  # once per question, for every step below
        state.claims = self._search_claims(
            query, state.vector, speaker=route.speaker if route.route == "what_did" else None, route=route.route
        )
        if route.route == "general":
            state.passages = self._retriever.search(query, k=3, vector=state.vector)
        return state

    def _compose(self, state: _State) -> _State:
        route, t = state.plan, self.thresholds
        assert route is not None
        book = CitationBook(self._article)
        if route.route == "check":
            check = self._llm.compose_check if self._llm is not None else compose_check
            state.answer = check(route.topic, state.claims, book, threshold=t.check)
            return state
        floor = t.topic if route.route == "what_did" else t.claim
        relevant = _prefer_figures(route.topic or route.standalone, [(c, s) for c, s in state.claims if s >= floor])
        keep: list[Claim] = []
        if relevant:
            best = relevant[0][1]
            keep = [c for c, s in relevant if s >= best - t.spread or route.route == "what_did"][: t.max_claims]
        if self._llm is not None:
            state.answer = self._compose_with_llm(state, keep, book)
        elif keep:
            state.answer = compose_claims(state.question, keep, book)
        elif route.route == "general" and (
            sentences := self._best_sentences(state.vector, state.passages, topic_terms(route.topic))
        ):
            state.answer = compose_passages(state.question, sentences, book)
        return state

    def _compose_with_llm(self, state: _State, claims: list[Claim], book: CitationBook) -> Answer | None:
        """The model writes from the relevant claims and passages; with none, abstain without calling it."""
        assert self._llm is not None and state.plan is not None
        general = state.plan.route == "general"
        passages = (
            [hit for hit, _ in self._best_sentences(state.vector, state.passages, topic_terms(state.plan.topic))]
            if general else []
        )
        if not claims and not passages:
            return None
        return self._llm.compose_answer(state.question, claims, passages, book, asked=state.plan.standalone)

    def _verify(self, state: _State) -> Answer:
        if state.answer is None:
            return Answer(question=state.question, answer=ABSTAIN_MESSAGE, abstained=True,
                          verdict="unverified" if state.mode == "check" else None)
        verified = verify(state.answer, support=EmbeddingSupport(self._embedder))
        if verified.abstained and state.mode == "check":
            return Answer(question=state.question, answer=ABSTAIN_MESSAGE, abstained=True, verdict="unverified")
        return verified

    # -- helpers -------------------------------------------------------------------------
    def _speaker_index(self) -> SpeakerIndex:
        """Known speakers, rebuilt only when the records change (not once per question)."""
        revision = self._records.revision()
        if self._speakers is None or self._speakers[0] != revision:
            self._speakers = (revision, SpeakerIndex(self._records.speakers()))
        return self._speakers[1]

    def _search_claims(
        self, query: str, vector: Sequence[float], *, speaker: str | None, route: str = "general"
    ) -> list[tuple[Claim, float]]:
        """Claims nearest the query, each scored by similarity adjusted for figures and shared words."""
        found = outermost(nearest_claims(
            query, embedder=self._embedder, vectors=self._claim_vectors, records=self._records, k=20,
            speaker=speaker, vector=vector,
        ))
        wanted = numbers_in(query)
        if route == "who_said" and wanted:  # nobody said "40 bodies" if no claim gives 40
            found = [(c, s) for c, s in found if wanted & numbers_in(c.content)]
        terms = topic_terms(query)
        scored = [(c, s + self._number_bonus(wanted, c) + self._lexical_bonus(terms, c, route)) for c, s in found]
        return sorted(scored, key=lambda pair: -pair[1])

    def _number_bonus(self, wanted: set[str], claim: Claim) -> float:
        """Dense similarity is blind to figures; reward a claim that gives the asked ones."""
        if not wanted:
            return 0.0
        return self.thresholds.number_bonus * len(wanted & numbers_in(claim.content)) / len(wanted)

    def _lexical_bonus(self, terms: set[str], claim: Claim, route: str) -> float:
        """Reward a claim whose content has the question's words, and (who-said, general) penalise one without.

        Dense similarity of "Speaker cue: content" also rewards a shared place or a name in the
        speaker ("When will the Port Selwyn strike end?" is close to anything Selwyn Terminals
        said); the question's other words must be in what was said. A known speaker's claims
        (what-did) are only rewarded: the speaker already narrowed them down.
        """
        if route == "check" or not terms:
            return 0.0
        share = coverage(terms, claim.content)
        return self.thresholds.lexical * (share if route == "what_did" else share - 0.5)

    def _best_sentences(
        self, query: Sequence[float], hits: Sequence[SearchHit], terms: set[str] | None = None
    ) -> list[tuple[SearchHit, tuple[int, int]]]:
        """The sentence of each top passage most similar to the question (and with its words), if similar enough."""
        chosen = []
        for hit in hits[:2]:
            text = self._article(hit.article_id).text
            spans = usable_sentences(text, hit.start, hit.end)  # never an injected instruction or a link
            if not spans:
                continue
            vectors = self._embedder.embed([text[s:e] for s, e in spans])
            lexical = self.thresholds.lexical if terms else 0.0  # as for claims: a shared place is not an answer
            scored = [
                (_dot(query, v) + lexical * (coverage(terms or set(), text[s:e]) - 0.5), (s, e))
                for v, (s, e) in zip(vectors, spans, strict=True)
            ]
            score, span = max(scored)
            if score >= self.thresholds.passage:
                chosen.append((hit, span))
        return chosen

    def _article(self, article_id: str) -> Article:
        article = self._records.article(article_id)
        if article is None:  # removed or replaced by another writer since it was retrieved
            raise _VanishedArticle(article_id)
        return article


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _prefer_figures(question: str, relevant: list[tuple[Claim, float]]) -> list[tuple[Claim, float]]:
    """When the question names figures and some claims give exactly them, those claims answer it."""
    wanted = numbers_in(question)
    matching = [(c, s) for c, s in relevant if wanted and wanted <= numbers_in(c.content)]
    return matching or relevant
