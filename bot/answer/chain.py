"""The answering chain, as LangChain LCEL runnables:

    condense (follow-ups -> standalone) | plan (route, speakers) | retrieve | judge | compose | verify

A claim check is decided once, in ``judge`` (``checks.check_verdict`` for a bare claim,
``attributed.check_attribution`` for "X said C"), into a ``CheckResult`` that either composer
only renders. Every answer passes citation verification, whichever composer wrote it; an answer
left with no support becomes an abstention. Thresholds live in ``policy.Policy``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from bot.answer.attributed import check_attribution
from bot.answer.checks import CheckResult, Evidence, check_verdict
from bot.answer.citations import ABSTAIN_MESSAGE, EmbeddingSupport, verify
from bot.answer.claimparse import ParsedClaim, parse_claim
from bot.answer.composer import (
    CitationBook,
    attribution_check,
    compose_check,
    compose_claims,
    compose_passages,
    outermost,
)
from bot.answer.llm import LLMComposer
from bot.answer.onrecord import sentences_on_record
from bot.answer.policy import Policy
from bot.answer.progress import StageReporter
from bot.answer.quarantine import usable_sentences
from bot.answer.routing import Plan, SpeakerIndex, condense, plan
from bot.answer.text import coverage, numbers_in, topic_terms
from bot.attribution.quantities import matching_quantities, parse_quantities
from bot.errors import BusyError
from bot.index.embedder import Embedder, embed_query
from bot.index.records import RecordStore
from bot.index.retrieval import HybridRetriever, nearest_claims
from bot.index.vectors import VectorStore
from bot.model import Answer, Article, Claim, Quantity, SearchHit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["AnswerChain", "Policy"]

CONTEXT_CHARS = 1000  # at most this much of a claim's paragraph on each side counts as its context


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
    parsed: ParsedClaim | None = None  # a checked claim, read as an attribution
    evidence: list[Evidence] = field(default_factory=list)  # what a check weighs, best first
    result: CheckResult | None = None  # a check's decision
    answer: Answer | None = None


class AnswerChain:
    """Answers questions and checks claims from the index, with verified citations."""

    def __init__(
        self, *, records: RecordStore, retriever: HybridRetriever, claim_vectors: VectorStore,
        embedder: Embedder, policy: Policy | None = None, chat_model: BaseChatModel | None = None,
    ) -> None:
        self._records = records
        self._retriever = retriever
        self._claim_vectors = claim_vectors
        self._embedder = embedder
        self.policy = policy or Policy()
        self._speakers: tuple[int, SpeakerIndex] | None = None
        # With a chat model, it rewrites follow-ups and writes the prose; retrieval, abstention,
        # verdicts and citation verification stay the same whichever composer writes.
        self._llm = LLMComposer(chat_model) if chat_model is not None else None
        self.runnable: Runnable[_State, Answer] = (
            RunnableLambda(self._condense)
            | RunnableLambda(self._retrieve)
            | RunnableLambda(self._judge)
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
        if route.route == "check":
            return self._retrieve_check(state)
        if route.route == "what_did" and route.speaker and not route.topic:
            # The answer shows the first max_claims outermost claims in (article, offset) order; each
            # article quoting the speaker has at least one, so the first max_claims articles hold them.
            claims = [
                c for voice in self._voices(route.speaker)
                for c in self._records.first_claims(speaker=voice, max_articles=self.policy.max_claims)
            ]
            state.claims = outermost([(c, 1.0) for c in sorted(claims, key=lambda c: (c.article_id or "", c.start))])
            return state
        query = route.topic or route.standalone
        state.vector = embed_query(self._embedder, query)  # once per question, for every step below
        state.claims = self._search_claims(
            query, state.vector, speakers=self._voices(route.speaker) if route.route == "what_did" else (),
            route=route.route,
        )
        if route.route == "general":
            state.passages = self._retriever.search(query, k=3, vector=state.vector)
        return state

    def _retrieve_check(self, state: _State) -> _State:
        """Claims nearest the checked *content* (not "X said"), plus the claimed speaker's own on it."""
        route = state.plan
        assert route is not None
        parsed = parse_claim(route.topic)
        if not parsed.attributed and (whole := parse_claim(route.standalone)).attributed:
            parsed = whole  # "Did Peskov really say ...?"
        state.parsed = parsed
        query = parsed.content or route.topic
        state.vector = embed_query(self._embedder, query)
        found = self._nearest(query, state.vector, k=30)
        if parsed.speaker is not None:
            speakers = self._speaker_index()
            for voice in self._voices(speakers.resolve(parsed.speaker) or parsed.speaker):
                found += self._nearest(query, state.vector, k=8, speaker=voice)
        elif quantities := parse_quantities(query):
            found += self._same_counts(quantities, found)
        state.evidence = self._weigh(query, state.vector, found, by_content=parsed.attributed)
        return state

    def _same_counts(
        self, quantities: Sequence[Quantity], found: Sequence[tuple[Claim, float]], *, articles: int = 5
    ) -> list[tuple[Claim, float]]:
        """Claims of the nearest articles giving a figure for what the checked claim counts.

        "The Interior Ministry put the number at about 1,500" barely resembles "Only about 1,500
        people took part in the march", yet it is the other side of the dispute.
        """
        nearest = list(dict.fromkeys(c.article_id for c, _ in found if c.article_id))[:articles]
        return [
            (claim, 0.0) for article_id in nearest for claim in self._records.claims(article_id=article_id)
            if any(q.counted and matching_quantities(q, claim.quantities) for q in quantities)
        ]

    def _judge(self, state: _State) -> _State:
        """Decide a claim check, once, from the weighed evidence."""
        if state.parsed is None:
            return state
        speakers = self._speaker_index()
        if state.parsed.attributed:
            content, vector, first = state.parsed.content, state.vector, len(state.evidence)
            state.result = check_attribution(
                state.parsed, state.evidence, speakers=speakers, policy=self.policy,
                sentences=lambda: self._on_record(content, vector, first=first),
            )
        else:
            assert state.plan is not None
            state.result = check_verdict(state.plan.topic, state.evidence, policy=self.policy, speakers=speakers)
        return state

    def _compose(self, state: _State) -> _State:
        route, t = state.plan, self.policy
        assert route is not None
        book = CitationBook(self._article)
        if state.result is not None:
            check = self._llm.compose_check if self._llm is not None else compose_check
            state.answer = check(state.result, book)
            return state
        floor = t.topic if route.route == "what_did" else t.claim
        relevant = _prefer_figures(route.topic or route.standalone, [(c, s) for c, s in state.claims if s >= floor])
        keep: list[Claim] = []
        if relevant:
            best = relevant[0][1]
            keep = [c for c, s in relevant if s >= best - t.spread or route.route == "what_did"][: t.max_claims]
            keep = self._own_words_first(keep, [c for c, _ in relevant])[: t.max_claims]
        if not keep and route.route == "who_said" and route.topic:
            keep = self._said_in_passages(route.topic, state.vector)
        if self._llm is not None:
            state.answer = self._compose_with_llm(state, keep, book)
        elif keep:
            state.answer = compose_claims(state.question, keep, book)
        elif route.route == "general" and (
            sentences := self._best_sentences(state.vector, state.passages, topic_terms(route.topic))
        ):
            state.answer = compose_passages(state.question, sentences, book)
        return state

    def _on_record(self, words: str, vector: Sequence[float], *, first: int = 0) -> list[Evidence]:
        """The passages' sentences "X said ..." holding (nearly) all of the words (``Policy.verbatim``):
        what the extractor missed, read only when no claim decides."""
        hits = self._retriever.search(words, k=5, vector=vector)
        return sentences_on_record(words, hits, article_text=lambda i: self._article(i).text,
                                   speakers=self._speaker_index(), floor=self.policy.verbatim, first=first)

    def _said_in_passages(self, words: str, vector: Sequence[float]) -> list[Claim]:
        """For "Who said C?" with no claim near C: the first such sentence that gives every figure C
        gives (nobody said "3 billion" in a sentence that gives 1.2 billion)."""
        wanted = numbers_in(words)
        return [e.claim for e in self._on_record(words, vector) if wanted <= numbers_in(e.claim.content)][:1]

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
        if state.answer is not None:
            verified = verify(state.answer, support=EmbeddingSupport(self._embedder), threshold=self.policy.support)
            if not verified.abstained or state.mode != "check":
                return verified
        if state.mode != "check":
            return Answer(question=state.question, answer=ABSTAIN_MESSAGE, abstained=True)
        # Nothing shown survived: the finding (who is not on record) still stands, without a citation.
        finding = attribution_check(state.result, None) if state.result is not None else None
        return Answer(question=state.question, answer=ABSTAIN_MESSAGE, abstained=True, verdict="unverified",
                      attribution=finding)

    # -- helpers -------------------------------------------------------------------------
    def _speaker_index(self) -> SpeakerIndex:
        """Known speakers, rebuilt only when the records change (not once per question)."""
        revision = self._records.revision()
        if self._speakers is None or self._speakers[0] != revision:
            self._speakers = (revision, SpeakerIndex(self._records.speakers(), self._records.speaker_roles()))
        return self._speakers[1]

    def _search_claims(
        self, query: str, vector: Sequence[float], *, speakers: Sequence[str] = (), route: str = "general"
    ) -> list[tuple[Claim, float]]:
        """Claims nearest the query (of ``speakers`` if given), scored by similarity adjusted for figures and words."""
        if speakers:
            found = outermost([pair for s in speakers for pair in self._nearest(query, vector, k=20, speaker=s)])
        else:
            found = outermost(self._nearest(query, vector, k=20))
        wanted = numbers_in(query)
        if route == "who_said" and wanted:  # nobody said "40 bodies" if no claim gives 40
            found = [(c, s) for c, s in found if wanted & numbers_in(c.content)]
        terms = topic_terms(query)
        scored = [(c, s + self._number_bonus(wanted, c) + self._lexical_bonus(terms, c, route)) for c, s in found]
        return sorted(scored, key=lambda pair: -pair[1])

    def _own_words_first(self, keep: list[Claim], relevant: list[Claim]) -> list[Claim]:
        """A representative's own words before their organisation's paraphrase of them.

        "Kremlin admits 'significant' loss of troops" (a headline) answers "who admitted
        significant losses?", but the spokesman who said the words is the more specific source:
        a relevant claim of a person who speaks for a kept organisation goes first.
        """
        speakers = self._speaker_index()
        voices = {c.speaker for c in keep if c.speaker}
        own = [
            c for c in relevant
            if c not in keep and c.speaker and any(speakers.speaks_for(c.speaker, org) for org in voices - {c.speaker})
        ]
        return [*own, *keep]

    def _nearest(
        self, query: str, vector: Sequence[float], *, k: int, speaker: str | None = None
    ) -> list[tuple[Claim, float]]:
        return nearest_claims(
            query, embedder=self._embedder, vectors=self._claim_vectors, records=self._records, k=k,
            speaker=speaker, vector=vector,
        )

    def _voices(self, speaker: str | None) -> list[str]:
        """A speaker and, for an organisation, the people who speak for it (its spokesman, its minister)."""
        if not speaker:
            return []
        return [speaker, *self._speaker_index().representatives(speaker)]

    def _weigh(
        self, query: str, vector: Sequence[float], found: list[tuple[Claim, float]], *, by_content: bool
    ) -> list[Evidence]:
        """Candidates for a check, each scored by what it *says*: its content's similarity to the checked words.

        Claim vectors embed "speaker cue: content", so the stored similarity also rewards a shared
        speaker. The content is embedded again (one batch); the relevance is the better of its
        similarity and the mean of that and its share of the checked words, and for a bare claim
        (``by_content`` false) the stored similarity too. An attributed check is decided on the
        content alone: X's name must not make X's other claims look like X saying the words.
        """
        unique: dict[str, tuple[Claim, float]] = {}
        for claim, score in outermost(found):
            if claim.id not in unique or unique[claim.id][1] < score:
                unique[claim.id] = (claim, score)
        claims = list(unique.values())
        if not claims:
            return []
        vectors = self._embedder.embed([c.content for c, _ in claims])
        terms = topic_terms(query)
        texts: dict[str, str] = {}
        titles: dict[str, str] = {}
        evidence = []
        for number, ((claim, score), content_vector) in enumerate(zip(claims, vectors, strict=True)):
            similarity = _dot(vector, content_vector)
            relevance = max(similarity, (similarity + coverage(terms, claim.content)) / 2)
            if not by_content:
                relevance = max(relevance, score)
            assert claim.article_id is not None
            if claim.article_id not in texts:
                article = self._article(claim.article_id)
                texts[claim.article_id] = article.text
                titles[claim.article_id] = article.title
            context = f"{titles[claim.article_id]}\n{_paragraph(texts[claim.article_id], claim.start, claim.end)}"
            evidence.append(Evidence(claim=claim, relevance=min(1.0, relevance), citation=number, context=context))
        return sorted(evidence, key=lambda e: -e.relevance)

    def _number_bonus(self, wanted: set[str], claim: Claim) -> float:
        """Dense similarity is blind to figures; reward a claim that gives the asked ones."""
        if not wanted:
            return 0.0
        return self.policy.number_bonus * len(wanted & numbers_in(claim.content)) / len(wanted)

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
        return self.policy.lexical * (share if route == "what_did" else share - 0.5)

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
            lexical = self.policy.lexical if terms else 0.0  # as for claims: a shared place is not an answer
            scored = [
                (_dot(query, v) + lexical * (coverage(terms or set(), text[s:e]) - 0.5), (s, e))
                for v, (s, e) in zip(vectors, spans, strict=True)
            ]
            score, span = max(scored)
            if score >= self.policy.passage:
                chosen.append((hit, span))
        return chosen

    def _article(self, article_id: str) -> Article:
        # A version replaced since it was retrieved is still cited (its text is exact); the
        # service marks such citations as superseded.
        article = self._records.article(article_id, history=True)
        if article is None:  # removed by another writer since it was retrieved
            raise _VanishedArticle(article_id)
        return article


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _paragraph(text: str, start: int, end: int) -> str:
    """The paragraph(s) holding ``text[start:end]``: where a source names the place or date of what it says."""
    low = max(text.rfind("\n", max(0, start - CONTEXT_CHARS), start) + 1, start - CONTEXT_CHARS, 0)
    high = text.find("\n", end, end + CONTEXT_CHARS)
    return text[low : high if high != -1 else end + CONTEXT_CHARS]


def _prefer_figures(question: str, relevant: list[tuple[Claim, float]]) -> list[tuple[Claim, float]]:
    """When the question names figures and some claims give exactly them, those claims answer it."""
    wanted = numbers_in(question)
    matching = [(c, s) for c, s in relevant if wanted and wanted <= numbers_in(c.content)]
    return matching or relevant
