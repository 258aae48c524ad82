"""The error hierarchy. Every failure a person can cause is a ``UserError`` with one clear
sentence as its message; interfaces turn it into an exit code or a 4xx JSON body.

```
WhosaidError
├── UserError                 the person can fix it (exit 2 / HTTP 4xx)
│   ├── InputPathError        a path to ingest does not exist or cannot be read
│   ├── InvalidQueryError     an empty, oversized or meaningless question or search
│   ├── NotFoundError         an article, source or session that is not in the index
│   ├── UnreadableSourceError a URL added as a source cannot be fetched, or is not a feed or sitemap
│   └── ConfigurationError    a setting that cannot work (bad model path, bad URL)
└── ServiceError              the system is at fault (exit 1 / HTTP 5xx)
    ├── StoreUnavailableError the vector store or database cannot be reached
    ├── LanguageModelError    the configured LLM did not answer (down, timeout, 5xx, rate limit)
    └── BusyError             another writer holds the data directory's lock
```
"""

from __future__ import annotations


class WhosaidError(Exception):
    """Base of every error whosaid raises on purpose."""

    exit_code = 1
    http_status = 500


class UserError(WhosaidError):
    """A failure the person can fix; the message says how."""

    exit_code = 2
    http_status = 400


class InputPathError(UserError):
    """A path given to ingest is missing or unreadable."""


class InvalidQueryError(UserError):
    """A question or search text that cannot be answered as given."""

    http_status = 422


class NotFoundError(UserError):
    """The thing asked for is not in the index."""

    http_status = 404


class UnreadableSourceError(UserError):
    """A URL offered as a source cannot be fetched, or is neither a feed nor a sitemap."""

    http_status = 422


class ConfigurationError(UserError):
    """A setting that cannot work."""


class ServiceError(WhosaidError):
    """The system, not the person, is at fault."""


class StoreUnavailableError(ServiceError):
    """The vector store or the database cannot be reached."""

    http_status = 503


class LanguageModelError(ServiceError):
    """The configured language model did not answer; the message never contains its API key."""

    http_status = 503


class BusyError(ServiceError):
    """Another writer holds the data directory's lock."""

    http_status = 503
