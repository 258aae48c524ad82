"""Comparing what a checked claim says with what a source said: polarity, figures, names, cue.

A check is decided on differences, not on similarity alone: "26 bodies were found in Bucha" is
very similar to "26 bodies were found in Borodyanka", and "sanctions pose a threat" to
"sanctions do not pose a threat". ``compare`` lists every difference it can name:

* ``negation``: the content's polarity, read from the clause of the source's content that
  shares most of the claim's words ("do not pose"), with the source's denial cue and a negated
  cue ("did not say") each flipping it; the claim's own polarity is read the same way;
* ``figure``: a number for the same counted thing whose hedged range does not overlap;
* ``place``, ``person``, ``date``: a name or date the claim gives that the source's paragraph
  does not: where the source's content names another one, or where the claim puts it in a place
  slot ("in Bucha"), which the source must fill the same way (``_name_differences``);
* ``cue``: a stronger or weaker reporting verb ("confirmed" for an estimate, "admitted" for a
  suggestion); denials are polarity, not strength.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.text import IRREGULAR_PAST, content_terms, coverage, topic_terms
from bot.attribution.dates import DATE, Date, find_dates, find_times, read_date
from bot.attribution.lexicon import NEGATION, OPPOSITES, negated
from bot.attribution.names import NOT_NAMES, TITLE_WORDS, SpeakerIndex, name_words, names_in, same_person
from bot.attribution.people import BODY_NOUNS
from bot.attribution.quantities import compatible, hedge, matching_quantities, parse_quantities
from bot.model import Claim, Difference, DifferenceKind

# Stances that take the opposite position from their content. Every one is a value the lexicon emits.
DENIAL_STANCES: frozenset[str] = frozenset({"denies"})
# Stances that are no claim of the speaker's: a question put, or one asked.
NON_CLAIM_STANCES: frozenset[str] = frozenset({"asks"})
DOUBT_STANCES: frozenset[str] = frozenset({"doubts"})  # a position against the words, not a denial
CERTAIN_STANCES: frozenset[str] = frozenset({"confirms", "admits"})
# Cues that commit the speaker: a certainty, or a promise ("promised that the report would be out
# by January" is more than "expected it by January").
_COMMITTED: frozenset[str] = CERTAIN_STANCES | {"promises"}
HEDGED_STANCES: frozenset[str] = frozenset(
    {"estimates", "suggests", "believes", "suspects", "predicts", "fears", "hopes", "doubts"}
)

_CONTRAST = re.compile(r"[,;]\s*(?:and\s+|but\s+)?not\s+(?:[\w'’]+\s+){0,3}[\w'’]+\s*(?:[,.;!?\"”]|$)", re.I)
_CLAUSES = re.compile(
    r"\s*(?:[;:]|,(?!\d)|(?<=[.!?])\s|(?<=[.!?][\"”’'])\s|\b(?:and|but|as|because|while|although|whereas|since)\b)\s*",
    re.I,
)
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|inside|across|on|since|until|during|from)\s+(?:the\s+)?$", re.I)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a source's claim compares with the checked content."""

    coverage: float  # share of the checked content's topic words in the source's content
    flipped: bool  # opposite polarity
    flipped_by_cue: bool  # ... because one side denies (or negates its cue) and the other asserts
    differences: tuple[Difference, ...]
    unsure: bool = False  # an opposite polarity too far from the claim's words to read either way

    @property
    def clean(self) -> bool:
        """No difference and the same polarity: the source says it."""
        return not self.flipped and not self.differences and not self.unsure


def compare(
    content: str, stance: str, source: Claim, *, context: str = "", speakers: SpeakerIndex | None = None,
    cue: str | None = None,
) -> Comparison:
    """Compare a checked content (with the stance its claim gives it) with a source's claim.

    ``context`` is the article text around the source's claim (its sentence and neighbours), so
    a place named just before a quote still counts as the source's.
    """
    terms = topic_terms(content)
    # The two clauses that say the same thing: the source's clause with most of the claim's words,
    # and the claim's clause with most of that one's ("X felt C because most people don't know":
    # the source quoting only "most people don't know" is not a negation the claim dropped).
    source_clause = _clause(source.content, content)
    claim_clause = _clause(content, source_clause)
    # A claim that runs over two of the source's clauses is read on the one a negation governs:
    # "the 2022 audit had found serious weaknesses" against "... had been carried out in 2022 and
    # had found 'no serious weaknesses'" is the second clause's, though the first shares more words.
    anchored = _negation_anchor(content, source.content)
    if anchored is not None:
        claim_clause, source_clause = anchored
    claim_negated = _reads_negated(_outer(claim_clause, source.content), source_clause) != (stance in DENIAL_STANCES)
    # A word of opposite sense in the source's clause ("right" for the claim's "wrong") reverses it too.
    source_content_negated = _reads_negated(_outer(source_clause, content), claim_clause) != _opposed(
        claim_clause, source_clause
    )
    source_cue_negated = (source.stance in DENIAL_STANCES) != source.negated
    # "... and she rejected the union's claim that single staffing had become the rule": a denial
    # inside the source's words, of the very clause the claim restates, is a denial cue of its own.
    if _INNER_DENIAL.search(source_clause) and not _INNER_DENIAL.search(claim_clause):
        source_cue_negated = not source_cue_negated
    flipped = claim_negated != (source_content_negated != source_cue_negated)
    if flipped and source_clause != source.content.strip() and _CONTRAST.search(source.content):
        # "... is the inspectorate's job, not ours": the negation sits in a clause of its own, so
        # which clause the claim restates decides the polarity; no flip can be read from it.
        flipped = False
    by_cue = flipped and ((stance in DENIAL_STANCES) != source_cue_negated)
    differences: list[Difference] = []
    if flipped and not by_cue:
        differences.append(Difference("negation", claim_clause, source_clause))
    differences += _figure_differences(content, source)
    differences += _name_differences(content, source, context or source.content, speakers)
    differences += _contrast_differences(content, source.content)
    if not flipped:
        differences += _swapped_contrast(content, source.content)
    difference = _cue_difference(stance, cue, source, content) if cue else None
    if difference is None:
        difference = _hedge_difference(claim_clause, source_clause, cue, certain=stance in _COMMITTED)
    if difference is None and stance in CERTAIN_STANCES:
        difference = _bound_confirmed(content, source, cue)
    if difference is not None:
        differences.append(difference)
    return Comparison(coverage(terms, source.content), flipped, by_cue, tuple(differences))


_INNER_DENIAL = re.compile(
    r"\b(?:rejected|rejects|denied|denies|dismissed|dismisses|disputed|disputes|refuted|refutes)\s+"
    r"(?:(?:the|a|an|any)\s+)?(?:[\w'’]+\s+){0,3}?(?:claims?|suggestions?|reports?|allegations?|ideas?|"
    r"accusations?|charges?)\s+that\b|\b(?:denied|denies)\s+that\b",
    re.I,
)


# A negated infinitive: the negation is the content of an order or a request, not of its verb.
_NOT_TO = re.compile(r"\b(?:not|never)\s+(?=to\s+([\w'’]+))", re.I)


def _outer(clause: str, other: str) -> str:
    """A clause without the negations of infinitives whose verb the other side does not have: "had
    told Corvane's management not to raise its pay offer" tells (and its denial denies telling)
    whatever "told Corvane what to offer" says; "told staff not to report leaks" keeps its "not"
    against "staff were told to report leaks", where both have the verb."""
    if not _NOT_TO.search(clause):
        return clause
    terms = content_terms(other, framing=True)
    return _NOT_TO.sub(lambda m: m.group() if content_terms(m.group(1), framing=True) & terms else "", clause)


def subject_shared(claim: str, source: str) -> bool:
    """Whether the source is about what the claim is about: the common nouns before each one's verb.

    "Quillon's negligence did not cause the explosion" is about negligence; neither "an inquiry
    into the cause of the explosion" nor "the delay had been caused by the risk of a second
    explosion" is, though each shares two of its words. A subject that is only a name or a
    pronoun ("Velmar lost 498 soldiers", "it confirms the result") tells nothing and passes; a
    source whose subject the claim names elsewhere ("Sabotage caused the explosion") passes.
    """
    mine, theirs = _subject_terms(claim), _subject_terms(source)
    if mine and not _FINITE.search(source):  # a noun phrase ("an inquiry into the cause of X"): it must name it
        return bool(mine & content_terms(source))
    return not mine or not theirs or bool(mine & theirs) or bool(theirs & content_terms(claim))


# An adjunct of place or time ("on the night of the Aldwick near-miss"), to the next clause.
_ADJUNCT = re.compile(
    r"(?<!-)\b(?:on|in|at|during|since|after|before|until|throughout)\b(?!-)"
    r".*?(?=[,;]|\b(?:and|but|because|that|who|which|when|while)\b|$)", re.I
)


def point_shared(claim: str, source: str) -> bool:
    """Whether the source has a word of what the claim says happened, beyond its circumstances.

    "Declan Murrow was wide awake on the night of the Aldwick near-miss" is about being awake: "a
    single signaller had been running the boxes on the night of the near-miss" shares its night
    and its near-miss, not its point. A claim whose words are all names or circumstances passes.
    """
    core = content_terms(" ".join(w for w in _WORD.findall(_ADJUNCT.sub(" ", claim)) if w[:1].islower()))
    return not core or bool(core & content_terms(source))


def _subject_terms(text: str) -> set[str]:
    text = re.sub(r"^[\W_]*(?:that\s+)?", "", text)
    verb = _FINITE.search(text)
    head = text[: verb.start()] if verb else ""
    return content_terms(" ".join(w for w in re.findall(r"[\w'’]+", head) if w[:1].islower()))


def _opposed(claim: str, source: str) -> bool:
    """Whether the source's clause puts a word of opposite sense for one of the claim's (an odd number of times)."""
    mine = set(re.findall(r"[a-z]+", claim.lower()))
    theirs = set(re.findall(r"[a-z]+", source.lower()))
    swaps = sum(1 for word in mine - theirs if OPPOSITES.get(word, frozenset()) & (theirs - mine))
    return swaps % 2 == 1


# A source's clause that only supposes ("If this letter is genuine, ...") or allows a possibility
# ("could face fines") is not the claim's plain statement of it ("confirmed that the letter is genuine").
_SUPPOSED = re.compile(r"^[\W_]*(?:that\s+)?(?:if|unless|whether|should)\b", re.I)
_ESTIMATED = re.compile(
    r"\b(?:estimates?|estimated|expects?|expected|believes?|believed|thinks?|likely|hopes?|hoped|"
    r"would\s+be\s+surprised|looks?\s+like|appears?\s+to|seems?\s+to)\b",
    re.I,
)
_POSSIBLE = re.compile(r"\b(?:could|might|may|possibly|perhaps|probably)\b", re.I)


def _hedge_difference(
    claim_clause: str, source_clause: str, cue: str | None, *, certain: bool = False
) -> Difference | None:
    """A condition or a possibility the source states and the claim drops, as a difference of cue."""
    if _SUPPOSED.match(source_clause) and not _SUPPOSED.match(claim_clause):
        return Difference("cue", cue or "said", source_clause.strip(" \"“”‘’'"))
    possible = _POSSIBLE.search(source_clause)
    if possible and not _POSSIBLE.search(claim_clause) and not _SUPPOSED.search(claim_clause):
        return Difference("cue", cue or "said", possible.group())
    # "confirmed that 1,800 were infected" for "We estimate that at least 1,800 have been": a certain
    # cue for what the source only estimates in its own words.
    estimated = _ESTIMATED.search(source_clause)
    if certain and estimated and not _ESTIMATED.search(claim_clause):
        return Difference("cue", cue or "said", estimated.group())
    return None


_WORD = re.compile(r"[\w'’]+")
_AS_AS = re.compile(r"\bas\s+(?:high|many|much|low|well|long|far|soon|large|big|few|little)\s+as\b|\bsuch\s+as\b", re.I)


def _bound_confirmed(content: str, source: Claim, cue: str | None) -> Difference | None:
    """"confirmed that 230,000 people were affected" for "at least 230,000": a certain cue on an
    exact figure where the source gave a bound or an approximation, a difference of cue."""
    for quantity in parse_quantities(content):
        if hedge(quantity):
            continue
        hedged = next((q for q in matching_quantities(quantity, source.quantities) if hedge(q)), None)
        if hedged is not None and hedged.value == quantity.value:
            return Difference("cue", cue or "said", hedged.text)
    return None


def _clause(text: str, claim: str) -> str:
    """The clause of a text with the most of the claim's content words (the whole text if one clause)."""
    # "as high as 60", "as well as": comparisons, not the conjunction "as" (masked, same length).
    parts = _clauses(text)
    if len(parts) <= 1:
        return text.strip()
    terms = content_terms(claim)
    # Clauses are cut at conjunctions too, so a negation ("do not pose ... , as ...") stays with its verb.
    return max(parts, key=lambda p: (len(terms & content_terms(p)), -len(p))).strip()


def _clauses(text: str) -> list[str]:
    """A text cut at clause boundaries and conjunctions (``_CLAUSES``), comparisons kept whole."""
    masked = _AS_AS.sub(lambda m: "_" * len(m.group()), text)
    cuts = [0, *(i for m in _CLAUSES.finditer(masked) for i in m.span()), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts[::2], cuts[1::2], strict=True) if text[a:b].strip()]


def _governed(clause: str) -> str | None:
    """The content word a clause's negation governs: the first after its last negation word ("no
    passwords", "Nobody acted", "had still not been unblocked"); ``None`` if the clause is not negated
    or is a contrast of its own (", not ours")."""
    if not negated(clause) or _CONTRAST.search(", " + clause):
        return None
    last = [m for m in NEGATION.finditer(clause) if m.group().lower() != "without"][-1]
    tail = clause[last.end():]
    if last.group().lower() in ("nobody", "none", "nothing", "no"):
        tail = _WHO_OF.sub("", tail, count=1)  # "Nobody at Quillon ever received it": "received"
    for word in _WORD.findall(tail):
        if word.lower() in _NEGATION_ADVERBS:
            continue  # "no longer has", "never once replied"
        if terms := content_terms(word):
            return min(terms)
    return None


_WHO_OF = re.compile(r"^\s+(?:one\s+)?(?:at|in|from|of|on)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
_NEGATION_ADVERBS = frozenset({
    "longer", "ever", "yet", "even", "once", "always", "really", "actually", "still", "just",
})


def _negation_anchor(claim: str, source: str) -> tuple[str, str] | None:
    """The (claim clause, source clause) pair that shares the word one side's negation governs,
    when every such pair reads the same polarity; ``None`` when none does or they disagree."""
    claim_clauses, source_clauses = _clauses(claim), _clauses(source)
    if len(claim_clauses) == len(source_clauses) == 1:
        return None
    pairs = []
    for mine, theirs in ((source_clauses, claim_clauses), (claim_clauses, source_clauses)):
        for clause in mine:
            word = _governed(clause)
            sharing = [c for c in theirs if word and word in content_terms(c)]
            # Of the other side's clauses with the word, the one most like this clause ("I'm not
            # working for Trump" pairs with itself, not with "I'm working for you now").
            other = max(sharing, key=lambda c: len(content_terms(c) & content_terms(clause)), default=None)
            if other is not None:
                pairs.append((other, clause) if mine is source_clauses else (clause, other))
    readings = {negated(c) != negated(s) for c, s in pairs}
    return pairs[0] if len(readings) == 1 else None


_WITHOUT = re.compile(r"\bwithout\s+(?:(?:being|having|been|ever|once|any|a|an|the)\s+)*([a-z]+)", re.I)


def _reads_negated(clause: str, other: str) -> bool:
    """Whether a clause is negated, "without" counted where it governs the word the other side's
    negation does: "had gone three years without being cleared" says "had not been cleared for three
    years"; "sent home without a doctor seeing them" stays a statement against "No patient was sent
    home without being seen by a doctor", whose negation is of the patients sent home."""
    if negated(clause):
        return True
    word = _governed(other)
    return bool(word) and any(word in content_terms(m.group(1)) for m in _WITHOUT.finditer(clause))


def negation_shared(claim: str, source: str) -> bool:
    """Whether a negation on one side governs a word the other side has: "he had no photographs
    of the branches" against "he had photographs of the branches, taken in February" negates the
    very thing the source says, however few of the claim's other words it shares."""
    for mine, theirs in ((claim, source), (source, claim)):
        if _reads_negated(mine, theirs) == _reads_negated(theirs, mine):
            continue
        terms = content_terms(theirs)
        if any((word := _governed(clause)) and word in terms for clause in _clauses(mine)):
            return True
    return False


def _figure_differences(content: str, source: Claim) -> list[Difference]:
    """Figures for the same count whose hedged ranges cannot overlap."""
    found: list[Difference] = []
    for quantity in parse_quantities(content):
        matched = matching_quantities(quantity, source.quantities)
        if matched and not any(compatible(quantity, other) for other in matched):
            found.append(Difference("figure", quantity.text, matched[0].text))
    return found


def _name_differences(
    content: str, source: Claim, context: str, speakers: SpeakerIndex | None
) -> list[Difference]:
    """Names and dates the claim gives that the source does not.

    A name in a place or time slot ("in Bucha", "on 24 March") must be the source's: missing, it
    is a difference even when the source names no other place (it does not say so). Any other
    name (a subject, "Velmar lost 498 soldiers") differs only where the source's content puts
    another name in its stead; the source may leave it to its speaker or paragraph.
    """
    context = context or f"{source.speaker or ''} {source.role or ''} {source.content}"
    given = _names_and_dates(context)
    folded = context.casefold()
    others = [(n, slot) for n, slot in _slotted(source.content) if n.casefold() not in content.casefold()]
    found = []
    dates: list[tuple[str, Date]] | None = None  # read when the claim gives a date
    for name, located in _slotted(content):
        kind = _kind(name, speakers)
        if kind == "date":
            dates = _dates_of(content, source.content) if dates is None else dates
            found += _date_difference(name, dates)
            continue
        alternative = next((o for o, slot in others if slot == located and _kind(o, speakers) == kind), None)
        if located and alternative is not None and name.casefold() not in source.content.casefold():
            # "on the Fenby panel" for "on the Aldwick panel": another place in the very slot, though
            # the paragraph names Aldwick elsewhere.
            found.append(Difference(kind, name, alternative))
            continue
        # Spelling aside ("Zelensky", "Butcha"), a name the source's paragraph has is the source's.
        if name.casefold() in folded or any(same_person(name, g) for g in given):
            continue
        if alternative is not None or located:
            found.append(Difference(kind, name, alternative or ""))  # "": the source does not say it
    return found


def _dates_of(content: str, source: str) -> list[tuple[str, Date]]:
    """The source's dates for the claim: those of its sentence most like the claim when that one
    gives any ("Two of my inspectors were at Korsby Park on the 22nd of July. The certificate was
    signed on the 29th": the visit's date is the 22nd), else all of them."""
    sentences = _SENTENCE_END.split(source)
    if len(sentences) > 1:
        terms = content_terms(content)
        best = max(sentences, key=lambda s: len(content_terms(s) & terms))
        if content_terms(best) & terms and (dated := find_dates(best)):
            return dated
    return find_dates(source)


# Not ``text.split_sentences``: that keeps a quotation of several sentences whole, and a record's
# content is often one such quotation.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z])")


def _date_difference(written: str, dates: list[tuple[str, Date]]) -> list[Difference]:
    """A date the claim gives that the source's content gives otherwise: "October 21" for "October
    15" or "the 15th"; a date the source leaves to its paragraph (or does not give) is no difference."""
    claimed = read_date(written)
    if claimed is None or any(claimed.agrees(d) for _, d in dates):
        return []
    other = next((text for text, d in dates if claimed.differs(d)), None)
    return [Difference("date", written, other)] if other is not None else []


# Words of one kind that exclude each other: "the southern quay" is not "the northern quay".
_CONTRASTS: tuple[tuple[DifferenceKind, frozenset[str]], ...] = (
    ("place", frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})),
    ("place", frozenset({"northern", "southern", "eastern", "western", "central"})),
    ("place", frozenset({"upper", "lower"})),
    ("date", frozenset({"morning", "afternoon", "evening", "night", "midnight", "noon"})),
    ("date", frozenset({"yesterday", "today", "tomorrow"})),
    ("date", frozenset({"spring", "summer", "autumn", "winter"})),
)

# "before the evacuation" is not "after the evacuation": the same event, the other side of it.
_RELATION = re.compile(
    r"\b(before|after|until|since)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|its\s+|their\s+)?([a-z][\w'’-]*)",
    re.I,
)
_SIDE_OF = {"before": "before", "until": "before", "after": "after", "since": "after"}


# A time told relative to now: "this year" is not "last year".
_RELATIVE_TIME = re.compile(
    r"\b(this|last|next|past)\s+(year|month|week|spring|summer|autumn|winter|weekend|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
)


def _swapped_contrast(content: str, source: str) -> list[Difference]:
    """A contrast turned round: "mostly about safety, not jobs" for "mostly about jobs, not
    safety", "her decision, not the council's" for "the council's decision, not mine": what the
    claim puts after its "not" the source affirms (a negation difference)."""
    claimed, found = _contrast_parts(content), _contrast_parts(source)
    if claimed is None or found is None:
        return []
    (_, not_mine), (theirs, not_theirs) = claimed, found
    if (not_mine & theirs) - not_theirs and not not_mine & not_theirs:
        return [Difference("negation", content.strip(), source.strip())]
    return []


def _contrast_parts(text: str) -> tuple[set[str], set[str]] | None:
    """A text's affirmed words and the words of its ", not X" (None without one)."""
    match = _CONTRAST.search(text)
    if match is None:
        return None
    negated_part = content_terms(match.group())
    return content_terms(text[: match.start()] + " " + text[match.end():]) - negated_part, negated_part


def _contrast_differences(content: str, source: str) -> list[Difference]:
    """A direction, time of day or relative time ("this year", "last year") the claim gives where
    the source gives another of the same kind."""
    claimed = set(re.findall(r"[a-z]+", content.lower()))
    found = set(re.findall(r"[a-z]+", source.lower()))
    out = []
    source_times = {m.group(2).lower(): m for m in _RELATIVE_TIME.finditer(source)}
    for when in _RELATIVE_TIME.finditer(content):
        other = source_times.get(when.group(2).lower())
        if other is not None and other.group(1).lower() != when.group(1).lower():
            out.append(Difference("date", when.group(0), other.group(0)))
    for kind, words in _CONTRASTS:
        mine, theirs = (claimed & words) - found, (found & words) - claimed
        if mine and theirs:
            out.append(Difference(kind, sorted(mine)[0], sorted(theirs)[0]))
    return out + _relation_differences(content, source) + _time_differences(content, source)


def _relation_differences(content: str, source: str) -> list[Difference]:
    """"before the evacuation" where the source has "after the evacuation" (the same next word)."""
    sides = {_stem(m.group(2)): m for m in _RELATION.finditer(source)}
    out = []
    for relation in _RELATION.finditer(content):
        other = sides.get(_stem(relation.group(2)))
        if other is not None and _SIDE_OF[other.group(1).lower()] != _SIDE_OF[relation.group(1).lower()]:
            out.append(Difference("date", relation.group(0), other.group(0)))
    return out


def _stem(word: str) -> str:
    return next(iter(content_terms(word)), word.lower())


def _time_differences(content: str, source: str) -> list[Difference]:
    """A time of day the claim gives where the source gives only other times ("9:40 p.m." for "11:15 p.m.")."""
    found = find_times(source)
    out = []
    for written, time in find_times(content):
        comparable = [(text, other) for text, other in found if time.compares(other)]
        if comparable and all(time.differs(other) for _, other in comparable):
            out.append(Difference("date", written, comparable[0][0]))
    return out


def _slotted(text: str) -> list[tuple[str, bool]]:
    """The names and dates of a text, each with whether it stands in a place or time slot."""
    return [
        (name, bool(DATE.fullmatch(name) or _LOCATIVE.search(text[: text.find(name)])))
        for name in _names_and_dates(text)
    ]


def _names_and_dates(text: str) -> list[str]:
    names = [n for n in names_in(text) if n not in NOT_NAMES and not DATE.fullmatch(n)]
    return names + [m.group() for m in DATE.finditer(text)]


def _kind(name: str, speakers: SpeakerIndex | None) -> DifferenceKind:
    if DATE.search(name):
        return "date"
    if speakers is not None and speakers.find(name):
        return "person"
    return "place"


def _cue_difference(stance: str, cue: str, source: Claim, content: str = "") -> Difference | None:
    """A stronger or weaker cue than the source's: "confirmed" for "estimated", "admitted" for
    "suggested", "said ... would definitely be settled" for "expected a deal"."""
    claimed_strength = _strength(stance)
    if claimed_strength is None and _CERTAINLY.search(content) and not _CERTAINLY.search(source.content):
        claimed_strength = "certain"
    found_strength = _strength(source.stance)
    if claimed_strength and found_strength and claimed_strength != found_strength:
        return Difference("cue", cue, source.cue)
    asked = _directive(source) if stance in _DIRECTIVE else None
    if asked is not None and _DIRECTIVE[stance] != asked[0]:
        return Difference("cue", cue, asked[1])  # "ordered" or "demanded" for "urged" or "I would suggest"
    return None


# How hard a speaker asks: an order or a demand, a call or a plea, a proposal.
_DIRECTIVE = {"demands": 2, "urges": 1, "proposes": 0}
_ASKED_IN_WORDS = (
    (0, re.compile(r"\b(?:I|we)\s+(?:would\s+)?(?:suggest|propose|recommend)\w*\b", re.I)),
    (1, re.compile(r"\b(?:I|we)\s+(?:would\s+)?(?:strongly\s+)?(?:urge|advise|call\s+on|appeal\s+to)\b", re.I)),
)


def _directive(source: Claim) -> tuple[int, str] | None:
    """How hard a source asks, and the words that say so: its cue, or its own words ("But I would
    suggest that the council looks very hard at ...")."""
    if source.stance in _DIRECTIVE:
        return _DIRECTIVE[source.stance], source.cue
    for strength, words in _ASKED_IN_WORDS:
        if match := words.search(source.content):
            return strength, match.group()
    return None


_CERTAINLY = re.compile(
    r"\b(?:definitely|certainly|surely|undoubtedly|unquestionably|without\s+(?:a|any)\s+doubt|for\s+certain)\b", re.I
)


def _strength(stance: str) -> str | None:
    if stance in _COMMITTED:
        return "certain"
    if stance in HEDGED_STANCES:
        return "hedged"
    return None


_FIRST_PERSON = re.compile(
    r"(?:^|[.!?;:,]\s+|\bthat\s+)(?:we|i)\s+(?!believe|think|estimate|fear|expect|hope)|^(?:that\s+)?(?:our|my|us)\b",
    re.I,
)
_BODY_NOUNS = "|".join(map(re.escape, sorted(BODY_NOUNS, key=len, reverse=True)))
_THIS_BODY = re.compile(rf"\bthis\s+(?:{_BODY_NOUNS})\b", re.I)
_POSSESSED = re.compile(r"\b(?:his|her|its|their)\s+(?:own\s+)?[a-z]+", re.I)
_THIRD_PERSON = re.compile(r"^(?:that\s+)?(?:it|its|they|their|he|his|she|her|them)\b", re.I)
_NO_SUBJECT = re.compile(
    r"^(?:that\s+)?(?:having\s+)?[a-z]+ing\b|^(?:any|all|the)?\s*[a-z]+(?:\s+[a-z]+){0,2}$", re.I
)
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|did|does|do|will|would|could|can|may|might|should|\w+ed)\b", re.I
)


_REPORTED = re.compile(
    r"^(?:that\s+)?(?:the\s+|an?\s+)?(?:reports?|claims?|allegations?|accusations?|suggestions?|rumou?rs?|suspicions?)\b"
    r"[^\"“”]{0,60}?\bthat\s+",
    re.I,
)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


_GENERIC = frozenset({"of", "for", "the", "and", "national", "northern", "southern", "eastern", "western", "former"})


# The collective nouns a subject names a side by, and the words of a speaker's name or role that
# put the speaker on that side: a minister speaks for "the government", a chief executive for
# "the company".
_SIDES: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (frozenset({"government", "ministry", "state", "authorities", "administration", "cabinet"}),
     frozenset({"minister", "ministry", "government", "president", "premier", "chancellor", "administration"})),
    (frozenset({"company", "firm", "management", "managers", "group", "staff", "employees", "workers"}),
     frozenset({"company", "company's", "executive", "ceo", "chairman", "chairwoman", "firm"})),
    (frozenset({"police", "officers"}), frozenset({"police", "interior"})),  # interior ministries run the police
    (frozenset({"army", "military", "troops", "forces", "soldiers"}),
     frozenset({"army", "military", "defence", "defense", "general", "commander"})),
)


def defends(claim_text: str, source: Claim) -> bool:
    """Whether a source speaks, for its own side, about what a bare claim says of that side.

    The claim's subject is the speaker, or the speaker's own body (named in the speaker or its
    role; its officials and staff included): "The Water Standards Authority never received the
    report" against its director's denial, "No union official has threatened members" against a
    union organiser's, "Declan Murrow was wide awake" against Murrow's own word. A denial by
    anyone on that side is its position; an assertion only when the speaker is the body itself or
    speaks for it (a spokesman, a chief executive, a minister), since an accusation against a body
    by someone in it ("a former safety officer at Quillon") is no defence.
    """
    subject = _claim_subject(claim_text)
    if not subject:
        return False
    side = {_body(w) for w in name_words(f"{source.speaker or ''} {source.role or ''}")} - _GENERIC - TITLE_WORDS
    owner = _owner(source.role)
    # "its chair" speaks for the body the article named before, which they call "the association".
    unnamed = bool(_UNNAMED_OWNER.match(source.role or "")) and _subject_head(claim_text) in {
        _body(w) for w in _DEFINITE_BODY.findall(source.content)
    }
    if not (subject - _COMMON_BODIES and (subject <= side or unnamed or (owner - _COMMON_BODIES and owner <= subject))):
        return False
    if source.stance in DENIAL_STANCES or source.negated or NEGATION.search(source.content):
        return True
    if not _acts(claim_text):
        return False  # "Velmar soldiers died": its people, counted by it, are no self-serving act
    speaker = {_body(w) for w in name_words(source.speaker or "")}
    role = set(name_words(source.role or ""))
    return subject <= speaker or bool(role & _REPRESENTS and not role & {"former", "ex"})




def _owner(role: str | None) -> set[str]:
    """The body a role names as its holder's ("Brodwell's managing director" -> {"brodwell"}), so
    "Brodwell Construction" is theirs; a qualifier alone ("Tarvenholm city council") is not."""
    found = _OWNED.match(role or "") or _OF_OWNER.search(role or "")
    return ({_body(w) for w in name_words(found.group(1))} - _GENERIC - TITLE_WORDS) if found else set()


_OWNED = re.compile(r"^(?:the\s+)?(.+?)['’]s?\s+\w", re.I)
_OF_OWNER = re.compile(r"\b(?:of|for|at)\s+(?:the\s+)?([A-Z].*)$")
_UNNAMED_OWNER = re.compile(r"^(?:its|their)\s+", re.I)
# A body a speaker speaks of by its common noun: "the association", "the company".
_DEFINITE_BODY = re.compile(rf"\b[Tt]he\s+({_BODY_NOUNS})\b")


def _acts(claim_text: str) -> bool:
    """Whether a claim's leading name is itself the subject of its verb ("Corvane has spent ...",
    "Declan Murrow was wide awake"), not a word naming its people ("Velmar soldiers died")."""
    lead = _LEAD_NAME.match(claim_text.strip())
    if not lead:
        return False
    rest = claim_text.strip()[lead.end():].split()
    verb = re.sub(r"^['’]s$", "", rest[0]) if rest else ""
    return bool(_FINITE.fullmatch(verb)) or verb.lower() in IRREGULAR_PAST


# A claim's leading proper name: "The Water Standards Authority", "Tarn Water('s)", "Ministry of Health".
_LEAD_NAME = re.compile(
    r"^(?:[Tt]he\s+)?([A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|on)\s+(?:the\s+)?)?[A-Z][\w’'-]*)*)"
)
# What comes before a subject's own words: "No union official", "None of the ministry's staff".
_QUANTIFIER = re.compile(
    r"^(?:(?:nobody|no\s?one|none|anyone)\s+(?:in|at|from)(?:\s+the)?|none\s+of(?:\s+the)?|not\s+one\s+of(?:\s+the)?"
    r"|no|neither|every|all|any)\s+",
    re.I,
)
# Those of a side who act for it, named after it: "union officials", "the ministry's staff".
_MEMBERS = frozenset({
    "official", "staff", "member", "officer", "employee", "manager", "management", "spokesman",
    "spokeswoman", "spokesperson", "leader", "executive", "worker", "boss", "representative", "negotiator",
    "crew", "team", "personnel", "inspector",
})
# Roles that speak for a body.
_REPRESENTS = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "chief", "executive", "director", "minister", "secretary",
    "president", "chairman", "chairwoman", "chair", "head", "leader", "organiser", "organizer", "commissioner",
})


def _words_before_verb(claim_text: str) -> list[str]:
    """The words of a bare claim's subject: those before its verb, without a quantifier ("No union
    official has ..." -> ["union", "official"])."""
    rest = _QUANTIFIER.sub("", claim_text.strip())
    verb = _FINITE.search(rest)
    return name_words(rest[: verb.start()]) if verb else []


def _subject_head(claim_text: str) -> str | None:
    """A bare claim's subject's head noun ("association" of "The volunteer firefighters'
    association has ...")."""
    words = _words_before_verb(claim_text)
    return _body(words[-1]) if words else None


def _claim_subject(claim_text: str) -> set[str]:
    """The words a bare claim's subject names its side by: its leading proper name ("The Water
    Standards Authority"), else the words before its verb without a quantifier and the members'
    nouns ("No union official has ..." -> {"union"})."""
    text = claim_text.strip()
    lead = _LEAD_NAME.match(text)
    words = name_words(lead.group(1)) if lead and not _QUANTIFIER.match(text) else []
    if not set(words) - _GENERIC:  # no proper name leads it ("No union official has ...")
        words = _words_before_verb(text)
    return {_body(w) for w in words} - _GENERIC - TITLE_WORDS - {_singular(m) for m in _MEMBERS}


# Words a side shares with others: "the Health Ministry" and "the Interior Ministry" are two sides.
_COMMON_BODIES = frozenset({"ministry", "authority", "hospital", "company", "government", "council", "city", "state"})


def _body(word: str) -> str:
    word = _singular(word.lower())
    return {"minister": "ministry", "ministers": "ministry"}.get(word, word)


def own_conduct(claim: Claim) -> bool:
    """Whether a speaker speaks for its own side: about what it (or its forces, staff, products) did.

    "We did nothing wrong", "its troops did not fire on civilians", a bare denial of an act
    ("denies attacking civilian targets", "denied war crimes": the speaker is the one accused),
    or a content whose subject is the speaker itself.
    """
    # "denied reports circulating online that police had detained journalists": what is denied.
    content = _REPORTED.sub("", claim.content.strip(" \"“”‘’'")).strip(" \"“”‘’'")
    denial = claim.stance in DENIAL_STANCES or claim.negated or bool(NEGATION.search(content))
    if _FIRST_PERSON.search(content) or (denial and _THIS_BODY.search(content)):
        return True
    if denial and _THIRD_PERSON.match(content):
        return True
    verb = _FINITE.search(content)
    if denial and verb and _POSSESSED.search(content[: verb.start()]):
        return True  # "denied that anyone in his office had pressed ...", "in her time the office never ..."
    if claim.stance in DENIAL_STANCES and (_NO_SUBJECT.match(content) or not _FINITE.search(content)):
        return True
    described = name_words(f"{claim.speaker or ''} {claim.role or ''}")
    own = {_singular(w) for w in set(described) - TITLE_WORDS - _GENERIC}
    if own & {_singular(w) for w in name_words(" ".join(content.split()[:4]))}:
        return True
    subject = set(name_words(" ".join(content.split()[:6])))  # "At no point did police officers fire"
    # "The ministry never received any warning", said by a minister: a denial for the speaker's side.
    return denial and any(subject & nouns and set(described) & holders for nouns, holders in _SIDES)
