"""API keys, allowed origins and loopback hosts.

Two kinds of key come from settings: public *widget* keys, each bound to the origins allowed
to use it (a browser cannot forge ``Origin``, so another site cannot borrow the key), and
*admin* keys, which may do everything. With no key configured the server is a local demo:
every route is open and only loopback hosts may be bound. Keys are compared in constant
time, and only a short hash of a key (``Principal.key_id``) is ever logged or used as a
rate-limit bucket name.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Literal

from bot.config import Settings

# With no keys, pages served from this machine may call the API (any port).
LOCAL_ORIGIN_REGEX = r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?"
ANONYMOUS = "anonymous"

Role = Literal["admin", "widget", "open"]


class KeyRejected(Exception):  # noqa: N818 - a signal the dependencies turn into 401 / 403
    """A key that is missing, unknown, or used where it may not be."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the role their key grants and a loggable id for the key."""

    role: Role
    key_id: str = ANONYMOUS


def key_id(key: str) -> str:
    """A short, non-reversible name for a key (for rate-limit buckets; never the key)."""
    return "k" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def normalise_origin(origin: str) -> str:
    """Origins compare case-insensitively and without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class KeyRing:
    """The configured keys, checked in constant time."""

    def __init__(self, settings: Settings) -> None:
        self.open = not settings.keys_configured
        # Compare digests, not keys: equal lengths, so timing reveals neither content nor length.
        self._admin = [_digest(k.get_secret_value()) for k in settings.admin_keys]
        self._widget = [
            (_digest(key), {normalise_origin(o) for o in origins}) for key, origins in settings.widget_keys.items()
        ]
        self.origins = sorted({o for _, origins in self._widget for o in origins})

    def identify(self, key: str | None, origin: str | None, *, admin: bool = False) -> Principal:
        """The caller behind ``key``, or ``KeyRejected`` with the status and one sentence."""
        if self.open:
            return Principal("open")
        if not key:
            raise KeyRejected(401, "This API needs a key: send it in the X-Whosaid-Key header.")
        presented = _digest(key)
        if _any_equal(presented, self._admin):
            return Principal("admin", key_id(key))
        origins = self._widget_origins(presented)
        if origins is None:
            raise KeyRejected(401, "The API key is not valid.")
        if admin:
            raise KeyRejected(403, "This route needs an admin key; a widget key cannot use it.")
        if origin is None or normalise_origin(origin) not in origins:
            raise KeyRejected(403, "This widget key may not be used from this origin.")
        return Principal("widget", key_id(key))

    def _widget_origins(self, presented: bytes) -> set[str] | None:
        found = None
        for digest, origins in self._widget:  # no early exit: every key is compared
            if hmac.compare_digest(presented, digest):
                found = origins
        return found


def demo_key(settings: Settings, origin: str) -> str | None:
    """A widget key allowed on ``origin`` (widget keys are public), for the demo page."""
    wanted = normalise_origin(origin)
    for key, origins in settings.widget_keys.items():
        if wanted in {normalise_origin(o) for o in origins}:
            return key
    return None


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def _any_equal(presented: bytes, digests: list[bytes]) -> bool:
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(presented, digest)
    return matched
