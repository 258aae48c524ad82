"""Signed but hostile Events API deliveries: acknowledged, never a 500, never live markup sent back.

Random event shapes (missing fields, wrong types, bot and edit subtypes, Slack markup and
control characters in every text) are signed with the real secret and posted to the server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.test_slack import slack_text

from ..fakes.slack_server import FakeSlack
from .conftest import READER, SlackPoster, fresh_ts

payload_values = st.recursive(
    st.none() | st.booleans() | st.integers() | slack_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["text", "ts", "user", "x"]), inner,
                                                                 max_size=3),
    max_leaves=8,
)
events = st.fixed_dictionaries(
    {"type": st.sampled_from(["app_mention", "message", "reaction_added", "nonsense"])},
    optional={"text": slack_text, "user": st.sampled_from([READER, "", "B0BOT"]) | slack_text,
              "ts": st.just("") | st.builds(lambda: fresh_ts()), "thread_ts": slack_text,
              "channel": st.sampled_from(["C0NEWSROOM", "D0DM", ""]) | slack_text,
              "channel_type": st.sampled_from(["channel", "im", "group"]), "subtype": st.sampled_from(
                  ["bot_message", "message_changed", "thread_broadcast"]), "bot_id": st.sampled_from(["B1", ""]),
              "blocks": payload_values, "files": payload_values},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=events)
def test_signed_hostile_events_never_fail_the_server(slack: SlackPoster, fake_slack: FakeSlack,
                                                    caplog: pytest.LogCaptureFixture, event: dict[str, Any]) -> None:
    # Work runs after the ack: a listener that raised on an earlier example has logged an error by now.
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    response = slack.event(event)
    # Subscribed types are acknowledged (a bad one is dropped, never a 500); Bolt answers 404 to others.
    assert response.status_code == (200 if event["type"] in ("app_mention", "message") else 404), response.text
    for call in fake_slack.calls:
        sent = json.dumps(call.params.get("blocks", "")) + str(call.params.get("text", ""))
        assert "<!channel>" not in sent and "<!here>" not in sent and "<http://evil" not in sent
