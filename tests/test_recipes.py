"""The recipes of docs/grading.md run as written: each one's blocks, in order, in a fresh
folder, and what they print is what the page says.

A recipe is the text under a "## Recipe N" heading. Its fenced blocks are read in order:
- a block whose info string names a file (```python tests/backprop.py) is written there;
- a ```console block's `$ ` lines are run with bash in the folder, and the lines under a
  command are what it prints: each must be a line of its output ("..." matches any text).

Recipe 1 runs with this project's own environment (chainrule and pytest). Recipes 2 and 3
run in the recipes' own virtual environment (otter-grader, nbgrader, ipykernel and a
chainrule wheel: .ci/run makes it in .venv-recipes); set CHAINRULE_RECIPES_VENV to use
another. Without it, or without the tool, those tests skip, saying why.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "grading.md"
BLOCK = re.compile(r"^```([^\n]*)\n(.*?)^```", re.S | re.M)


def recipe(number: int) -> str:
    """The text of "## Recipe N", up to the next heading of its level."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"## Recipe {number}:")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def steps(text: str) -> list[tuple[str, str, str]]:
    """("file", path, content) and ("run", command, expected lines) in the recipe's order."""
    found = []
    for info, body in BLOCK.findall(text):
        words = info.split()
        if len(words) >= 2:
            found.append(("file", words[1], body))
        elif words and words[0] == "console":
            command, expected = None, []
            for line in body.splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        found.append(("run", command, "\n".join(expected)))
                    command, expected = line[2:], []
                elif command is not None and line.strip():
                    expected.append(line)
            if command is not None:
                found.append(("run", command, "\n".join(expected)))
    return found


def matches(expected: str, output: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return any(re.fullmatch(pattern, line.rstrip()) for line in output.splitlines())


def run_recipe(number: int, folder: Path, path_first: Path | None = None) -> list[str]:
    """Run recipe number in folder; returns each command's output. path_first: a bin
    folder put first on PATH (the recipes' virtual environment)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [*([str(path_first)] if path_first else []), str(Path(sys.executable).parent), env["PATH"]]
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    outputs = []
    for kind, what, body in steps(recipe(number)):
        if kind == "file":
            target = folder / what
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            continue
        result = subprocess.run(
            ["bash", "-c", what],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = result.stdout + result.stderr
        assert result.returncode in (0, 1), f"$ {what}\n{output[-3000:]}"
        for line in body.splitlines():
            assert matches(line, output), f"$ {what}\nexpected a line {line!r} in:\n{output}"
        outputs.append(output)
    return outputs


def recipes_bin(tool: str) -> Path:
    """The bin folder of the recipes' virtual environment, if it has tool (else skip)."""
    venv = Path(os.environ.get("CHAINRULE_RECIPES_VENV", ROOT / ".venv-recipes"))
    folder = venv / "bin"
    if not (folder / tool).exists():
        pytest.skip(f"needs {tool} in {venv} (.ci/run installs it; or set CHAINRULE_RECIPES_VENV)")
    check = subprocess.run(
        [str(folder / "python"), "-c", "import chainrule"], capture_output=True, text=True
    )
    if check.returncode != 0:
        pytest.skip(f"needs chainrule installed in {venv} (.ci/run installs its wheel)")
    return folder


def test_the_recipes_are_read_as_steps():
    # Recipe 1's first blocks: the roster file, then the variant command and its line.
    first = steps(recipe(1))[:2]
    assert first[0][:2] == ("file", "roster.csv")
    assert first[1][0] == "run" and first[1][1].startswith("chainrule variant 2-2-2 --roster")


def test_recipe_1_a_pytest_course_repository_runs_as_written(tmp_path):
    run_recipe(1, tmp_path)
    grades = (tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert grades[1].startswith("alice,41,41,100.0,all right,")
    assert grades[2].startswith("bob,0,41,0.0,blank,")


def test_recipe_2_otter_grader_runs_as_written(tmp_path):
    run_recipe(2, tmp_path, recipes_bin("otter"))
    results = (tmp_path / "out" / "results.json").read_text(encoding="utf-8")
    # what the page says of it: the wrong value's message, without the expected number
    assert "out_h1 (forward pass, value 2 of 11): wrong" in results
    assert "0.5933" not in results


def test_recipe_3_nbgrader_runs_as_written(tmp_path):
    run_recipe(3, tmp_path, recipes_bin("nbgrader"))
    graded = (tmp_path / "autograded" / "alice" / "ps1" / "ps1.ipynb").read_text("utf-8")
    assert "follows from your earlier error in out_h1" in graded
    assert "0.5933" not in graded
