"""Turning DOT text into an SVG or PNG picture, with whichever Graphviz program is at hand.

Two programs can draw DOT: the system's Graphviz `dot` (apt-get install graphviz), and
`graphviz-pure` from PyPI, a self-contained port that pip installs with chainrule. This file
finds one of them and runs it; it knows nothing about Values. It imports nothing heavy and
starts no process until something is actually rendered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

IMAGE_FORMATS = ("svg", "png")

INSTALL_HINT = (
    "install Graphviz (`apt-get install graphviz`, `brew install graphviz`) "
    "or the pure one from PyPI (`pip install graphviz-pure`)"
)


class RendererNotFound(RuntimeError):
    """Neither the system's `dot` nor `graphviz-pure` could be found."""


def find_dot() -> str | None:
    """The system Graphviz `dot` on PATH, or None."""
    return shutil.which("dot")


def find_graphviz_pure() -> str | None:
    """The `graphviz-pure` program, or None.

    pip puts it in the environment's scripts folder, which is on PATH only when the
    environment is activated; `.venv/bin/python` run directly must still find it there.
    """
    found = shutil.which("graphviz-pure")
    if found:
        return found
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    for folder in folders:
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


# Set to "dot" or "graphviz-pure" to use that renderer only (the notebooks are executed with
# graphviz-pure, which draws the same bytes on every machine; the system `dot` varies).
RENDERER_VARIABLE = "CHAINRULE_RENDERER"
RENDERERS = {"dot": find_dot, "graphviz-pure": find_graphviz_pure}


def find_renderer() -> str | None:
    """The program that renders pictures: the system `dot` if present, else graphviz-pure,
    or the one the environment variable CHAINRULE_RENDERER names."""
    choice = os.environ.get(RENDERER_VARIABLE, "")
    if not choice:
        return find_dot() or find_graphviz_pure()
    if choice not in RENDERERS:
        raise ValueError(
            f"{RENDERER_VARIABLE}={choice!r} is not a renderer: set it to "
            f"{' or '.join(RENDERERS)}, or unset it to use whichever is installed"
        )
    return RENDERERS[choice]()


def require_renderer(fmt: str) -> str:
    """The renderer's path for a picture in format fmt, or an error that says what to do."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"cannot render format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
    program = find_renderer()
    if program is None:
        choice = os.environ.get(RENDERER_VARIABLE, "")
        wanted = f"{choice}, which {RENDERER_VARIABLE} asks for," if choice else "a renderer"
        raise RendererNotFound(
            f"drawing a {fmt} picture needs {wanted} and it was not found: "
            f"{INSTALL_HINT}. Saving to .dot or .gv works without one."
        )
    return program


def render(source: str, fmt: str) -> bytes:
    """The picture of the DOT text `source` in format `fmt` ("svg" or "png"), as bytes.

    Raises RendererNotFound (a RuntimeError) when no renderer is installed, and RuntimeError
    with the renderer's own message when it fails.
    """
    program = require_renderer(fmt)
    result = subprocess.run(
        [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", errors="replace").strip()
        raise RuntimeError(
            f"{program} failed to draw the graph (exit code {result.returncode}): {message}"
        )
    return result.stdout
