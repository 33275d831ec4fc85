"""Pictures of computation graphs, and of the backward pass one chain-rule step at a time.

`draw_dot(root)` writes the graph below root in Graphviz's DOT language: one record per
Value (label | data | grad) and one small node per operation, so you can see that f = q * z
is a `×` fed by q and z. Node ids come from the topological order, so the same graph always
gives the same text. `save_step_frames` draws one picture per step of `backward_steps`: the
gradient flowing from a node to one input, with the gradients not yet known shown as "?".
Pictures are rendered by autograd/render.py (system `dot` or the pip-installed graphviz-pure).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import graphviz

from .engine import Value, topological_order
from .files import write_atomically
from .render import IMAGE_FORMATS, RendererNotFound, render, require_renderer
from .steps import Step, backward_steps

SAVE_SUFFIXES = (".svg", ".png", ".dot", ".gv")
RANKDIRS = ("LR", "TB", "RL", "BT")

# How each operation is written in its small node. A number exponent is written with its
# value (x^3), and clamp with its bounds; anything not listed shows its own symbol.
OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "**",
    "neg": "−x",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "ReLU",
    "sum": "Σ",
    "wsum": "Σ w·x + b",
}

# The activations a Neuron applies after its weighted sum: drawn inside the neuron's cluster.
ACTIVATIONS = ("relu", "tanh", "sigmoid")

# Fill colours for color_roles=True (ColorBrewer pastels, readable in print and on slides).
ROLE_COLORS = {
    "input": "#d9f0d3",  # green: data fed in
    "parameter": "#fee8a0",  # yellow: what training changes
    "intermediate": "#f0f0f0",  # grey: computed on the way
    "output": "#c6dbef",  # blue: the root
}
NEGATIVE_COLOR = "#d62728"  # grad_sign=True: red border for a negative gradient
POSITIVE_COLOR = "#1f77b4"  # blue border for a positive one
HIGHLIGHT_COLOR = "#ff7f0e"  # orange: the chain-rule step being drawn
FONT = "Helvetica"


class Graph:
    """A drawn computation graph: DOT text that can be saved or shown in Jupyter."""

    def __init__(self, source: str, n_values: int, n_operations: int, alt: str = "") -> None:
        self.source = source
        self.n_values = n_values
        self.n_operations = n_operations
        # The picture in words: its alternative text in Jupyter, for readers who cannot see it.
        self.alt = alt or f"A graph of {n_values} values and {n_operations} operations."

    def __repr__(self) -> str:
        return f"<Graph of {self.n_values} values and {self.n_operations} operations>"

    def __str__(self) -> str:
        return self.source

    def pipe(self, fmt: str = "svg") -> bytes:
        """The picture as bytes, in format "svg" or "png"."""
        return render(self.source, fmt)

    def save(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """Write the graph to path, in the format its suffix names: .svg, .png, or .dot/.gv
        (the DOT text, which needs no renderer). Returns path as given.

        The file is written whole or not at all: a failed render leaves no half file.
        """
        suffix = Path(path).suffix.lower()
        if suffix not in SAVE_SUFFIXES:
            named = f"suffix {suffix!r}" if suffix else "no suffix"
            raise ValueError(
                f"cannot save a graph to {os.fspath(path)!r} ({named}); "
                f"use one of {', '.join(SAVE_SUFFIXES)}"
            )
        if suffix in (".dot", ".gv"):
            data = self.source.encode("utf-8")
        else:
            data = self.pipe(suffix[1:])
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


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    *,
    decimals: int = 4,
    show_grad: bool = True,
    color_roles: bool = False,
    grad_sign: bool = False,
    group_by: Any = None,
    step: Step | None = None,
    max_nodes: int = 2000,
) -> Graph:
    """The computation graph below root, as a Graph (`.source`, `.save(path)`, Jupyter).

    decimals:    digits after the point for data and grad (-2.0000 with the default 4).
    show_grad:   False leaves grads out (for pictures drawn before backward()).
    color_roles: fill each Value by its role: output (the root, blue), intermediate (grey),
                 parameter (yellow) and input (green). A leaf is a parameter when it is one
                 of group_by's named_parameters(); without group_by, when its label starts
                 with "w" or "b" (w1, b, bias); every other leaf is an input.
    grad_sign:   a red border on a negative gradient, blue on a positive one.
    group_by:    a model (anything with named_parameters(), such as an nn MLP, Layer or
                 Neuron): one box per neuron, holding its weights, bias, weighted sum and
                 activation, nested in one box per layer.
    step:        a Step from backward_steps(root): highlights the node passing its gradient,
                 the input receiving it and the edge between (labelled local × upstream =
                 contribution), and shows "?" for gradients this pass has not finished yet.
    max_nodes:   more Values than this raises ValueError: such a picture cannot be read.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value to draw, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 15:
        raise ValueError(f"decimals must be a whole number from 0 to 15, got {decimals!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} Values, more than max_nodes={max_nodes}, too many "
            "to read in one picture. Draw part of it (pass an intermediate Value, such as one "
            "neuron's output, as root), group it with group_by=model, or raise the limit "
            f"(draw_dot(root, max_nodes={len(order)}))"
        )
    ids = {node: f"v{k}" for k, node in enumerate(order)}  # ids by topological place, never id()
    parameters, neuron_of, boxes = _groups(group_by)
    # A node's name: its label; else, for a model's parameter, its name in the model ("w.0",
    # "b": the box around it says which neuron); else v<k>, as backward_steps prints it.
    names = {node: node.label or (parameters or {}).get(node) or ids[node] for node in order}
    clusters = _assign_clusters(order, neuron_of)

    graph_attr = {"rankdir": rankdir, "fontname": FONT}
    known: set[Value] | None = None  # with a step: the gradients this pass has finished
    if step is not None:
        known, position, total = _progress(root, step)
        local, upstream, contribution = (
            _short(x, decimals) for x in (step.local, step.upstream, step.contribution)
        )
        chain_rule = f"{local} × {upstream} = {contribution}"
        node_name, x_name = names[step.node], names[step.input]
        caption = (  # str(step), with this picture's names and numbers
            f"step {step.index + 1} of {total}:  d{node_name}/d{x_name} = {local} (local) × "
            f"d{names[root]}/d{node_name} = {upstream} (upstream)  →  "
            f"{x_name}.grad += {contribution}"
        )
        graph_attr.update(label=_escape_text(caption), labelloc="t")
    dot = graphviz.Digraph(
        graph_attr=graph_attr, node_attr={"fontname": FONT}, edge_attr={"fontname": FONT}
    )
    highlight = {"color": HIGHLIGHT_COLOR, "penwidth": "3"}

    boxes_drawn = {
        key: graphviz.Digraph(name=f"cluster_{k}", graph_attr={"label": label, "style": "rounded"})
        for k, (key, label) in enumerate(boxes.items())
    }
    for node in order:
        body = boxes_drawn[clusters[node]] if node in clusters else dot
        fields = [_escape_record(names[node]), f"data {_format(node.data, decimals)}"]
        attrs = {"shape": "record"}
        if color_roles:
            attrs.update(style="filled", fillcolor=ROLE_COLORS[_role(node, root, parameters)])
        if show_grad and known is not None and node not in known:
            fields.append("grad ?")
        elif show_grad:
            fields.append(f"grad {_format(node.grad, decimals)}")
            if grad_sign and node.grad != 0.0:
                sign_color = NEGATIVE_COLOR if node.grad < 0.0 else POSITIVE_COLOR
                attrs.update(color=sign_color, penwidth="2")
        if step is not None and node in (step.node, step.input):
            attrs.update(highlight)
        body.node(ids[node], label="{ " + " | ".join(fields) + " }", **attrs)
        if node.inputs:
            op_attrs = {"shape": "ellipse"}
            if step is not None and node is step.node:
                op_attrs.update(highlight)
            body.node(ids[node] + "_op", label=_escape_text(_op_symbol(node)), **op_attrs)
    _nest_clusters(dot, boxes_drawn)

    # Edges: each input into its consumer's operation, and each operation into its result.
    for node in order:
        if not node.inputs:
            continue
        op_id = ids[node] + "_op"
        is_passing = step is not None and node is step.node
        for i, x in enumerate(node.inputs):  # a Value used twice gets two edges
            if is_passing and i == position:
                dot.edge(ids[x], op_id, label=chain_rule, fontcolor=HIGHLIGHT_COLOR, **highlight)
            else:
                dot.edge(ids[x], op_id)
        dot.edge(op_id, ids[node], **(highlight if is_passing else {}))

    n_operations = sum(1 for node in order if node.inputs)
    alt = _describe(root, order, names, decimals, show_grad, known)
    if step is not None:
        words = " ".join(caption.split())  # the caption without the layout's double spaces
        alt = f"{words[:1].upper()}{words[1:]}. {alt}"
    return Graph(dot.source, len(order), n_operations, alt)


def save_step_frames(
    root: Value,
    folder: str | os.PathLike[str],
    gradient: float = 1.0,
    fmt: str = "png",
    **draw_options: Any,
) -> list[Path]:
    """Run backward_steps(root, gradient) and save one picture per step into folder.

    Files are step_000.png, step_001.png, ... (numbered so they sort), the folder is created
    if needed, and the paths are returned in order. This is a real backward pass: afterwards
    the gradients are those of root.backward(gradient). draw_options go to draw_dot.
    """
    formats = (*IMAGE_FORMATS, "dot", "gv")
    if fmt not in formats:
        raise ValueError(f"fmt must be one of {', '.join(formats)}, got {fmt!r}")
    if fmt in IMAGE_FORMATS:
        require_renderer(fmt)  # fail before the backward pass changes any gradient
    n_steps = sum(len(node.inputs) for node in topological_order(root, leaves=False))
    width = max(3, len(str(n_steps - 1)))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for step in backward_steps(root, gradient):
        path = folder / f"step_{step.index:0{width}d}.{fmt}"
        draw_dot(root, step=step, **draw_options).save(path)
        paths.append(path)
    return paths


def frames_to_gif(
    frames: Sequence[str | os.PathLike[str]],
    path: str | os.PathLike[str],
    seconds_per_frame: float = 1.5,
) -> str | os.PathLike[str]:
    """An animated GIF of PNG frames (such as save_step_frames' output), looping forever.

    Needs Pillow (`pip install pillow`), which chainrule does not install by itself. Frames
    of different sizes are placed on one white canvas, top-left, so nothing is stretched.
    """
    try:
        from PIL import Image
    except ImportError:
        raise RuntimeError(
            "frames_to_gif needs Pillow, which is not installed: pip install pillow"
        ) from None
    if not frames:
        raise ValueError("frames_to_gif needs at least one frame, got none")
    if seconds_per_frame <= 0:
        raise ValueError(f"seconds_per_frame must be positive, got {seconds_per_frame!r}")
    images = [Image.open(frame).convert("RGB") for frame in frames]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        canvases.append(canvas)
    buffer = io.BytesIO()
    canvases[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=canvases[1:],
        duration=round(seconds_per_frame * 1000),
        loop=0,
    )
    write_atomically(path, buffer.getvalue())
    return path


# -- what goes in the picture ------------------------------------------------------------


def _describe(
    root: Value,
    order: list[Value],
    names: dict[Value, str],
    decimals: int,
    show_grad: bool,
    known: set[Value] | None,
    limit: int = 40,
) -> str:
    """The graph in words, for its alternative text: the inputs, then each operation in the
    order backward reverses ("q = x + y = 3, grad -4"), at most `limit` of them."""

    def value(node: Value) -> str:
        text = f"{names[node]} = {_short(node.data, decimals)}"
        if show_grad:
            grad = "?" if known is not None and node not in known else _short(node.grad, decimals)
            text += f", grad {grad}"
        return text

    operations = [node for node in order if node.inputs]
    leaves = [node for node in order if not node.inputs]
    when = "with its gradients" if show_grad else "without gradients"
    parts = [
        f"Computation graph of {names[root]} ({_count(len(order), 'value')}, "
        f"{_count(len(operations), 'operation')}), {when}. "
        f"Inputs: {'; '.join(value(leaf) for leaf in leaves)}."
    ]
    clauses = []
    for node in operations[:limit]:
        symbol, inputs = _op_symbol(node), [names[x] for x in node.inputs]
        if len(inputs) == 2 and node.op in ("+", "-", "*", "/"):
            formula = f"{inputs[0]} {symbol} {inputs[1]}"
        else:
            formula = f"{symbol}({', '.join(inputs)})"
        clauses.append(f"{names[node]} = {formula}, so {value(node)}")
    if clauses:
        parts.append(f"Operations: {'; '.join(clauses)}.")
    if len(operations) > limit:
        parts.append(f"{_count(len(operations) - limit, 'more operation')} not listed.")
    return " ".join(parts)


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


def _format(x: float, decimals: int) -> str:
    """x with `decimals` digits after the point (-2.0000); scientific notation when that
    would show a non-zero number as 0 or a very large one at full length."""
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    x = x + 0.0  # -0.0 becomes 0.0: a sign on zero only confuses
    fixed = f"{x:.{decimals}f}"
    if (x != 0.0 and float(fixed) == 0.0) or abs(x) >= 1e6:
        return f"{x:.{decimals}e}"
    return fixed


def _short(x: float, decimals: int) -> str:
    """x in at most `decimals` significant digits (1, -4, 0.7071): for edge labels."""
    return f"{x + 0.0:.{max(decimals, 1)}g}"


def _op_symbol(node: Value) -> str:
    op = node.op
    if op == "**" and op.kind == "unary":  # a number exponent: x ** 3 is drawn x^3
        return f"x^{node.const:g}"
    if op == "clamp":
        low, high = cast(tuple[float, float], node.const)  # clamp's constant is its bounds
        return f"clamp [{low:g}, {high:g}]"
    return OP_SYMBOLS.get(str(op), str(op))


def _role(node: Value, root: Value, parameters: dict[Value, str] | None) -> str:
    if node is root:
        return "output"
    if node.inputs:
        return "intermediate"
    if parameters is not None:
        return "parameter" if node in parameters else "input"
    return "parameter" if node.label.startswith(("w", "b")) else "input"


def _progress(root: Value, step: Step) -> tuple[set[Value], int, int]:
    """Which gradients are complete once `step` has been taken, which of step.node's
    inputs (by position) the step serves, and how many steps the pass has.

    The steps of a pass are fixed by the graph: each node of the reversed topological order
    passes its gradient to its inputs in operand order. So the step's index says exactly
    which contributions have arrived, whenever the picture is drawn.
    """
    steps = [
        (node, i)
        for node in reversed(topological_order(root, leaves=False))
        for i in range(len(node.inputs))
    ]
    if not 0 <= step.index < len(steps):
        raise ValueError(
            f"step {step.index} is not a step of this graph's backward pass, which has "
            f"{len(steps)} steps; draw the root that was given to backward_steps"
        )
    node, position = steps[step.index]
    if node is not step.node or node.inputs[position] is not step.input:
        raise ValueError(
            f"step {step.index} ({step}) does not belong to this graph's backward pass; "
            "draw the root that was given to backward_steps"
        )
    pending = {later.inputs[i] for later, i in steps[step.index + 1 :]}
    known = {x for x in topological_order(root) if x not in pending}
    return known, position, len(steps)


# -- clusters: one box per neuron, nested in one box per layer ---------------------------

# "layers.0.neurons.1.w.0" -> neuron "layers.0.neurons.1"; "w.0" and "b" of a lone Neuron -> "".
_PARAMETER_NAME = re.compile(r"^(?:(?P<neuron>.+)\.)?(?:w\.\d+|b)$")
# "layers.0.neurons.1" -> layer "layers.0"; "neurons.1" (inside a Layer) -> layer "".
_NEURON_NAME = re.compile(r"^(?:(?P<layer>.+)\.)?neurons\.(?P<j>\d+)$")
_LAYER_NAME = re.compile(r"(?:^|\.)layers\.(?P<i>\d+)$")


def _groups(group_by: Any) -> tuple[dict[Value, str] | None, dict[Value, str], dict[str, str]]:
    """From a model: its parameters with a short name for each ("w.0", "b"), the neuron
    each belongs to (by name prefix), and a label for every box, keyed "neuron:<prefix>"
    and "layer:<prefix>", in model order."""
    if group_by is None:
        return None, {}, {}
    named_parameters = getattr(group_by, "named_parameters", None)
    if not callable(named_parameters):
        raise TypeError(
            "group_by needs a model with named_parameters(), such as an nn MLP, Layer or "
            f"Neuron; got {type(group_by).__name__}"
        )
    parameters: dict[Value, str] = {}
    neuron_of: dict[Value, str] = {}
    boxes: dict[str, str] = {}
    for name, value in named_parameters():
        match = _PARAMETER_NAME.match(name)
        if match is None:  # not a neuron's weight or bias: drawn outside any box
            parameters.setdefault(value, name)
            continue
        neuron = match["neuron"] or ""
        parameters.setdefault(value, name[len(neuron) :].lstrip("."))
        neuron_match = _NEURON_NAME.match(neuron)
        if neuron_match is not None:
            layer = neuron_match["layer"] or ""
            layer_match = _LAYER_NAME.search(layer)
            boxes.setdefault(
                f"layer:{layer}", f"layer {layer_match['i']}" if layer_match else layer or "layer"
            )
            boxes.setdefault(f"neuron:{neuron}", f"neuron {neuron_match['j']}")
        else:
            boxes.setdefault(f"neuron:{neuron}", neuron or "neuron")
        neuron_of.setdefault(value, f"neuron:{neuron}")
    return parameters, neuron_of, boxes


def _assign_clusters(order: list[Value], neuron_of: dict[Value, str]) -> dict[Value, str]:
    """The neuron box of each Value that has one: a parameter's own; a weighted sum's is
    that of its weights; an activation applied to a boxed weighted sum joins it."""
    if not neuron_of:
        return {}
    clusters = dict(neuron_of)
    for node in order:  # inputs come first, so a weighted sum is placed before its activation
        if node.op == "wsum":
            weights_then_bias = (*node.inputs[0:-1:2], node.inputs[-1])
            for x in weights_then_bias:
                if x in neuron_of:
                    clusters[node] = neuron_of[x]
                    break
        elif node.op in ACTIVATIONS and node.inputs[0].op == "wsum":
            if node.inputs[0] in clusters:
                clusters[node] = clusters[node.inputs[0]]
    return clusters


def _nest_clusters(dot: graphviz.Digraph, bodies: dict[str, graphviz.Digraph]) -> None:
    """Put each neuron box inside its layer box, then every non-empty box into the graph."""
    for key, body in bodies.items():
        if not key.startswith("neuron:"):
            continue
        match = _NEURON_NAME.match(key[len("neuron:") :])
        if match is not None and body.body:  # a box with nothing drawn in it is left out
            bodies[f"layer:{match['layer'] or ''}"].subgraph(body)
    for key, body in bodies.items():
        is_nested = key.startswith("neuron:") and _NEURON_NAME.match(key[len("neuron:") :])
        if not is_nested and body.body:
            dot.subgraph(body)


def _escape_record(text: str) -> str:
    """text as one field of a record label, where { } | < > and backslash mean structure.
    (Double quotes are escaped by the graphviz package when it quotes the whole label.)"""
    return re.sub(r"([\\{}|<>])", r"\\\1", text.replace("\n", " "))


def _escape_text(text: str) -> str:
    """text as an ordinary label: backslashes kept literal, never read as an HTML label."""
    return graphviz.nohtml(text.replace("\\", "\\\\").replace("\n", " "))
