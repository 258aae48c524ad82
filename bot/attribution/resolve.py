"""Within-article speaker resolution: aliases, pronouns and role descriptions.

"Dmitry Peskov", "Peskov", "Kremlin spokesman Dmitry Peskov", "the Kremlin spokesman" and a
later "he" become one canonical speaker, the fullest name the article uses for that person.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

from bot.attribution.candidates import Candidate, EntityMention, Mention
from bot.attribution.lexicon import (
    GENDERED_WORDS,
    GENERIC_ORGANISATION_NOUNS,
    NAMED_ORGANISATION_NOUNS,
    PERSON_PRONOUNS,
    PRONOUN_GENDER,
    ROLE_NOUNS,
)
from bot.attribution.names import DETERMINER, clean_name, fullest, role_key
from bot.attribution.people import BODY_HEADS, held_by_person, not_people
from bot.textnorm import mask_dateline

_SPEAKER_REACH = 800  # characters a pronoun may reach back to the last speaker
_ORGANISATION_REACH = 2000  # characters "the company" may reach back to the organisation it means
_GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "we"})
# "health minister, Ana Ruiz": a role and a name in apposition that the tagger did not mark as a person.
_ROLE_THEN_NAME = re.compile(r"^(?P<role>[^,]{3,80}),\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3})$")
# "A spokeswoman for the Finance Ministry, Ines Carrow, denied": a name in apposition after a role.
_NAME_AFTER = re.compile(
    r"(?P<qualifier>\s+(?:for|of|at|to)\s+[^,.;\n]{3,60})?,\s+"
    r"(?P<name>[A-Z][a-z][\w'’-]*(?:\s+[A-Z][a-z][\w'’-]*){1,2}),"
)
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
        self._text = text
        entities = [_person_by_apposition(e, text) for e in entities]
        # A name the article uses for a place or an organisation is no person, whatever one
        # mention of it was tagged: "he" never refers to "the Fennick Hill works".
        self._not_people = not_people(entities, text)
        entities = [
            replace(e, label="ORG") if e.label == "PERSON" and clean_name(e.text) in self._not_people else e
            for e in entities
        ]
        self._org_names = {DETERMINER.sub("", clean_name(e.text)) for e in entities if e.label == "ORG"}
        self._named_organisations = sorted(
            (e for e in entities if e.label in {"ORG", "FAC"} and DETERMINER.sub("", e.text)[:1].isupper()),
            key=lambda e: e.span,
        )
        # A one-word name the tagger took for an organisation ("Korver called ...") counts as a
        # person once a person with that surname is known; until then it is only tentative.
        self._tentative = {e.span for e in entities if e.label != "PERSON" and _one_capitalised_word(e.text)}
        self._people = sorted(
            (e for e in entities if e.label == "PERSON" or e.span in self._tentative), key=lambda e: e.span
        )
        self._organisations = {clean_name(e.text) for e in entities if e.label != "PERSON"}
        self._starts = [e.span[0] for e in self._people]
        # In order of first mention, so a surname two people share ("Trump" beside "Donald Trump"
        # and "Melania Trump") goes to the one the article named first, on every run.
        names = list(dict.fromkeys(clean_name(e.text) for e in self._people if e.span not in self._tentative))
        self._canonical = {n: fullest(n, names) for n in names}
        self._roles: dict[str, str] = {}  # role key -> canonical person
        self._holders: dict[str, set[str]] = {}  # role key -> every person seen holding it
        self._person_role: dict[str, str] = {}
        self._gender: dict[str, str] = {}  # canonical person -> "m" | "f", from titles and pronouns
        for ent in self._people:
            if ent.span not in self._tentative:
                self._learn_role(self.canonical(ent.text), self._owned(ent.role, ent.span[0]))

    def _owned(self, role: str | None, at: int) -> str | None:
        """A role with the organisation its "its" or "their" stands for, the one its paragraph opens
        with: "Its director" after "The Banking Supervision Office, which ..., has also come under
        pressure." is "Banking Supervision Office's director" (the role as it is when none is known)."""
        if not role or not role.lower().startswith(("its ", "their ")):
            return role
        owner = self._sentence_organisation(at)
        return f"{owner}'s {role.split(None, 1)[1]}" if owner is not None else role

    def _person_at(self, entity: EntityMention) -> str | None:
        """The canonical person an entity names, or ``None`` for a tentative one still unknown."""
        name = self.canonical(entity.text, entity.span[0])
        if entity.span in self._tentative and name not in self._canonical.values():
            return None
        return name

    def canonical(self, name: str, at: int | None = None) -> str:
        """The fullest known form of a person's name. A surname two people share ("Clinton" for
        Hillary and Chelsea Clinton) is the one named last before offset ``at``, as a reader takes
        it; without ``at``, or with neither named before it, the one the article names first."""
        clean = _without_title(clean_name(name))
        if at is not None and (namesake := self._last_namesake(clean, at)):
            return namesake
        return self._canonical.get(clean) or fullest(clean, self._canonical) or clean

    def _last_namesake(self, name: str, at: int) -> str | None:
        words = name.split()
        longer = {
            full for full in self._canonical.values()
            if len(full.split()) > len(words) and full.split()[-len(words):] == words
        }
        if len(longer) < 2:
            return None
        for ent in reversed(self._people[: bisect_left(self._starts, at)]):
            full = self._canonical.get(clean_name(ent.text))
            if full in longer and ent.span not in self._tentative:
                return full
        return None

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
            self._holders.setdefault(key, set()).add(person)
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
        lead = _NAME_THEN_ROLE.match(DETERMINER.sub("", " ".join(mention.text.split())))
        if (
            mention.kind in {"person", "group"} and lead and (mention.name or "") not in lead["name"]
            and held_by_person(lead["role"]) and lead["name"] not in self._organisations
        ):
            # "Teodor Brask, the coordinator of the citizens' group Riverwatch Ostreva": the person
            # speaks, the organisation is in his role.
            person = self._learn_person(lead["name"])
            self._learn_role(person, lead["role"])
            return Resolution(person, lead["role"])
        if mention.kind == "person" and mention.name and clean_name(mention.name) in self._not_people:
            return Resolution(DETERMINER.sub("", clean_name(mention.name)), mention.role)
        if mention.kind == "person" and mention.name:
            person = self.canonical(mention.name, mention.span[0])
            role = self._owned(mention.role, mention.span[0])
            self._learn_role(person, role)
            self._learn_gender(person, mention.text)
            return Resolution(person, role or self._person_role.get(person))
        alias = self._known_person(mention)
        if alias is not None:
            return Resolution(alias, mention.role or self._person_role.get(alias))
        if mention.kind == "group" and mention.name and held_by_person(mention.role):
            # "Nadia Ferrance, a spokeswoman for the ministry" that the tagger took for an organisation
            person = self._learn_person(mention.name)
            self._learn_role(person, mention.role)
            return Resolution(person, mention.role)
        if mention.kind == "group" and mention.name:
            return Resolution(DETERMINER.sub("", mention.name), mention.role)
        if mention.kind == "pronoun":
            return self._pronoun(mention, recent)
        text = " ".join(mention.text.split())
        if mention.kind == "nominal" and _PERSONAL_NAME.match(text) and text not in self._organisations:
            # "Teodor Brask said": a full name the tagger did not see is still a person.
            words = {w.lower() for w in text.split()}
            if not words & (BODY_HEADS | NAMED_ORGANISATION_NOUNS | GENERIC_ORGANISATION_NOUNS | ROLE_NOUNS):
                person = self._learn_person(text)
                return Resolution(person, self._person_role.get(person))
        return self._nominal(mention, recent)

    def _known_person(self, mention: Mention) -> str | None:
        """A capitalised mention the tagger missed that is a known person's surname."""
        words = clean_name(mention.name or mention.text).split()
        if not words or not all(w[:1].isupper() for w in words) or mention.kind == "pronoun":
            return None
        name = " ".join(words)
        full = self._last_namesake(name, mention.span[0]) or fullest(name, self._canonical)
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

    def role_of(self, speaker: str | None) -> str | None:
        """The role the article gives a person, if any."""
        return self._person_role.get(speaker) if speaker is not None and self.is_person(speaker) else None

    def names_organisation(self, speaker: str | None) -> bool:
        """Whether a speaker is a name the article uses for a place or an organisation."""
        return speaker is not None and speaker in self._not_people

    def holder(self, mention: str) -> Resolution | None:
        """The one person the whole article gives a role that an unresolved description names.

        "Lunmark Water will refund ..., its chief executive said" in a lead, and "Lunmark's chief
        executive, Gideon Sallow" below it; a headline's "Mayor admits ...". Asked after every
        candidate is resolved, so a name given later counts; never when two people hold the role.
        """
        key = _description_key(mention)
        holders = self._holders.get(key or "", set())
        if key is None or len(holders) != 1:
            return None
        (person,) = holders
        return Resolution(person, self._person_role.get(person))

    def introduce(self, mention: str, person: str, at: int) -> Resolution | None:
        """A lead's "..., its chief executive said." before any name, and the person named next:
        the news convention of naming the speaker in the following sentence. The person takes the
        role, with the organisation "its" stands for ("Lunmark Water's chief executive")."""
        key = _description_key(mention)
        if key is None or self._holders.get(key, {person}) != {person}:
            return None
        text = DETERMINER.sub("", " ".join(mention.split()))
        owned = self._owned(text, at)
        role = owned if owned and owned != text else _POSSESSOR.sub("", text)
        self._learn_role(person, role)
        return Resolution(person, self._person_role.get(person) or role)

    def _nominal(self, mention: Mention, recent: list[tuple[int, str, str]]) -> Resolution:
        """'the Kremlin spokesman' -> the person known to hold that role."""
        text = DETERMINER.sub("", mention.text)
        appos = _ROLE_THEN_NAME.match(text)
        if appos is None and (after := _NAME_THEN_ROLE.match(text)) and held_by_person(after["role"]):
            appos = after
        if appos is None and held_by_person(text) and (named := _NAME_AFTER.match(self._text, mention.span[1])):
            # "A spokeswoman for the Finance Ministry, Ines Carrow, denied ...": the name the tagger
            # missed stands in apposition right after the role.
            person = self._learn_person(named["name"])
            role = _INDEFINITE.sub("", text) + (named["qualifier"] or "")
            self._learn_role(person, role)
            return Resolution(person, role)
        if appos and appos["name"] not in self._organisations:
            person = self._learn_person(appos["name"])
            self._learn_role(person, appos["role"])
            return Resolution(person, appos["role"])
        key = role_key(mention.role or text)
        definite = mention.text.lower().startswith(("the ", "this "))
        if definite and key in self._roles:
            person = self._roles[key]
            return Resolution(person, self._person_role.get(person) or mention.role)
        if definite and (organisation := self._organisation_before(mention, recent)) is not None:
            return Resolution(organisation, None)
        return Resolution(text, mention.role)

    def _sentence_organisation(self, at: int) -> str | None:
        """The organisation a paragraph opens with, its subject as a rule ("Lunmark Water will
        refund ..., its chief executive said"), after any wire dateline."""
        start = max(self._text.rfind("\n", 0, at) + 1, at - 400, 0)  # the paragraph's opening words
        sentence = mask_dateline(self._text[start:at]).lstrip()
        lead = _SENTENCE_SUBJECT.match(sentence)
        if lead is None:
            return None
        name = lead.group(1)
        known = self._org_names | self._not_people
        return name if name in known or name.split()[0] in known else None

    def _organisation_before(self, mention: Mention, recent: list[tuple[int, str, str]]) -> str | None:
        """'the ministry' -> the last organisation named before it whose name holds that noun;
        'the company', 'the group' -> the organisation that last spoke, or that the last speaker
        speaks for ("Lunmark's spokesman", "coordinator of the citizens' group Riverwatch")."""
        words = DETERMINER.sub("", " ".join(mention.text.split())).lower().split()
        if len(words) != 1:
            return None
        noun, start = words[0], mention.span[0]
        if noun in NAMED_ORGANISATION_NOUNS:
            for entity in reversed(self._named_organisations):
                if entity.span[0] < start and start - entity.span[1] <= _ORGANISATION_REACH:
                    name = DETERMINER.sub("", clean_name(entity.text))
                    if noun in {w.lower() for w in name.split()}:
                        return name
            return None
        if noun not in GENERIC_ORGANISATION_NOUNS:
            return None
        for offset, speaker, kind in reversed(recent):
            if start - offset > _ORGANISATION_REACH:
                break
            org: str | None
            if kind == "person":
                role = self._person_role.get(speaker)
                found = _ORGANISATION_IN_ROLE.search(role or "") if held_by_person(role) else None
                org = (found.group("org") or found.group("org2")) if found else None
            else:
                org = speaker if speaker in self._org_names or speaker in self._not_people else None
            if org and not {w.lower() for w in org.split()} & (NAMED_ORGANISATION_NOUNS | PLACE_LIKE):
                return org
        return None


_SENTENCE_SUBJECT = re.compile(r"^(?:The\s+)?([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)")
# The organisation a role names: "Lunmark's spokesman", "coordinator of the citizens' group Riverwatch".
_ORGANISATION_IN_ROLE = re.compile(
    r"^(?P<org>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)[’']s?\s|\b(?:of|for|at)\s+(?:the\s+)?(?:[a-z’'-]+\s+)*?"
    r"(?P<org2>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)"
)
PLACE_LIKE = frozenset({"city", "state", "country", "district", "region", "county", "province"})


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



_PERSONAL_NAME = re.compile(r"^(?!(?:The|A|An|This|These|Those|Some|Many|All|Several)\s)[A-Z][a-z][\w'’-]*"
                            r"(?:\s+(?:(?:de|van|von|al|bin|da|di|le)\s+)?[A-Z][a-z][\w'’-]*){1,2}$")
_INDEFINITE = re.compile(r"^(?:a|an|one|some|another|any|several|two|three|many)\s", re.I)
_POSSESSOR = re.compile(r"^(?:its|his|her|their|our|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*[’']s?)\s+")



def _description_key(mention: str) -> str | None:
    """The role noun of a definite or possessive description of one person ("its chief
    executive" -> "executive", a headline's "Mayor"); None for anything else ("a former supervisor")."""
    text = " ".join(mention.split())
    if _INDEFINITE.match(text):
        return None
    bare = _POSSESSOR.sub("", DETERMINER.sub("", text))
    words = bare.split()
    if not 1 <= len(words) <= 4 or (len(words) > 1 and any(w[:1].isupper() for w in words)):
        return None
    key = role_key(bare)
    return key if key in ROLE_NOUNS else None


def _without_title(name: str) -> str:
    """A person's name without the role words before it ("Data Commissioner Vossberg" -> "Vossberg",
    "Health Minister Anselm Rook" -> "Anselm Rook"), so it meets the name the article gives in full."""
    words = name.split()
    titled = [i for i, w in enumerate(words[:-1]) if w.lower().rstrip(".") in ROLE_NOUNS]
    return " ".join(words[titled[-1] + 1 :]) if titled else name


def _one_capitalised_word(text: str) -> bool:
    words = text.split()
    return len(words) == 1 and words[0][:1].isupper() and not words[0].isupper()
