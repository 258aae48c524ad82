"""Dependency patterns over one parsed chunk: speech verbs, "according to", noun cues, adverbs.

Every function takes the chunk's offset into the article so the spans it returns are
article offsets. spaCy is only used through the objects it hands us; it is never imported.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.attribution.candidates import Candidate, EntityMention, Mention, MentionKind
from bot.attribution.lexicon import (
    CLAUSE_ONLY,
    CUE_NOUNS,
    CUE_VERBS,
    PREP_CONTENT,
    PRONOUNS,
    ROLE_NOUNS,
    UNATTRIBUTED_ADVERBS,
)
from bot.attribution.spans import clean, subtract
from bot.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
_GROUP_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC"})
_ADDRESSEE_VERBS = frozenset({"tell", "ask", "urge", "warn", "assure", "inform", "accuse"})
_CLIMB_DEPS = frozenset({"conj", "advcl", "xcomp"})
_MENTION_CUT_DEPS = frozenset({"relcl", "acl", "punct", "cc", "conj", "prep"})
_CACHE = "whosaid.patterns"  # key of the per-doc lookups in ``Doc.user_data``


class _Lookups:
    """What every candidate of a doc asks for, computed once per doc.

    ``Doc.text`` joins every token, ``Doc.ents`` builds every entity and ``Token.sent`` walks
    the sentence, each on every call: asked once per candidate, they made a chunk's cost grow
    with the square of its length.
    """

    def __init__(self, doc: Doc) -> None:
        self.text = doc.text
        self.sents: list[DocSpan] = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]
        # Entities never overlap, so their starts and their ends are both sorted.
        self.ents: list[DocSpan] = [e for e in doc.ents if e.label_ in _NAME_LABELS]
        self.ent_starts = [e.start for e in self.ents]
        self.ent_ends = [e.end for e in self.ents]

    def sent(self, tok: Token) -> DocSpan:
        """The sentence holding ``tok``."""
        return self.sents[bisect_right(self.sent_starts, tok.i) - 1]

    def ents_between(self, first: int, last: int) -> list[DocSpan]:
        """The named entities overlapping tokens ``first`` to ``last`` (inclusive)."""
        return self.ents[bisect_right(self.ent_ends, first) : bisect_right(self.ent_starts, last)]


def _lookups(doc: Doc) -> _Lookups:
    data: dict[Any, Any] = doc.user_data
    found = data.get(_CACHE)
    if found is None:
        found = data[_CACHE] = _Lookups(doc)
    return found


def forget(doc: Doc) -> None:
    """Drop the lookups kept on ``doc`` (they refer back to it, so only the cycle collector frees them)."""
    doc.user_data.pop(_CACHE, None)


def _doc_text(tok: Token) -> str:
    return _lookups(tok.doc).text


def find_candidates(doc: Doc, offset: int) -> list[Candidate]:
    """Return every attribution candidate in one parsed chunk."""
    found: list[Candidate] = []
    for tok in doc:
        cand = None
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            cand = _according_to(tok, offset)
        elif tok.lower_ in UNATTRIBUTED_ADVERBS and tok.dep_ == "advmod":
            cand = _adverb(tok, offset)
        elif tok.lemma_.lower() in CUE_VERBS and _verb_like(tok):
            cand = _verb(tok, offset)
        elif tok.lemma_.lower() in _FIGURE_VERBS and tok.pos_ == "VERB":
            cand = _figure_at(tok, offset)
        elif tok.pos_ == "NOUN" and tok.lemma_.lower() in CUE_NOUNS:
            cand = _noun(tok, offset)
        if cand is not None:
            sent = _lookups(doc).sent(tok)
            cand.sentence = (offset + sent.start_char, offset + sent.end_char)
            found.append(cand)
    return found


def _verb_like(tok: Token) -> bool:
    """A verb, or a word mis-tagged as a noun that still heads a subject and a clause."""
    if tok.pos_ in {"VERB", "AUX"}:
        return True
    deps = {c.dep_ for c in tok.children}
    return tok.pos_ == "NOUN" and "nsubj" in deps and bool(deps & {"ccomp", "dobj"})


def _tok_span(tok: Token, offset: int) -> Span:
    return (offset + tok.idx, offset + tok.idx + len(tok.text))


def _token_spans(tokens: Iterable[Token], offset: int) -> list[Span]:
    """Contiguous char ranges covering the given tokens (gaps split the ranges)."""
    spans: list[Span] = []
    last_i = -2
    for tok in sorted(tokens, key=lambda t: t.i):
        s, e = _tok_span(tok, offset)
        if tok.i == last_i + 1 and spans:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
        last_i = tok.i
    return spans


def _content(roots: Iterable[Token], offset: int, exclude: Iterable[Token] = ()) -> list[Span]:
    """Content spans: the subtrees of ``roots`` minus excluded tokens, trimmed."""
    skip = {t.i for t in exclude}
    tokens = [t for r in roots for t in r.subtree if t.i not in skip]
    text = roots_doc_text(roots)
    spans = _token_spans(tokens, 0)
    return [(s + offset, e + offset) for s, e in clean(text, spans)]


def roots_doc_text(roots: Iterable[Token]) -> str:
    """The text of the doc the tokens belong to."""
    return _doc_text(next(iter(roots)))


def _verb(tok: Token, offset: int) -> Candidate | None:
    """A speech verb: subject = source, clausal or object complement = content."""
    lemma = tok.lemma_.lower()
    roots = [c for c in tok.children if c.dep_ == "ccomp"]
    if not roots:
        roots = _object_content(tok, lemma)
    content: list[Span] = _content(roots, offset) if roots else []
    if not roots and tok.dep_ == "parataxis" and tok.head.pos_ in {"VERB", "AUX"}:
        # '"We will win," he said' parsed with the quote as the head clause.
        content = _content([tok.head], offset, exclude=tok.subtree)
    subject = _subject(tok)
    if subject is None:
        return _impersonal(tok, content, offset)
    if not speaks(subject):
        return None
    cue_tokens = [tok, *(c for c in tok.children if c.dep_ in {"prt", "neg"} and c.i > tok.i)]
    cue_span = _token_spans(cue_tokens, offset)[0]
    return Candidate(
        cue_span=cue_span,
        cue=_doc_text(tok)[cue_span[0] - offset : cue_span[1] - offset],
        stance=CUE_VERBS[lemma],
        content=subtract(content, cue_span),
        source=source_mention(subject, offset),
        negated=any(c.dep_ == "neg" for c in tok.children),
    )


def _object_content(tok: Token, lemma: str) -> list[Token]:
    """Content roots when there is no clausal complement (xcomp, object, prepositional object)."""
    xcomps = [c for c in tok.children if c.dep_ == "xcomp"]
    objects = [c for c in tok.children if c.dep_ in {"dobj", "attr", "oprd"}]
    if xcomps:
        return objects + xcomps if lemma in _ADDRESSEE_VERBS else xcomps
    preps = PREP_CONTENT.get(lemma, frozenset())
    pobjs = [g for c in tok.children if c.dep_ == "prep" and c.lower_ in preps for g in c.children
             if g.dep_ in {"pobj", "pcomp"}]
    if pobjs:
        return pobjs
    if lemma in CLAUSE_ONLY or lemma in _ADDRESSEE_VERBS:
        return []
    return [o for o in objects if o.lower_ not in PRONOUNS and o.pos_ != "PRON"]


def _subject(tok: Token) -> Token | None:
    """The grammatical subject, climbing through conjoined and participial verbs."""
    current = tok
    for _ in range(3):
        subjects = [c for c in current.children if c.dep_ in {"nsubj", "csubj"}]
        if subjects:
            # Two subjects mean a misparse; the one nearest the verb is the speaker.
            return min(subjects, key=lambda c: abs(current.i - c.i))
        agent = next((c for c in current.children if c.dep_ == "agent"), None)
        if agent is not None:
            return next((g for g in agent.children if g.dep_ == "pobj"), None)
        if any(c.dep_ == "nsubjpass" for c in current.children):
            return None
        if not _climbs(current):
            return None
        current = current.head
    return None


# Subjects that name no speaker: "it shows that ...", or a relative pronoun standing for nothing.
NOT_SPEAKERS = frozenset({"it", "this", "that", "there", "which", "what", "who"})


def speaks(subject: Token) -> bool:
    """Whether a verb's subject can be a speaker (through the noun a relative pronoun stands for)."""
    return antecedent(subject).lower_ not in NOT_SPEAKERS


def antecedent(tok: Token) -> Token:
    """The noun a relative pronoun stands for, or the token itself.

    "Doris Crouse-Mays, who said the deal was fair": the speaker of "said" is Crouse-Mays.
    """
    relative = tok.lower_ in _RELATIVE and tok.tag_ in {"WP", "WDT"}
    if relative and tok.head.dep_ == "relcl" and tok.head.head.pos_ in {"NOUN", "PROPN"}:
        return tok.head.head
    return tok


def _climbs(tok: Token) -> bool:
    """Conjoined verbs and participles ('..., saying') share their head's subject."""
    if tok.head is tok:
        return False
    if tok.dep_ == "advcl":
        return tok.tag_ in {"VBG", "VBN"}
    return tok.dep_ in _CLIMB_DEPS


def _impersonal(tok: Token, content: list[Span], offset: int) -> Candidate | None:
    """'It is reported that ...': a passive cue with an expletive subject and no agent."""
    subj = next((c for c in tok.children if c.dep_ in {"nsubjpass", "expl"}), None)
    if subj is None or subj.lower_ != "it" or not content:
        return None
    span = _tok_span(tok, offset)
    return Candidate(
        cue_span=span, cue=tok.text, stance=CUE_VERBS[tok.lemma_.lower()],
        content=subtract(content, span), source=None,
    )


# "The hospital put the toll at 31", "officials put the number of injured at 96": a figure given
# by its source, the way news reports a count; the content is the count and its figure.
_FIGURE_VERBS = frozenset({"put", "place", "estimate"})
_FIGURE_NOUNS = frozenset({"number", "toll", "figure", "count", "total", "tally", "cost", "bill", "damage", "size"})


def _figure_at(tok: Token, offset: int) -> Candidate | None:
    """'X put the toll at 31': X gives a figure (an estimate), the count and figure are the content."""
    count = next((c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in _FIGURE_NOUNS), None)
    at = next((c for c in [*tok.children, *(count.children if count is not None else ())]
               if c.dep_ == "prep" and c.lower_ == "at" and any(g.like_num for g in c.subtree)), None)
    subject = _subject(tok)
    if count is None or at is None or subject is None or subject.lower_ in {"it", "this", "that", "which", "who"}:
        return None
    span = _tok_span(tok, offset)
    return Candidate(
        cue_span=span, cue=tok.text, stance="estimates",
        content=subtract(_content([count, at], offset), span), source=_mention(subject, offset),
    )


def _according_to(tok: Token, offset: int) -> Candidate | None:
    """'..., according to X': X is the source, the clause it modifies is the content."""
    to = tok.doc[tok.i + 1]
    pobj = next((c for c in [*to.children, *tok.children] if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    sent_root = _lookups(tok.doc).sent(tok).root
    head = tok.head if tok.head is not tok else sent_root
    scope = head if head.i != tok.i else sent_root
    exclude = [*tok.subtree, to, *to.subtree, *_own_clauses(scope)]
    cue_span = (offset + tok.idx, offset + to.idx + len(to.text))
    content = _content([scope], offset, exclude=exclude)
    if not content:
        content = _content([sent_root], offset, exclude=exclude)
    return Candidate(
        cue_span=cue_span, cue=_doc_text(tok)[tok.idx : to.idx + len(to.text)], stance="reports",
        content=subtract(content, cue_span), source=_mention(pobj, offset), kind="according-to",
    )


def _adverb(tok: Token, offset: int) -> Candidate | None:
    """'Reportedly, 26 bodies have been found': reporting without a source."""
    content = _content([tok.head], offset, exclude=[tok, *_own_clauses(tok.head)])
    span = _tok_span(tok, offset)
    content = subtract(content, span)
    if not content:
        return None
    return Candidate(cue_span=span, cue=tok.text, stance="reports", content=content, source=None)


def _own_clauses(head: Token) -> list[Token]:
    """Tokens of conjoined clauses that have their own subject (another statement)."""
    out: list[Token] = []
    for child in head.children:
        if child.dep_ == "conj" and any(g.dep_.startswith("nsubj") for g in child.children):
            out.extend(child.subtree)
            out.extend(c for c in head.children if c.dep_ == "cc" and c.i < child.i)
    return out


def _noun(tok: Token, offset: int) -> Candidate | None:
    """"X's claim that ...": a cue noun with a that-clause and a possessor or by-agent."""
    clause = next(
        (c for c in tok.children if c.dep_ in {"acl", "ccomp"}
         and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)),
        None,
    )
    if clause is None:
        return None
    source = next((c for c in tok.children if c.dep_ == "poss"), None)
    if source is None:
        by = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        source = next((g for g in by.children if g.dep_ == "pobj"), None) if by else None
    if source is None:
        return None
    span = _tok_span(tok, offset)
    return Candidate(
        cue_span=span, cue=tok.text, stance=CUE_NOUNS[tok.lemma_.lower()],
        content=_content([clause], offset), source=_mention(source, offset),
    )


def _mention(root: Token, offset: int) -> Mention:
    """Describe a source noun phrase: its span, entity name, role and kind."""
    keep = [root]
    for child in root.children:
        if child.dep_ not in _MENTION_CUT_DEPS and child.dep_ != "case":
            keep.extend(child.subtree)
        elif child.dep_ == "prep" and (named := _appositive_person(child)) is not None:
            keep.extend(t for t in child.subtree if t.i <= named.i)  # "The mayor of Kallan, Rosa Ferreira"
    tokens = sorted({t.i: t for t in keep}.values(), key=lambda t: t.i)
    text = _doc_text(root)
    raw = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
    span = (clean(text, [raw]) or [raw])[0]
    ent = _entity_for(root, tokens)
    kind = _kind(root, ent)
    role = _role(tokens, ent, root) if kind != "pronoun" else None
    return Mention(
        span=(span[0] + offset, span[1] + offset), text=text[span[0] : span[1]], kind=kind,
        name=ent.text if ent is not None else None, role=role, head=root.lower_,
    )


def source_mention(tok: Token, offset: int, written: Span | None = None) -> Mention:
    """A source's mention, spanning ``written`` (article offsets) when given, else the phrase.

    A relative pronoun is described by the noun it stands for: "Doris Sand, who said ..." is a
    mention "who" named "Doris Sand", as a "he" stays "he"; "The report, which said ..." is the
    mention "The report", since a description is resolved by its words.
    """
    named = antecedent(tok)
    mention = _mention(named, offset)
    if named is not tok:
        if mention.name is None:
            return mention
        written = written or (offset + tok.idx, offset + tok.idx + len(tok.text))
    if written is not None:
        mention.span, mention.text = written, tok.doc.text[written[0] - offset : written[1] - offset]
    return mention


def _appositive_person(prep: Token) -> Token | None:
    """The head of a person's name in apposition inside a prepositional phrase of a source.

    The parser attaches "Rosa Ferreira" in "The mayor of Kallan, Rosa Ferreira, said" to
    "Kallan", so cutting the mention at "of" would lose the speaker's name.
    """
    for obj in prep.children:
        if obj.dep_ != "pobj":
            continue
        for child in obj.children:
            if child.dep_ == "appos" and child.ent_type_ == "PERSON":
                return child
    return None


def _entity_for(root: Token, tokens: list[Token]):
    """The named entity that names the mention: the one holding the head, else a person."""
    first, last = tokens[0].i, tokens[-1].i
    named = _lookups(root.doc).ents_between(first, last)
    for ent in named:
        if ent.start <= root.i < ent.end:
            return ent
    # "Lunmark's chief executive, Gideon Sallow": the person in apposition to the head, not the
    # possessor (which the tagger may also call a person).
    for child in root.children:
        if child.dep_ == "appos":
            labels = {"PERSON", "ORG"} if root.lower_ in ROLE_NOUNS else {"PERSON"}  # the tagger mislabels names
            holder = next((e for e in named if e.start <= child.i < e.end and e.label_ in labels), None)
            if holder is not None:
                return holder
    if root.tag_ == "NNS":
        return None  # "Two former Fennick Hill operators": a group, not the place that qualifies it
    people = [e for e in named if e.label_ == "PERSON"]
    return people[0] if people else None


def _kind(root: Token, ent) -> MentionKind:
    if root.lower_ in PRONOUNS or root.pos_ == "PRON":
        return "pronoun"
    if ent is None:
        return "nominal"
    return "group" if ent.label_ in _GROUP_LABELS else "person"


_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
_BARE_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "sir", "dame", "."})


def _role(tokens: list[Token], ent, root: Token) -> str | None:
    """Words around the name that describe the speaker ("Kremlin spokesman")."""
    inside = set(range(ent.start, ent.end)) if ent is not None else {root.i}
    if ent is None and (root.pos_ != "NOUN" or root.lower_ not in ROLE_NOUNS):
        return None
    rest = [t for t in tokens if t.i not in inside and t.pos_ not in {"DET", "PUNCT"} and t.tag_ != "POS"]
    before = [t for t in rest if t.i < min(inside)]
    after = [t for t in rest if t.i > max(inside)]
    if ent is None:
        before = [*before, root]
    # "Declan Murrow, 52, who has worked as a signaller": an age is no role.
    while after and after[0].text.isdigit():
        after = after[1:]
    # "the director of the Authority, which regulates ...": the role ends where a relative clause begins.
    cut = next((i for i, t in enumerate(after) if t.lower_ in _RELATIVE or t.dep_ == "relcl"), None)
    if cut:
        after = after[:cut]
    # "Dr. Sabine Oyelaran, the hospital's head of infectious diseases": a bare title is no role
    # when an apposition says what the person does.
    title_only = all(t.lower_.rstrip(".") in _BARE_TITLES for t in before)
    part = after if before and title_only and after and after[0].lower_ not in _RELATIVE else before or after
    if not part or part[0].lower_ in _RELATIVE:  # "Pekkari, who worked at the depot": no role
        return None
    text = _doc_text(root)[part[0].idx : part[-1].idx + len(part[-1].text)].strip(" ,")
    if not text or "\n" in text or len(text.split()) > 8:
        return None
    return text


def entity_mentions(doc: Doc, offset: int) -> list[EntityMention]:
    """Named people and organisations in a chunk, with a role from titles or appositions."""
    out: list[EntityMention] = []
    for ent in _lookups(doc).ents:
        role = None
        if ent.label_ == "PERSON":
            role = _role(list(ent.root.subtree), ent, ent.root)
        span = (offset + ent.start_char, offset + ent.end_char)
        out.append(EntityMention(span=span, text=ent.text, label=ent.label_, role=role, subject=_is_subject(ent.root)))
    return out


_SUBJECTS = frozenset({"nsubj", "nsubjpass"})


def _is_subject(root: Token) -> bool:
    """Whether a name is its clause's subject, directly or as an apposition or compound of it
    (also through "of": "The mayor of Kallan, Rosa Ferreira, said" has Ferreira as subject)."""
    while root.dep_ in ("appos", "compound") and root.head is not root:
        appositive = root.dep_ == "appos"
        root = root.head
        if appositive and root.dep_ == "pobj" and root.head.dep_ == "prep":
            root = root.head.head
    # A noun as the root of its sentence is a subject whose verb the parser took for a modifier
    # ("The spokesman, Milan Horvat, called for..." parsed with "called" as an acl of "spokesman").
    return root.dep_ in _SUBJECTS or (root.dep_ == "ROOT" and root.pos_ in ("NOUN", "PROPN"))
