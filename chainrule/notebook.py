"""Plots in a notebook that every reader can take in: the notebooks call setup_plots() once.

A matplotlib figure then shows at a size that fits a notebook (scaled down, never cut off,
when the window is narrower) and carries alternative text: a sentence saying what it plots,
read off the figure itself (titles, axis labels, each line's label, where it starts and
ends and its lowest or highest value between), for readers who cannot see the picture.
JupyterLab shows an image output without alternative text, so the figure is also given as
an HTML <img> with an alt attribute, which JupyterLab prefers; the plain PNG stays for
other viewers.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

FIGURE_SIZE = (6.0, 3.5)  # inches: 480 x 280 pixels at the dpi below
DPI = 80


def setup_plots() -> None:
    """Small figures, shown in Jupyter with a description as their alternative text."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams.update({"figure.figsize": FIGURE_SIZE, "figure.dpi": DPI, "savefig.dpi": DPI})
    shell = _ipython()
    if shell is None:
        return
    try:  # Jupyter's inline backend resets every figure formatter when it loads: load it first
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    shell.display_formatter.formatters["text/html"].for_type(Figure, figure_html)


def describe_figure(figure: Any) -> str:
    """What a matplotlib figure shows, in words: one sentence per plot in it."""
    import numpy  # matplotlib's own dependency
    from matplotlib.collections import PathCollection
    from matplotlib.contour import ContourSet

    sentences = []
    for axes in figure.axes:
        if not axes.has_data():
            continue
        x_label, y_label = axes.get_xlabel() or "x", axes.get_ylabel() or "y"
        scale = " on a log scale" if axes.get_yscale() == "log" else ""
        parts = [f"{axes.get_title() or 'A plot'}: {y_label}{scale} against {x_label}"]
        parts += [_describe_line(line) for line in axes.get_lines()]
        dots = [c for c in axes.collections if isinstance(c, PathCollection)]
        if dots:
            n_points = sum(numpy.shape(c.get_offsets())[0] for c in dots)
            parts.append(f"{n_points} points drawn as dots")
        if any(isinstance(c, ContourSet) for c in axes.collections):
            parts.append("shaded contour regions")
        sentences.append("; ".join(parts) + ".")
    title = figure.get_suptitle() if hasattr(figure, "get_suptitle") else ""
    return " ".join([f"{title}." if title else "", *sentences]).strip() or "An empty figure."


def figure_html(figure: Any) -> str:
    """The figure as an HTML <img>: PNG, scaled to fit the width, with describe_figure's text."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(describe_figure(figure))}" '
        'style="max-width: 100%; height: auto">'
    )


def _describe_line(line: Any) -> str:
    """A line's label and values, such as "loss from 225 to 2.19, lowest 1.5"."""
    label = line.get_label()
    label = "a line" if label.startswith("_") else label  # "_child0": matplotlib's no label
    ys = [float(y) for y in line.get_ydata()]
    if len(ys) < 2 or line.get_transform() != line.axes.transData:  # a marker line (axvline)
        return label
    text = f"{label} from {ys[0]:.3g} to {ys[-1]:.3g}"
    if min(ys) < min(ys[0], ys[-1]):
        text += f", lowest {min(ys):.3g}"
    if max(ys) > max(ys[0], ys[-1]):
        text += f", highest {max(ys):.3g}"
    return text


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # not in IPython or Jupyter: nothing to register
        return None
    return get_ipython()
