"""Attributed claim checks: is the claimed speaker on record with these words?

"X said C" is checked against who is on record saying C, found by searching the *content* (the
claimed speaker's name must not pull the search towards X's other claims). Outcomes:

* ``supported``: X (or, for an organisation, one of its representatives) said C, with the same
  polarity, figures, names and strength of cue;
* ``contradicted``: X denied C, or C is claimed as X's denial while X asserted it;
* ``misquoted``: X said something close to C that differs in a figure, place, person, date,
  negation or cue (each listed with both sides);
* ``misattributed``: the words are on record from someone else (named), and X's own closest
  words are clearly further from them;
* ``unverified``: no indexed source has X saying it; what X said on the topic and who else said
  something like C are listed.

"X never said C" is ``contradicted`` when X is on record saying C, and ``unverified`` otherwise,
X's own denial included (an index cannot show that something was never said, and X's word on
X's conduct is X's position, not proof).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from operator import attrgetter, itemgetter

from bot.answer.checks import AttributionFinding, CheckResult, Evidence
from bot.answer.claimparse import ParsedClaim
from bot.answer.compare import (
    CERTAIN_STANCES,
    DENIAL_STANCES,
    NON_CLAIM_STANCES,
    Comparison,
    compare,
    negation_shared,
)
from bot.answer.policy import Policy
from bot.answer.text import content_terms, coverage, normalise, point_coverage, topic_terms
from bot.attribution.dates import find_dates, read_date
from bot.attribution.lexicon import negated
from bot.attribution.names import COMPANY_SUFFIXES, DETERMINER, SpeakerIndex, is_title, name_words, same_person
from bot.attribution.people import BODY_HEADS
from bot.attribution.quantities import compatible, is_span, matching_quantities, parse_quantities
from bot.model import Claim, Difference, Match, Quantity, Verdict

ADMISSIONS = CERTAIN_STANCES  # "admitted", "confirmed": a claimed admission of what was denied contradicts
MAX_ON_TOPIC = 2
_RELEVANCE = attrgetter("relevance")  # what the claimed speaker said on the topic, listed beside a finding


def check_attribution(
    parsed: ParsedClaim, evidence: Sequence[Evidence], *, speakers: SpeakerIndex, policy: Policy | None = None,
    sentences: Callable[[], Sequence[Evidence]] | None = None,
) -> CheckResult:
    """Decide an attributed claim from the retrieved claims (``evidence``, best first).

    A denial on record, by the claimed speaker or an organisation they speak for, outranks a
    negation found in their other words: "X said police fired" when X's ministry denied that
    police fired is ``contradicted``, not a misquote. When no claim decides (``unverified``), the
    attributed ``sentences()`` of the retrieved passages (``onrecord.sentences_on_record``) are read:
    one naming X as saying the words decides as X's record; one naming someone else misattributes.
    """
    policy = policy or Policy()
    assert parsed.speaker is not None
    claimed = speakers.resolve(parsed.speaker) or parsed.speaker
    usable = [e for e in evidence if e.claim.stance not in NON_CLAIM_STANCES and e.claim.speaker]
    result = _decide(parsed, claimed, usable, speakers, policy)
    if result.verdict in ("misquoted", "unverified") and not parsed.never and parsed.stance not in DENIAL_STANCES:
        denial = _denial(parsed, claimed, usable, speakers, policy)
        if denial is not None and not _misquotes_closer(parsed, result, denial, speakers, policy):
            on_topic = result.attribution.said_on_topic if result.attribution else ()
            return _own_finding(parsed, claimed, denial, on_topic, speakers, policy)
        if result.verdict == "misquoted" and _reported_denial(parsed, result.attribution, policy):
            return replace(result, verdict="contradicted")
    if result.verdict == "unverified" and sentences is not None:
        return _from_sentences(parsed, claimed, sentences(), speakers, policy) or result
    return result


def _from_sentences(
    parsed: ParsedClaim, claimed: str, sentences: Sequence[Evidence], speakers: SpeakerIndex, policy: Policy
) -> CheckResult | None:
    """A passage sentence with the words decides: X's own is X's record, someone else's misattributes."""
    assert parsed.speaker is not None
    for sentence in sentences:
        if _is_claimed(sentence.claim, parsed.speaker, claimed, speakers):
            return _own_finding(parsed, claimed, sentence, (), speakers, policy)
    if parsed.never:
        return None
    other = next((e for e in sentences if _named(e.claim.speaker) and _says(parsed, e)), None)
    if other is None:
        return None
    speaker = other.claim.speaker or ""
    match: Match = "exact" if _exact(parsed.content, other.claim) else "paraphrase"
    finding = AttributionFinding(claimed, other, match, (Difference("speaker", claimed, speaker),))
    return CheckResult(parsed.text, "misattributed", attribution=finding)


def _misquotes_closer(
    parsed: ParsedClaim, result: CheckResult, denial: Evidence, speakers: SpeakerIndex, policy: Policy
) -> bool:
    """Whether a misquoting record says the checked words and the denial only touches their topic:
    "the 2022 audit had found serious weaknesses" is a misquote of "... had found 'no serious
    weaknesses'", whatever the same official denied about postponing another audit."""
    found = result.attribution.found if result.attribution else None
    if result.verdict != "misquoted" or found is None:
        return False
    said = _compare(parsed, found, speakers, policy).coverage
    return said >= policy.flip_coverage > _compare(parsed, denial, speakers, policy).coverage


def _denial(
    parsed: ParsedClaim, claimed: str, usable: Sequence[Evidence], speakers: SpeakerIndex, policy: Policy
) -> Evidence | None:
    """The claimed speaker's (or their organisation's) denial of the checked words, if on record."""
    for e in sorted(usable, key=_RELEVANCE, reverse=True):
        if e.claim.stance not in DENIAL_STANCES or e.relevance < policy.related:
            continue
        mine = (
            _is_claimed(e.claim, parsed.speaker or "", claimed, speakers)
            or speakers.speaks_for(claimed, e.claim.speaker or "")
            or _company_voice(claimed, e.claim, usable, speakers)
        )
        if mine and _compare(parsed, e, speakers, policy).flipped_by_cue:
            return e
    return None


_THE_COMPANY = re.compile(r"\b(?:the\s+company|company's|the\s+firm|firm's)\b", re.I)


def _company_voice(claimed: str, claim: Claim, usable: Sequence[Evidence], speakers: SpeakerIndex) -> bool:
    """Whether the claimed speaker is "a spokesman for the company" and ``claim`` is that company's.

    Roles are kept as the article words them; "the company" is the company the article names
    ("Quillon Chemicals denied ...; Yusuf Marlow, a spokesman for the company, said ..."), when
    it is the only company speaking in that article.
    """
    if not _is_company(claim.speaker) or not any(_THE_COMPANY.search(r) for r in speakers.roles(claimed)):
        return False
    companies = {
        e.claim.speaker for e in usable if e.claim.article_id == claim.article_id and _is_company(e.claim.speaker)
    }
    return companies == {claim.speaker}


def _is_company(speaker: str | None) -> bool:
    words = name_words(speaker or "")
    return len(words) > 1 and words[-1] in COMPANY_SUFFIXES


def _decide(
    parsed: ParsedClaim, claimed: str, usable: Sequence[Evidence], speakers: SpeakerIndex, policy: Policy
) -> CheckResult:
    assert parsed.speaker is not None
    own = sorted((e for e in usable if _is_claimed(e.claim, parsed.speaker, claimed, speakers)), key=_RELEVANCE,
                 reverse=True)
    others = sorted((e for e in usable if not _is_claimed(e.claim, parsed.speaker, claimed, speakers)),
                    key=_RELEVANCE, reverse=True)
    terms = topic_terms(parsed.content)
    figures = parse_quantities(parsed.content)
    near = [e for e in own if e.relevance >= policy.related or _same_count(figures, e, policy, terms)]
    best_own = _closest(parsed.content, near, policy)
    if best_own is not None and best_own.relevance < policy.flip_similarity and not coverage(
        terms, best_own.claim.content
    ):
        # A record sharing none of the words does not say them; a close one that shares some may.
        sharing = [e for e in near if e.relevance >= policy.paraphrase and coverage(terms, e.claim.content)]
        best_own = _closest(parsed.content, sharing, policy) or best_own
    # Someone else "said the words" with most of them, the same polarity and figures, and a name:
    # an unresolved "former safety officer" may be the claimed speaker, so it proves nothing.
    best_other = next(
        (
            e for e in others
            if e.relevance >= policy.paraphrase and coverage(terms, e.claim.content) >= policy.stance_coverage
            and _named(e.claim.speaker) and _says(parsed, e)
        ),
        None,
    )
    on_topic = tuple(e for e in own[:MAX_ON_TOPIC + 1] if e.relevance >= policy.related)
    # Besides the closest record, any other with most of the claim's words ("Their notice reached
    # us at seven o'clock on Monday evening" under a closer-embedding denial of another matter).
    covered = [(coverage(terms, e.claim.content), e) for e in near if e is not best_own]
    worded = [e for share, e in sorted(covered, key=itemgetter(0), reverse=True) if share >= policy.stance_coverage]
    # ... and any that gives a figure for what the claim counts ("six weeks late" for "ten weeks late").
    worded += [e for e in near if e is not best_own and e not in worded and _same_count(figures, e, policy, terms)]
    candidates = [best_own, *worded] if best_own is not None else worded
    if best_own is not None and best_own.relevance >= policy.paraphrase:
        result = _own_finding(parsed, claimed, best_own, on_topic, speakers, policy)
        if result.verdict == "supported" and (sharper := _sharper(parsed, best_own, own, speakers, policy)):
            return _own_finding(parsed, claimed, sharper[0], on_topic, speakers, policy, comparison=sharper[1])
        if result.verdict != "unverified" or not worded:
            return result
        candidates = worded
    if best_other is not None and (
        best_own is None or best_other.relevance >= best_own.relevance + policy.misattribution_margin
    ):
        if (position := _position(parsed, near, speakers, policy)) is not None:
            return _own_finding(parsed, claimed, position, on_topic, speakers, policy)
        match: Match = "exact" if _exact(parsed.content, best_other.claim) else "paraphrase"
        speaker = best_other.claim.speaker or ""
        finding = AttributionFinding(
            claimed, best_other, match, (Difference("speaker", claimed, speaker),),
            said_on_topic=tuple(e for e in on_topic if e is not best_other)[:MAX_ON_TOPIC],
        )
        verdict: Verdict = "unverified" if parsed.never else "misattributed"
        return CheckResult(parsed.text, verdict, attribution=finding)
    for record in candidates:
        # Only a difference with both sides (another figure, name, cue or polarity) makes a
        # misquote; a statement merely on the same topic is not one.
        comparison = _compare(parsed, record, speakers, policy)
        if comparison.flipped or any(d.found for d in comparison.differences):
            return _own_finding(parsed, claimed, record, on_topic, speakers, policy, comparison=comparison)
        if comparison.clean and _restates(parsed.content, record, policy):
            # "the Fennick Hill works supplies about 18,000 households" for "The plant supplies
            # about 18,000 households": worded apart, but the speaker's record with the claim's
            # point and nothing that differs.
            return _own_finding(parsed, claimed, record, on_topic, speakers, policy, comparison=comparison)
    said_elsewhere = tuple(e for e in others if e.relevance >= policy.paraphrase)[:MAX_ON_TOPIC]
    finding = AttributionFinding(claimed, None, "none", said_on_topic=on_topic[:MAX_ON_TOPIC], others=said_elsewhere)
    return CheckResult(parsed.text, "unverified", attribution=finding)


def _sharper(
    parsed: ParsedClaim, found: Evidence, own: Sequence[Evidence], speakers: SpeakerIndex, policy: Policy
) -> tuple[Evidence, Comparison] | None:
    """Another of the speaker's records giving one of the claim's dates or figures otherwise, where
    the supporting record gives that one less precisely or not at all.

    A headline's "warned the builder in April" does not confirm "sent his warning on April 4"
    when the speaker's own account says he emailed it on April 14: the more specific record decides.
    """
    for record in own:
        if record is found or record.relevance < policy.figure_relevance:
            continue
        comparison = _compare(parsed, record, speakers, policy)
        if comparison.flipped or not comparison.coverage:
            continue
        if any(
            d.kind in ("date", "figure") and d.found and not _gives(parsed.content, d.claimed, found.claim)
            for d in comparison.differences
        ):
            return record, comparison
    return None


def _gives(content: str, written: str, claim: Claim) -> bool:
    """Whether a record gives a date or figure of the checked words as precisely as they do (other
    differences, such as a part of the day, count as given: they have no precision to compare)."""
    date = read_date(written)
    if date is not None:
        return any(all(a is None or a == b for a, b in zip(date, other, strict=True)) for _, other in
                   find_dates(claim.content))
    quantities = [q for q in parse_quantities(content) if q.text == written]
    if not quantities:
        return True
    return any(compatible(q, other) for q in quantities for other in matching_quantities(q, claim.quantities))


def _position(
    parsed: ParsedClaim, near: Sequence[Evidence], speakers: SpeakerIndex, policy: Policy
) -> Evidence | None:
    """The claimed speaker's own stand on the very words, taken against them or denied.

    "Marlow denied that staff were told not to report leaks": Pekkari's claim that they were is
    the closer in wording, but Marlow's "Nobody at Quillon was ever told not to report a leak"
    is his position on it, so his words decide, not Pekkari's.
    """
    for e in near:
        if point_coverage(parsed.content, e.claim.content) < policy.stance_coverage:
            continue
        comparison = _compare(parsed, e, speakers, policy)
        if comparison.flipped or (parsed.stance in DENIAL_STANCES and comparison.clean):
            return e
    return None


def _own_finding(
    parsed: ParsedClaim, claimed: str, found: Evidence, on_topic: tuple[Evidence, ...], speakers: SpeakerIndex,
    policy: Policy, *, comparison: Comparison | None = None,
) -> CheckResult:
    """The claimed speaker's own closest words decide: supported, contradicted or misquoted."""
    comparison = comparison or _compare(parsed, found, speakers, policy)
    rest = tuple(e for e in on_topic if e is not found)[:MAX_ON_TOPIC]
    if comparison.flipped_by_cue or (comparison.flipped and parsed.stance in ADMISSIONS):
        # "X admitted C" when X denied it (or said the opposite): X's position is the reverse. "X
        # never told Y C" when X denied it is X's word on X's own conduct: listed, not proof.
        verdict: Verdict = "unverified" if parsed.never else "contradicted"
        cue = Difference("cue", parsed.cue or "said", found.claim.cue)
        finding = AttributionFinding(claimed, found, "different", (cue, *comparison.differences), said_on_topic=rest)
        return CheckResult(parsed.text, verdict, attribution=finding)
    if comparison.clean and (comparison.coverage > 0 or found.relevance >= policy.flip_similarity):
        match: Match = "exact" if _exact(parsed.content, found.claim) else "paraphrase"
        verdict = "contradicted" if parsed.never else "supported"
        finding = AttributionFinding(claimed, found, match, said_on_topic=rest)
        return CheckResult(parsed.text, verdict, attribution=finding)
    if not comparison.differences or comparison.unsure:
        # "Quillon is not leaving Sarnport" for "Quillon was preparing to move its headquarters": a
        # negation on too few of the words to say whether the record agrees; and a record sharing none
        # of the claim's words ("to suspend the licence" for "the city will sue") does not say them.
        finding = AttributionFinding(claimed, None, "none", said_on_topic=(found, *rest)[:MAX_ON_TOPIC])
        return CheckResult(parsed.text, "unverified", attribution=finding)
    finding = AttributionFinding(claimed, found, "different", comparison.differences, said_on_topic=rest)
    return CheckResult(parsed.text, "unverified" if parsed.never else "misquoted", attribution=finding)


def _reported_denial(parsed: ParsedClaim, finding: AttributionFinding | None, policy: Policy) -> bool:
    """Whether a misquote by negation reverses words the article reports as a denial.

    "Nothing about a faulty pump ever reached this authority," beside "Strand denied that the
    authority had ever received Feld's report": the checked claim asserts what her words negate,
    and she is on record denying it, so her position is the claim's reverse. A claim that adds a
    negation the record lacks ("would not pay" for "would pay") stays a misquote.
    """
    if finding is None or finding.found is None or negated(parsed.content):
        return False
    if not any(d.kind == "negation" for d in finding.differences):
        return False
    found = finding.found.claim
    return any(
        e.claim.stance in DENIAL_STANCES and e.relevance >= policy.related
        and e.claim.article_id == found.article_id and _beside(e.claim, found)
        for e in finding.said_on_topic
    )


# Characters between a reported denial and the words given as its own: a space, a colon, a dash.
_BESIDE = 8


def _beside(denial: Claim, words: Claim) -> bool:
    """Whether the speaker's words are quoted right beside the denial, as its own words ("Strand
    denied that ... . 'Nothing ... ever reached this authority,' the director said"), not elsewhere
    in the article ("... had found 'no serious weaknesses'" two sentences after a denial of another report)."""
    return max(words.start - denial.end, denial.start - words.end) <= _BESIDE


def _compare(parsed: ParsedClaim, found: Evidence, speakers: SpeakerIndex, policy: Policy) -> Comparison:
    """The comparison of the checked words with a record; an opposite polarity counts only where the
    record says (most of) the same words, or is about the same thing and has the very word the
    negation governs: "would not accept Cruz's endorsement" is no negation of another statement
    about Cruz; "he had no photographs of the branches" is one of "he had photographs of the branches"."""
    comparison = compare(parsed.content, parsed.stance, found.claim, context=found.context, speakers=speakers,
                         cue=parsed.cue)
    if (
        comparison.flipped and comparison.coverage < policy.flip_coverage and found.relevance < policy.flip_similarity
        and point_coverage(parsed.content, found.claim.content) < policy.flip_coverage
        and not (found.relevance >= policy.related and negation_shared(parsed.content, found.claim.content))
    ):
        kept = tuple(d for d in comparison.differences if d.kind != "negation")
        return replace(comparison, flipped=False, flipped_by_cue=False, differences=kept, unsure=True)
    return comparison


def _closest(content: str, candidates: Sequence[Evidence], policy: Policy) -> Evidence | None:
    """The best candidate; among near-equal ones, the one sharing the most of the checked words.

    Two of X's sentences may embed alike ("its records showed the last inspection ..." and "We have
    no record of an inspection of that site in January"); the one with the claim's words is the one
    the claim quotes, so its differences, not the other's silence, decide.
    """
    if not candidates:
        return None
    top = candidates[0].relevance
    near = [e for e in candidates if e.relevance >= top - policy.tie]
    terms = content_terms(content)
    return max(near, key=lambda e: (_overlap(terms, content_terms(e.claim.content)), e.relevance))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _same_count(figures: tuple[Quantity, ...], evidence: Evidence, policy: Policy, terms: set[str]) -> bool:
    """A claim giving a figure for what the checked claim counts: what a misquoted figure is compared with.

    A span of time is a weak key: "six weeks late" is the span of "installed ten weeks late" (they
    share "late"), "could pay strikers for six weeks" is not that of "a deal within three weeks".
    """
    return evidence.relevance >= policy.figure_relevance and any(
        matching_quantities(q, evidence.claim.quantities)
        and (not is_span(q) or bool(terms - content_terms(q.counted or "") & content_terms(evidence.claim.content)))
        for q in figures if q.counted
    )


def _named(speaker: str | None) -> bool:
    """A speaker with a name ("Dr. Hallander", "NATO"), not only a role or a pronoun ("the officer")."""
    return bool(speaker) and any(w[:1].isupper() for w in (speaker or "").split())


def _says(parsed: ParsedClaim, evidence: Evidence) -> bool:
    """Whether another speaker's claim says the checked words: same polarity, no other figure or name."""
    found = compare(parsed.content, "asserts", evidence.claim, context=evidence.context)
    return not found.flipped and not any(d.kind == "figure" for d in found.differences)


def _is_claimed(claim: Claim, phrase: str, claimed: str, speakers: SpeakerIndex) -> bool:
    """Whether a claim's speaker is the one the checked claim names (or speaks for that organisation)."""
    speaker = claim.speaker
    if same_person(speaker, claimed) or same_person(claim.speaker_mention, phrase):
        return True
    if speakers.speaks_for(speaker, claimed) or speakers.speaks_for(speaker, phrase):
        return True
    if _short_name(speaker, claimed) or any(_short_name(org, claimed) for org in _role_bodies(speaker, speakers)):
        return True  # "Lunmark" for "Lunmark Water"; "Corvane's spokesman" speaks for "Corvane Rail"
    return bool(claim.role) and speakers.by_role(phrase) == speaker


def _role_bodies(speaker: str | None, speakers: SpeakerIndex) -> set[str]:
    """The one-word bodies a speaker's roles name: "Corvane" in "Corvane's spokesman"."""
    # a role's opening determiner ("The Brel campaign") or a title ("Secretary") is no body's name
    roles = (DETERMINER.sub("", role) for role in speakers.roles(speaker or ""))
    words = (re.sub(r"[’']s$", "", w) for role in roles for w in role.split())
    return {w for w in words if w[:1].isupper() and w.isalpha() and not is_title(w)}


def _short_name(speaker: str | None, claimed: str) -> bool:
    """Whether a one-word speaker is the short name of the claimed organisation: "Lunmark" (from
    "according to the company") for "Lunmark Water". An institution's name is not shortened to
    its place: "Ostreva" does not speak for "Ostreva Central Hospital"."""
    words, full = (speaker or "").split(), claimed.split()
    return (
        len(words) == 1 and 2 <= len(full) <= 3 and full[0] == words[0] and words[0][:1].isupper()
        and full[-1].lower() not in BODY_HEADS - COMPANY_SUFFIXES
    )


def _exact(content: str, claim: Claim) -> bool:
    """The checked words appear as written in the claim's content (typography and case aside)."""
    return normalise(content) in normalise(claim.content)


def _restates(content: str, record: Evidence, policy: Policy) -> bool:
    """Whether a record below a paraphrase's similarity still says the claim's point.

    It must give the claim's figure for the same counted thing, or have most of the claim's
    words, names included: a name counts where the record's paragraph has it ("Fennick Hill's
    backup pump" for "the backup pump", in a paragraph on Fennick Hill), so "his commission would
    question Anselm Rook" is not restated by "the commission would hold a public hearing".
    """
    figures = parse_quantities(content)
    if figures and all(matching_quantities(q, record.claim.quantities) for q in figures):
        return True
    terms = content_terms(content)
    if not terms:
        return False
    found = content_terms(record.claim.content) | (content_terms(record.context) & (terms - topic_terms(content)))
    # What a modal says will or would happen is the claim's point: "would close all of Quillon's
    # sites" is not restated by "38 inspectors for more than 1,100 sites" without "close".
    if content_terms(" ".join(_MODAL_VERB.findall(content))) - found:
        return False
    return len(terms & found) / len(terms) >= policy.restated


_MODAL_VERB = re.compile(
    r"\b(?:will|would|shall|should|could|can|must|might|may)\s+(?:not\s+|never\s+)?([a-z]+)\b", re.I
)
