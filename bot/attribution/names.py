"""Names of people and organisations: the one place that cleans them, finds surnames and
decides whether two spellings name the same speaker.

Attribution (``resolve``: "Peskov" is the "Dmitry Peskov" of the same article), questions
(``SpeakerIndex``: "What did Peskov say?") and claim checks ("the Kremlin spokesman said ...")
all match names through these functions, so a title, a possessive or a surname is treated the
same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher

from bot.attribution.lexicon import ROLE_NOUNS

# Words that may stand before a surname without being a given name ("Mayor Brandt", "Dr Ruiz").
TITLE_WORDS: frozenset[str] = frozenset(ROLE_NOUNS | {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "rep", "sen", "gov", "gen", "col",
    "capt", "sgt", "lt", "pres", "councillor", "councilor", "councilman", "councilwoman", "mp", "justice", "pope",
    "prince", "princess", "rabbi", "father", "sister", "saint", "st", "deputy", "vice", "prime", "foreign",
})
# Capitalised words of a question or claim that are never names.
NOT_NAMES: frozenset[str] = frozenset({
    "Who", "What", "Is", "Did", "Does", "Do", "Has", "Have", "The", "And", "Was", "Were", "How", "When", "Where",
    "Why", "Which", "According", "Check", "True", "It", "I", "A", "An", "But", "Not", "No", "Yes", "That", "This",
    # Function words a sentence opens with ("Some 31,000 households ..."): capitalised, never a name.
    "Some", "Many", "Most", "All", "Every", "Each", "Several", "Few", "Fewer", "More", "Less", "Both", "Neither",
    "Either", "None", "Nobody", "Nothing", "Any", "Another", "Other", "Others", "These", "Those", "Such", "There",
    "They", "He", "She", "We", "You", "His", "Her", "Its", "Their", "Our", "My", "Your", "If", "Only", "About",
    "Around", "Nearly", "Almost", "Over", "Up", "At", "In", "On", "For", "By", "From", "With", "After", "Before",
    "Since", "Then",
})
ROLE_SYNONYMS = {"spokesman": "spokesperson", "spokeswoman": "spokesperson"}
SAME_SURNAME_RATIO = 0.88  # "Zelensky" ~ "Zelenskyy" (0.94), "Peskov" !~ "Pesko" ... "Petrov" (0.67)

_POSSESSIVE = re.compile(r"[’']s?$")
DETERMINER = re.compile(r"^(?:the|a|an|this|that|these|those)\s+", re.IGNORECASE)
LEADING_TITLES = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Pres|Prof)\.?\s+)+")
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:[A-Z][\w'’-]+|of|de|van|von|al))*")
_GIVEN_NAME = re.compile(r"\b([A-Z][\w'’-]*)\s+\Z")  # a capitalised word just before a matched surname
_TITLE_BEFORE_NAME = re.compile(r"\.?\s+[A-Z][\w'’-]+")
_NAME_AFTER = re.compile(r"\s+[A-Z][\w'’-]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def clean_name(name: str) -> str:
    """A name without surrounding punctuation, a possessive or leading titles ("Dr. Ruiz's" -> "Ruiz")."""
    return LEADING_TITLES.sub("", _POSSESSIVE.sub("", name.strip(" ,.\n\t")))


def fullest(name: str, names: Iterable[str]) -> str:
    """The longest known name ending with the same words ('Peskov' -> 'Dmitry Peskov'); of two
    as long, the first in ``names``' order, so pass an ordered collection, never a set."""
    words = name.split()
    best = name
    for other in names:
        other_words = other.split()
        if len(other_words) > len(best.split()) and other_words[-len(words) :] == words:
            best = other
    return best


def is_title(word: str) -> bool:
    """A capitalised word that may stand before a surname without being a given name."""
    return word in NOT_NAMES or word.lower().rstrip(".") in TITLE_WORDS or word.endswith(("'s", "’s"))


def names_in(text: str) -> list[str]:
    """Capitalised name-like phrases, without question words."""
    found = []
    for match in _NAME.finditer(text):
        words = [w for w in match.group().split() if w not in NOT_NAMES]
        if words:
            found.append(" ".join(words))
    return found


def role_key(role: str | None) -> str | None:
    """The head noun of a role ('spokesperson of the Kremlin' -> 'spokesperson')."""
    if not role:
        return None
    words = re.split(r"\s+(?:of|for|at|to|in)\s+", role.lower())[0].split()
    if not words:
        return None
    head = words[-1].strip(",.’'")
    return ROLE_SYNONYMS.get(head, head)


_HEADS = frozenset(ROLE_SYNONYMS.get(w, w) for w in TITLE_WORDS)
# A noun for what someone does ("forecaster", "negotiator", "pharmacist", "historian"): a role too,
# when an article gives it to a person ("Tomas Gradwell, a senior forecaster at the Weather Office").
_AGENT = re.compile(r"[a-z]{3,}(?:[^e]er|or|ist|ian)")
_NOT_AGENTS = frozenset({"other", "another", "whether", "however", "together", "number", "order", "border",
                         "quarter", "winter", "summer", "water", "power", "member", "minor", "major", "error",
                         "floor", "factor", "sector", "colour", "color", "behaviour", "behavior", "matter",
                         "letter", "corridor", "interior", "exterior", "christian", "civilian", "register"})


# The role noun that names a body, not a person's place in it ("the Brel campaign").
_BODY_ROLES = frozenset({"campaign"})
# What follows a name or role in a description and is no part of the role: a relative clause
# ("Dr. Anders Lind, who as a navy captain was the physician of former mayor Tomas Brel").
_RELATIVE = re.compile(r",?\s+(?:who|whom|whose|which)\b.*$", re.IGNORECASE | re.DOTALL)


def role_part(description: str) -> str:
    """A description without a relative clause after it, and without its surrounding commas."""
    return _RELATIVE.sub("", description).strip(" ,")


def role_head(head: str | None) -> bool:
    """Whether a role's head noun names what a person is or does: a title ("spokesman", "mayor") or
    an agent noun ("forecaster"), not a thing ("number", "water")."""
    return bool(head) and (head in _HEADS or (bool(_AGENT.fullmatch(head or "")) and head not in _NOT_AGENTS))


def name_words(text: str) -> list[str]:
    """The words of a name or role, lower case, without titles, determiners and possessives."""
    return [clean_name(w).lower() for w in _WORD.findall(DETERMINER.sub("", text)) if clean_name(w)]


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two spellings name one speaker: the same words, a surname of the full name, or a
    near-identical spelling of it ("Zelensky", "Volodymyr Zelenskyy"); different given names
    are different people ("Maria Reyes" is not "Tomas Reyes")."""
    if not a or not b:
        return False
    # "Trump, speaking to a veterans group": the name is the head before an apposition.
    wa, wb = name_words(clean_name(a.split(",")[0])), name_words(clean_name(b.split(",")[0]))
    wa = [w for w in wa if w not in TITLE_WORDS] or wa
    wb = [w for w in wb if w not in TITLE_WORDS] or wb
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    if not _similar(wa[-1], wb[-1]):
        return False
    given_a, given_b = wa[:-1], wb[:-1]
    return not given_a or not given_b or _similar(given_a[0], given_b[0])


def _similar(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and SequenceMatcher(None, a, b).ratio() >= SAME_SURNAME_RATIO)


# The last words of company names that a paper drops after the first mention ("Quillon Chemicals",
# then "Quillon"): the name's first word is then the company's short name.
COMPANY_SUFFIXES = frozenset({
    "chemicals", "group", "inc", "ltd", "limited", "plc", "corp", "corporation", "company", "co", "holdings",
    "industries", "airlines", "motors", "energy", "systems", "technologies", "partners", "securities", "foods",
    "pharmaceuticals", "logistics", "shipping", "construction", "media",
})


class SpeakerIndex:
    """Matches names, roles and organisations in a question or claim to the speakers the index knows.

    ``roles`` maps a speaker to the roles attribution found for them ("Kremlin spokesman"): a
    role description ("the Kremlin spokesman", "Putin's spokesman") resolves to the one speaker
    holding such a role, and an organisation ("the Kremlin") is spoken for by its representatives.
    """

    def __init__(self, speakers: Mapping[str, int], roles: Mapping[str, Iterable[str]] | None = None) -> None:
        self._aliases: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        for name in speakers:
            self._aliases[name.lower()] = name
            parts = name.split()
            if len(parts) > 1 and not (parts[-1].islower() and role_head(parts[-1])):  # "Corvane chief": no surname
                surnames.setdefault(parts[-1].lower(), set()).add(name)
            if len(parts) > 1 and parts[-1].lower() in COMPANY_SUFFIXES and parts[0][:1].isupper():
                surnames.setdefault(parts[0].lower(), set()).add(name)  # "Quillon" for "Quillon Chemicals"
        for surname, names in surnames.items():
            if len(names) == 1 and surname not in self._aliases:  # an ambiguous surname is no alias
                self._aliases[surname] = next(iter(names))
        self._pattern = (
            re.compile(r"\b(" + "|".join(sorted(map(re.escape, self._aliases), key=len, reverse=True)) + r")\b", re.I)
            if self._aliases else None
        )
        # Only descriptions headed by a role noun ("the fire chief", not "he"), indexed by head
        # noun and by word, so a lookup reads the few speakers concerned, not every speaker.
        self._roles = {
            speaker: kept for speaker, rs in (roles or {}).items()
            if (kept := tuple(sorted({cut for r in rs if (cut := role_part(r)) and role_head(role_key(cut))})))
        }
        # The words of each role held in a body (not a body itself), as ``speaks_for`` compares them
        # for every piece of evidence of every check.
        self._voices = {
            speaker: tuple(frozenset(name_words(r)) for r in kept if role_key(r) not in _BODY_ROLES)
            for speaker, kept in self._roles.items()
        }
        self._by_head: dict[str, set[str]] = {}
        self._by_word: dict[str, set[str]] = {}
        for speaker, kept in self._roles.items():
            for role in kept:
                self._by_head.setdefault(role_key(role) or "", set()).add(speaker)
                for word in name_words(role):
                    self._by_word.setdefault(word, set()).add(speaker)

    def find(self, text: str) -> str | None:
        """The known speaker ``text`` names most fully; a different given name is a different person.

        The longest name wins, not the first: in "Mayor Elena Brandt", a speaker called "mayor"
        (an unresolved role) must not hide Elena Brandt.
        """
        matches = list(self._pattern.finditer(text)) if self._pattern else []
        # "Senator Bob Corker" is not the speaker left as "senator", nor "Transport Minister Lidia
        # Marrone" the one left as "Transport minister": a role before a name is the name's.
        matches = [m for m in matches if not self._role_before_name(text, m)]
        if not matches:
            return None
        match = max(matches, key=lambda m: len(m.group(1)))
        name = self._aliases[match.group(1).lower()]
        given = _GIVEN_NAME.search(text, 0, match.start())
        if given and not is_title(given.group(1)) and given.group(1).lower() not in name.lower().split():
            return None
        return name

    def _role_before_name(self, text: str, match: re.Match[str]) -> bool:
        """Whether a match is a speaker known only by a role ("senator", "Transport minister") and a
        name follows it ("Sen. Bob Corker", "Transport Minister Lidia Marrone")."""
        name = self._aliases[match.group(1).lower()]
        if name.lower() in TITLE_WORDS:
            return bool(_TITLE_BEFORE_NAME.match(text, match.end()))
        words = name.split()
        role = len(words) > 1 and words[-1].islower() and role_head(words[-1])
        return role and bool(_NAME_AFTER.match(text, match.end()))

    def roles(self, speaker: str) -> tuple[str, ...]:
        """The roles attribution found for a speaker."""
        return self._roles.get(speaker, ())

    def by_role(self, phrase: str) -> str | None:
        """The one speaker whose role fits a description ("the Kremlin spokesman"), if exactly one does.

        The head nouns must agree (spokesman ~ spokeswoman ~ spokesperson); when several speakers
        hold such a role, the description's other words ("Kremlin") must be in the role too.
        """
        words = name_words(phrase)
        head = ROLE_SYNONYMS.get(words[-1], words[-1]) if words else None
        if head is None or head not in self._by_head:
            return None
        holders = sorted(self._by_head.get(head, ()))
        if len(holders) > 1:
            qualifiers = set(words[:-1]) - TITLE_WORDS
            holders = [s for s in holders if any(qualifiers <= set(name_words(r)) for r in self._roles[s])]
        return holders[0] if len(holders) == 1 else None

    def speaks_for(self, speaker: str | None, organisation: str) -> bool:
        """Whether ``speaker`` is ``organisation`` or holds a role in it ("Kremlin spokesman" for "the Kremlin").

        A description headed by a body ("the Brel campaign") is that body, not a role in it: a
        speaker it was (perhaps wrongly) resolved to does not speak for what it names.
        """
        if not speaker:
            return False
        if same_person(speaker, organisation):
            return True
        org = set(name_words(organisation)) - TITLE_WORDS
        return bool(org) and any(org <= words for words in self._voices.get(speaker, ()))

    def representatives(self, organisation: str) -> list[str]:
        """The speakers who hold a role in an organisation, e.g. its spokesman."""
        words = set(name_words(organisation)) - TITLE_WORDS
        if not words:
            return []
        candidates = set.intersection(*(self._by_word.get(w, set()) for w in words))
        return sorted(s for s in candidates if s != organisation and self.speaks_for(s, organisation))

    def resolve(self, phrase: str) -> str | None:
        """A known speaker for a name, a role description or an organisation, else ``None``.

        A description headed by a role ("the ministry spokeswoman") means the role's holder, not
        the organisation its qualifier names ("ministry"), when one holder fits.
        """
        named = self.find(phrase)
        words = name_words(phrase)
        if named is None or (words and words[-1] not in name_words(named)):
            return self.by_role(phrase) or named
        return named
