"""The backward pass: the chain rule, applied from the output back to the inputs.

Every node's gradient is passed to its inputs by one rule: input.grad += (d node / d input)
x node.grad, the local derivative (read off the op table in ops.py) times the upstream
gradient. This file holds that rule; engine.py holds the Value that it runs on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .ops import Op

if TYPE_CHECKING:
    from .engine import Value


def evaluate_op(
    op: Op,
    inputs: Sequence[float],
    const: object = None,
    *,
    out: float | None = None,
    derivatives: bool = True,
) -> tuple[float, tuple[float, ...]]:
    """An operation on plain numbers, through its row of the op table: its output, and its
    local derivatives (d out / d input for each input) there.

    op and const are a node's `.op` and `.const`; inputs are numbers, one per input. With
    `out` given, the forward rule is not run: the local derivatives are taken at that
    output (a learner's own number, say). derivatives=False returns () for them, so an
    output whose slope does not exist (x ** 0.5 at 0) can still be computed.
    Raises what the row raises on a math error (ValueError, ZeroDivisionError,
    OverflowError).

        >>> from autograd import ops
        >>> evaluate_op(ops.MUL, [3.0, -4.0])
        (-12.0, (-4.0, 3.0))
    """
    if const is None:
        if out is None:
            out = op.forward(*inputs)
        local = op.local(*inputs, out=out) if derivatives else ()
    else:
        if out is None:
            out = op.forward(*inputs, c=const)
        local = op.local(*inputs, out=out, c=const) if derivatives else ()
    return float(out), tuple(map(float, local))


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d node / d input for each of node.inputs, in order, read off the table (none for a
    leaf: nothing made it)."""
    if not node.inputs:
        return ()
    return evaluate_op(node.op, [x.data for x in node.inputs], node.const, out=node.data)[1]
