"""Carrying a rounded number forward: what an operation gives for every number that prints alike.

A learner (or a slide) writes out_h = 0.8800 and carries it on. The 0.8800 stands for every
number from 0.87995 to 0.88005, and a later step may have used any of them: the unrounded
value from the calculator, or the rounded one. So a later number "follows" from it when it
lies in the range the step gives over that whole interval, not just at 0.8800. A large
multiplier makes the difference: 8 x 0.3519 = 2.8152, yet 8 x 0.351936 = 2.8155 is what a
careful learner writes, and both follow from a printed 0.3519.

`carry_step(node, inputs)` is the one step: node's operation (the op table's forward rule
and local derivatives) applied to an Interval per input, giving the Interval of the output
and of each local derivative. `carry_forward` runs it through a graph.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from autograd import Value, evaluate_op, topological_order

CORNER_LIMIT = 4  # up to this many inputs, every corner of the box is tried (2**4 = 16)


@dataclass(frozen=True)
class Interval:
    """The numbers from low to high (both included): what a printed number stands for."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"an interval needs low <= high, got [{self.low!r}, {self.high!r}]")

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(x, x)

    @classmethod
    def around(cls, x: float, half_width: float) -> Interval:
        """x plus or minus half_width: Interval.around(0.3519, 0.00005) for "0.3519"."""
        return cls(x - abs(half_width), x + abs(half_width))

    @classmethod
    def printed(cls, text: str) -> Interval:
        """Every number that rounds to the printed text at its printed precision:
        "0.3519" -> [0.35185, 0.35195], "-12" -> [-12.5, -11.5]. Raises ValueError for text
        that is not a number."""
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(f"not a printed number: {text!r}") from None
        if not number.is_finite():
            raise ValueError(f"not a finite printed number: {text!r}")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # finite, so not 'n', 'N' or 'F'
        half = Decimal(5).scaleb(exponent - 1)
        return cls(float(number - half), float(number + half))

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def __contains__(self, x: float) -> bool:
        return self.low <= x <= self.high

    def widened(self, by: float) -> Interval:
        """by more on each side (an answer rounded to the sheet's precision)."""
        return Interval(self.low - abs(by), self.high + abs(by))

    def hull(self, other: Interval) -> Interval:
        return Interval(min(self.low, other.low), max(self.high, other.high))

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.low - other.high, self.high - other.low)

    def __mul__(self, other: Interval) -> Interval:
        products = [a * b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(products), max(products))

    def scaled(self, factor: float) -> Interval:
        """Every number times factor (a learning rate)."""
        return Interval(*sorted((self.low * factor, self.high * factor)))

    def __str__(self) -> str:
        return f"[{self.low!r}, {self.high!r}]"


@dataclass(frozen=True)
class CarriedStep:
    """One operation over intervals: its output and its local derivatives d out / d input."""

    out: Interval
    local: tuple[Interval, ...]


def rules_at(
    node: Value, inputs: Sequence[float], out: float | None = None
) -> tuple[float, tuple[float, ...]]:
    """node's operation at other input numbers: the op table's forward rule and each local
    derivative there (autograd.evaluate_op); with out, the local derivatives are taken at
    that output (a number someone wrote down) and the forward rule is not run. Raises as
    the row does (ValueError, ArithmeticError) where the numbers break the operation."""
    result, local = evaluate_op(node.op, inputs, node.const, out=out)
    return float(result), tuple(float(d) for d in local)


def carry_step(node: Value, inputs: Sequence[Interval], out: Interval | None = None) -> CarriedStep:
    """node's operation over an Interval per input: the Interval of its output and of each
    local derivative, for every choice of inputs inside their intervals.

    How: the op table's rules are evaluated at the middle of the inputs' box and at its
    corners (at most CORNER_LIMIT inputs; with more, at the two corners where the local
    derivatives' signs at the middle make the output lowest and highest). The output's
    interval is the hull of those outputs and of the mean-value bound
    out(middle) +- sum(largest |local derivative| x half width), so it holds the exact range
    for every operation that is monotone or bilinear in each input (all of the table's
    rows away from a kink) and a close bound for the rest. Each local derivative's interval
    is the hull of its values at those points. When every input is a single number, the
    rules run once, and the intervals are those numbers.

    out: an Interval the output is known to lie in (the number someone wrote down for it,
    which the next steps then use): the local derivatives are taken at its ends and middle
    instead of at the computed output (sigmoid's out x (1 - out) with their out); the
    output's interval is still the computed one.

    Raises ValueError or ArithmeticError when the middle of the box breaks the operation
    (log of a negative number); a corner that breaks it is left out. Single numbers whose
    output exists but whose slope does not (x ** 0.5 at 0) give the output and no local
    derivatives.
    """
    if len(inputs) != len(node.inputs):
        raise ValueError(
            f"{node.op} takes {len(node.inputs)} inputs here, got {len(inputs)} intervals"
        )
    middle = [x.mid for x in inputs]
    try:
        out_mid, local_mid = rules_at(node, middle)
    except (ArithmeticError, ValueError):
        if any(x.half_width for x in inputs) or out is not None:
            raise
        # An output whose slope does not exist (x ** 0.5 at 0) is still an output.
        result, _ = evaluate_op(node.op, middle, node.const, derivatives=False)
        return CarriedStep(Interval.point(float(result)), ())
    points: list[Sequence[float]] = []
    if any(x.half_width for x in inputs):
        if len(inputs) <= CORNER_LIMIT:
            points += list(itertools.product(*[(x.low, x.high) for x in inputs]))
        else:
            up = [x.high if d >= 0 else x.low for x, d in zip(inputs, local_mid)]
            down = [x.low if d >= 0 else x.high for x, d in zip(inputs, local_mid)]
            points += [up, down]
    outs, locals_ = [out_mid], [[d] for d in local_mid]
    for point in points:
        try:
            result, local = rules_at(node, point)
        except (ArithmeticError, ValueError):
            continue
        if not (math.isfinite(result) and all(math.isfinite(d) for d in local)):
            continue
        outs.append(result)
        for seen, d in zip(locals_, local):
            seen.append(d)
    slack = sum(max(abs(d) for d in seen) * x.half_width for seen, x in zip(locals_, inputs))
    reached = Interval(min(outs), max(outs))
    if slack:
        reached = reached.hull(Interval.around(out_mid, slack))
    if out is not None:  # the local derivatives at the written output instead
        ends = {out.low, out.mid, out.high}
        locals_ = [[] for _ in inputs]
        for point in [middle, *points]:
            for o in ends:
                try:
                    _, local = rules_at(node, point, out=o)
                except (ArithmeticError, ValueError):
                    continue
                for seen, d in zip(locals_, local):
                    seen.append(d)
        if not all(locals_):
            raise ValueError(f"{node.op}'s local derivatives do not exist at {out}")
    return CarriedStep(reached, tuple(Interval(min(seen), max(seen)) for seen in locals_))


def carry_forward(root: Value, known: Mapping[Value, Interval]) -> dict[Value, Interval]:
    """The forward pass over intervals: every node of root's graph gets the Interval its
    operation gives from its inputs' intervals, except the nodes in known, which keep theirs
    (the numbers someone wrote down and carried on). A leaf not in known is its own data.
    A node whose operation breaks for its inputs gets [nan, nan]... never: its interval is
    left out of the result, and so is everything computed from it."""
    carried: dict[Value, Interval] = {}
    for node in topological_order(root):
        if node in known:
            carried[node] = known[node]
        elif not node.inputs:
            carried[node] = Interval.point(node.data)
        elif all(x in carried for x in node.inputs):
            try:
                carried[node] = carry_step(node, [carried[x] for x in node.inputs]).out
            except (ArithmeticError, ValueError):
                continue
    return carried
