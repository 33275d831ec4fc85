"""Fixtures shared by several test files."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def pdflatex(tmp_path: Path) -> Callable[[str], subprocess.CompletedProcess[str]]:
    """compile(fragment): pdflatex on an article that \\input's the LaTeX fragment, in
    tmp_path (doc.pdf appears there when it compiles). Skips without pdflatex."""
    if shutil.which("pdflatex") is None:
        pytest.skip("needs pdflatex (texlive)")

    def compile_fragment(fragment: str) -> subprocess.CompletedProcess[str]:
        (tmp_path / "fragment.tex").write_text(fragment, encoding="utf-8")
        (tmp_path / "doc.tex").write_text(
            "\\documentclass{article}\n\\begin{document}\n\\input{fragment}\n\\end{document}\n"
        )
        return subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return compile_fragment
