"""The backward pass one chain-rule step at a time, for stepping through in class.

`backward_steps(root)` does exactly what `root.backward()` does, in the same order and with
the same arithmetic, but pauses after every single application of the chain rule and hands
back a record of it: which node passed its gradient to which input, the local derivative,
the upstream gradient and their product. Exhausting it leaves the same gradients, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator

from .engine import Value, _as_float, _search, topological_order
from .ops import local_derivatives


def node_names(root: Value) -> dict[Value, str]:
    """A printable name for every node below root: its label, or `v<k>` where k is its
    place in the topological order (so unlabeled nodes get the same names every run)."""
    return {node: node.label or f"v{k}" for k, node in enumerate(topological_order(root))}


def format_number(x: float) -> str:
    """Up to 10 significant digits, no trailing zeros: 1.0 -> '1', -4.0 -> '-4'."""
    return f"{x:.10g}"


class Step:
    """One application of the chain rule: input.grad += local * upstream."""

    __slots__ = ("node", "input", "local", "upstream", "contribution", "index", "names")

    def __init__(
        self,
        node: Value,
        input: Value,
        local: float,
        upstream: float,
        contribution: float,
        index: int,
        names: tuple[str, str, str],
    ) -> None:
        self.node = node  # the Value whose gradient is being passed down
        self.input = input  # one of node.inputs, receiving a share of it
        self.local = local  # d node / d input, from the op table
        self.upstream = upstream  # node.grad: d root / d node, complete by now
        self.contribution = contribution  # local * upstream, already added to input.grad
        self.index = index  # 0, 1, 2, ... in the order the steps happen
        self.names = names  # (root, node, input) as printed

    @property
    def number(self) -> int:
        """The step's number as printed everywhere (captions, tables, frames, the command
        line): 1 for the first step, so the last of N steps is N. (index counts from 0.)"""
        return self.index + 1

    def __repr__(self) -> str:
        return f"Step({self.number}: {self})"

    def __str__(self) -> str:
        root, node, x = self.names
        return (
            f"d{node}/d{x} = {format_number(self.local)} (local) x "
            f"d{root}/d{node} = {format_number(self.upstream)} (upstream) "
            f"-> {x}.grad += {format_number(self.contribution)}"
        )


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Run root.backward(gradient) one chain-rule step at a time, yielding each Step."""
    gradient = _as_float(gradient, "gradient")
    # The same bookkeeping as Value.backward: intermediate gradients restart every pass.
    order = _search(root, leaves=False, zero_grads=True)
    if not order:  # a leaf: nothing to pass on, its own gradient just grows
        root.grad += gradient
        return
    names = node_names(root)
    root.grad = gradient
    index = 0
    for node in reversed(order):
        upstream = node.grad
        for x, local in zip(node.inputs, local_derivatives(node)):
            contribution = local * upstream
            x.grad += contribution
            yield Step(
                node, x, local, upstream, contribution, index, (names[root], names[node], names[x])
            )
            index += 1
