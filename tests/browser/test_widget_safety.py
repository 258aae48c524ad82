"""The widget in real chromium: markup renders as text, CSS isolation, keyboard use, a phone screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .conftest import Live, Tab, open_tab

pytestmark = pytest.mark.browser

QUESTION_PAYLOAD = "<script>alert(3)</script>"
TITLE_PAYLOAD = "<img src=x onerror=alert(1)>"

HOSTILE_CSS = """
* { color: red !important; font-size: 40px !important; font-family: serif !important;
    line-height: 3 !important; box-sizing: content-box !important; }
button { display: none !important; }
div, section, p { background: lime !important; padding: 30px !important; border-radius: 0 !important; }
mark { background: black !important; }
"""
# Page elements whose computed style the widget must leave alone.
PROBE_HTML = (
    "<h2 id=h>Title</h2><p id=p>Text <mark id=m>marked</mark></p><button id=b>Go</button><textarea id=t></textarea>"
)
PROBE_PROPS = [
    "color", "font-size", "font-family", "line-height", "box-sizing", "background-color", "margin-top",
    "padding-top", "display", "outline-style", "border-top-width", "position",
]


def _page(body: str, head: str = "", tag: str = "") -> str:
    return f"<!doctype html><html><head><meta charset=utf-8>{head}</head><body>{body}{tag}</body></html>"


def _serve(tab: Tab, path: str, html: str) -> None:
    """Serve a made-up page on the live app's origin (the widget tag then loads the real widget)."""
    tab.page.route(f"{tab.live.url}{path}", lambda route: route.fulfill(content_type="text/html", body=html))


def test_markup_from_the_server_and_the_user_renders_as_text(tab: Tab) -> None:
    tab.goto("/")
    tab.open()
    question = f"{QUESTION_PAYLOAD} What did Ada Quill say about the ferry timetable page?"
    answer = tab.ask(question)
    expect(tab.css(".msg.user")).to_have_text([question])
    reply = tab.stored()["messages"][-1]["answer"]
    lowmere = [c for c in reply["citations"] if TITLE_PAYLOAD in c["title"]]
    assert lowmere, reply
    expect(answer).to_contain_text(TITLE_PAYLOAD)  # the quoted claim, as text

    answer.locator(f".chip[aria-label^='Source {lowmere[0]['id']}:']").first.click()
    expect(tab.css(".src .art")).to_have_text(lowmere[0]["title"])
    expect(tab.css(".src mark")).to_have_text(lowmere[0]["quote"])
    expect(tab.css(".src .ctx")).to_contain_text("<script>alert(2)</script>")
    # A javascript: URL is refused at ingest (tests/api/test_exposed_values.py), so this record has
    # none: the widget shows the file's name as text, never a link.
    expect(tab.css(".src .meta")).to_contain_text("lowmere-defaced.json#0")
    assert tab.css(".src a").count() == 0
    assert tab.active_elements() == [0, 0]
    tab.shot("xss-as-text")
    assert tab.dialogs == []


def test_keyboard_only(tab: Tab) -> None:
    tab.goto("/")
    focused = "() => { const w = document.querySelector('whosaid-widget');" \
        " return document.activeElement === w ? w.shadowRoot.activeElement.className : null; }"
    for _ in range(30):  # Tab through the page until the launcher has the focus
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate(focused) == "launcher":
            break
    assert tab.page.evaluate(focused) == "launcher"
    outline = tab.css(".launcher").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # a visible focus ring

    tab.page.keyboard.press("Enter")
    expect(tab.css(".panel")).to_be_visible()
    expect(tab.css("textarea")).to_be_focused()
    tab.page.keyboard.type("Who said Mariupol will be liberated?")
    tab.page.keyboard.press("Enter")
    expect(tab.css(".msg.bot:not(.pending) .text .chip").first).to_be_visible(timeout=30_000)
    expect(tab.css(".panel")).to_have_attribute("role", "dialog")
    expect(tab.css(".log")).to_have_attribute("aria-live", "polite")

    tab.page.keyboard.press("Escape")
    expect(tab.css(".panel")).to_be_hidden()
    expect(tab.css(".launcher")).to_be_focused()


@pytest.fixture
def phone(browser: Browser, live: Live) -> Iterator[Tab]:
    yield from open_tab(browser, live, viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)


def test_a_narrow_phone_screen_gets_a_full_screen_panel(phone: Tab) -> None:
    phone.goto("/")
    phone.open()
    assert phone.css(".panel").bounding_box() == {"x": 0, "y": 0, "width": 320, "height": 640}
    phone.ask("What did Peskov say?")
    for part in (".send", "textarea", ".hd button[aria-label='Close the chat']"):
        box = phone.css(part).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640, part
    overflow = phone.css(".log").evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0
    phone.shot("phone-320")
    phone.css(".hd button[aria-label='Close the chat']").click()
    expect(phone.css(".launcher")).to_be_visible()


def test_page_styles_do_not_reach_the_widget(tab: Tab) -> None:
    tag = f'<script src="{tab.live.url}/widget.js" data-accent="#c0392b" data-theme="light" defer></script>'
    _serve(tab, "/hostile.html", _page("<p>A page with hostile styles.</p>", f"<style>{HOSTILE_CSS}</style>", tag))
    tab.goto("/hostile.html")
    launcher = tab.css(".launcher")
    assert launcher.bounding_box() == pytest.approx({"x": 1024, "y": 724, "width": 56, "height": 56}, abs=1)
    assert launcher.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(192, 57, 43)"  # data-accent
    tab.open()
    for part in (".panel", "h2", "textarea", ".sub"):
        style = tab.css(part).evaluate(
            "el => { const s = getComputedStyle(el); return [s.color, s.fontFamily, s.backgroundColor, s.boxSizing]; }"
        )
        assert style[0] != "rgb(255, 0, 0)" and style[1] != "serif" and style[2] != "rgb(0, 255, 0)", (part, style)
        assert style[3] == "border-box", (part, style)
    assert tab.css("textarea").evaluate("el => getComputedStyle(el).fontSize") == "14px"
    assert tab.css(".panel").bounding_box()["width"] == 400  # type: ignore[index]
    tab.shot("hostile-page")


def test_widget_styles_do_not_reach_the_page(tab: Tab) -> None:
    tag = f'<script src="{tab.live.url}/widget.js" defer></script>'
    _serve(tab, "/plain.html", _page(PROBE_HTML))
    _serve(tab, "/with-widget.html", _page(PROBE_HTML, tag=tag))
    read = (
        "props => ['h', 'p', 'm', 'b', 't'].map(id => {"
        " const s = getComputedStyle(document.getElementById(id)); return props.map(p => s.getPropertyValue(p)); })"
    )
    tab.page.goto(tab.live.url + "/plain.html")
    without = tab.page.evaluate(read, PROBE_PROPS)
    tab.goto("/with-widget.html")
    tab.open()
    assert tab.page.evaluate(read, PROBE_PROPS) == without
    assert tab.page.evaluate("document.styleSheets.length") == 0  # nothing added to the page itself


def test_an_https_source_is_a_safe_link_and_plain_json_replies_render(tab: Tab) -> None:
    # The route asks for JSON instead of a stream: the widget renders a plain JSON reply too.
    tab.page.route("**/v1/chat", lambda route: route.continue_(headers={**route.request.headers, "accept": "*/*"}))
    tab.goto("/")
    tab.open()
    answer = tab.ask("What did Ines Varga say about the ferry?")
    reply = tab.stored()["messages"][-1]["answer"]
    ferry = [c for c in reply["citations"] if c["url"] == "https://example.test/lowmere-ferry"]
    assert ferry, reply
    answer.locator(f".chip[aria-label^='Source {ferry[0]['id']}:']").first.click()
    link = tab.css(".src a")
    expect(link).to_have_attribute("href", "https://example.test/lowmere-ferry")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    expect(tab.css(".src .meta")).to_contain_text("2031")
    expect(tab.css(".src mark")).to_have_text(ferry[0]["quote"])
