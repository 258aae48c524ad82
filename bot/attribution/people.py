"""Which names in an article are people: the small tagger labels one name differently from
mention to mention, so the article's mentions decide, not any one of them.

Used by ``resolve`` before any speaker is resolved: a name found here is never a person there.
"""

from __future__ import annotations

import re

from bot.attribution.candidates import EntityMention
from bot.attribution.lexicon import ROLE_NOUNS
from bot.attribution.names import COMPANY_SUFFIXES, LEADING_TITLES, NOT_NAMES, clean_name, role_key

# The last word of a name that makes it an institution's, never a person's.
BODY_HEADS = COMPANY_SUFFIXES | {
    "hospital", "ministry", "department", "agency", "authority", "council", "commission", "committee",
    "university", "institute", "foundation", "observatory", "inspectorate", "association",
}
# The common nouns an article calls a body by ("the club", "this ministry"); a company's suffixes
# ("energy", "media") are not among them.
BODY_NOUNS = (BODY_HEADS - COMPANY_SUFFIXES) | {
    "club", "union", "firm", "company", "service", "office", "board", "trust", "group", "party", "federation",
    "society", "government", "police", "court", "organisation", "organization",
}


def not_people(entities: list[EntityMention], text: str) -> frozenset[str]:
    """Names the article uses for a place or an organisation more than for a person.

    The small tagger labels one name differently from mention to mention ("Lunmark" is an
    organisation in one sentence and a person in the next). A name counts as a person when it is
    the surname of a fuller name tagged as one, or carries a title or a role; otherwise the
    article's mentions vote, "the NAME" voting against a person ("the Fennick Hill works"). A
    longer name starting with an organisation's word is that organisation ("Lunmark Water").
    """
    votes, people, tagged, titled, org_words = _tally(entities, text)
    # The first word of an organisation's longer name ("Harlow" of "Harlow Rail").
    leading = {name.split()[0] for e in entities if e.label == "ORG" and len((name := clean_name(e.text)).split()) > 1}
    # News names a person in full at least once: a one-word name tagged something else too and
    # never given a first name ("Lunmark") is the organisation, however often it was a "person".
    single = {
        n for n, (p, o) in votes.items()
        if n not in people and n in tagged and (
            o >= p or ((o or n in leading) and len(n.split()) == 1 and not _given_name(n, text))
        )
    }
    out = set(single)
    alone = {n for n in votes if len(n.split()) == 1}
    for name in votes:
        words = name.split()
        first = words[0]
        if name in tagged and len(words) == 2 and first in alone and words[1] not in alone and not titled.get(name):
            # News calls a person by the surname: "Lunmark" alone after "Lunmark Water" is a company.
            out.update({name, first})
        if name in tagged and len(words) >= 2 and words[-1].lower() in BODY_HEADS:
            out.add(name)  # "Ostreva Central Hospital", "Quillon Chemicals"
        organisation_word = first in single or (first in org_words and first not in tagged and first not in people)
        if len(words) >= 2 and name in tagged and organisation_word and org_words.get(first, 0) >= votes[first][0]:
            out.add(name)
    return frozenset(out)


def _tally(
    entities: list[EntityMention], text: str
) -> tuple[dict[str, list[int]], set[str], set[str], dict[str, bool], dict[str, int]]:
    """Per name: its votes (as a person, as something else), and which names are surely people,
    tagged as one at least once, titled, and one-word organisation names with their counts."""
    votes: dict[str, list[int]] = {}  # name -> [as a person, as something else]
    people: set[str] = set()
    tagged: set[str] = set()  # names tagged as a person at least once
    titled: dict[str, bool] = {}  # names given a title or a person's role
    org_words: dict[str, int] = {}
    for entity in entities:
        name = clean_name(entity.text)
        if not name:
            continue
        start = entity.span[0]
        after_the = entity.text.lower().startswith("the ") or text[max(0, start - 4) : start].lower() == "the "
        person = entity.label == "PERSON" and not after_the
        if entity.label == "PERSON":
            tagged.add(name)
        vote = votes.setdefault(name, [0, 0])
        vote[0 if person else 1] += 1
        words = name.split()
        if person and (held_by_person(entity.role) or LEADING_TITLES.match(entity.text.strip() + " ")):
            titled[name] = True
        if person and (len(words) >= 2 or titled.get(name)):
            people.add(name)
            if len(words) >= 2:
                people.add(words[-1])
        if entity.label == "ORG" and len(words) == 1:
            org_words[name] = org_words.get(name, 0) + 1
    return votes, people, tagged, titled, org_words


def _given_name(surname: str, text: str) -> bool:
    """Whether the text ever writes a capitalised word before the name, as a first name or a title."""
    for match in re.finditer(rf"\b([A-Z][a-z]+\.?)\s+{re.escape(surname)}\b", text):
        if match.group(1).rstrip(".") not in _NOT_GIVEN and match.group(1) not in NOT_NAMES:
            return True
    return False


_NOT_GIVEN = frozenset({
    "The", "A", "An", "This", "That", "And", "But", "Asked", "When", "While", "If", "As", "At", "In", "On", "For",
    "From", "By", "With", "To", "Of", "Said", "Says", "Told", "Whether", "Only", "Even", "Then", "So", "Or", "Nor",
    "Unlike", "Like", "Against", "Until", "Since", "After", "Before",
})


def held_by_person(role: str | None) -> bool:
    """Whether a role is a position a person holds ("a spokeswoman for the ministry")."""
    key = role_key(role)
    return key is not None and key in ROLE_NOUNS
