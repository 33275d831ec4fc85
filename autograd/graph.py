"""A drawn picture: DOT text that can be rendered, saved, or shown in Jupyter with alt text.

Every picture chainrule draws (a computation graph, a frame of the backward pass, a
network diagram) is a Graph: its `.source` in Graphviz's DOT language, `.save(path)` in the
format the suffix names, and `.alt`, the picture in words. The helpers here write DOT's
attribute lists and labels safely (any text, escaped).
"""

from __future__ import annotations

import base64
import html
import os
import re
from collections.abc import Sequence
from typing import Any

from .engine import Value
from .files import save_suffix, write_atomically
from .fonts import FONT_FAMILY, embed_font
from .layout import _quote
from .names import clean as _clean
from .render import RendererNotFound, render

SAVE_SUFFIXES = (".svg", ".png", ".dot", ".gv")
FONT = FONT_FAMILY  # DejaVu Sans: measured, and carried inside every SVG (autograd/fonts.py)


class Graph:
    """A drawn computation graph: DOT text that can be saved or shown in Jupyter.

    `parameters` maps each model parameter the picture shows to the name of the element
    that shows it (a node name, or "tail->head" for an edge), for tools that point at them.
    """

    def __init__(
        self,
        source: str,
        n_values: int,
        n_operations: int,
        *,
        args: Sequence[str] = (),
        parameters: dict[Value, str] | None = None,
        alt: str = "",
    ) -> None:
        self.source = source
        self.n_values = n_values
        self.n_operations = n_operations
        self.args = tuple(args)  # renderer options the source needs (fixed positions)
        self.parameters: dict[Value, str] = dict(parameters or {})
        # The picture in words: its alternative text in Jupyter, for readers who cannot see it.
        self.alt = (
            alt
            or f"A graph of {_count(n_values, 'value')} and {_count(n_operations, 'operation')}."
        )

    def __repr__(self) -> str:
        return f"<Graph of {self.n_values} values and {self.n_operations} operations>"

    def __str__(self) -> str:
        return self.source

    def pipe(self, fmt: str = "svg", *, dpi: float | None = None) -> bytes:
        """The picture as bytes, in format "svg" or "png" (dpi: a PNG's pixels per inch;
        the default 72 is one pixel per point). An SVG carries the glyphs it shows."""
        picture = render(self.source, fmt, args=self.args, dpi=dpi)
        if fmt == "svg":
            return embed_font(picture.decode("utf-8")).encode("utf-8")
        return picture

    def save(
        self, path: str | os.PathLike[str], *, dpi: float | None = None
    ) -> str | os.PathLike[str]:
        """Write the graph to path, in the format its suffix names: .svg, .png, or .dot/.gv
        (the DOT text, which needs no renderer). Returns path as given.

        The file is written whole or not at all: a failed render leaves no half file.
        """
        suffix = save_suffix(path, SAVE_SUFFIXES, "a graph")
        if suffix in (".dot", ".gv"):
            data = self.source.encode("utf-8")
        else:
            data = self.pipe(suffix[1:], dpi=dpi)
        write_atomically(path, data)
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # Jupyter shows the SVG, shrunk to the notebook's width when wider (never cut off) and
        # with self.alt as its alternative text. JupyterLab draws an SVG output as an <img>
        # without alt text, and not at all in a notebook it does not trust, so the HTML <img>
        # comes first; the SVG itself is there too. Without a renderer, the DOT text shows.
        try:
            svg = self.pipe("svg").decode("utf-8")
        except RendererNotFound as error:
            return {"text/plain": f"{error}\n\n{self.source}"}
        svg = _accessible_svg(svg, self.alt)
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        image = (
            f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(self.alt)}" '
            'style="max-width: 100%; height: auto">'
        )
        return {"text/html": image, "image/svg+xml": svg, "text/plain": self.alt}


def dot_attributes(attributes: dict[str, str]) -> str:
    return "[" + " ".join(f"{key}={_quote(value)}" for key, value in attributes.items()) + "]"


def escape_label(text: str) -> str:
    """text as an ordinary label: backslashes kept literal (never read as \\n or \\N)."""
    return _clean(text).replace("\\", "\\\\")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _accessible_svg(svg: str, alt: str) -> str:
    """svg with alt as its title and accessible name, scaling down to fit its container."""
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        return svg
    text = html.escape(alt)
    tag = match.group(0)[:-1] + (
        f' role="img" aria-label="{text}" style="max-width: 100%; height: auto">'
    )
    return svg[: match.start()] + tag + f"<title>{text}</title>" + svg[match.end() :]
