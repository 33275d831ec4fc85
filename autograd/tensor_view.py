"""Showing a Tensor graph: its picture and its step-through page.

draw_dot and step_through hand a Tensor here. A Tensor graph is small: the lesson's
1-16-16-1 network is a dozen operations on matrices, not hundreds of Values, so every node
is drawn with its shape (and its numbers, when there are few). The steps of the backward
pass, and the names everything is shown by, come from tensor_steps.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .drawing import FONT_SIZE, DrawingOptions
from .fonts import text_width
from .graph import FONT, Graph, dot_attributes, escape_label
from .printing import format_number
from .tensor_steps import (
    SHOWN_ENTRIES,
    graph_order,
    numbers,
    operand_names,
    tensor_names,
    tensor_steps,
)

if TYPE_CHECKING:
    from .tensor import Tensor

DEFAULT = DrawingOptions()  # draw_dot's defaults

# -- the picture -----------------------------------------------------------------------


def draw_tensor(
    root: Tensor, options: DrawingOptions = DEFAULT, grads: dict[Tensor, Any] | None = None
) -> Graph:
    """The graph below root: one box per tensor (name, shape, its numbers when it has at
    most 6, and its gradient when it has one) and one node per operation. options are
    draw_dot's (checked there): rankdir, decimals or digits (4 significant digits by
    default, 3 in a lecture), show_grad, color_roles, max_nodes, lecture and theme.
    `grads` shows other gradients than the tensors' own (a pass recorded aside). A lecture
    picture is for a projected slide: larger text, the shape on the name's line and a large
    array's largest magnitude alone, a layer per row, boxes closer together."""
    lecture, colors = options.lecture, options.colors
    precision: dict[str, Any] = {**options.precision, "count": not lecture}
    order = graph_order(root)
    if len(order) > options.max_nodes:
        raise ValueError(
            f"this graph has {len(order)} tensors, more than max_nodes={options.max_nodes}, "
            "too many to read in one picture: draw part of it (pass an intermediate Tensor "
            "as root)"
        )
    names = tensor_names(order)
    place = {node: k for k, node in enumerate(order)}
    labels = {}
    for node in order:
        shape = f"shape {tuple(node.shape)}" if node.ndim else "scalar"
        label = [f"{names[node]}  {shape}"] if lecture else [names[node], shape]
        label.append(f"data {numbers(node.data, **precision)}")
        if options.show_grad and node.requires_grad:
            grad = (grads or {}).get(node, node._grad)
            label.append(f"grad {'?' if grad is None else numbers(grad, **precision)}")
        labels[node] = label
    # In a lecture, a layer per row, read like text: it fits a 16:9 slide.
    rows = _rows(order, labels) if lecture and options.rankdir == "LR" else None
    spacing = (
        {"ranksep": "0.12", "nodesep": "0.05"} if lecture else {"ranksep": "0.2", "nodesep": "0.15"}
    )
    graph_style = {"rankdir": "TB" if rows else options.rankdir, "fontname": FONT, **spacing}
    node_style = {"fontname": FONT, "fontsize": f"{FONT_SIZE:g}" if lecture else "11"}
    edge_style: dict[str, str] = {}
    if options.theme is not None or lecture or options.color_roles:  # else Graphviz's colours
        graph_style.update(bgcolor=colors.background, fontcolor=colors.text)
        node_style.update(color=colors.line, fontcolor=colors.text)
        edge_style.update(color=colors.line)
    lines = [f"digraph {{ graph {dot_attributes(graph_style)}; node {dot_attributes(node_style)};"]
    if edge_style:
        lines.append(f"edge {dot_attributes(edge_style)};")
    for k, node in enumerate(order):
        label = labels[node]
        text = "\\n".join(escape_label(line) for line in label)
        style = "style=rounded"
        if options.color_roles:
            style = f'style="rounded,filled", fillcolor="{getattr(colors, _role(node, root))}"'
        lines.append(f'v{k} [shape=box, {style}, label="{text}"];')
        if node.inputs:
            op = escape_label(_op_label(node))
            lines.append(f'v{k}_op [shape=ellipse, label="{op}"];')
            lines.append(f"v{k}_op -> v{k};")
            for x in node.inputs:
                # From one row to the next: two ranks down, the next layer's parameters
                # (its leaves) on the rank between.
                down = rows is not None and x.inputs and rows[x] != rows[node]
                # (weight=0: it does not pull the next row along; the rows start under
                # each other, joined by an invisible edge between their first operations.)
                across = " [minlen=2, weight=0]" if down else ""
                lines.append(f"v{place[x]} -> v{k}_op{across};")
    if rows is not None:
        firsts = []
        for row in sorted(set(rows.values())):
            members = [n for n in order if n.inputs and rows[n] == row]
            ids = " ".join(f"v{place[n]}_op v{place[n]}" for n in members)
            lines.append(f"{{ rank=same; {ids} }}")
            firsts.append(f"v{place[members[0]]}_op")
        lines.extend(
            f"{a} -> {b} [style=invis, weight=100, minlen=2];" for a, b in zip(firsts, firsts[1:])
        )
    lines.append("}")
    n_ops = sum(1 for node in order if node.inputs)
    steps = [
        _written(node, names) + f", shape {tuple(node.shape)}" for node in order if node.inputs
    ]
    alt = (
        f"Computation graph of {names[root]} ({len(order)} tensors, {n_ops} operations): "
        + "; ".join(steps)
        + "."
    )
    return Graph("\n".join(lines), len(order), n_ops, alt=alt)


# A lecture picture's row of operations may be this wide, in points at the lecture's size
# (a 1280-pixel slide is 960 points; the rest is room for the edges and the margins).
ROW_POINTS = 640.0
GAP_POINTS = 14.0  # between two nodes of a row: the edge's arrow
# Operations a layer starts with: each begins a new row (a = f(Wx + b), a row per layer).
LAYER_OPS = ("linear", "@")


def _rows(order: list[Tensor], labels: dict[Tensor, list[str]]) -> dict[Tensor, int]:
    """The row of each computed tensor (with its operation) in a lecture picture: a new row
    at each layer's product, and wherever the row would grow wider than ROW_POINTS. Leaves
    have no row: each stands above the operation it feeds."""
    rows: dict[Tensor, int] = {}
    row, width, has_layer = 0, 0.0, False
    for node in order:
        if not node.inputs:
            continue
        # the box's widest line and the oval's text, with Graphviz's margins and a gap each
        box = max(text_width(line, FONT_SIZE) for line in labels[node]) + 16.0 + GAP_POINTS
        oval = text_width(_op_label(node), FONT_SIZE) + 24.0 + GAP_POINTS
        starts_layer = str(node.op) in LAYER_OPS
        if rows and ((starts_layer and has_layer) or width + box + oval > ROW_POINTS):
            row, width, has_layer = row + 1, 0.0, False
        rows[node] = row
        width += box + oval
        has_layer = has_layer or starts_layer
    return rows


def _role(node: Tensor, root: Tensor) -> str:
    """A tensor's role, for color_roles: the root is the output; a leaf that requires grad
    is a parameter, any other leaf an input (data); the rest are computed on the way."""
    if node is root:
        return "output"
    if not node.inputs:
        return "parameter" if node.requires_grad else "input"
    return "intermediate"


def _op_label(node: Tensor) -> str:
    """An operation node's text: its symbol, and its constant where it has one that reads
    well (** 2, sum axis 0, clamp 0..1); an index is too long to show ([] reads "pick")."""
    op, c = str(node.op), node.const
    if op == "[]":
        return "pick"
    if c is None or op == "nll":  # (nll's constant is the labels: too long to show)
        return op
    if op == "**":
        return f"** {format_number(c)}"
    if op == "clamp":
        return f"clamp {format_number(c[0])}..{format_number(c[1])}"
    if op == "reshape":
        return f"reshape {c}"
    return f"{op} axis {c}"


# -- the step-through ------------------------------------------------------------------


def tensor_pass_record(
    root: Tensor, gradient: Any = None, options: DrawingOptions = DEFAULT
) -> tuple[dict[str, Any], Graph]:
    """What autograd's step-through page shows for a Tensor graph: the record of its forward
    and backward pass (in the page's format) and the picture (draw_tensor with options). No
    .grad changes."""
    # The gradients' texts as the picture writes them (the page puts them into its boxes).
    precision: dict[str, Any] = {**options.precision, "count": not options.lecture}
    order = graph_order(root)
    names = tensor_names(order)
    place = {node: k for k, node in enumerate(order)}
    values = [
        {"id": f"v{k}", "name": names[node], "inputs": [place[x] for x in node.inputs],
         "foldedInto": []}
        for k, node in enumerate(order)
    ]  # fmt: skip
    forward = [
        {"node": k, "text": f"Forward {k + 1} of {len(order)}: {_forward_text(node, names)}"}
        for k, node in enumerate(order)
    ]
    steps: list[dict[str, Any]] = []
    parts = [0] * len(order)
    running: dict[Tensor, Any] = {}
    passed: dict[Tensor, int] = {}
    for step in tensor_steps(root, gradient, store=False):
        position = passed.get(step.node, 0)
        passed[step.node] = position + 1
        parts[place[step.input]] += 1
        total = running.get(step.input)
        running[step.input] = step.contribution if total is None else total + step.contribution
        steps.append({
            "node": place[step.node],
            "input": place[step.input],
            "edge": step.node.inputs[:position].count(step.input),
            "text": str(step),
            "grad": numbers(running[step.input], **precision),
            "exact": _table_figure(running[step.input]),
        })  # fmt: skip
    for k, entry in enumerate(steps):
        entry["text"] = f"Backward step {k + 1} of {len(steps)}: {entry['text']}"
    seed = root._seed(gradient)
    found = [place[root]] + [e["input"] for e in steps]
    record = {
        "title": f"Step through {names[root]}: forward and backward pass",
        "root": names[root],
        "values": values,
        "forward": forward,
        "start": (
            f"Before the pass: {len(order)} tensors to compute, then {len(steps)} "
            "vector-Jacobian products back. Press Next (or the right arrow key)."
        ),
        "rootPlace": place[root],
        "rootGrad": numbers(seed, **precision),
        "rootExact": _table_figure(seed),
        "backward": steps,
        "parts": parts,
        "found": list(dict.fromkeys(found)),
    }
    final = {node: running.get(node) for node in order}
    final[root] = seed
    return record, draw_tensor(root, options, grads=final)


def _table_figure(array: Any) -> str:
    """A gradient as the page's side table shows it: 4 significant digits, a matrix one row
    per line (the table is a narrow column beside the picture; the step's sentence above
    it has the same numbers)."""
    array = np.asarray(array)
    if array.ndim == 2 and array.size <= SHOWN_ENTRIES:
        return "\n".join(numbers(row) for row in array)
    return numbers(array)


def _forward_text(node: Tensor, names: dict[Tensor, str]) -> str:
    shape = f"shape {tuple(node.shape)}"
    if not node.inputs:
        return f"{names[node]} (given, {shape}) = {numbers(node.data)}"
    return f"{_written(node, names)} ({shape}) = {numbers(node.data)}"


def _written(node: Tensor, names: dict[Tensor, str]) -> str:
    """How node is computed, with names: "z1 = x @ 0.weight.T + 0.bias"."""
    return f"{names[node]} = {node.op.template.format(**operand_names(node, names))}"
