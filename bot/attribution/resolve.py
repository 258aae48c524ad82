"""Within-article speaker resolution: aliases, pronouns and role descriptions.

"Dmitry Peskov", "Peskov", "Kremlin spokesman Dmitry Peskov", "the Kremlin spokesman" and a
later "he" become one canonical speaker, the fullest name the article uses for that person.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.attribution.candidates import Candidate, EntityMention, Mention
from bot.attribution.lexicon import GENDERED_WORDS, PERSON_PRONOUNS, PRONOUN_GENDER, ROLE_NOUNS
from bot.attribution.names import DETERMINER, clean_name, fullest, role_key

_SPEAKER_REACH = 800  # characters a pronoun may reach back to the last speaker
_GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "we"})
# "health minister, Ana Ruiz": a role and a name in apposition that the tagger did not mark as a person.
_ROLE_THEN_NAME = re.compile(r"^(?P<role>[^,]{3,80}),\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3})$")
# "Ines Korver, a spokeswoman for the residents' committee(, which organised the march)": the
# reverse order, kept only when the role is a position a person holds.
_NAME_THEN_ROLE = re.compile(
    r"^(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}),\s+(?:a|an|the)\s+(?P<role>[^,]{3,100})(?:,.*)?$"
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The canonical speaker and role decided for one candidate."""

    speaker: str | None
    role: str | None


class SpeakerResolver:
    """Resolve candidate sources to canonical speakers, in article order."""

    def __init__(self, entities: list[EntityMention], text: str = "") -> None:
        entities = [_person_by_apposition(e, text) for e in entities]
        # A one-word name the tagger took for an organisation ("Korver called ...") counts as a
        # person once a person with that surname is known; until then it is only tentative.
        self._tentative = {e.span for e in entities if e.label != "PERSON" and _one_capitalised_word(e.text)}
        self._people = sorted(
            (e for e in entities if e.label == "PERSON" or e.span in self._tentative), key=lambda e: e.span
        )
        self._organisations = {clean_name(e.text) for e in entities if e.label != "PERSON"}
        self._starts = [e.span[0] for e in self._people]
        names = {clean_name(e.text) for e in self._people if e.span not in self._tentative}
        self._canonical = {n: fullest(n, names) for n in names}
        self._roles: dict[str, str] = {}  # role key -> canonical person
        self._person_role: dict[str, str] = {}
        self._gender: dict[str, str] = {}  # canonical person -> "m" | "f", from titles and pronouns
        for ent in self._people:
            if ent.span not in self._tentative:
                self._learn_role(self.canonical(ent.text), ent.role)

    def _person_at(self, entity: EntityMention) -> str | None:
        """The canonical person an entity names, or ``None`` for a tentative one still unknown."""
        name = self.canonical(entity.text)
        if entity.span in self._tentative and name not in self._canonical.values():
            return None
        return name

    def canonical(self, name: str) -> str:
        """The fullest known form of a person's name."""
        clean = clean_name(name)
        return self._canonical.get(clean) or fullest(clean, set(self._canonical)) or clean

    def _learn_person(self, name: str) -> str:
        """Add a person the tagger missed; later mentions of their surname resolve to them."""
        person = self.canonical(name)
        self._canonical.setdefault(person, person)
        for short in list(self._canonical):
            if fullest(short, {person}) == person and len(short) < len(person):
                self._canonical[short] = person
        return person

    def _learn_role(self, person: str, role: str | None) -> None:
        key = role_key(role)
        if key and role:
            self._roles[key] = person
            self._person_role.setdefault(person, role)
        self._learn_gender(person, role)

    def _learn_gender(self, person: str, words: str | None) -> None:
        """Record a person's pronoun from a gendered title or role ("a spokeswoman", "Mr")."""
        for word in re.findall(r"[a-z]+", (words or "").lower()):
            if word in GENDERED_WORDS:
                self._gender.setdefault(person, GENDERED_WORDS[word])
                return

    def _agrees(self, person: str, gender: str | None) -> bool:
        """Whether a pronoun of ``gender`` may refer to ``person`` (unknown agrees with both)."""
        known = self._gender.get(person)
        return gender is None or known is None or known == gender

    def resolve(self, cand: Candidate, recent: list[tuple[int, str, str]]) -> Resolution:
        """Resolve one candidate; ``recent`` lists earlier (offset, speaker, kind) decisions."""
        mention = cand.source
        if mention is None:
            return Resolution(None, None)
        if mention.kind == "person" and mention.name:
            person = self.canonical(mention.name)
            self._learn_role(person, mention.role)
            self._learn_gender(person, mention.text)
            return Resolution(person, mention.role or self._person_role.get(person))
        alias = self._known_person(mention)
        if alias is not None:
            return Resolution(alias, mention.role or self._person_role.get(alias))
        if mention.kind == "group" and mention.name and _held_by_person(mention.role):
            # "Nadia Ferrance, a spokeswoman for the ministry" that the tagger took for an organisation
            person = self._learn_person(mention.name)
            self._learn_role(person, mention.role)
            return Resolution(person, mention.role)
        if mention.kind == "group" and mention.name:
            return Resolution(DETERMINER.sub("", mention.name), mention.role)
        if mention.kind == "pronoun":
            return self._pronoun(mention, recent)
        return self._nominal(mention)

    def _known_person(self, mention: Mention) -> str | None:
        """A capitalised mention the tagger missed that is a known person's surname."""
        words = clean_name(mention.name or mention.text).split()
        if not words or not all(w[:1].isupper() for w in words) or mention.kind == "pronoun":
            return None
        name = " ".join(words)
        full = fullest(name, set(self._canonical))
        return full if full != name or name in self._canonical else None

    def _pronoun(self, mention: Mention, recent: list[tuple[int, str, str]]) -> Resolution:
        """he/she -> the most recent person; they/it -> the most recent speaker of any kind."""
        head = mention.head
        gender = PRONOUN_GENDER.get(head)
        if head in PERSON_PRONOUNS or head in {"i"}:
            person = self._last_person(mention.span[0], recent, gender)
        elif head in _GROUP_PRONOUNS:
            person = recent[-1][1] if recent else None
        else:
            person = None
        if person is None:
            return Resolution(mention.text, None)
        if gender is not None:
            self._gender.setdefault(person, gender)
        return Resolution(person, self._person_role.get(person))

    def _last_person(
        self, offset: int, recent: list[tuple[int, str, str]], gender: str | None
    ) -> str | None:
        """A nearby earlier speaker wins over a closer name, unless a person became the subject since.

        News pronouns track the speaker ("Peskov said ... about Zelenskyy. He added" is Peskov),
        but a person who is the subject of a later clause takes over ("Peskov said ... Karel
        Voss, the spokesman, accused the government. He claimed" is Voss). Either must agree
        with the pronoun where the person's gender is known: a "she" skips a "he".
        """
        i = bisect_left(self._starts, offset) - 1
        said = next(
            ((o, s) for o, s, k in reversed(recent) if k == "person" and self._agrees(s, gender)),
            None,
        )
        if said is not None and offset - said[0] <= _SPEAKER_REACH:
            newer = self._subject_between(said[0], offset, i, gender)
            return newer if newer is not None else said[1]
        while i >= 0:
            person = self._person_at(self._people[i])
            if person is not None and self._agrees(person, gender):
                return person
            i -= 1
        return None

    def _subject_between(self, start: int, offset: int, last: int, gender: str | None) -> str | None:
        """The latest person who is a clause's subject after ``start`` and before ``offset``."""
        while last >= 0 and self._people[last].span[0] > start:
            person = self._people[last]
            name = self._person_at(person)
            if name is not None and person.subject and person.span[1] <= offset and self._agrees(name, gender):
                return name
            last -= 1
        return None

    def is_person(self, speaker: str | None) -> bool:
        """Whether a resolved speaker is a person the article names (not a group or a description)."""
        return speaker is not None and speaker in self._canonical.values()

    def _nominal(self, mention: Mention) -> Resolution:
        """'the Kremlin spokesman' -> the person known to hold that role."""
        text = DETERMINER.sub("", mention.text)
        appos = _ROLE_THEN_NAME.match(text)
        if appos is None and (after := _NAME_THEN_ROLE.match(text)) and _held_by_person(after["role"]):
            appos = after
        if appos and appos["name"] not in self._organisations:
            person = self._learn_person(appos["name"])
            self._learn_role(person, appos["role"])
            return Resolution(person, appos["role"])
        key = role_key(mention.role or text)
        definite = mention.text.lower().startswith(("the ", "this "))
        if definite and key in self._roles:
            person = self._roles[key]
            return Resolution(person, self._person_role.get(person) or mention.role)
        return Resolution(text, mention.role)




def _held_by_person(role: str | None) -> bool:
    """Whether a role is a position a person holds ("a spokeswoman for the ministry")."""
    key = role_key(role)
    return key is not None and key in ROLE_NOUNS


_ROLE_WORDS = "|".join(sorted(ROLE_NOUNS, key=len, reverse=True))
# "The Interior Ministry spokeswoman, Nadia Ferrance," / "Nadia Ferrance, a spokeswoman for ...":
# a name the tagger took for an organisation, in apposition with a position a person holds.
_ROLE_BEFORE = re.compile(
    rf"(?:^|[.;:!?]\s+|\b(?:the|a|an)\s+)(?P<role>(?:[\w'’-]+\s+){{0,4}}(?:{_ROLE_WORDS})),\s*$", re.I
)
_ROLE_AFTER = re.compile(
    rf"^,\s+(?:a|an|the)\s+(?P<role>(?:[\w'’-]+\s+){{0,3}}(?:{_ROLE_WORDS})\b[^,.;]{{0,60}})", re.I
)


def _person_by_apposition(entity: EntityMention, text: str) -> EntityMention:
    """An organisation-tagged name that a person's role stands beside is a person."""
    words = entity.text.split()
    if entity.label == "PERSON" or not text or not 2 <= len(words) <= 4 or not all(w[:1].isupper() for w in words):
        return entity
    start, end = entity.span
    before = _ROLE_BEFORE.search(text, max(0, start - 80), start)
    after = _ROLE_AFTER.match(text[end : end + 120])
    match = before or after
    if match is None:
        return entity
    role = DETERMINER.sub("", " ".join(match["role"].split()))
    return EntityMention(span=entity.span, text=entity.text, label="PERSON", role=role, subject=entity.subject)



def _one_capitalised_word(text: str) -> bool:
    words = text.split()
    return len(words) == 1 and words[0][:1].isupper() and not words[0].isupper()
