"""Showing a Tensor graph: its picture and its step-through page.

draw_dot and step_through hand a Tensor here. A Tensor graph is small: the lesson's
1-16-16-1 network is a dozen operations on matrices, not hundreds of Values, so every node
is drawn with its shape (and its numbers, when there are few). The steps of the backward
pass, and the names everything is shown by, come from tensor_steps.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

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

# -- the picture -----------------------------------------------------------------------


def draw_tensor(
    root: Tensor,
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    decimals: int | None = None,
    digits: int | None = None,
    grads: dict[Tensor, Any] | None = None,
) -> Graph:
    """The graph below root: one box per tensor (name, shape, its numbers when it has at
    most 6, and its gradient when it has one) and one node per operation. decimals and
    digits are draw_dot's (4 significant digits by default). `grads` shows other gradients
    than the tensors' own (a pass recorded aside)."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    precision = {"decimals": decimals, "digits": digits}
    order = graph_order(root)
    names = tensor_names(order)
    place = {node: k for k, node in enumerate(order)}
    graph = dot_attributes({"rankdir": rankdir, "fontname": FONT, "ranksep": "0.2",
                            "nodesep": "0.15"})  # fmt: skip
    node_style = dot_attributes({"fontname": FONT, "fontsize": "11"})
    lines = [f"digraph {{ graph {graph}; node {node_style};"]
    for k, node in enumerate(order):
        label = [names[node], f"shape {tuple(node.shape)}" if node.ndim else "scalar"]
        label.append(f"data {numbers(node.data, **precision)}")
        if show_grad and node.requires_grad:
            grad = (grads or {}).get(node, node._grad)
            label.append(f"grad {'?' if grad is None else numbers(grad, **precision)}")
        text = "\\n".join(escape_label(line) for line in label)
        lines.append(f'v{k} [shape=box, style=rounded, label="{text}"];')
        if node.inputs:
            op = escape_label(_op_label(node))
            lines.append(f'v{k}_op [shape=ellipse, label="{op}"];')
            lines.append(f"v{k}_op -> v{k};")
            lines.extend(f"v{place[x]} -> v{k}_op;" for x in node.inputs)
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
    root: Tensor,
    gradient: Any = None,
    *,
    decimals: int | None = None,
    digits: int | None = None,
    rankdir: str = "LR",
) -> tuple[dict[str, Any], Graph]:
    """What autograd's step-through page shows for a Tensor graph: the record of its forward
    and backward pass (in the page's format) and the picture. No .grad changes."""
    precision = {"decimals": decimals, "digits": digits}
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
    return record, draw_tensor(root, rankdir, decimals=decimals, digits=digits, grads=final)


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
