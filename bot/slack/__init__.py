"""Slack: a Bolt app over the service (events over HTTP or Socket Mode, Block Kit answers)."""
