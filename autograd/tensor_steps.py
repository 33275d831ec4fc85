"""A Tensor graph's backward pass one step at a time, each step written out.

backward_steps hands a Tensor here. Each step is one edge of the graph: the input's share
of the gradient, its operation's vector-Jacobian product written with the graph's own names
(dL/d0.weight += dL/dz1^T @ x), and its numbers when there are few. The pass is
tensor_backward.py's, the one backward() runs, so exhausting the steps leaves the same
gradients. Names and numbers are written here for the pictures and the page too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .printing import format_number
from .tensor_backward import chain_rule, finish_pass, topological_order

if TYPE_CHECKING:
    from .tensor import Tensor

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
    "linear": ("{g} @ {b}", "{g}^T @ {a}", "{g} summed over the batch"),
    "nll": ("-{g} / n at each label, 0 elsewhere",),
}

# How an unlabeled result is named: its operation's word and a count (matmul1, relu2, ...).
# A layer's linear part is z, as the lesson writes a = f(z) with z = Wx + b.
OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "**": "pow",
            "neg": "neg", "[]": "pick", "linear": "z"}  # fmt: skip

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


def numbers(
    array: Any, *, decimals: int | None = None, digits: int | None = None, count: bool = True
) -> str:
    """A small array's numbers, nested as its shape ([[1, -0.5], [2, 0]]), each written by
    format_number (4 significant digits unless decimals= or digits= says otherwise); a
    larger array's size and largest magnitude (count=False: the largest magnitude alone,
    for a picture whose boxes show the shape)."""
    array = np.asarray(array)
    if array.size > SHOWN_ENTRIES:
        largest = format_number(float(np.abs(array).max()), digits=3) if array.size else "0"
        return f"{array.size} numbers, |max| {largest}" if count else f"|max| {largest}"
    if decimals is None and digits is None:
        digits = 4
    return _nested(array.tolist(), decimals, digits)


def _nested(x: Any, decimals: int | None, digits: int | None) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_nested(item, decimals, digits) for item in x) + "]"
    return format_number(x, decimals=decimals, digits=digits)


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
        fill = {"g": f"d{rootname}/d{names[node]}", "out": names[node]}
        formula = VJP_TEXT[node.op][k].format(**fill, **operand_names(node, names))
        if share.shape != np.shape(upstream) and node.op.elementwise:
            formula += ", summed over the broadcast axes"
        yield TensorStep(
            node, x, upstream, share, index, (rootname, names[node], names[x]), formula
        )
    if store:
        finish_pass(root, order, grads, seed)


def operand_names(node: Tensor, names: dict[Tensor, str]) -> dict[str, str]:
    """What a node's template and vjp texts call {a}, {b} and {c}: its inputs' names, and
    for {c} its constant (or, for linear's three inputs, the bias)."""
    fill = dict(zip("abc", (names[x] for x in node.inputs)))
    fill.setdefault("c", constant_text(node))
    return fill


def constant_text(node: Tensor) -> str:
    return format_number(node.const) if isinstance(node.const, float) else str(node.const)
