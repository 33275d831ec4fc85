"""Turning DOT text into an SVG or PNG picture, with whichever Graphviz program is at hand.

Two programs can draw DOT: the system's Graphviz `dot` (apt-get install graphviz), and
`graphviz-pure` from PyPI, a self-contained port that pip installs with chainrule. This file
finds one of them and runs it; it knows nothing about Values. It imports nothing heavy and
starts no process until something is actually rendered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


# How long one run of the renderer may take before it is stopped. The 2-2-2 network's 37
# frames take well under a second; a run this long means a graph too large to lay out.
TIMEOUT_S = 120.0

# A PNG ends with its IEND chunk (its length, the name, and a fixed checksum): where one
# picture of a multi-picture output stops.
_PNG_END = b"IEND\xaeB`\x82"


def render(
    source: str,
    fmt: str,
    *,
    args: Sequence[str] = (),
    dpi: float | None = None,
    timeout: float | None = None,
) -> bytes:
    """The picture of the DOT text `source` in format `fmt` ("svg" or "png"), as bytes.

    args are extra renderer options (such as ("-Kneato", "-n2") for a graph whose positions
    are fixed already); dpi sets a PNG's resolution (72 is one pixel per point).
    Raises RendererNotFound (a RuntimeError) when no renderer is installed, and RuntimeError
    with the renderer's own message when it fails or takes longer than `timeout` seconds
    (default TIMEOUT_S: set autograd.render.TIMEOUT_S to change it for every picture).
    """
    return render_many([source], fmt, args=args, dpi=dpi, timeout=timeout)[0]


def render_many(
    sources: Sequence[str],
    fmt: str,
    *,
    args: Sequence[str] = (),
    dpi: float | None = None,
    timeout: float | None = None,
) -> list[bytes]:
    """One picture per DOT text, all drawn by one run of the renderer (Graphviz reads any
    number of graphs from its input and writes their pictures one after another).

    fmt may also be "json0", the layout (positions and sizes) without the drawing.
    """
    if fmt == "json0":
        program = find_renderer()
        if program is None:
            raise RendererNotFound(f"laying out a graph needs a Graphviz renderer: {INSTALL_HINT}")
    else:
        program = require_renderer(fmt)
    if not sources:
        return []
    if timeout is None:
        timeout = TIMEOUT_S
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if fmt == "png" and Path(program).name.startswith("graphviz-pure"):
        sources = [_drawable_by_graphviz_pure(source) for source in sources]
    command = [program, f"-T{fmt}", *args]
    if dpi is not None:
        if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 1 <= dpi <= 2400:
            raise ValueError(f"dpi must be a number from 1 to 2400, got {dpi!r}")
        command.append(f"-Gdpi={dpi:g}")
    # PNG pictures take most of the time (rasterising, compressing): split the graphs
    # between as many renderer runs as there are cores, each drawing its share in order.
    runs = min(len(sources), os.cpu_count() or 1) if fmt == "png" else 1
    share = -(-len(sources) // runs)
    chunks = [sources[k : k + share] for k in range(0, len(sources), share)]
    if len(chunks) == 1:
        return _run(command, chunks[0], fmt, timeout)
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        done = list(pool.map(lambda chunk: _run(command, chunk, fmt, timeout), chunks))
    return [picture for pictures in done for picture in pictures]


def _drawable_by_graphviz_pure(source: str) -> str:
    """source with DejaVu Sans drawn as Arial: graphviz-pure's pictures carry no DejaVu
    Sans (it would draw a serif in its place), and its Arial, narrower, stays inside boxes
    that were sized for DejaVu Sans."""
    return source.replace('fontname="DejaVu Sans"', 'fontname="Arial"')


def _run(command: list[str], sources: Sequence[str], fmt: str, timeout: float) -> list[bytes]:
    """One run of the renderer over several graphs; their pictures, in order."""
    program = command[0]
    text = "\n".join(sources).encode("utf-8")
    try:
        result = subprocess.run(
            command, input=text, capture_output=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{program} was stopped after {timeout:g} s without finishing the picture: the "
            "graph is too large to lay out in reasonable time. Draw a part of it (pass an "
            "intermediate Value as the root), or allow longer: autograd.render.TIMEOUT_S = "
            f"{4 * timeout:g}"
        ) from None
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", errors="replace").strip()
        raise RuntimeError(
            f"{program} failed to draw the graph (exit code {result.returncode}): {message}"
        )
    pictures = _split(result.stdout, fmt)
    if len(pictures) != len(sources):
        raise RuntimeError(
            f"{program} drew {len(pictures)} pictures for {len(sources)} graphs; "
            f"its messages: {result.stderr.decode('utf-8', errors='replace').strip()}"
        )
    return pictures


def _split(output: bytes, fmt: str) -> list[bytes]:
    """The renderer's output for several graphs, cut into one piece per graph."""
    if fmt == "png":
        pieces = output.split(_PNG_END)
        return [piece + _PNG_END for piece in pieces[:-1]]
    if fmt == "json0":
        decoder = json.JSONDecoder()
        text, position, objects = output.decode("utf-8"), 0, []
        while text[position:].strip():
            position += len(text[position:]) - len(text[position:].lstrip())
            _, end = decoder.raw_decode(text, position)
            objects.append(text[position:end].encode("utf-8"))
            position = end
        return objects
    marker = b"<?xml"  # every SVG document starts with its XML declaration
    return [marker + piece for piece in output.split(marker)[1:]]
