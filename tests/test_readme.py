"""The README's Python examples run as printed: each ```python block is executed, and what
it prints must equal its `# ...` comments (on print lines, and trailing comment lines)."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def expected_output(code: str) -> list[str]:
    lines = code.rstrip("\n").split("\n")
    expected = [line.split("  # ", 1)[1] for line in lines if "print(" in line and "  # " in line]
    trailing = []
    for line in reversed(lines):
        if not line.startswith("# "):
            break
        trailing.append(line[2:])
    return expected + trailing[::-1]


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{k}" for k in range(len(BLOCKS))])
def test_readme_example_prints_what_it_says(code):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {})
    assert printed.getvalue().rstrip("\n").split("\n") == expected_output(code)
