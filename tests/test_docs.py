"""The README cannot drift from the code: its reference is cog-generated from --help, and
CI runs exactly the README's test command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fenced_after(text: str, marker: str) -> str:
    after = text.split(marker, 1)[1]
    block = after.split("```sh\n", 1)[1].split("```", 1)[0]
    return block.strip()


def test_readme_reference_matches_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun: cog -r README.md"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = _fenced_after(readme, "<!-- test-command")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command.startswith("python3 -m venv .venv")
    assert command in ci_lines


def test_readme_try_command_uses_a_sample_journal_not_the_real_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Try it on a fresh machine", 1)[1].split("```sh\n", 1)[1]
    first = block.split("```", 1)[0]
    assert "mktemp -d" in first
    assert first.count('adherelog" --db "$D/sample.db"') >= 2
    assert " sample " in first


def test_changelog_has_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in text
