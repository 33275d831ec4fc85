"""Forward mode: the chain rule applied from the inputs up, one tangent per node.

Reverse mode (`backward`) starts at the output and finds d output / d every node in one
pass. Forward mode starts at the inputs: give each input a tangent (1 for the input you
differentiate by, 0 for the others) and carry it along with the value, node by node:
a node's tangent is the sum over its inputs of local derivative x the input's tangent.
One pass gives d every node / d that one input. The local derivatives are the same rows of
the op table that backward uses; only the direction changes. `forward_steps` yields one
record per node, and `str(step)` reads like the evaluation and tangent traces of Baydin et
al.'s survey ("Automatic differentiation in machine learning", Table 2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .backward import local_derivatives
from .engine import Value
from .floats import as_float
from .names import node_names, reading_order
from .ops import Op
from .printing import format_number

DOT = "\u0307"  # the combining dot above: x1 becomes ẋ1, the survey's "x dot"


class ForwardStep:
    """One node of a forward-mode pass: its value and its tangent, and how each follows."""

    __slots__ = ("node", "value", "tangent", "name", "input_names", "local", "input_tangents")

    def __init__(
        self,
        node: Value,
        tangent: float,
        name: str,
        input_names: tuple[str, ...],
        local: tuple[float, ...],
        input_tangents: tuple[float, ...],
    ) -> None:
        self.node = node
        self.value = node.data  # the node's value (the evaluation, or primal, trace)
        self.tangent = tangent  # d node / d the chosen direction (the tangent trace)
        self.name = name  # as every view prints it (autograd.names)
        self.input_names = input_names
        self.local = local  # d node / d input, for each of node.inputs (the op table)
        self.input_tangents = input_tangents  # each input's tangent, found before this node

    def __repr__(self) -> str:
        return f"ForwardStep({self})"

    def __str__(self) -> str:
        return f"{self.evaluation()}    {self.tangent_line()}"

    def evaluation(self, decimals: int | None = None) -> str:
        """The node's line of the evaluation trace: v1 = log(x1) = log(2) = 0.6931."""
        value = _number(self.value, decimals)
        if not self.node.inputs:
            return f"{self.name} = {value}"
        op, const = self.node.op, self.node.const
        in_names = _operands(op, self.input_names, const)
        in_numbers = _operands(op, [_factor(x.data, decimals) for x in self.node.inputs], const)
        parts = [self.name]
        if self.node.label:  # (a node nobody named is called by its formula already)
            parts.append(in_names)
        if in_numbers != value:
            parts.append(in_numbers)
        return " = ".join([*parts, value])

    def tangent_line(self, decimals: int | None = None) -> str:
        """The node's line of the tangent trace: the tangent is each local derivative times
        its input's tangent, summed: v̇2 = 5 × ẋ1 + 2 × ẋ2 = 5 × 1 + 2 × 0 = 5."""
        tangent = _number(self.tangent, decimals)
        if not self.node.inputs:
            return f"{dotted(self.name)} = {tangent}"
        symbols = " + ".join(
            f"{_factor(local, decimals)} × {dotted(name)}"
            for local, name in zip(self.local, self.input_names)
        )
        numbers = " + ".join(
            f"{_factor(local, decimals)} × {_factor(t, decimals)}"
            for local, t in zip(self.local, self.input_tangents)
        )
        return f"{dotted(self.name)} = {symbols} = {numbers} = {tangent}"


def dotted(name: str) -> str:
    """The tangent's name, the survey's dot over the value's name: x1 -> ẋ1, v4 -> v̇4. A
    name that is a formula, such as sin(x), is bracketed with the dot after it: (sin(x))˙."""
    if name.isidentifier():
        return name[0] + DOT + name[1:]
    return f"({name})\u02d9"


def forward_steps(root: Value, tangents: Mapping[Value, float]) -> Iterator[ForwardStep]:
    """Forward mode on the graph below root: one ForwardStep per node, inputs first.

    tangents maps input Values to their tangents (the direction to differentiate in):
    {x1: 1} gives every node's d node / d x1; a leaf not in it has tangent 0. The nodes come
    level by level (the leaves, then what uses only leaves, and so on; the order a person
    reads the expression in within a level), as the survey's trace lists them. Nothing in
    the graph changes: the tangents live in the records, not in .grad.
    """
    order = forward_order(root)
    seeds = _checked_tangents(tangents, order)
    names = node_names(root)
    found: dict[Value, float] = {}
    for node in order:
        inputs = node.inputs
        if not inputs:
            tangent = seeds.get(node, 0.0)
            found[node] = tangent
            yield ForwardStep(node, tangent, names[node], (), (), ())
            continue
        locals_ = tuple(local_derivatives(node))
        input_tangents = tuple(found[x] for x in inputs)
        tangent = 0.0
        for local, t in zip(locals_, input_tangents):
            tangent += local * t  # the chain rule, forward: every input's share
        found[node] = tangent
        input_names = tuple(names[x] for x in inputs)
        yield ForwardStep(node, tangent, names[node], input_names, locals_, input_tangents)


def forward_order(root: Value) -> list[Value]:
    """Every node below root, level by level: a leaf is level 0, a node one more than its
    highest input. Within a level, reading order. Each node comes after its inputs."""
    nodes = reading_order(root)
    level: dict[Value, int] = {}
    for node in nodes:  # reading order has every input before the node that uses it
        level[node] = 1 + max((level[x] for x in node.inputs), default=-1)
    return sorted(nodes, key=level.__getitem__)  # stable: reading order within a level


def _checked_tangents(tangents: Mapping[Value, float], order: Sequence[Value]) -> dict:
    if not isinstance(tangents, Mapping):
        raise TypeError(
            f"tangents must be a dict from input Values to numbers, such as {{x: 1.0}}, "
            f"got {type(tangents).__name__}"
        )
    below = set(order)
    seeds = {}
    for value, tangent in tangents.items():
        if not isinstance(value, Value):
            raise TypeError(
                f"tangents' keys must be Values (the inputs), got {type(value).__name__}"
            )
        if value not in below:
            raise ValueError(
                f"the tangent is given for {value!r}, which the output does not depend on"
            )
        if value.inputs:
            raise ValueError(
                f"the tangent is given for {value!r}, which is computed from other values; "
                "give tangents to inputs (leaves) only"
            )
        number = as_float(tangent, "a tangent")
        if number - number != 0.0:
            raise ValueError(f"a tangent must be a finite number, got {tangent!r}")
        seeds[value] = number
    return seeds


def _number(x: float, decimals: int | None) -> str:
    if decimals is None:
        return format_number(x)
    return format_number(x, decimals=decimals, fixed=True)


def _factor(x: float, decimals: int | None) -> str:
    text = _number(x, decimals)
    return f"({text})" if text.startswith("-") else text


def _operands(op: Op, operands: Sequence[str], const: object) -> str:
    """The operation written with these operand texts: log(x1), x1 * x2, x ** 2."""
    if "{a}" in op.template:  # one or two inputs, written as the row writes them
        constant = const if not isinstance(const, float) else _number(const, None)
        return op.template.format(c=constant, **dict(zip("ab", operands)))
    return f"{op}({', '.join(operands)})"  # any number of inputs


def trace_table(steps: Sequence[ForwardStep], decimals: int | None = None) -> str:
    """The evaluation trace and the tangent trace side by side, one node a line, as the
    survey prints them; leaves without a label (numbers written into the text) are left
    out: their tangent is 0."""
    shown = [s for s in steps if s.node.inputs or s.node.label]
    left = [s.evaluation(decimals) for s in shown]
    right = [s.tangent_line(decimals) for s in shown]
    header = ("Evaluation trace", "Tangent trace")
    width = max(_width(text) for text in [header[0], *left])
    lines = [
        "  " + a + " " * (width - _width(a)) + "    " + b
        for a, b in [header, ("-" * len(header[0]), "-" * len(header[1])), *zip(left, right)]
    ]
    return "\n".join(line.rstrip() for line in lines)


def _width(text: str) -> int:
    """Columns text takes: a combining dot takes none."""
    return len(text) - text.count(DOT)
