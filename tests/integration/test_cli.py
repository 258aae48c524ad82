"""The whosaid command, run as a real process: output shapes, exit codes, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def whosaid(
    *args: str, data_dir: Path, model: str = "hash", **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WHOSAID_EMBEDDING_MODEL": model, "WHOSAID_EXTRACT_CLAIMS": "false"}
    env.update({f"WHOSAID_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def test_ingest_search_show_remove_round_trip(corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "d"
    first = whosaid("ingest", str(corpus), data_dir=data)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("articles: 6 new, 0 updated, 0 unchanged, 0 failed;")
    again = whosaid("ingest", str(corpus), "--json", data_dir=data)
    report = json.loads(again.stdout)
    assert (report["new"], report["unchanged"], report["failures"]) == (0, 6, [])
    assert len(report["article_ids"]) == 6
    assert report["seconds"] + 0.01 >= sum(report["phases"].values())  # each rounded to 1 ms
    found = whosaid("search", "ferry operators raised fares", "-k", "2", "--json", data_dir=data)
    results = json.loads(found.stdout)
    assert list(results[0]) == ["article_id", "title", "source", "text", "start", "end", "score"]
    shown = json.loads(whosaid("show", results[0]["article_id"], "--json", data_dir=data).stdout)
    assert shown["text"][results[0]["start"] : results[0]["end"]] == results[0]["text"]
    removed = whosaid("remove", results[0]["article_id"], data_dir=data)
    assert removed.returncode == 0 and "removed 1 article" in removed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "/no/such/path"), "No such file or folder: /no/such/path"),
        (("search", "   "), "The search text is empty"),
        (("show", "0000"), "No article with id '0000'"),
        (("remove", "0000"), "No article has the id or source '0000'"),
        (("search", "x", "--since", "yesterday"), "--since takes a date as YYYY-MM-DD"),
    ],
)
def test_user_errors_are_one_sentence_and_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = whosaid(*args, data_dir=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_file_is_named_and_the_exit_code_is_1(corpus: Path, tmp_path: Path) -> None:
    (corpus / "garbage.txt").write_bytes(b"\x00\x01\x02")
    result = whosaid("ingest", str(corpus), data_dir=tmp_path / "d")
    assert result.returncode == 1
    assert "6 new" in result.stdout and "1 failed" in result.stdout
    assert "skipped" in result.stderr and "garbage.txt: binary file" in result.stderr


def test_a_missing_questions_file_is_one_sentence(tmp_path: Path) -> None:
    result = whosaid("ask", "--questions", str(tmp_path / "q.jsonl"), data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: No such questions file: {tmp_path / 'q.jsonl'}"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ingest_workers": "-1"}, "error: WHOSAID_INGEST_WORKERS='-1' is not valid: Input should be"),
        ({"chunk_max_chars": "many"}, "error: WHOSAID_CHUNK_MAX_CHARS='many' is not valid: Input should be"),
        (
            {"extract_claims": "true", "spacy_model": "no_such_pipeline"},
            "error: Cannot load the spaCy pipeline 'no_such_pipeline'",
        ),
    ],
)
def test_a_bad_setting_is_one_sentence_and_exit_2(
    corpus: Path, tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    result = whosaid("ingest", str(corpus), data_dir=tmp_path / "d", **settings)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
