"""Reading a checked claim as an attribution: who it says said what, with which cue.

"Peskov said that Mariupol will be liberated", "According to NATO, up to 15,000 soldiers died",
"Venediktova: 'there are many more victims'", "Sanctions pose no threat, Peskov claimed",
"Peskov never said that ...", "Did Peskov really deny war crimes?" and a bare "Russia lost 498
soldiers" all become a ``ParsedClaim``. The reporting verbs are the attribution lexicon's, so a
claim is read with the same words as the articles; only communication verbs (and belief verbs
followed by "that") make a claim attributed, so "Russia wants peace" stays a bare claim.
Everything is regular expressions over the claim text: linear, offline and never raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.attribution.lexicon import CUE_VERBS
from bot.attribution.names import NOT_NAMES, TITLE_WORDS, role_head
from bot.attribution.people import BODY_NOUNS
from bot.attribution.quantities import counted_key

# Lemmas that attribute a claim only with "that" after them ("X believes that C"), not before a
# plain object ("Russia wants peace", "NATO supports Kyiv").
_THAT_ONLY = frozenset({
    "want", "plan", "support", "endorse", "oppose", "show", "find", "feel", "hope", "list", "point", "refer",
    "cite", "learn", "call", "question", "agree", "demand", "urge", "propose", "recommend", "praise", "defend",
    "criticize", "slam", "blast", "condemn", "blame", "charge", "accuse", "fear", "worry", "doubt", "expect",
    "project", "calculate", "think", "believe", "suspect", "add", "note", "indicate", "signal", "conclude",
    "answer", "post", "comment", "observe", "remark", "mention", "describe", "recall", "repeat", "stress",
    "order", "instruct",  # _CLAIM_CUES: only in a directive's form
    "guarantee", "establish", "prove",  # _CLAIM_CUES: only with "that"
})
_IRREGULAR = {
    "say": ("said",), "tell": ("told",), "write": ("wrote", "written"), "think": ("thought",),
    "feel": ("felt",), "find": ("found",), "show": ("showed", "shown"), "forecast": ("forecast",),
}
_DOUBLED = frozenset({"admit", "quip", "rebut", "regret", "commit", "submit"})
_NEGATIONS = r"never|did\s+not|didn['’]t|does\s+not|doesn['’]t|has\s+not|hasn['’]t|have\s+not|haven['’]t|had\s+not"
_AUX = r"(?:has|had|have|also|publicly|reportedly|repeatedly|once|just|then|allegedly|actually|really)"
_QUOTES = "\"“”‘’'«»"
_AUXILIARIES = frozenset({"was", "were", "is", "are", "be", "been", "being", "not", "never", "get", "got"})
_MODIFIERS = frozenset({"former", "acting", "deputy", "interim", "outgoing", "incoming", "then", "ex", "senior",
                        "junior", "new", "the", "a", "an"})
_NOBODY = frozenset({"nobody", "no", "none", "nothing", "everyone", "everybody", "someone", "somebody", "anyone"})


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    """A checked claim: ``speaker`` as written (``None`` for a bare claim), the cue and its stance.

    ``never`` marks a claim that the speaker did *not* say the content ("X never said C").
    """

    text: str
    content: str
    speaker: str | None = None
    cue: str | None = None
    stance: str = "asserts"
    never: bool = False

    @property
    def attributed(self) -> bool:
        """Whether the claim names who said it."""
        return self.speaker is not None


def _forms(lemma: str) -> set[str]:
    """The inflected forms of a reporting verb ("deny" -> deny, denies, denied, denying)."""
    forms = {lemma, *_IRREGULAR.get(lemma, ())}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    else:
        tail = lemma[-1] if lemma in _DOUBLED else ""
        plural = "es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s"
        forms |= {lemma + plural, lemma + tail + "ed", lemma + tail + "ing"}
    if lemma in _IRREGULAR:
        forms.discard(lemma + "ed")
    return forms


# Verbs a checked claim may put for a source's softer words: "ordered them into mediation" for
# "urged them to go to mediation" (a demand only in a directive's form), "guaranteed that" for "I
# expect", "established that" for "it looks like" (only with "that"). Articles' orders and proofs
# are acts the reporter states, so the extractor does not take them as cues.
_CLAIM_CUES = {
    "order": "demands", "instruct": "demands", "guarantee": "promises", "establish": "confirms", "prove": "confirms",
}
_STANCES = {**CUE_VERBS, **_CLAIM_CUES}


@lru_cache(maxsize=1)
def _verb_forms() -> dict[str, str]:
    """Every inflected form of a reporting verb -> its lemma."""
    return {form: lemma for lemma in _STANCES for form in _forms(lemma)}


_LONGEST_SPEAKER = 80  # characters a speaker phrase may have


def _speaker(shortest: int = 1) -> str:
    return rf"(?P<speaker>[^,:;“”\"]{{{shortest},{_LONGEST_SPEAKER}}}?)"


@lru_cache(maxsize=1)
def _verbs_and_cue() -> tuple[str, str]:
    """The reporting verbs as one alternation, and a cue: auxiliaries, a negation, the verb."""
    verbs = "|".join(sorted(_verb_forms(), key=len, reverse=True))
    cue = rf"(?P<cue>(?:{_AUX}\s+)*(?:(?P<neg>{_NEGATIONS})\s+)?(?:{_AUX}\s+)*(?:was\s+quoted\s+as\s+)?(?:{verbs}))"
    return verbs, cue


@lru_cache(maxsize=_LONGEST_SPEAKER + 1)
def _said(shortest: int = 1) -> re.Pattern[str]:
    """ "X said C", with a speaker of at least ``shortest`` characters."""
    return re.compile(rf"^{_speaker(shortest)}\s+{_verbs_and_cue()[1]}\b\s*(?P<content>.+)$", re.I)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    verbs, cue = _verbs_and_cue()
    speaker = _speaker()
    return (
        re.compile(rf"^(?:according\s+to|per)\s+{speaker}\s*,\s*(?P<content>.+)$", re.I),
        # "C, X said", "C, said X", "'C,' said X" (the closing quotation mark after the comma)
        re.compile(
            rf"^(?P<content>.+?)\s*,[{_QUOTES}]?\s*(?:{speaker}\s+{cue}|(?P<cue2>{verbs})\s+(?P<speaker2>[^,]{{1,80}}?))"
            rf"\s*[.!]?$",
            re.I,
        ),
        re.compile(rf"^(?P<content>.+?)\s*,?\s+according\s+to\s+{speaker}\s*[.!]?$", re.I),
        # "X: 'Y'", "X said: 'Y'", "X told The Ledger: 'Y'"
        re.compile(rf"^{speaker}(?:\s+{cue}(?:\s+[\w'’]+){{0,3}})?\s*:\s*(?P<content>[{_QUOTES}].+)$", re.I),
        re.compile(rf"^did\s+{speaker}\s+(?:really\s+|actually\s+|ever\s+)?{cue}\b\s*(?P<content>.+)$", re.I),
        # "X said C"; the speaker is the shortest phrase that reads as one (``_matches``).
        _said(),
        # A name and its apposition, either way round: "The observatory's lead epidemiologist, Ilse
        # Marchetti, estimated that ...", "Ilse Marchetti, the observatory's epidemiologist, said ...".
        re.compile(rf"^(?P<speaker>[^,:;“”\"]{{1,80}}?,\s+[^,:;“”\"]{{1,80}}?),\s*{cue}\b\s*(?P<content>.+)$", re.I),
    )


def parse_claim(text: str, *, clause_after_belief: bool = False) -> ParsedClaim:
    """Split a claim into who it says said what; a claim naming nobody is bare.

    ``clause_after_belief`` reads "X hoped utilities would count ..." (a wish or belief verb and a
    clause of four words or more, without "that") as attributed, as a news sentence means it; a
    checked claim keeps "Russia wants peace" bare.
    """
    claim = " ".join(text.split()).strip().rstrip("?")
    # "Asked about cost-cutting, Quellbrook said ...": the circumstance of the saying, not its words.
    lead = _CIRCUMSTANCE.match(claim)
    for sentence in ([claim[lead.end():]] if lead else []) + [claim]:
        for pattern in _patterns():
            for match in _matches(pattern, sentence):
                parsed = _from_match(sentence, match, clause_after_belief)
                if parsed is not None:
                    return replace(parsed, text=claim)
    return ParsedClaim(text=claim, content=_clean_content(claim))


def _matches(pattern: re.Pattern[str], sentence: str) -> list[re.Match[str]]:
    """The pattern's match; for "X said C", also the next two with a longer speaker: "Former"
    ("state" read as a cue), then "Former state mediator Gregor Ilves" ("expects")."""
    match = pattern.match(sentence)
    found = [match] if match else []
    while pattern is _said() and 0 < len(found) < 3:
        shortest = len(found[-1].group("speaker")) + 1
        longer = _said(shortest).match(sentence) if shortest <= _LONGEST_SPEAKER else None
        if longer is None:
            break
        found.append(longer)
    return found


_CIRCUMSTANCE = re.compile(
    r"^(?:(?:asked|speaking|writing|interviewed|questioned|pressed|testifying|responding|replying|addressing|"
    r"appearing)\b|(?:in|during)\s+(?:an?\s+)?(?:interview|statement|speech|remarks|briefing|debate)\b|"
    r"at\s+an?\s+(?:news|press)\s+conference\b|(?:on|last|this)\s+(?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|week|month)\b|yesterday\b|earlier\b|later\b)[^,]{0,100},\s+(?=\S)",
    re.I,
)


def _from_match(claim: str, match: re.Match[str], clause_after_belief: bool) -> ParsedClaim | None:
    groups = match.groupdict()
    speaker = (groups.get("speaker") or groups.get("speaker2") or "").strip()
    cue = (groups.get("cue") or groups.get("cue2") or "").strip()
    content = groups["content"]
    apposed = _APPOSED_NAME.match(content) if not cue else None
    if apposed and not all(w[:1].isupper() for w in speaker.split()) and role_head(speaker.split()[-1].lower()):
        # "According to the Data Commissioner, Henrike Vossberg, her office ...": the role's holder.
        speaker, content = f"{speaker}, {apposed.group(1)}", content[apposed.end():]
    if "," in speaker:
        speaker = _named_part(speaker)
    if not (_looks_like_speaker(speaker) or (not cue and _unnamed_source(speaker))):
        return None
    if not cue:  # "According to X, C" and "X: 'C'"
        return ParsedClaim(text=claim, content=_clean_content(content), speaker=speaker,
                           cue="according to" if ":" not in claim[: match.end("speaker") + 2] else "said")
    lemma = _verb_forms().get(cue.split()[-1].lower())
    if lemma is None:
        return None
    content, that = _after_cue(content, lemma)
    directive = not that and lemma in _DIRECTIVES and bool(_DIRECTED[lemma == "call"].match(content))
    # "expects the two sides to strike a deal": a forecast, an object and what it will do.
    forecast = not that and lemma == "expect" and bool(_DIRECTED[False].match(content))
    if directive and lemma == "call":
        content = re.sub(r"^for\s+", "", content, flags=re.I)  # "called for the contract to be cancelled"
    if lemma in _THAT_ONLY and not (that or directive or forecast) and not (
        clause_after_belief and len(content.split()) >= 4
    ):
        return None
    if not content:
        return None
    return ParsedClaim(
        text=claim, content=_clean_content(content), speaker=speaker, cue=cue,
        stance=_STANCES[lemma], never=bool(groups.get("neg")),
    )


# Verbs that ask for something take it without "that": "urged residents to boil their water",
# "called for the contract to be cancelled", "called on the council to act", "recommended extending
# the notice"; "called the plan a mistake" or "called Tarn a threat to peace" names no demand.
_DIRECTIVES = frozenset({"urge", "call", "demand", "recommend", "propose", *_CLAIM_CUES})
_DIRECTED = (  # [False]: an object and a to-infinitive, into/back to, or a gerund; [True]: "call" for / on ... to
    re.compile(r"^(?:[^,]{1,60}?\b(?:to|into)\s+[a-z]+\b|[a-z]+ing\b)", re.I),
    re.compile(r"^(?:for\s+\S|on\s+[^,]{1,60}?\bto\s+\w)", re.I),
)


# Words that open the frame of a saying, not its content: "said to reporters / in a statement /
# on Monday that ...".
_FRAME_WORDS = "to|in|on|at|during|after|before|later|earlier|yesterday|today|last|this"
_FRAMED = re.compile(rf"^(?:{_FRAME_WORDS})\b", re.I)
_FRAMED_THAT = re.compile(rf"^(?:{_FRAME_WORDS})\b[^,]{{0,30}},?\s+that\s+", re.I)


def _after_cue(content: str, lemma: str) -> tuple[str, bool]:
    """The content after a cue, without a leading "that" or the people told ("told reporters that")."""
    content = content.strip(" ,:")
    that = re.match(r"^(?P<before>[^,“\"]{0,40}?\s)?that\s+(?P<rest>.+)$", content, re.I)
    # "told reporters that", "said in a statement that"; not "said there was evidence that", whose
    # words before "that" are the content's own.
    before = (that.group("before") or "") if that else ""
    if that and (
        not before or lemma in ("tell", "warn", "assure")
        or (lemma in ("say", "write") and _FRAMED.match(before))
    ):
        return that.group("rest"), True
    if _FRAMED_THAT.match(content):
        return re.split(r"\bthat\s+", content, maxsplit=1)[1], True
    return content, False


def _looks_like_speaker(phrase: str) -> bool:
    """A name ("Peskov"), an organisation ("NATO", "the Kremlin") or a role ("the ministry's spokeswoman")."""
    words = phrase.split()
    if not 1 <= len(words) <= 8 or phrase.lower() in ("it", "this", "that", "there"):
        return False
    if words[0].lower() in ("that", "whether", "if", "because"):
        return False  # a clause: "X's engineer, Ida Lunde, estimated that the bridge will close in May"
    if words[-1].lower() in _AUXILIARIES or words[0].lower() in _NOBODY:
        return False  # "Night-shift workers were (not) told to ...", "Nobody at Quillon was told": passive
    if re.search(r"[’']s$", words[-1]) or any(w.lower() in ("never", "not", "no") for w in words):
        return False  # "The authority never received Feld's report ...": a clause, and "report" a noun
    if words[0].lower() in ("i", "we", "you", "he", "she", "they"):
        return True
    if all(w.lower() in _MODIFIERS for w in words):
        return False  # "Former state mediator ...": "Former" alone names nobody

    capitalised = [w for w in words if w[:1].isupper() and w not in NOT_NAMES]
    roles = [w for w in words if re.sub(r"[’']s$", "", w.lower().strip(",.")) in TITLE_WORDS]
    return bool(capitalised or roles) and not re.search(r"\d", phrase)


# Who is a source though not named, after "according to": "According to police, ...", "... the ministry".
# Agent nouns ("investigators", "prosecutors") are roles already (``role_head``).
_UNNAMED_SOURCES = BODY_NOUNS | {"army", "military", "official", "witness", "resident"}


def _unnamed_source(phrase: str) -> bool:
    words = phrase.lower().split()
    if not 1 <= len(words) <= 4 or words[0] in _NOBODY:
        return False
    head = counted_key(words[-1]) or ""  # "witnesses" -> "witness"
    return head in _UNNAMED_SOURCES or role_head(head)


_APPOSED_NAME = re.compile(r"^([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}),\s+(?=\S)")


def _named_part(phrase: str) -> str:
    """Of a name and its apposition, the name: the part whose words are all capitalised ("" if neither is)."""
    parts = [p.strip() for p in phrase.split(",", 1)]
    named = [p for p in parts if p.split() and all(w[:1].isupper() for w in p.split()) and p.split()[0] != "The"]
    return named[0] if len(named) == 1 else ""


def _clean_content(text: str) -> str:
    """The content without surrounding quotation marks, a leading "that" or a final full stop."""
    text = text.strip().strip(_QUOTES + " ").rstrip(".!").strip(_QUOTES + " ,")
    return re.sub(r"^that\s+", "", text, flags=re.I)
