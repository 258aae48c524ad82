"""Plain sentences about an answer, shared by the text renderers (the terminal and Slack).

They only format the answer contract: ``attribution_sentences`` says, for a checked claim that
names its speaker, who is on record with the words, from ``Answer.attribution`` (and the verdict,
for the word "misquoted"). A citation is a ``[n]`` marker at the end, as in the answer text, so
each renderer links or shows it as it does the answer's own markers. The widget says the same in
JavaScript (it cannot import this module).
"""

from __future__ import annotations

from bot.attribution.names import same_person
from bot.model import Answer, Difference


def attribution_sentences(answer: Answer) -> list[str]:
    """What the record says about who said the checked words: one sentence a line; none for a bare claim."""
    check = answer.attribution
    if check is None:
        return []
    marker = f" [{check.citation}]" if check.citation is not None else ""
    claimed = check.claimed_speaker
    found = check.found_speaker
    if found is None:
        return [f"no indexed source has {claimed} saying this{marker}"]
    changes = [d for d in check.differences if d.kind != "speaker"]
    if len(changes) < len(check.differences):  # the check found the words under another speaker
        head = f"these words are {possessive(found)}, not {possessive(claimed)}{marker}"
        return [head, *(difference_sentence(d, answer, "") for d in changes)]
    if changes:
        return [difference_sentence(d, answer, marker) for d in changes]
    if check.match in ("exact", "paraphrase"):
        if not same_person(claimed, found):  # a spokesperson for the organisation the claim names
            return [f"{found} is on record saying this for {claimed}{marker}"]
        return [f"{claimed} is on record saying this{marker}"]
    return [f"{claimed} is on record saying something different{marker}"]


def difference_sentence(difference: Difference, answer: Answer, marker: str) -> str:
    """One difference, the claim's words beside the source's: ``misquoted: "498" where the source says "..."``."""
    label = "misquoted: " if answer.verdict == "misquoted" else ""
    claimed, found = difference.claimed, difference.found
    if not claimed:  # e.g. a negation the claim dropped
        return f'{label}the source says "{found}", which the claim leaves out{marker}'
    if not found:  # e.g. a negation the claim added
        return f'{label}the claim says "{claimed}", which the source does not{marker}'
    return f'{label}"{claimed}" where the source says "{found}"{marker}'


def possessive(name: str) -> str:
    """``Dmitry Peskov`` -> ``Dmitry Peskov's``."""
    return f"{name}'s"
