"""Operations of your own: the lecture's exercise of writing tanh (or exp) by hand.

An operation is two rules written with plain numbers: the forward rule (the output from the
inputs) and one local derivative per input (d output / d input). `define_op` turns them
into a row of the op table and returns a function that builds nodes of it. From then on the
engine treats it like any built-in row: backward(), backward_steps, draw_dot and gradcheck
use it, and the expression language finds it by its name.
"""

from __future__ import annotations

from collections.abc import Callable

from .engine import FUNCTIONS, Value, _binary, _lift, _nary, _unary
from .ops import TABLE, Op, _count, define_row

# The functions define_op has made, by name: these (and only these) may be defined again,
# so a notebook cell that defines an operation can be run twice.
_DEFINED: dict[str, Callable[..., Value]] = {}


def define_op(
    name: str, forward: Callable[..., float], *derivatives: Callable[..., float]
) -> Callable[..., Value]:
    """Define an operation from its forward rule and one local derivative per input.

    forward(x1, ..., xn) -> the output, as a number. derivatives[i](x1, ..., xn, out) ->
    d out / d x_i, as a number (a derivative may also leave out `out`). The rules get the
    inputs' numbers, not Values. Returns a function that takes n Values (or numbers) and
    returns the output Value, whose `.op` is `name`; text in the expression language can
    call it by that name too.

        >>> import math
        >>> my_exp = define_op("my_exp", math.exp, lambda x, out: out)  # d/dx e^x = e^x
        >>> my_exp(Value(0.0)).data
        1.0
    """
    function = make_operation(name, forward, *derivatives)
    if (name in FUNCTIONS and FUNCTIONS[name] is not _DEFINED.get(name)) or name in TABLE:
        raise ValueError(
            f"{name!r} is already one of chainrule's operations; give yours another name, "
            f"such as 'my_{name}'"
        )
    function.__doc__ = (
        f"{name}: an operation made by define_op ({_count(len(derivatives), 'input')})."
    )
    _DEFINED[name] = FUNCTIONS[name] = function
    return function


def make_operation(
    name: str, forward: Callable[..., float], *derivatives: Callable[..., float]
) -> Callable[..., Value]:
    """define_op without registering the name: the node builder of a new row, for
    operations that belong to one file (an example's [functions]) rather than to all text."""
    function = _builder(define_row(name, forward, derivatives), len(derivatives))
    function.__name__ = function.__qualname__ = name
    return function


def _builder(row: Op, n: int) -> Callable[..., Value]:
    """The function that makes a node of `row` from n Values or numbers."""

    def build(*operands: Value | float) -> Value:
        if len(operands) != n:
            raise TypeError(f"{row} takes {_count(n, 'input')}, got {len(operands)}")
        inputs = tuple(_lift(x) for x in operands)  # numbers become leaves, as in a + 1
        if row.kind == "unary":
            return _unary(row, inputs[0])
        if row.kind == "binary":
            return _binary(row, *inputs)
        return _nary(row, inputs)

    build.op = row  # type: ignore[attr-defined]  # the row itself, for reading its rules
    return build
