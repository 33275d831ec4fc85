"""The live step-through: a graph's forward and backward pass as one page you step through.

`step_through(root)` records one pass, the forward values in topological order and then
every Step of `backward_steps`, and puts the record (as JSON) into a page next to the
graph's picture (as SVG, drawn once). A small script (autograd/static/stepthrough.js) only
changes texts and classes as you press Next, so the layout never moves and the page needs
no kernel, no server and no network: it works saved to a file, inside a notebook, in a
notebook exported to HTML, or on a course site.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from .backward import topological_order
from .drawing import LECTURE_DIGITS, Drawing, DrawingOptions
from .engine import Value
from .files import save_suffix, write_atomically
from .fonts import PAGE_CHARACTERS, font_face, svg_characters, without_font
from .graph import Graph
from .printing import format_number
from .record import forward_order, step_text
from .render import require_renderer
from .steps import backward_steps
from .tensor_probe import is_tensor
from .themes import theme_css, theme_named

STATIC = Path(__file__).resolve().parent / "static"
PAGE_SUFFIXES = (".html", ".htm")

# Nothing the page does may reach the network: its own inline script, styles and font only.
CONTENT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; font-src data:"
)

# How tall the view is inside a notebook: the controls, then the graph at its natural size
# within these bounds (a larger graph scrolls inside its pane; "Fit" shrinks it to fit).
NOTEBOOK_CONTROLS_PX = 170
NOTEBOOK_FIGURE_PX = (240, 540)


class StepThrough:
    """An interactive step-through of one forward and backward pass.

    In Jupyter it displays as the page itself; `.save("page.html")` writes the same page as
    one file. `.record` is what the page shows, step by step (see step_through).
    """

    def __init__(
        self,
        record: dict[str, Any],
        figures: dict[str, str],
        *,
        theme: str | None = None,
        lecture: bool = False,
    ) -> None:
        self.record = record
        self.figures = figures  # view name ("graph", "network") -> its SVG
        self.html = _page(record, figures, theme, lecture)

    @property
    def n_values(self) -> int:
        return len(self.record["forward"])

    @property
    def n_steps(self) -> int:
        return len(self.record["backward"])

    def __repr__(self) -> str:
        return (
            f"<StepThrough of {self.record['root']}: {self.n_values} values forward, "
            f"{self.n_steps} chain-rule steps backward>"
        )

    def save(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """Write the page to path (.html or .htm), whole or not at all; returns path."""
        save_suffix(path, PAGE_SUFFIXES, "a step-through page")
        write_atomically(path, self.html.encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        # The page goes into an iframe (srcdoc) rather than straight into the notebook: its
        # script and styles then cannot clash with the notebook's or with a second view in
        # the same notebook, the arrow keys reach it instead of the notebook's shortcuts,
        # and it is byte for byte the page `.save` writes, which the browser tests drive.
        # JupyterLab, Notebook 7, VS Code and Colab run it with no extension, as they run
        # any output with a script: in a notebook that is trusted (outputs you made
        # yourself are; one from elsewhere, once you trust it). `sandbox` keeps the page
        # away from the notebook around it; `allow="fullscreen"` lets its Full screen work.
        height = NOTEBOOK_CONTROLS_PX + _figure_height(self.figures["graph"])
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'title="{html.escape(self.record["title"], quote=True)}" sandbox="allow-scripts" '
            'allow="fullscreen" '
            # border-box: the border goes inside the 100%, so the output needs no scrollbar
            f'style="box-sizing: border-box; width: 100%; height: {height}px; '
            'border: 1px solid #ddd; border-radius: 4px"></iframe>'
        )


def step_through(
    root: Value,
    gradient: float = 1.0,
    *,
    network: Callable[[], Graph] | None = None,
    given: Sequence[Value] = (),
    theme: str | None = None,
    lecture: bool = False,
    **drawing_options: Any,
) -> StepThrough:
    """An interactive step-through of root's forward pass and backward(gradient) pass.

    First the forward pass: the values appear node by node in reading order, the inputs
    first, then layer by layer, each given number just before the first layer that uses it
    (in the order `given` lists them, else in reading order; autograd.record.forward_order).
    Then the backward pass one chain-rule step at a time: the steps of
    `backward_steps(root, gradient)`, in its order, except those into a constant (a
    `constants=` Value, or a number written into its operation), each written as `str(step)`
    writes it but with the drawing's names and precision, numbered from 1, with the node
    passing its gradient, the input receiving it and the edge between highlighted.
    Gradients not known yet show "?". Every number is written as the drawing writes it.

    The pass starts from zero gradients, and every `.grad` in the graph is put back exactly
    as it was afterwards: stepping through changes nothing. drawing_options go to draw_dot
    (decimals, color_roles, rankdir, ...). With `network=`, a function that draws a second
    view (such as `lambda: nn.draw_network(model, show_grad=True)`), the page offers it,
    each parameter's gradient filling in as its step comes. It is called once, while the
    pass's gradients are in place (so each gradient's text has its full width), and
    returns a Graph whose `parameters` maps each parameter Value to the element showing it.

    theme: "light", "dark" or "contrast" fixes the page's colours; by default (None) the
    page follows the reader's colour scheme (light, or dark where the system prefers it).
    lecture=True draws for a projected slide (see draw_dot) and sets the page's text large.
    Either way the page has A- and A+ (keys - and +) for text size, Fit (key 0), which
    never shrinks the picture's text below a readable size, and Full screen (key F); it
    prints one step per page.
    """
    if is_tensor(root):  # a graph of Tensors: its record and picture from tensor_view.py
        from .tensor_view import tensor_pass_record

        if network is not None or given:
            raise TypeError(
                "step_through of a Tensor graph takes no network= or given= (a Value graph's "
                "views); its drawing options are draw_dot's for a Tensor"
            )
        known = ("decimals", "digits", "rankdir", "color_roles", "max_nodes")
        unknown = [name for name in drawing_options if name not in known]
        if unknown:
            raise TypeError(
                f"step_through of a Tensor graph got {unknown[0]}=, which it does not take "
                f"(it takes {', '.join(known)}, theme and lecture)"
            )
        if theme is not None:
            theme_named(theme)  # an unknown name fails here, before anything is drawn
        # The picture in the light theme, which the page restyles in its own (theme_css).
        options = DrawingOptions.named("step_through", {**drawing_options, "lecture": lecture})
        record, graph = tensor_pass_record(root, gradient, options)
        return StepThrough(
            record, {"graph": _inline_svg(graph.pipe("svg"))}, theme=theme, lecture=lecture
        )
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs a Value to step through, got {type(root).__name__}")
    if "step" in drawing_options:
        raise TypeError(
            "step_through draws every step itself; leave out step= (draw_dot(root, step=...) "
            "draws a single one)"
        )
    if theme is not None:
        theme_named(theme)  # an unknown name fails here, before anything is drawn
    if network is not None and not callable(network):
        raise TypeError(
            "network= takes a function that draws the network view, such as "
            f"lambda: nn.draw_network(model, show_grad=True); got {type(network).__name__}"
        )
    if (
        lecture
        and drawing_options.get("decimals") is None
        and drawing_options.get("digits") is None
    ):
        # The lecture's precision; the page's own picture keeps its usual boxes, whose
        # texts and parts the script finds by name.
        drawing_options = {**drawing_options, "decimals": None, "digits": LECTURE_DIGITS}
    options = DrawingOptions.named("step_through", drawing_options)
    number = options.number  # numbers as the drawing writes them
    structure = Drawing.of(root, options)
    names = structure.names  # as the drawing writes them (a model's parameters by place)
    drawing = _Drawn.of(structure, options)
    require_renderer("svg")  # fail before anything is computed, with how to install one
    order = topological_order(root)
    saved = [node.grad for node in order]
    try:
        for node in order:  # the pass shown starts from zero, whatever came before
            node.grad = 0.0
        record = _record(root, order, gradient, number, names, drawing, given)
        # Drawn after the pass, so every gradient's text has its full width in the layout;
        # the page shows "?" in it until that gradient is known.
        # The structure built above, drawn as it is: options checked once, built once.
        figures = {"graph": _inline_svg(structure.graph(options, None).pipe("svg"))}
        if network is not None:
            view = network()
            if not isinstance(view, Graph):
                raise TypeError(f"network= must return a drawn Graph, got {type(view).__name__}")
            place = {node: k for k, node in enumerate(order)}
            record["network"] = {
                name: place[value] for value, name in view.parameters.items() if value in place
            }
            figures["network"] = _inline_svg(view.pipe("svg"))
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    return StepThrough(record, figures, theme=theme, lecture=lecture)


# -- the record: what the page shows at every position ----------------------------------


class _Drawn:
    """What the drawing shows of each Value. A constant (draw_dot's constants=, a loss's
    target) has no gradient drawn; a number folded into its operation ("× 0.5", "target_o1
    − x") has no box at all. Neither is listed with the gradients found: the page agrees
    with the picture. A Value without a box is shown by the operation nodes it is written
    into."""

    def __init__(self, listed: set[Value], written_in: dict[Value, list[Value]]) -> None:
        self.listed = listed  # the Values whose gradient the drawing shows
        self.written_in = written_in  # Value without a box -> the nodes it is folded into
        # No step into these is shown: the constants, and the numbers written into their
        # operations (the 1/2 of 1/2 (t - y)^2).
        self.constants: set[Value] = set()

    @classmethod
    def of(cls, structure: Drawing, options: DrawingOptions) -> _Drawn:
        boxed = set(structure.drawn)
        constants = set(options.constants)
        written_in: dict[Value, list[Value]] = {}
        for node, position in structure.folded.items():
            number = node.inputs[position]
            if number not in boxed:
                written_in.setdefault(number, []).append(node)
        drawn = cls({x for x in boxed if x not in constants}, written_in)
        drawn.constants = constants | set(written_in)
        return drawn


def _record(
    root: Value,
    order: list[Value],
    gradient: float,
    number: Callable[[float], str],
    names: dict[Value, str],
    drawing: _Drawn,
    given: Sequence[Value] = (),
) -> dict[str, Any]:
    """Run the pass and write down everything the page needs, as plain JSON values.

    values:   id ("v<k>", the node's name in the drawing), name, inputs by place, and for
              a number folded into operations (no box of its own) those nodes by place.
    forward:  one entry per value, in reading order (the inputs, then layer by layer: a
              topological order): its place and a sentence ("q = x + y = -2 + 5 = 3").
    backward: one entry per Step shown (none into a constant): its text, node and input by
              place, which of the edges from input to node it travels (a Value used twice
              has two), and input.grad after the step, as the graph prints it.
    """
    place = {node: k for k, node in enumerate(order)}
    values: list[dict[str, Any]] = [
        {
            "id": f"v{k}",
            "name": names[node],
            "inputs": [place[x] for x in node.inputs],
            "foldedInto": [place[n] for n in drawing.written_in.get(node, [])],
        }
        for k, node in enumerate(order)
    ]
    # The forward pass in reading order: the inputs, then layer by layer (a topological
    # order too, each value after its inputs).
    forward = [
        {
            "node": place[node],
            "text": f"Forward {k + 1} of {len(order)}: {_forward_text(node, names, number)}",
        }
        for k, node in enumerate(forward_order(root, given))
    ]
    steps: list[dict[str, Any]] = []
    parts = [0] * len(order)  # how many shares each gradient is the sum of
    passed: dict[Value, int] = {}  # how many of its inputs each node has passed to so far
    for step in backward_steps(root, gradient):
        position = passed.get(step.node, 0)  # steps go through a node's inputs in order
        passed[step.node] = position + 1
        if step.input in drawing.constants:
            continue  # a constant: no gradient shown, no step
        parts[place[step.input]] += 1
        steps.append(
            {
                "node": place[step.node],
                "input": place[step.input],
                # which edge from input to node: a Value used twice (a * a) has two
                "edge": step.node.inputs[:position].count(step.input),
                "local": step.local,
                "upstream": step.upstream,
                "contribution": step.contribution,
                # numbered below, once the number of steps is known
                "text": step_text(step, root, names, number),
                "grad": number(step.input.grad),  # taken now: the next step adds
                "exact": number(step.input.grad),  # the table's figure: one precision
            }
        )
    total = len(steps)
    for k, entry in enumerate(steps):
        entry["text"] = f"Backward step {k + 1} of {total}: {entry['text']}"
    root_name = names[root]
    return {
        "title": f"Step through {root_name}: forward and backward pass",
        "root": root_name,
        "values": values,
        "forward": forward,
        "start": (
            f"Before the pass: {len(order)} values to compute, then {total} chain-rule "
            "steps back. Press Next (or the right arrow key)."
        ),
        "rootPlace": place[root],
        "rootGrad": number(root.grad),  # d root / d root: what the pass starts with
        "rootExact": number(root.grad),
        "backward": steps,
        "parts": parts,
        "found": [k for k in _found_order(place[root], steps) if order[k] in drawing.listed],
    }


def _found_order(root_place: int, steps: Sequence[dict[str, Any]]) -> list[int]:
    """Places of the values in the order their gradients first appear: the root, then each
    input as its first share arrives. The page lists them in this order (those it draws)."""
    found = [root_place]
    for entry in steps:
        if entry["input"] not in found:
            found.append(entry["input"])
    return found


def _forward_text(node: Value, names: dict[Value, str], number: Callable[[float], str]) -> str:
    """How node's value was computed, with names and then numbers (as the drawing writes
    them): "q = x + y = -2 + 5 = 3"; a leaf is "x = -2 (given)"."""
    name, result = names[node], number(node.data)
    if not node.inputs:
        return f"{name} = {result} (given)"
    with_names = _written(node, [names[x] for x in node.inputs])
    numbers = [number(x.data) for x in node.inputs]
    if node.op in ("**", "neg"):  # (-0.74) ** 2, not -0.74 ** 2 (which is -(0.74 ** 2))
        numbers = [f"({n})" if n.startswith("-") else n for n in numbers]
    with_numbers = _written(node, numbers)
    return f"{name} = {with_names} = {with_numbers} = {result}"


def _written(node: Value, operands: list[str]) -> str:
    """node's operation applied to operands, written out: "x + y", "sigmoid(net_h1)"."""
    op = node.op
    if op == "wsum":  # inputs are (w1, x1, w2, x2, ..., bias)
        terms = [f"{w}*{x}" for w, x in zip(operands[0:-1:2], operands[1:-1:2])]
        if len(terms) > 4:
            terms = [*terms[:2], "...", terms[-1]]
        return " + ".join([*terms, operands[-1]])
    if op == "sum":
        shown = operands if len(operands) <= 5 else [*operands[:2], "...", operands[-1]]
        return " + ".join(shown)
    if op == "clamp":
        low, high = cast(tuple[float, float], node.const)  # clamp's constant: its bounds
        return f"clamp({operands[0]}, {format_number(low)}, {format_number(high)})"
    const = format_number(node.const) if isinstance(node.const, float) else node.const
    return op.template.format(a=operands[0], b=operands[-1], c=const)


# -- the page ----------------------------------------------------------------------------

_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)  # <?xml ...?>, <!DOCTYPE ...>, comments
_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')
_GRAPH_TITLE = re.compile(r'(<g id="graph0" class="graph"[^>]*>\s*)<title>[^<]*</title>')
_GROUP_ID = re.compile(r'(<g)\s+id="[^"]*"')  # graph0, node1, edge1: the same in every picture
_VIEW_BOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')


def _inline_svg(svg: bytes) -> str:
    """Graphviz's SVG file as an element to put inside the page: no XML prologue, no fixed
    width and height (the page sizes it from the viewBox), no tooltip naming the graph, and
    no element ids (two pictures in one page would repeat them; <title>s name the parts)."""
    text = _SVG_PROLOGUE.sub("", svg.decode("utf-8"), count=1)
    text = _SVG_SIZE.sub(r"\1", text, count=1)
    text = _GRAPH_TITLE.sub(r"\1", text, count=1)
    return _GROUP_ID.sub(r"\1", text).strip()


def _figure_height(svg: str) -> int:
    """The graph's natural height in pixels (one SVG unit per pixel), within the bounds."""
    match = _VIEW_BOX.search(svg)
    height = float(match[2]) if match else NOTEBOOK_FIGURE_PX[1]
    low, high = NOTEBOOK_FIGURE_PX
    return round(min(max(height + 24, low), high))


def _page(
    record: dict[str, Any],
    figures: dict[str, str],
    theme: str | None = None,
    lecture: bool = False,
) -> str:
    """The whole page: styles, controls, the pictures, the record as JSON and the script.

    theme: "light", "dark" or "contrast"; None follows the reader's colour scheme.
    lecture: larger text throughout, for a projected slide.
    """
    css = (STATIC / "stepthrough.css").read_text(encoding="utf-8")
    script = (STATIC / "stepthrough.js").read_text(encoding="utf-8")
    # JSON inside <script>: "<" escaped, so no label can close the element early.
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = data.replace("<", "\\u003c")
    title = html.escape(record["title"])
    root = html.escape(record["root"])
    # One font for every picture on the page, with the glyphs the script writes in too.
    shown = "".join(svg_characters(svg) for svg in figures.values())
    font = font_face(PAGE_CHARACTERS + shown)
    pictures = {view: without_font(svg) for view, svg in figures.items()}
    view_buttons = ""
    network = ""
    if "network" in pictures:
        view_buttons = (
            '<div class="st-views" role="group" aria-label="View">'
            '<button type="button" class="st-view" data-view="graph" aria-pressed="true">'
            "Graph</button>"
            '<button type="button" class="st-view" data-view="network" aria-pressed="false">'
            "Network</button></div>"
        )
        network = (
            '<figure class="st-figure" data-view="network" hidden '
            f'aria-label="The network diagram">{pictures["network"]}</figure>'
        )
    chosen = "" if theme is None else f' data-theme="{theme_named(theme).name}"'
    size = ' class="st-lecture"' if lecture else ""
    return f"""<!DOCTYPE html>
<html lang="en"{chosen}{size}>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="{"light dark" if theme is None else theme_named(theme).scheme}">
<meta name="generator" content="chainrule step_through">
<title>{title}</title>
<style>
{font}
{theme_css(theme)}
{css}</style>
</head>
<body>
<main class="chainrule-stepthrough" tabindex="-1">
<h1 class="st-title">{title}</h1>
<div class="st-bar">
<div class="st-controls" role="group" aria-label="Step through the pass">
<button type="button" data-go="first" aria-keyshortcuts="Home">First</button>
<button type="button" data-go="previous" aria-keyshortcuts="ArrowLeft">Previous</button>
<input type="range" class="st-slider" min="0" max="0" value="0" step="1" aria-label="Step">
<button type="button" data-go="next" aria-keyshortcuts="ArrowRight">Next</button>
<button type="button" data-go="last" aria-keyshortcuts="End">Last</button>
<span class="st-counter" aria-hidden="true"></span>
</div>
{view_buttons}
<div class="st-display" role="group" aria-label="Display">
<button type="button" class="st-smaller" aria-keyshortcuts="-"
 title="Smaller text (key -)">A-</button>
<button type="button" class="st-larger" aria-keyshortcuts="+"
 title="Larger text (key +)">A+</button>
<button type="button" class="st-fit" aria-pressed="false" aria-keyshortcuts="0"
 title="Fit the picture to the pane, never below readable size (key 0)">Fit</button>
<button type="button" class="st-fullscreen" aria-pressed="false" aria-keyshortcuts="F"
 title="Full screen (key F)">Full screen</button>
</div>
</div>
<p class="st-text" aria-live="polite"></p>
<p class="st-legend" aria-hidden="true"><span class="st-key st-key-computing"></span>computed
now <span class="st-key st-key-passing"></span>passes its gradient
<span class="st-key st-key-receiving"></span>receives it <span class="st-key-partial">0.12</span>
a sum still missing shares</p>
<div class="st-main">
<div class="st-pane" tabindex="0" role="region"
 aria-label="The picture of the pass (scrolls; arrow keys step through it)">
<figure class="st-figure" data-view="graph" aria-label="The computation graph of {root}">
{pictures["graph"]}</figure>
{network}
</div>
<aside class="st-found" aria-label="Gradients found so far">
<h2>Gradients found so far</h2>
<div class="st-scroll" tabindex="0" role="region" aria-label="Gradients found so far, a table">
<table>
<thead><tr><th scope="col">value</th><th scope="col">d{root}/d(value)</th></tr></thead>
<tbody></tbody>
</table>
</div>
</aside>
</div>
<div class="st-print" aria-hidden="true"></div>
<script type="application/json" class="st-data">{data}</script>
</main>
<script>
{script}</script>
</body>
</html>
"""
