"""``whosaid serve``: run the app with uvicorn, saying where once it is listening."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.api.security import is_loopback
from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.service import Whosaid


def check_host(host: str, *, keys_configured: bool) -> None:
    """Without API keys the server is a local demo: refuse any host but a loopback one."""
    if not keys_configured and not is_loopback(host):
        raise ConfigurationError(
            f"No API keys are configured, so whosaid serves on 127.0.0.1 only, not {host}: "
            "set WHOSAID_ADMIN_KEYS or WHOSAID_WIDGET_KEYS to serve on other addresses."
        )


def server_url(host: str, port: int) -> str:
    """The URL a browser opens for ``host`` and ``port``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    service: Whosaid, *, host: str, port: int, echo: Callable[[str], None],
    beside: Callable[[threading.Event], None] | None = None,
) -> None:
    """Load the models, then serve until interrupted; ``echo`` gets the URL once it is listening.

    ``beside`` (the source watcher) runs in a thread from then until the server stops; it is
    handed an event that is set when it should stop.
    """
    settings = service.settings
    check_host(host, keys_configured=settings.keys_configured)
    import uvicorn

    from bot.api.app import create_app

    _configure_logging()
    listener = _listen(host, port)  # bound first, so a port in use is one sentence before any model loads
    url = server_url(host, listener.getsockname()[1])  # port 0 asks for a free port: report the real one

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                echo(f"whosaid is serving on {url} — open it to ask questions")

    config = uvicorn_config(create_app(settings, service=service), settings)
    stop, worker = threading.Event(), None
    try:
        started = time.perf_counter()
        service.warm_up()  # a bad model or store fails here, as one sentence, before any request
        logging.getLogger("bot.api").info("models loaded and stores opened in %.1f s", time.perf_counter() - started)
        if beside is not None:
            worker = threading.Thread(target=_guarded, args=(beside, stop), name="watch", daemon=True)
            worker.start()
        _Server(config).run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled: stopping is the normal end
        pass
    finally:
        stop.set()
        if worker is not None:
            worker.join(timeout=30)  # the round in progress finishes its page; the lease is released
        listener.close()
    echo("whosaid has stopped.")


def _guarded(task: Callable[[threading.Event], None], stop: threading.Event) -> None:
    """Run the task beside the server; a failure is logged, never a crash of the server."""
    try:
        task(stop)
    except Exception as exc:
        logging.getLogger("bot.api").error("the source watcher stopped: %s", exc)


def uvicorn_config(app: Any, settings: Settings) -> Any:
    """Uvicorn's settings for ``app``: forwarded headers believed only from the configured proxies."""
    import uvicorn

    proxies = settings.trusted_proxies
    return uvicorn.Config(
        app, access_log=False, log_config=None, lifespan="on", server_header=False,
        # Uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local client (or a
        # proxy that passes the header on) could then pick its own address, and its own bucket.
        proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) if proxies else "",
        # Uvicorn has no header or body read timeout (a proxy in front must provide one): what it
        # does offer is an idle keep-alive limit, and a bound on waiting for requests at shutdown.
        timeout_keep_alive=5, timeout_graceful_shutdown=10,
    )


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host.strip("[]"), port))
    except OSError as exc:
        listener.close()
        reason = exc.strerror or str(exc)
        raise ConfigurationError(f"Cannot listen on {host}:{port} ({reason}); choose another --port.") from None
    return listener


def _configure_logging() -> None:
    """The app's own lines (one per request, start-up notes) on stderr; uvicorn only for errors."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S"))
    package = logging.getLogger("bot")
    package.addHandler(handler)
    package.propagate = False
    package.setLevel(logging.WARNING)
    for name in ("bot.api", "bot.slack"):
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("uvicorn").setLevel(logging.WARNING)
