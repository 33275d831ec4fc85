"""Showing a Tensor graph: its picture, its backward pass step by step, its step-through.

draw_dot, backward_steps and step_through hand a Tensor here. A Tensor graph is small: the
lesson's 1-16-16-1 network is a dozen operations on matrices, not hundreds of Values, so
every node is drawn with its shape (and its numbers, when there are few), and every step
of the backward pass writes out its vector-Jacobian product with the graph's own names:
dL/dW = dL/dz^T @ x, as the op table computes it (tensor_ops.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .graph import FONT, Graph, dot_attributes, escape_label
from .printing import format_number
from .tensor import Tensor, chain_rule, finish_pass, topological_order

# What each operation's vector-Jacobian product is, written with the graph's names: {g} is
# the gradient arriving at the output (dL/dout), {out}, {a} and {b} the nodes, {c} the
# constant. One entry per input, in the op table's order.
VJP_TEXT: dict[str, tuple[str, ...]] = {
    "+": ("{g}", "{g}"),
    "-": ("{g}", "-{g}"),
    "*": ("{g} * {b}", "{g} * {a}"),
    "/": ("{g} / {b}", "-{g} * {out} / {b}"),
    "@": ("{g} @ {b}^T", "{a}^T @ {g}"),
    "**": ("{g} * {c} * {a}^({c} - 1)",),
    "neg": ("-{g}",),
    "exp": ("{g} * {out}",),
    "log": ("{g} / {a}",),
    "tanh": ("{g} * (1 - {out}^2)",),
    "sigmoid": ("{g} * {out} * (1 - {out})",),
    "relu": ("{g} * ({a} > 0)",),
    "clamp": ("{g} * ({a} not clipped)",),
    "sum": ("{g} copied to every entry summed",),
    "mean": ("{g} / n, copied to every entry averaged",),
    "T": ("({g})^T",),
    "reshape": ("{g} in {a}'s shape",),
    "[]": ("{g} put back where it was picked",),
    "softmax": ("{out} * ({g} - sum({g} * {out}))",),
    "log_softmax": ("{g} - softmax({a}) * sum({g})",),
}

# How an unlabeled result is named: its operation's word and a count (matmul1, relu2, ...).
OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "**": "pow",
            "neg": "neg", "[]": "pick"}  # fmt: skip

# A tensor with at most this many entries shows its numbers; a larger one its shape only.
SHOWN_ENTRIES = 6


def graph_order(root: Tensor) -> list[Tensor]:
    """Every tensor below root, data and constants included, each after its inputs (an
    iterative search: no recursion)."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node.inputs) if id(x) not in seen)
    return order


def tensor_names(order: list[Tensor]) -> dict[Tensor, str]:
    """One name per tensor: its label; else W.T for a transpose of a named tensor, the
    number for a constant made from one, and the operation's word with a count."""
    names: dict[Tensor, str] = {}
    counts: dict[str, int] = {}
    for node in order:
        if node.label:
            name = node.label
        elif str(node.op) == "T" and node.inputs[0].label:
            name = f"{node.inputs[0].label}.T"
        elif not node.inputs and node.data.ndim == 0:
            name = format_number(float(node.data))
        else:
            word = OP_WORDS.get(node.op, str(node.op)) if node.inputs else "t"
            counts[word] = counts.get(word, 0) + 1
            name = f"{word}{counts[word]}"
        names[node] = name
    return names


def numbers(array: Any, decimals: int = 4) -> str:
    """A small array's numbers, nested as its shape ([[1, -0.5], [2, 0]]); a larger one's
    size and largest magnitude."""
    array = np.asarray(array)
    if array.size > SHOWN_ENTRIES:
        largest = format_number(float(np.abs(array).max()), digits=3) if array.size else "0"
        return f"{array.size} numbers, |max| {largest}"
    return _nested(array.tolist(), decimals)


def _nested(x: Any, decimals: int) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_nested(item, decimals) for item in x) + "]"
    return format_number(x, digits=decimals)


# -- the picture -----------------------------------------------------------------------


def draw_tensor(
    root: Tensor,
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    decimals: int | None = None,
    grads: dict[Tensor, Any] | None = None,
) -> Graph:
    """The graph below root: one box per tensor (name, shape, its numbers when it has at
    most 6, and its gradient when it has one) and one node per operation. `grads` shows
    other gradients than the tensors' own (a pass recorded aside)."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    digits = 4 if decimals is None else decimals
    order = graph_order(root)
    names = tensor_names(order)
    place = {node: k for k, node in enumerate(order)}
    graph = dot_attributes({"rankdir": rankdir, "fontname": FONT, "ranksep": "0.2",
                            "nodesep": "0.15"})  # fmt: skip
    lines = [f"digraph {{ graph {graph}; node [fontname={FONT}, fontsize=11];"]
    for k, node in enumerate(order):
        label = [names[node], f"shape {tuple(node.shape)}" if node.ndim else "scalar"]
        label.append(f"data {numbers(node.data, digits)}")
        if show_grad and node.requires_grad:
            grad = (grads or {}).get(node, node._grad)
            label.append(f"grad {'?' if grad is None else numbers(grad, digits)}")
        text = "\\n".join(escape_label(line) for line in label)
        lines.append(f'v{k} [shape=box, style=rounded, label="{text}"];')
        if node.inputs:
            op = (
                str(node.op)
                if node.const is None or node.op in ("**", "[]")
                else (f"{node.op} {node.const}")
            )
            if node.op == "**":
                op = f"** {format_number(node.const)}"
            lines.append(f'v{k}_op [shape=ellipse, label="{escape_label(op)}"];')
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


# -- the backward pass, one step per edge ----------------------------------------------


class TensorStep:
    """One edge of the backward pass: input.grad += vjp(upstream), written out."""

    __slots__ = ("node", "input", "upstream", "contribution", "index", "names", "formula")

    def __init__(
        self,
        node: Tensor,
        input: Tensor,
        upstream: Any,
        contribution: Any,
        index: int,
        names: tuple[str, str, str],
        formula: str,
    ) -> None:
        self.node = node  # the tensor passing its gradient
        self.input = input  # one of node.inputs, receiving its share
        self.upstream = upstream  # d root / d node, complete by now
        self.contribution = contribution  # the share: the vjp of upstream, in input's shape
        self.index = index
        self.names = names  # (root, node, input) as printed
        self.formula = formula  # the vjp with the graph's names

    @property
    def number(self) -> int:
        return self.index + 1

    def __repr__(self) -> str:
        return f"TensorStep({self.number}: {self})"

    def __str__(self) -> str:
        root, _, x = self.names
        shape = tuple(np.shape(self.contribution))
        return f"d{root}/d{x} += {self.formula} = {numbers(self.contribution)} (shape {shape})"


def tensor_steps(root: Tensor, gradient: Any = None, *, store: bool = True) -> Iterator[TensorStep]:
    """root.backward(gradient) one vector-Jacobian product at a time, yielding a TensorStep
    per edge. Exhausting it stores the same gradients as backward(); stopped early, it has
    changed nothing (store=False: it never changes anything)."""
    seed = root._seed(gradient)  # the same checks as backward()
    if not root.requires_grad:
        root.backward(gradient)  # raises, saying what is missing
    order = topological_order(root)
    names = tensor_names(graph_order(root))
    grads = {root: seed}
    rootname = names[root]
    for index, (node, k, x, upstream, share) in enumerate(chain_rule(order, grads)):
        fill = {"g": f"d{rootname}/d{names[node]}", "out": names[node], "c": _const(node)}
        fill |= dict(zip("ab", (names[y] for y in node.inputs)))
        formula = VJP_TEXT[node.op][k].format(**fill)
        if share.shape != np.shape(upstream) and node.op.elementwise:
            formula += ", summed over the broadcast axes"
        yield TensorStep(
            node, x, upstream, share, index, (rootname, names[node], names[x]), formula
        )
    if store:
        finish_pass(root, order, grads, seed)


def _const(node: Tensor) -> str:
    return format_number(node.const) if isinstance(node.const, float) else str(node.const)


# -- the step-through ------------------------------------------------------------------


def tensor_pass_record(
    root: Tensor, gradient: Any = None, *, decimals: int | None = None, rankdir: str = "LR"
) -> tuple[dict[str, Any], Graph]:
    """What autograd's step-through page shows for a Tensor graph: the record of its forward
    and backward pass (in the page's format) and the picture. No .grad changes."""
    digits = 4 if decimals is None else decimals
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
            "grad": numbers(running[step.input], digits),
            "exact": numbers(running[step.input], 10),
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
        "rootGrad": numbers(seed, digits),
        "rootExact": numbers(seed, 10),
        "backward": steps,
        "parts": parts,
        "found": list(dict.fromkeys(found)),
    }
    final = {node: running.get(node) for node in order}
    final[root] = seed
    return record, draw_tensor(root, rankdir, decimals=decimals, grads=final)


def _forward_text(node: Tensor, names: dict[Tensor, str]) -> str:
    shape = f"shape {tuple(node.shape)}"
    if not node.inputs:
        return f"{names[node]} (given, {shape}) = {numbers(node.data)}"
    return f"{_written(node, names)} ({shape}) = {numbers(node.data)}"


def _written(node: Tensor, names: dict[Tensor, str]) -> str:
    """How node is computed, with names: "matmul1 = x @ 0.weight.T"."""
    operands = dict(zip("ab", (names[x] for x in node.inputs)))
    return f"{names[node]} = {node.op.template.format(c=_const(node), **operands)}"
