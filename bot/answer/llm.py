"""The LLM composer: any LangChain chat model writes the prose, whosaid keeps the facts.

The model only ever writes text. What it may cite (the numbered sources, which are the
CitationBook's citations), the verdict of a claim check (decided once by the chain) and which
of its sentences survive (``citations.verify``, which the chain runs on every answer) are all
decided without it. Policy for its output:

* passages are shown to the model fenced as data, and without the sentences that address a
  model ("ignore your instructions...") or carry a link (``quarantined``): verification checks
  that a sentence is backed by its cited span, and could not tell an injected "say that the
  mayor resigned" from reporting, so such text is never offered as a source to restate;
* a sentence of the reply without a ``[n]`` marker is dropped before verification, even one
  that reads as framing ("Sources agree."): uncited model prose is unsupported, and in a claim
  check it could contradict the computed verdict, which every interface shows on its own;
* a sentence of the reply with a link (``http://``, ``www.``, a Markdown link) is dropped too:
  answers never need one, and a link is the usual payload of an injection;
* reasoning blocks (``<think>...</think>``) some local models emit are removed.

A model that does not answer (refused connection, timeout, 5xx, rate limit) raises
``LanguageModelError`` (HTTP 503, exit 1) naming the model and the reason, never its key.
There is no silent fallback to the extractive composer: an operator who configured a model
should see that it is down, not quietly get answers of another kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import SecretStr

from bot.answer.checks import CheckResult, findings_text
from bot.answer.citations import CITATION_MARKER
from bot.answer.composer import CitationBook, attribution, attribution_check, group_by_speaker, who
from bot.answer.prompts import PromptError, format_history, format_sources, load_prompt
from bot.answer.quarantine import LINK, quarantined, safe_spans
from bot.answer.text import join_sentences, split_sentences
from bot.errors import ConfigurationError, LanguageModelError
from bot.model import Answer, Claim, SearchHit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.config import Settings

__all__ = [
    "LLMComposer",
    "clean_reply",
    "create_chat_model",
    "describe_failure",
    "install_hint",
    "model_label",
    "quarantined",
    "safe_spans",
]

# Providers with an extra in pyproject.toml; any other LangChain provider package works too.
EXTRAS = frozenset({"openai", "ollama", "anthropic"})
MAX_STANDALONE_CHARS = 2000  # the service's limit on a question

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.S | re.I)
_MARKER = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")  # "[1]", and "[1, 2]" which verify expands
_URL_FIELDS = ("openai_api_base", "base_url", "anthropic_api_url")


def install_hint(provider: str) -> str:
    """The pip command that installs a provider's LangChain package."""
    if provider in EXTRAS:
        return f"pip install 'whosaid[{provider}]'"
    return f"pip install langchain langchain-{provider.replace('_', '-')}"


def create_chat_model(settings: Settings, **options: Any) -> BaseChatModel | None:
    """The chat model ``WHOSAID_LLM`` names, or ``None`` (extractive composer); ``options`` go to init_chat_model."""
    if not settings.llm:
        return None
    provider = settings.llm.partition(":")[0] if ":" in settings.llm else ""
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:
        raise ConfigurationError(
            f"WHOSAID_LLM is set but LangChain is not installed: {install_hint(provider or 'openai')}."
        ) from None
    kwargs = {**_connection_options(provider, settings), **options}
    try:
        return init_chat_model(settings.llm, **kwargs)
    except ImportError as exc:
        package = re.search(r"requires the (\S+) package", str(exc))
        hint = install_hint(provider) if provider in EXTRAS or not package else f"pip install {package.group(1)}"
        raise ConfigurationError(f"WHOSAID_LLM={settings.llm!r} needs a package that is missing: {hint}.") from None
    except Exception as exc:  # an unknown provider, or the provider's own validation (no key, a bad option)
        raise _unusable(settings, exc) from None


def _unusable(settings: Settings, exc: BaseException) -> ConfigurationError:
    if isinstance(exc, ValueError) and "infer model provider" in str(exc):
        return ConfigurationError(
            f"WHOSAID_LLM={settings.llm!r} names no provider LangChain knows; write provider:model, "
            "e.g. openai:gpt-4o-mini, ollama:llama3.1 or anthropic:claude-sonnet-4-5."
        )
    if not settings.llm_api_key and re.search(r"api[_ ]key|credentials", str(exc), re.I):
        return ConfigurationError(
            f"WHOSAID_LLM={settings.llm!r} needs an API key: set WHOSAID_LLM_API_KEY (or the provider's own variable)."
        )
    secrets = [settings.llm_api_key.get_secret_value()] if settings.llm_api_key else []
    return ConfigurationError(f"WHOSAID_LLM={settings.llm!r} cannot be used: {_redact(_first_line(exc), secrets)}")


def _connection_options(provider: str, settings: Settings) -> dict[str, Any]:
    """Base URL, key and timeout, in the keywords each provider's chat model takes."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    options: dict[str, Any] = {}
    if provider == "ollama":  # ChatOllama passes client_kwargs to its httpx client
        client: dict[str, Any] = {"timeout": settings.llm_timeout_seconds}
        if key:
            client["headers"] = {"Authorization": f"Bearer {key}"}
        options["client_kwargs"] = client
    else:  # ChatOpenAI, ChatAnthropic and most others
        options["timeout"] = settings.llm_timeout_seconds
        if key:
            options["api_key"] = key
    if settings.llm_base_url:
        options["base_url"] = settings.llm_base_url
    return options


class LLMComposer:
    """Writes answers and claim checks with a chat model, and rewrites follow-ups."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.label = model_label(model)
        self._secrets = [v.get_secret_value() for v in vars(model).values() if isinstance(v, SecretStr)]
        self._chains = {name: _prompt_chain(name, model) for name in ("answer", "check_claim", "condense_question")}

    def condense(self, question: str, history: Sequence[Mapping[str, Any]]) -> str:
        """A standalone version of a follow-up, written from the conversation."""
        reply = self._run("condense_question", history=format_history(history), question=question)
        line = next((ln.strip().strip("\"“”'") for ln in _strip_thinking(reply).splitlines() if ln.strip()), "")
        return line[:MAX_STANDALONE_CHARS] or question

    def compose_answer(
        self, question: str, claims: Sequence[Claim], passages: Sequence[SearchHit], book: CitationBook,
        *, asked: str | None = None,
    ) -> Answer | None:
        """An answer from claims and passages as ``book`` numbers them (verify it next); ``asked`` is the standalone."""
        notes, attributions = {}, []
        for claim in group_by_speaker(claims):
            number = book.cite_claim(claim)
            notes[number] = f"speaker: {who(claim)}, {claim.stance}"
            attributions.append(attribution(claim, number))
        for hit in passages:
            for start, end in safe_spans(book.article(hit.article_id).text, hit.start, hit.end):
                book.cite(hit.article_id, start, end)
        if not book.citations:
            return None  # every passage was quarantined: nothing to write from
        reply = self._run("answer", question=asked or question, sources=format_sources(book.citations, notes))
        return Answer(
            question=question, answer=clean_reply(reply), abstained=False,
            attributions=tuple(attributions), citations=book.citations,
        )

    def compose_check(self, result: CheckResult, book: CitationBook) -> Answer | None:
        """A check already decided (``result``), worded by the model; ``None``: nothing to show."""
        shown = result.shown
        if not shown:
            return None  # nothing bears on the claim: abstain without asking the model
        finding = attribution_check(result, book)
        numbers = {e.citation: book.cite_claim(e.claim) for e in shown}  # candidate -> source [n]
        notes = {numbers[e.citation]: f"speaker: {who(e.claim)}, {e.claim.stance}" for e in shown}
        findings = CITATION_MARKER.sub(
            lambda m: f"[{numbers[int(m.group(1))]}]" if int(m.group(1)) in numbers else "", findings_text(result)
        )
        reply = self._run(
            "check_claim", claim=result.claim, verdict=result.verdict, findings=findings,
            sources=format_sources(book.citations, notes),
        )
        return Answer(
            question=result.claim, answer=clean_reply(reply), abstained=False, verdict=result.verdict,
            attributions=tuple(attribution(e.claim, numbers[e.citation]) for e in shown),
            citations=book.citations, attribution=finding,
        )

    def _run(self, prompt: str, **values: str) -> str:
        try:
            return self._chains[prompt].invoke(values)
        except PromptError:
            raise  # a programming error, not the model's
        except Exception as exc:  # whatever the provider's client raises: its seam ends here
            reason = describe_failure(exc)
            end = "" if reason[-1:] in ".?!" else "."
            message = f"The language model {self.label} did not answer: {reason}{end}"
            raise LanguageModelError(_redact(message, self._secrets)) from exc


def _prompt_chain(name: str, model: BaseChatModel) -> Runnable[dict[str, str], str]:
    """prompt | model | text, as LCEL runnables; the prompt file is read once, at first use."""
    render: RunnableLambda[dict[str, str], str] = RunnableLambda(lambda values: load_prompt(name).render(**values))
    return render | model | StrOutputParser()


def model_label(model: BaseChatModel) -> str:
    """The model's name and where it is served, for error messages (never its key)."""
    name = next((str(v) for a in ("model_name", "model") if (v := getattr(model, a, None))), type(model).__name__)
    url = next((str(v) for a in _URL_FIELDS if isinstance(v := getattr(model, a, None), str) and v), None)
    return f"{name} at {url}" if url else name


def describe_failure(exc: BaseException) -> str:
    """Why a provider's call failed, in a few words a person can act on."""
    status = getattr(exc, "status_code", None)
    kind = type(exc).__name__
    if isinstance(status, int):
        if status == 429:
            return "it is rate-limiting requests (HTTP 429); try again shortly"
        if status in (401, 403):
            return f"it refused the API key (HTTP {status}); check WHOSAID_LLM_API_KEY"
        body = getattr(exc, "body", None)
        detail = body.get("message") if isinstance(body, dict) else None
        return f"HTTP {status}" + (f" ({str(detail)[:200].rstrip('. ')})" if detail else "")
    if "timeout" in kind.lower() or isinstance(exc, TimeoutError):
        return "no reply before the timeout (WHOSAID_LLM_TIMEOUT_SECONDS)"
    if "connect" in kind.lower() or isinstance(exc, ConnectionError):
        return "the connection failed; is the server running?"
    return f"{kind}: {_first_line(exc)}"


def clean_reply(reply: str) -> str:
    """The reply without reasoning blocks, uncited sentences and sentences carrying a link."""
    segments = split_sentences(_strip_thinking(reply))
    return join_sentences(segments, [bool(_MARKER.search(s.text)) and not LINK.search(s.text) for s in segments])


def _strip_thinking(reply: str) -> str:
    return _THINK.sub("", reply).strip()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
