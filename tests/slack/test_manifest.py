"""The Slack app manifest agrees with the listeners: commands, shortcut, events, scopes, URLs."""

from __future__ import annotations

from pathlib import Path

import yaml  # PyYAML comes with chromadb and langchain-core

from bot.slack.listeners import SHORTCUT_CALLBACK

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_the_manifest_declares_what_the_app_listens_to() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    assert {c["command"] for c in features["slash_commands"]} == {"/whosaid", "/factcheck"}
    [shortcut] = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "message", SHORTCUT_CALLBACK, "Fact-check this message"
    )
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.channels", "message.groups", "message.im"
    }
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "channels:history", "groups:history",
            "reactions:write"} <= scopes
    urls = [c["url"] for c in features["slash_commands"]]
    urls += [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    assert all(url.endswith("/slack/events") for url in urls)
    assert settings["interactivity"]["is_enabled"] is True and settings["socket_mode_enabled"] is False
