"""The widget renders the fact-check contract in real chromium: every verdict's badge, who is on record
with the words, a misquote's differences side by side, hostile names as text.

The check request is fulfilled by ``page.route`` with a canned answer built from ``bot.model`` records
and streamed in the server's own event format, so these tests cover rendering, not the engine; the app
serves the real widget over an empty index with fakes at the model seams (no model loads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Route, expect

from bot.api.app import create_app
from bot.api.schemas import AnswerOut
from bot.api.streaming import sentence_pieces, sse
from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import VERDICTS, Answer, Attribution, AttributionCheck, Citation, Difference
from bot.service import Whosaid

from ..conftest import NoClaims
from .conftest import Live, Tab, _clean_settings, loopback_socket, open_tab, serving

pytestmark = pytest.mark.browser

HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_WORDS = "<script>alert(2)</script>"
# Fictional: the mayor is said to have said what the harbour master said.
CITATIONS = (
    Citation(1, "a1b2c3d4e5f60718", "Lowmere ferry back in service (fictional)", "lowmere.txt",
             "The ferry resumes on 12 May, the mayor's office said.", 0, 53),
    Citation(2, "a1b2c3d4e5f60718", "Lowmere ferry back in service (fictional)", "lowmere.txt",
             "The new pontoon is finally safe, Varga said.", 60, 104),
)
MISATTRIBUTED = Answer(
    question="Tomas Brandt said the new pontoon is finally safe",
    answer="Harbour master Ines Varga said the new pontoon is finally safe [2].",
    abstained=False,
    verdict="misattributed",
    attributions=(Attribution("Ines Varga", "Varga", "harbour master", "said", "asserts",
                              "The new pontoon is finally safe", 2),),
    citations=CITATIONS,
    attribution=AttributionCheck("Tomas Brandt", "Ines Varga", "exact",
                                 (Difference("speaker", "Tomas Brandt", "Ines Varga"),), citation=2),
    id="e" * 32,
    session="f" * 32,
)
MISQUOTED = replace(
    MISATTRIBUTED, verdict="misquoted", question="Ines Varga said the ferry carries 400 passengers",
    answer="Ines Varga spoke of up to 40 passengers [2].",
    attribution=AttributionCheck("Ines Varga", "Ines Varga", "different",
                                 (Difference("figure", "400", "up to 40"),), citation=2),
)


def event_stream(answer: Answer) -> str:
    """The body ``POST /v1/chat`` streams for ``answer``, in the server's own event format."""
    events = [sse("status", {"stage": "retrieving", "message": "Searching the sources…"})]
    events += [sse("delta", {"text": piece}) for piece in sentence_pieces(answer.answer)]
    events += [sse("citations", answer.to_dict()), sse("done", {"answer_id": answer.id, "session": answer.session})]
    return "".join(events)


def answering(tab: Tab, *answers: Answer) -> list[dict[str, object]]:
    """Fulfil each check request with the next canned answer; returns the request bodies."""
    queue = list(answers)
    bodies: list[dict[str, object]] = []

    def fulfil(route: Route) -> None:
        bodies.append(route.request.post_data_json)
        route.fulfill(status=200, content_type="text/event-stream", body=event_stream(queue.pop(0)))

    tab.page.route("**/v1/chat", fulfil)
    return bodies


@pytest.fixture(scope="module")
def canned_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The real app over an empty index, with the hash embedder (the answers come from the route)."""
    settings: Settings = _clean_settings(tmp_path_factory.mktemp("verdicts-data"))
    settings = settings.model_copy(update={"embedding_model": "hash", "extract_claims": False})
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())
    sock, url = loopback_socket()
    with serving(create_app(settings, service=service), sock):
        yield Live(url=url, service=service)


@pytest.fixture
def tab(browser: Browser, canned_live: Live) -> Iterator[Tab]:
    yield from open_tab(browser, canned_live)


def test_a_misattribution_says_whose_words_they_are(tab: Tab) -> None:
    bodies = answering(tab, MISATTRIBUTED)
    tab.goto("/")
    tab.open()
    answer = tab.ask(MISATTRIBUTED.question, mode="check")
    assert bodies[0]["mode"] == "check"
    expect(answer.locator(".verdict")).to_have_text("Misattributed: someone else said it")
    expect(answer.locator(".verdict")).to_have_class("verdict v-misattributed")
    line = answer.locator(".attr .attr-line")
    expect(line).to_contain_text("These words are Ines Varga's, not Tomas Brandt's.")
    expect(line.locator(".chip")).to_have_attribute("aria-label", f"Source 2: {CITATIONS[1].title}")
    badge = answer.locator(".verdict").bounding_box()
    said = line.bounding_box()
    assert badge and said and said["y"] > badge["y"]  # under the badge
    assert tab.stored()["messages"][-1]["answer"]["attribution"] == MISATTRIBUTED.to_dict()["attribution"]
    tab.shot("check-misattributed")


def test_a_misquote_shows_the_claimed_and_the_source_words_side_by_side(tab: Tab) -> None:
    answering(tab, MISQUOTED)
    tab.goto("/")
    tab.open()
    answer = tab.ask(MISQUOTED.question, mode="check")
    expect(answer.locator(".verdict")).to_have_text("Misquoted: the words on record differ")
    expect(answer.locator(".attr-line")).to_contain_text("Ines Varga is on record saying it differently:")
    claimed, found = answer.locator(".diff .claimed"), answer.locator(".diff .found")
    expect(claimed).to_have_text("claimed: 400")
    expect(found).to_have_text("source: up to 40")
    left, right = claimed.bounding_box(), found.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2
    tab.shot("check-misquoted")


def test_every_verdict_has_its_own_badge_and_the_two_attribution_verdicts_stand_out(tab: Tab) -> None:
    answering(tab, *(replace(MISATTRIBUTED, verdict=verdict) for verdict in VERDICTS))
    tab.goto("/")
    tab.open()
    colours: dict[str, str] = {}
    labels: set[str] = set()
    for verdict in VERDICTS:
        badge = tab.ask(f"check {verdict}", mode="check").locator(".verdict")
        expect(badge).to_have_class(f"verdict v-{verdict}")
        labels.add(badge.inner_text())
        colours[verdict] = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert len(labels) == len(VERDICTS) and len(set(colours.values())) == len(VERDICTS), colours
    for verdict in ("misattributed", "misquoted"):
        red, _green, blue = (int(part) for part in colours[verdict][4:-1].split(",")[:3])
        assert red > 240 and red - blue > 30, (verdict, colours[verdict])  # warm: orange or red
    tab.shot("check-verdicts")


def test_hostile_speaker_names_in_the_attribution_render_as_text(tab: Tab) -> None:
    hostile = replace(MISATTRIBUTED, attribution=AttributionCheck(
        HOSTILE_NAME, HOSTILE_WORDS, "different",
        (Difference("speaker", HOSTILE_NAME, HOSTILE_WORDS), Difference("figure", HOSTILE_WORDS, HOSTILE_NAME)), 2,
    ))
    answering(tab, hostile)
    tab.goto("/")
    tab.open()
    answer = tab.ask("a hostile check", mode="check")
    expect(answer.locator(".attr-line")).to_contain_text(f"These words are {HOSTILE_WORDS}'s, not {HOSTILE_NAME}'s.")
    expect(answer.locator(".diff .claimed")).to_have_text(f"claimed: {HOSTILE_WORDS}")
    expect(answer.locator(".diff .found")).to_have_text(f"source: {HOSTILE_NAME}")
    tab.page.reload()  # rendered again from sessionStorage: still text
    expect(tab.css(".attr-line")).to_contain_text(HOSTILE_NAME)
    assert tab.active_elements() == [0, 0]
    tab.shot("check-hostile-names")
    assert tab.dialogs == []


def test_the_canned_answers_are_valid_contract_data() -> None:
    # The canned answers must pass the route's response model, or the tests above prove nothing.
    for answer in (MISATTRIBUTED, MISQUOTED):
        assert AnswerOut.model_validate(answer.to_dict()).model_dump() == answer.to_dict()
