"""The widget answering in real chromium: streaming, citations in context, sessions, feedback, retries."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Route, expect

from bot.api.app import create_app
from bot.model import VERDICTS

from .conftest import Live, Site, Tab, loopback_socket, open_tab, serving

pytestmark = pytest.mark.browser


def test_streamed_answer_with_a_citation_opened_in_context(tab: Tab) -> None:
    tab.goto("/")
    tab.open()
    tab.record()
    answer = tab.ask("Who said Mariupol will be liberated?")

    events = tab.events()
    statuses = [i for i, e in enumerate(events) if e.startswith("status:") and e != "status:Sending…"]
    assert statuses and statuses[0] < events.index("final"), events
    assert "status:Searching the sources…" in events
    assert "delta" in events[statuses[0] : events.index("final")], events  # the text streamed in before the end
    assert "Peskov" in answer.locator(".text").inner_text()
    expect(answer.locator(".text .chip").first).to_be_visible()
    tab.shot("answer-light")

    citation = tab.stored()["messages"][-1]["answer"]["citations"][0]
    chip = answer.locator(".text .chip").first
    chip.click()
    mark = tab.css(".src mark")
    expect(mark).to_have_text(citation["quote"])
    article = tab.live.service.article(citation["article_id"])
    context = tab.css(".src .ctx").inner_text()
    before = article.text[: citation["start"]].split()[-3:]  # the passage sits in its surrounding text
    assert " ".join(before) in context and len(context) > len(citation["quote"]) + 100
    expect(tab.css(".src .speaker")).to_contain_text("Dmitry Peskov")
    expect(tab.css(".src .art")).to_have_text(article.title)
    expect(tab.css(".src .meta")).to_contain_text("Date unknown")
    tab.shot("citation-light")

    tab.page.keyboard.press("Escape")  # back to the conversation, focus back on the chip
    expect(tab.css(".src")).to_be_hidden()
    expect(chip).to_be_focused()


def test_follow_up_after_a_reload_keeps_the_session(tab: Tab) -> None:
    tab.goto("/")
    tab.open()
    tab.ask("What did Peskov say?")
    session = tab.stored()["session"]
    assert session

    tab.page.reload()
    expect(tab.css(".panel")).to_be_visible()  # it was open: it reopens with the transcript
    expect(tab.css(".msg.user")).to_have_text(["What did Peskov say?"])
    expect(tab.css(".msg.bot .text .chip").first).to_be_visible()
    assert tab.stored()["session"] == session

    answer = tab.ask("What did he say about sanctions?")
    assert "sanctions" in answer.locator(".text").inner_text()
    reply = tab.stored()["messages"][-1]["answer"]
    assert {a["speaker"] for a in reply["attributions"]} == {"Dmitry Peskov"}
    assert reply["session"] == session == tab.stored()["session"]
    assert len(tab.live.service.conversations.history(session)) == 2


def test_feedback_is_stored_and_a_new_conversation_starts_afresh(tab: Tab) -> None:
    tab.goto("/")
    tab.open()
    answer = tab.ask("What did NATO estimate?")
    answer.get_by_role("button", name="Helpful", exact=True).click()
    expect(answer.locator(".fb")).to_contain_text("Thanks for the feedback.")
    answer_id = tab.stored()["messages"][-1]["answer"]["answer_id"]
    stored = tab.live.service.conversations.feedback_for(answer_id)
    assert [(f["rating"], f["channel"]) for f in stored] == [(1, "widget")]

    tab.css("button[aria-label='New conversation']").click()  # forgets the transcript and the session
    expect(tab.css(".msg")).to_have_count(0)
    assert tab.stored()["session"] is None and tab.stored()["messages"] == []


@pytest.fixture
def dark_tab(browser: Browser, live: Live) -> Iterator[Tab]:
    yield from open_tab(browser, live, color_scheme="dark")


def test_fact_check_in_the_dark_scheme_shows_verdict_and_who_said_what(dark_tab: Tab) -> None:
    dark_tab.goto("/")
    dark_tab.open()
    answer = dark_tab.ask("Russia lost 498 soldiers", mode="check")
    verdict = dark_tab.stored()["messages"][-1]["answer"]["verdict"]
    assert verdict in VERDICTS
    expect(answer.locator(".verdict")).to_be_visible()
    who = answer.locator("details")
    expect(who).to_have_attribute("open", "")
    expect(who.locator("li").first).to_be_visible()
    background = dark_tab.css(".panel").evaluate("el => getComputedStyle(el).backgroundColor")
    assert sum(map(int, re.findall(r"\d+", background)[:3])) < 150, background  # auto follows the dark scheme
    dark_tab.shot("check-dark")


def test_a_network_error_is_retried_with_backoff(tab: Tab) -> None:
    calls: list[str] = []

    def flaky(route: Route) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    tab.page.route("**/v1/chat", flaky)
    tab.goto("/")
    tab.open()
    tab.record()
    answer = tab.ask("Who said Mariupol will be liberated?")
    expect(answer.locator(".text .chip").first).to_be_visible()
    assert len(calls) == 2
    assert "status:Connection problem; trying again…" in tab.events()


def test_too_many_requests_says_slow_down_and_is_not_retried(tab: Tab) -> None:
    calls: list[str] = []

    def limited(route: Route) -> None:
        calls.append(route.request.url)
        route.fulfill(
            status=429, headers={"Retry-After": "7", "Content-Type": "application/json"},
            body='{"error": "Too many questions; wait 7 seconds."}',
        )

    tab.page.route("**/v1/chat", limited)
    tab.goto("/")
    tab.open()
    answer = tab.ask("Who said Mariupol will be liberated?")
    expect(answer).to_contain_text("Slow down")
    expect(answer).to_contain_text("7 seconds")
    expect(tab.css(".send")).to_be_disabled()
    assert len(calls) == 1


def test_embedded_on_another_origin(tab: Tab, other_site: Site) -> None:
    # A page on another origin loads the widget from the API's origin: real CORS requests.
    api = tab.live.url
    tag = f'<script src="{api}/widget.js" data-api="{api}" data-position="bottom-left" defer></script>'
    other_site.pages["/story.html"] = f"<!doctype html><html><body><h1>Someone else's site</h1>{tag}</body></html>"
    tab.page.goto(other_site.url + "/story.html")
    tab.open()
    assert tab.css(".panel").bounding_box()["x"] == 20  # type: ignore[index]
    answer = tab.ask("Who said Mariupol will be liberated?")
    answer.locator(".text .chip").first.click()
    expect(tab.css(".src mark")).to_be_visible()
    tab.page.keyboard.press("Escape")
    answer.get_by_role("button", name="Not helpful").click()
    expect(answer.locator(".fb")).to_contain_text("Thanks for the feedback.")


def test_a_widget_key_bound_to_origins(tab: Tab, other_site: Site) -> None:
    # A second app over the same service, with a public widget key bound to two origins.
    sock, api = loopback_socket()
    keys = {"pub-key-123": [api, other_site.url]}
    settings = tab.live.service.settings.model_copy(update={"widget_keys": keys})
    tag = '<script src="{api}/widget.js" data-api="{api}" data-key="{key}" defer></script>'
    other_site.pages["/good.html"] = tag.format(api=api, key="pub-key-123")
    other_site.pages["/bad.html"] = tag.format(api=api, key="not-a-key")
    with serving(create_app(settings, service=tab.live.service), sock):
        tab.page.goto(api + "/")  # the demo page gets the key for its own origin
        tab.open()
        expect(tab.ask("What did NATO estimate?").locator(".text .chip").first).to_be_visible()
        tab.page.goto(other_site.url + "/good.html")
        tab.open()
        expect(tab.ask("What did NATO estimate?").locator(".text .chip").first).to_be_visible()
        tab.page.goto(other_site.url + "/bad.html")  # same origin and API: the same conversation, still open
        expect(tab.css(".panel")).to_be_visible()
        refused = tab.ask("What did NATO estimate?")
        expect(refused).to_have_class(re.compile(r"\berr\b"))
        assert "key" in refused.inner_text().lower()
