"""Reporting-verb lexicon: which lemmas are attribution cues and what stance each one takes.

The lists are data, tuned on the PolNeAR train split; the engine only looks words up here.
"""

from __future__ import annotations

import re

# Verb lemma -> stance. A lemma absent from this table is never a cue.
CUE_VERBS: dict[str, str] = {
    # plain assertion
    "say": "asserts", "tell": "asserts", "state": "asserts", "add": "asserts",
    "note": "asserts", "explain": "asserts", "write": "asserts", "tweet": "asserts",
    "post": "asserts", "describe": "asserts", "recall": "asserts", "mention": "asserts",
    "comment": "asserts", "remark": "asserts", "observe": "asserts",
    "respond": "asserts", "reply": "asserts", "answer": "asserts", "assert": "asserts",
    "declare": "asserts", "stress": "asserts", "emphasize": "asserts", "repeat": "asserts",
    "point": "asserts", "testify": "asserts", "joke": "asserts", "quip": "asserts",
    "cite": "asserts", "refer": "asserts", "list": "asserts",
    "indicate": "asserts", "show": "reports", "find": "reports", "conclude": "asserts",
    "agree": "agrees", "ask": "asks", "wonder": "asks", "question": "doubts",
    # contested or argued
    "claim": "claims", "argue": "claims", "insist": "claims", "contend": "claims",
    "maintain": "claims", "allege": "alleges", "accuse": "accuses", "charge": "accuses",
    "blame": "accuses", "criticize": "criticizes",
    "slam": "criticizes", "blast": "criticizes", "condemn": "criticizes",
    "praise": "praises", "defend": "defends", "boast": "claims", "brag": "claims",
    "tout": "claims", "complain": "complains", "suggest": "suggests", "hint": "suggests",
    "imply": "suggests", "signal": "suggests",
    # admissions and denials
    "admit": "admits", "acknowledge": "admits", "concede": "admits", "confess": "admits",
    "deny": "denies", "reject": "denies", "dispute": "denies", "dismiss": "denies",
    "refute": "denies", "rebut": "denies",
    # numbers and forecasts
    "estimate": "estimates", "calculate": "estimates", "project": "estimates",
    "predict": "predicts", "forecast": "predicts", "expect": "predicts",
    # warnings, beliefs, intentions
    "warn": "warns", "caution": "warns", "threaten": "warns", "fear": "fears",
    "worry": "fears", "suspect": "suspects", "believe": "believes", "think": "believes",
    "feel": "believes", "doubt": "doubts", "hope": "hopes", "want": "wants",
    "promise": "promises", "vow": "promises", "pledge": "promises", "plan": "plans",
    "urge": "urges", "demand": "demands", "call": "urges", "propose": "proposes",
    "recommend": "urges", "support": "supports", "endorse": "supports",
    "oppose": "opposes",
    # reporting and disclosure
    "announce": "announces", "report": "reports", "reveal": "reports",
    "disclose": "reports", "confirm": "confirms", "learn": "reports",
}

# Lemmas that only count as cues when a clause, not a plain object, follows
# ("polls show that ..." is a cue, "show the way" is not).
CLAUSE_ONLY: frozenset[str] = frozenset(
    {
        "show", "find", "feel", "think", "believe", "hope", "know",
        "plan", "learn", "indicate", "signal", "post", "list", "answer",
        "point", "refer", "worry", "fear", "agree", "conclude", "call", "add", "note",
    }
)

# Lemmas whose prepositional object is the content ("admitted to a loss", "called for").
PREP_CONTENT: dict[str, frozenset[str]] = {
    "admit": frozenset({"to"}),
    "point": frozenset({"to"}),
    "refer": frozenset({"to"}),
    "call": frozenset({"for"}),
    "respond": frozenset({"to"}),
    "reply": frozenset({"to"}),
    "warn": frozenset({"of", "about", "against"}),
    "complain": frozenset({"about", "of"}),
    "agree": frozenset({"with", "on"}),
    "argue": frozenset({"for", "against"}),
    "testify": frozenset({"about", "to"}),
    "confess": frozenset({"to"}),
}

# Sentence adverbs that report without a source ("Reportedly, 26 bodies ...").
UNATTRIBUTED_ADVERBS: frozenset[str] = frozenset(
    {"reportedly", "allegedly", "purportedly", "supposedly", "apparently", "rumoredly"}
)

# Nouns that can carry a claim: "Peskov's claim that ...", "the estimate by NATO that ...".
CUE_NOUNS: dict[str, str] = {
    "claim": "claims", "statement": "asserts", "assertion": "asserts",
    "allegation": "alleges", "accusation": "accuses", "warning": "warns",
    "estimate": "estimates", "prediction": "predicts", "denial": "denies",
    "admission": "admits", "announcement": "announces", "suggestion": "suggests",
    "argument": "claims", "belief": "believes", "view": "believes", "promise": "promises",
    "report": "reports", "insistence": "claims", "assurance": "asserts",
}

PRONOUNS: frozenset[str] = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "their"}
)
PERSON_PRONOUNS: frozenset[str] = frozenset({"he", "she", "him", "her", "his"})
PRONOUN_GENDER: dict[str, str] = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}

# Words in a person's title or role that tell which pronoun refers to them ("a spokeswoman for
# the ministry", "Mr Vance"): a "she" is not resolved to a person known to be "he".
GENDERED_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("spokeswoman", "chairwoman", "congresswoman", "businesswoman", "councilwoman", "woman",
         "mrs", "ms", "miss", "madam", "dame", "lady", "queen", "princess", "duchess", "mother",
         "wife", "daughter", "sister", "grandmother", "actress", "widow"),
        "f",
    ),
    **dict.fromkeys(
        ("spokesman", "chairman", "congressman", "businessman", "councilman", "man", "mr", "sir",
         "lord", "king", "prince", "duke", "father", "husband", "son", "brother", "grandfather",
         "actor", "widower"),
        "m",
    ),
}

# Head nouns that name a position a person holds; a nominal source with one of these heads
# ("the Kremlin spokesman") carries a role and may be resolved to the person holding it.
ROLE_NOUNS: frozenset[str] = frozenset(
    {
        "spokesman", "spokeswoman", "spokesperson", "minister", "president", "official",
        "secretary", "chief", "director", "general", "prosecutor", "ambassador", "leader",
        "governor", "senator", "mayor", "commander", "analyst", "expert", "adviser", "advisor",
        "aide", "chairman", "chairwoman", "chair", "ceo", "executive", "candidate", "nominee",
        "representative", "lawmaker", "congressman", "congresswoman", "strategist", "manager",
        "chancellor", "king", "queen", "premier", "envoy", "diplomat", "officer", "head",
        "founder", "professor", "economist", "researcher", "scientist", "lawyer", "attorney",
        "judge", "sheriff", "pollster", "activist", "campaign", "colonel", "captain",
        "coordinator", "supervisor", "commissioner", "inspector", "clerk", "epidemiologist", "doctor",
        "nurse", "engineer", "treasurer", "administrator", "organiser", "organizer", "owner", "editor",
        "correspondent", "physician", "surgeon", "councillor",
    }
)

# Head nouns by which an article refers back to an organisation it has named ("the company",
# "the ministry"). The generic ones may refer to any organisation; the others only to one whose
# name holds the noun ("the ministry" is the Health Ministry, never Lunmark Water).
GENERIC_ORGANISATION_NOUNS: frozenset[str] = frozenset(
    {"company", "firm", "group", "organisation", "organization", "association", "utility", "charity", "business"}
)
NAMED_ORGANISATION_NOUNS: frozenset[str] = frozenset(
    {"ministry", "department", "agency", "authority", "council", "commission", "committee", "hospital",
     "university", "union", "party", "bank", "observatory", "institute", "foundation", "court", "police",
     "government", "office", "board", "inspectorate", "service", "army", "navy"}
)

# Words that negate a clause, in claims, sources and replies alike.
# "no fewer than 1,800" is a lower bound and "not only ... but" an addition: neither negates.
NEGATION = re.compile(
    r"\b(?:(?:not|no)(?!\s+(?:fewer|less|more)\s+than\b|\s+only\b)|never|none|nobody|nothing|neither|nor|cannot|"
    r"without)\b|n['’]t\b(?!\s+only\b)",
    re.I,
)


def negated(text: str) -> bool:
    """Whether a clause is negated: an odd number of negations ("Nobody was told not to report" is
    no negation of "staff were told not to report"); "neither ... nor" is one."""
    # "without" is left out: "sent home without being seen" states something, it denies nothing.
    words = [m.group().lower() for m in NEGATION.finditer(text) if m.group().lower() != "without"]
    if "nor" in words and any(w in ("neither", "not", "no", "never") or w.endswith("n't") for w in words):
        words.remove("nor")
    return len(words) % 2 == 1


# Pairs of words of opposite sense: one put for the other in the same statement reverses it ("the
# fire service was wrong to keep rescuers out" against "... had been right to ..."). Inflected
# forms are listed; only ordinary evaluative and state words, none that a figure or name uses.
_OPPOSITES = (
    ("right", "wrong"), ("true", "false"), ("correct", "incorrect"), ("safe", "unsafe dangerous"),
    ("legal", "illegal"), ("lawful", "unlawful"), ("guilty", "innocent"), ("possible", "impossible"),
    ("adequate", "inadequate"), ("sufficient", "insufficient"), ("clear", "unclear"),
    ("likely", "unlikely"), ("accept accepted accepts", "reject rejected rejects"),
    ("agree agreed agrees", "disagree disagreed disagrees"), ("support supported supports", "oppose opposed opposes"),
    ("allow allowed allows permitted", "ban banned bans forbade forbidden prohibited"),
    ("open opened", "closed shut"), ("increase increased increases", "decrease decreased decreases"),
    ("rise rose risen rising", "fall fell fallen falling"), ("win won wins", "lose lost loses"),
    ("succeed succeeded succeeds success", "fail failed fails failure"),
    ("listen listened listens heeded heed", "ignore ignored ignores"), ("present", "absent"),
    ("alive", "dead"), ("include included includes", "exclude excluded excludes"),
    ("approve approved approves", "reject rejected rejects"), ("better", "worse"), ("higher", "lower"),
    ("early earlier", "late later"), ("ready", "unready"), ("willing", "unwilling"), ("able", "unable"),
    ("aware", "unaware"), ("fair", "unfair"), ("justified", "unjustified"), ("necessary", "unnecessary"),
    ("responsible", "irresponsible"), ("known", "unknown"), ("welcome welcomed welcomes", "condemn condemned condemns"),
)
OPPOSITES: dict[str, frozenset[str]] = {}
for _one, _other in _OPPOSITES:
    for _word in _one.split():
        OPPOSITES[_word] = OPPOSITES.get(_word, frozenset()) | frozenset(_other.split())
    for _word in _other.split():
        OPPOSITES[_word] = OPPOSITES.get(_word, frozenset()) | frozenset(_one.split())
