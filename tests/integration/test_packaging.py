"""The built wheel carries the prompts, and an installed package loads them (offline builds)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

PROMPTS = ROOT / "prompts"

# Prints every prompt the imported package loads, and where the package was imported from.
LOAD_ALL = """
import json, bot
from bot.answer.prompts import available_prompts, load_prompt
print(json.dumps({"from": bot.__file__, "prompts": {n: load_prompt(n).template for n in available_prompts()}}))
"""


def checkout_prompts() -> dict[str, str]:
    """The prompt files of the checkout, by name."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(PROMPTS.glob("*.md"))}


def pip(*args: str) -> None:
    # --no-index: nothing may come from the network; the build backend is the venv's setuptools.
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-deps", "--no-index", "--no-cache-dir", "--quiet"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources, so the build leaves nothing in the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", "--no-build-isolation", "--wheel-dir", str(out), str(source))
    (built,) = out.glob("whosaid-*.whl")
    return built


def test_top_level_prompts_is_the_package_folder() -> None:
    # One copy of each prompt: prompts/ is a relative symlink, so a fresh clone resolves it too.
    assert PROMPTS.is_symlink()
    assert os.readlink(PROMPTS) == os.path.join("bot", "prompts")
    assert PROMPTS.resolve() == (ROOT / "bot" / "prompts").resolve()
    assert len(checkout_prompts()) >= 4


@pytest.mark.slow
def test_the_wheel_holds_every_prompt(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packed = {Path(n).stem: archive.read(n).decode("utf-8") for n in archive.namelist()
                  if n.startswith("bot/prompts/") and n.endswith(".md")}
    assert packed == checkout_prompts()


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["installed", "zipped"])
def test_an_installed_package_loads_every_prompt(wheel: Path, tmp_path: Path, layout: str) -> None:
    # "zipped" imports straight from the wheel file: the loader never assumes a real folder.
    if layout == "installed":
        place = tmp_path / "site"
        pip("install", "--target", str(place), str(wheel))
    else:
        place = wheel
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", LOAD_ALL], cwd=elsewhere, env={**os.environ, "PYTHONPATH": str(place)},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert Path(loaded["from"]).is_relative_to(place)
    assert loaded["prompts"] == checkout_prompts()
