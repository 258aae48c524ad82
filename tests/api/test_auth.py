"""Keys, origins and CORS: who may call which route, and what a refused caller is told."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from .conftest import ADMIN_KEY, KEYS, QUESTION, SITE, WIDGET_KEY, MakeClient

ASK = {"question": QUESTION}


@pytest.fixture
def keyed(make_client: MakeClient) -> TestClient:
    return make_client(**KEYS)


def test_without_keys_every_route_is_open(client: TestClient) -> None:
    assert client.post("/v1/ask", json=ASK).status_code == 200
    assert client.post("/v1/ingest", json={"articles": []}).status_code == 422  # reached validation, not auth


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "127.5.0.1", "[::1]:8000"])
def test_without_keys_loopback_host_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["rebind.evil.example", "rebind.evil.example:8000", "192.168.1.5", "", "[::1"])
def test_without_keys_other_host_names_are_refused(client: TestClient, host: str) -> None:
    # DNS rebinding: a page whose own name now resolves to 127.0.0.1 must not reach the open routes.
    for method, path in (("POST", "/v1/ingest"), ("DELETE", "/v1/articles/0123456789abcdef"), ("POST", "/v1/ask")):
        response = client.request(method, path, json=ASK, headers={"Host": host})
        assert response.status_code == 400, (method, path)
        assert response.json() == {"error": "This server has no API keys configured, so it answers only to "
                                             "localhost, 127.0.0.1 or [::1]."}


def test_with_keys_any_host_name_is_served(keyed: TestClient) -> None:
    response = keyed.post("/v1/ask", json=ASK, headers={"Host": "whosaid.news.example", "X-Whosaid-Key": ADMIN_KEY})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "status", "sentence"),
    [
        ({}, 401, "This API needs a key: send it in the X-Whosaid-Key header."),
        ({"X-Whosaid-Key": "pk-guessed"}, 401, "The API key is not valid."),
        ({"Authorization": "Bearer pk-guessed"}, 401, "The API key is not valid."),
        ({"X-Whosaid-Key": WIDGET_KEY, "Origin": "https://evil.example"}, 403, "This widget key may not be used"),
        ({"X-Whosaid-Key": WIDGET_KEY}, 403, "This widget key may not be used from this origin."),
    ],
)
def test_refused_callers_get_one_sentence(
    keyed: TestClient, headers: dict[str, str], status: int, sentence: str
) -> None:
    response = keyed.post("/v1/ask", json=ASK, headers=headers)
    assert response.status_code == status
    assert response.json()["error"].startswith(sentence)
    assert list(response.json()) == ["error"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Whosaid-Key": WIDGET_KEY, "Origin": SITE},
        {"X-Whosaid-Key": WIDGET_KEY, "Origin": SITE.upper() + "/"},  # origins compare case-insensitively
        {"X-Whosaid-Key": ADMIN_KEY},  # an admin key needs no origin
        {"Authorization": f"Bearer {ADMIN_KEY}"},
    ],
)
def test_accepted_keys(keyed: TestClient, headers: dict[str, str]) -> None:
    assert keyed.post("/v1/ask", json=ASK, headers=headers).status_code == 200


def test_a_widget_key_reads_same_origin_articles_without_an_origin_header(make_client: MakeClient) -> None:
    # Browsers omit Origin on same-origin GETs; Sec-Fetch-Site says the page is this server's.
    app = make_client(admin_keys=[ADMIN_KEY], widget_keys={WIDGET_KEY: ["http://127.0.0.1"]})
    answer = app.post("/v1/ask", json=ASK, headers={"X-Whosaid-Key": ADMIN_KEY}).json()
    path = f"/v1/articles/{answer['citations'][0]['article_id']}"
    headers = {"X-Whosaid-Key": WIDGET_KEY}
    assert app.get(path, headers=headers).status_code == 403
    assert app.get(path, headers={**headers, "Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_admin_routes_need_an_admin_key(keyed: TestClient) -> None:
    body = {"articles": [{"text": "Fictional text for the test suite.", "title": "T"}]}
    widget = {"X-Whosaid-Key": WIDGET_KEY, "Origin": SITE}
    assert keyed.post("/v1/ingest", json=body).status_code == 401
    refused = keyed.post("/v1/ingest", json=body, headers=widget)
    assert refused.status_code == 403
    assert refused.json() == {"error": "This route needs an admin key; a widget key cannot use it."}
    assert keyed.delete("/v1/articles/0123456789abcdef", headers=widget).status_code == 403
    assert keyed.delete("/v1/articles/0123456789abcdef").status_code == 401
    # An admin key passes auth and reaches the lookup: an unknown article is 404.
    assert keyed.delete("/v1/articles/0123456789abcdef", headers={"X-Whosaid-Key": ADMIN_KEY}).status_code == 404


def test_probes_docs_and_the_widget_need_no_key(keyed: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs", "/widget.js", "/"):
        assert keyed.get(path).status_code == 200, path


def test_keys_never_appear_in_bodies_or_logs(keyed: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.api")
    bodies = [
        keyed.post("/v1/ask", json=ASK, headers={"X-Whosaid-Key": WIDGET_KEY, "Origin": "https://evil.example"}).text,
        keyed.post("/v1/ask", json=ASK, headers={"X-Whosaid-Key": WIDGET_KEY + "x"}).text,
        keyed.post("/v1/ingest", json={}, headers={"Authorization": f"Bearer {ADMIN_KEY}"}).text,
        keyed.post("/v1/ask", json={"question": ""}, headers={"X-Whosaid-Key": ADMIN_KEY}).text,
    ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /v1/ask 403" in logged and "POST /v1/ingest 422" in logged
    for text in [*bodies, logged]:
        assert WIDGET_KEY not in text and ADMIN_KEY not in text
        assert "Traceback" not in text


def test_cors_preflight_for_an_allowed_origin(keyed: TestClient) -> None:
    response = keyed.options("/v1/chat", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-whosaid-key",
    })
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "x-whosaid-key" in allowed and "content-type" in allowed and "accept" in allowed
    # The actual request carries the header too, so the page can read the answer (or the error).
    answered = keyed.post("/v1/ask", json=ASK, headers={"Origin": SITE, "X-Whosaid-Key": WIDGET_KEY})
    assert answered.headers["access-control-allow-origin"] == SITE
    refused = keyed.post("/v1/ask", json={}, headers={"Origin": SITE, "X-Whosaid-Key": WIDGET_KEY})
    assert refused.status_code == 422 and refused.headers["access-control-allow-origin"] == SITE


def test_cors_preflight_for_a_refused_origin(keyed: TestClient) -> None:
    response = keyed.options("/v1/chat", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
    })
    assert response.status_code == 403
    assert response.json() == {"error": "This origin is not allowed to call the API."}
    assert "access-control-allow-origin" not in response.headers
    method = keyed.options("/v1/chat", headers={"Origin": SITE, "Access-Control-Request-Method": "PUT"})
    assert method.status_code == 400 and list(method.json()) == ["error"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("http://127.0.0.1:5173", True), ("http://localhost:8000", True), ("http://localhost", True),
     ("https://news.example", False), ("http://127.0.0.1.evil.example", False)],
)
def test_without_keys_only_local_pages_may_call(client: TestClient, origin: str, allowed: bool) -> None:
    response = client.options("/v1/chat", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert (response.status_code == 200) is allowed
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


def test_the_demo_page_gets_a_widget_key_for_its_own_origin(make_client: MakeClient) -> None:
    app = make_client(admin_keys=[ADMIN_KEY], widget_keys={WIDGET_KEY: ["http://127.0.0.1"], "pk-other": [SITE]})
    page = app.get("/")
    assert f'data-key="{WIDGET_KEY}"' in page.text and "pk-other" not in page.text
