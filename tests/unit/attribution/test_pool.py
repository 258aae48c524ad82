"""Attribution in worker processes: the same claims as in-process, and no worker outlives its parent."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

import pytest

from bot.attribution import AttributionExtractor
from bot.attribution.pool import ProcessExtractor, _children_ignore_sigint, _slices, default_workers
from bot.errors import ConfigurationError
from tests.reliability.state import process_state, wait_for

# FICTIONAL variants of the fictional harbour article: the same shape, other names and numbers.
NAMES = [("Helena Voss", "Marta Quill"), ("Tomas Brandt", "Oskar Lind"), ("Ines Calloway", "Rhea Doyle")]


def fictional_articles(base: str, n: int) -> list[str]:
    """``n`` distinct fictional articles made from ``base``."""
    texts = []
    for i in range(n):
        text = base.replace("1,200", f"{1200 + i}").replace("14 ferries", f"{14 + i} ferries")
        if i % 2:
            for old, new in NAMES:
                text = text.replace(old, new).replace(old.split()[-1], new.split()[-1])
        texts.append(text)
    return texts


def test_slices_keep_order_and_size() -> None:
    texts = ["a" * 10, "b" * 10, "c" * 30, "d" * 5, "e" * 5]
    slices = _slices(texts, 20)
    assert [t for part in slices for t in part] == texts
    assert [len(part) for part in slices] == [2, 1, 2]  # a text longer than a slice stands alone


def test_a_ctrl_c_while_workers_start_is_kept_for_later() -> None:
    with pytest.raises(KeyboardInterrupt):  # the signal is sent inside the window, on purpose
        with _children_ignore_sigint():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # what a process started now inherits
            # To the main thread: sent to the process, the kernel may hand it to a thread of torch or
            # spaCy that does not block it, where it is ignored inside the window (the test then
            # depended on which threads earlier tests had started).
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            window_passed = True
        assert not window_passed, "the Ctrl-C should arrive as the window closes"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_workers_give_the_same_claims_in_the_same_order(extractor: AttributionExtractor, harbour_text: str) -> None:
    texts = fictional_articles(harbour_text, 6)
    pool = ProcessExtractor(workers=2, min_chars=0, slice_chars=1)  # one text per slice
    try:
        found = list(pool.extract_many(texts))
        assert pool.worker_pids, "a large call runs in the workers"
    finally:
        pool.close()
    assert found == [extractor.extract(text) for text in texts]
    assert found[0] != found[1] and all(found)
    assert not pool.worker_pids


def test_a_small_call_is_parsed_in_this_process(extractor: AttributionExtractor, harbour_text: str) -> None:
    pool = ProcessExtractor(workers=2)  # the default threshold: far more text than one article
    assert list(pool.extract_many([harbour_text, harbour_text])) == [extractor.extract(harbour_text)] * 2
    assert not pool.worker_pids
    one_worker = ProcessExtractor(workers=1, min_chars=0)
    assert list(one_worker.extract_many(fictional_articles(harbour_text, 2)))
    assert not one_worker.worker_pids


def test_a_missing_pipeline_is_one_clear_error_from_the_workers(harbour_text: str) -> None:
    pool = ProcessExtractor(spacy_model="no_such_pipeline", workers=2, min_chars=0)
    try:
        with pytest.raises(ConfigurationError, match="Cannot load the spaCy pipeline 'no_such_pipeline'"):
            list(pool.extract_many(fictional_articles(harbour_text, 2)))
    finally:
        pool.close()


def test_a_worker_that_dies_costs_time_not_claims(
    extractor: AttributionExtractor, harbour_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    texts = fictional_articles(harbour_text, 4)
    pool = ProcessExtractor(workers=2, min_chars=0, slice_chars=1)
    try:
        found = pool.extract_many(texts)
        os.kill(pool.worker_pids[0], signal.SIGKILL)  # still loading its pipeline: nothing is done yet
        with caplog.at_level(logging.WARNING, logger="bot.attribution.pool"):
            claims = list(found)
    finally:
        pool.close()
    assert claims == [extractor.extract(text) for text in texts]
    assert "worker died" in caplog.text


PARENT = """
import sys, time
from bot.attribution.pool import ProcessExtractor
pool = ProcessExtractor(workers=2, min_chars=0, slice_chars=1)
found = pool.extract_many(["Ana Ruiz said the port was closed.", "Karel Voss said it was open."])
print(*pool.worker_pids, flush=True)
list(found)
print("parsed", flush=True)
time.sleep(120)
"""


def test_workers_exit_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert parent.stdout.readline().strip() == "parsed"
        assert len(workers) == 2 and all(process_state(pid) for pid in workers)
    finally:
        parent.kill()  # SIGKILL: the pool gets no chance to stop its workers
        parent.wait()
    assert wait_for(lambda: not any(process_state(pid) for pid in workers), 10)


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def test_workers_of_the_tagger_share_the_cores_out_between_them() -> None:
    pool = ProcessExtractor(workers=2, engine="model")
    try:
        threads = {pool._start().submit(_torch_threads).result(timeout=120) for _ in range(4)}
    finally:
        pool.close()
    assert threads == {pool.threads_per_worker} and pool.threads_per_worker == max(1, default_workers() // 2)
