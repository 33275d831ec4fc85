"""The op table: every operation chainrule knows, with its forward rule and local derivatives.

This file is the whole calculus of the engine. Each row says how an operation computes its
output from its inputs (forward) and how much the output moves when each input moves
(the local derivatives, d out / d input), all with plain numbers. The chain rule itself
lives in one place, backward.py, which multiplies these local derivatives by the upstream
gradient. Nothing here knows about graphs or gradients, and this file imports nothing from
the package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from typing import Any


class Op(str):
    """One row of the table. It *is* its symbol (`op == "+"`), and carries its rules.

    Every row is called the same way, with plain numbers (the inputs' data):
    `forward(*inputs) -> out` and `local(*inputs, out=out) -> (d out/d input, ...)`, one
    local derivative per input. An operation with a constant (the 3 of x ** 3, clamp's
    bounds) takes it as the keyword `c` in both. `template` writes the operation out for
    messages ("{a} * {b}"); a row that takes any number of inputs has just its name.
    """

    template: str
    forward: Callable[..., float]
    local: Callable[..., Sequence[float]]

    def __new__(
        cls,
        symbol: str,
        template: str,
        forward: Callable[..., float],
        local: Callable[..., Sequence[float]],
    ) -> Op:
        op = super().__new__(cls, symbol)
        op.template = template
        op.forward = forward
        op.local = local
        return op

    def describe(self, operands: Sequence[object], const: object = None) -> str:
        """The operation written out with its operands, e.g. `3.0 * -4.0` or `log(-1.0)`."""
        if "{a}" not in self.template:  # any number of inputs: written out in full
            if len(operands) > 4:  # a neuron or a loss can have hundreds: summarise them
                largest = max(operands, key=lambda x: abs(x))  # type: ignore[arg-type]
                return f"{self} of {len(operands)} values (largest in size {largest!r})"
            return f"{self}({', '.join(repr(x) for x in operands)})"
        names = dict(zip("ab", (repr(x) for x in operands)))
        return self.template.format(c=repr(const), **names)


# ---------------------------------------------------------------------------------------
# Forward rules that need a domain check. Python's own messages ("math domain error")
# do not say which operation failed or on what value, so these do.
# ---------------------------------------------------------------------------------------


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero in {a!r} / {b!r}: the divisor is 0")
    return a / b


def _power(a: float, b: float) -> float:
    # a ** b with a Value exponent: d/db = a ** b * log(a) needs a >= 0.
    if a < 0.0:
        raise ValueError(
            f"{a!r} ** {b!r}: a negative base to a Value exponent has no real derivative "
            "with respect to the exponent; use a number exponent (x ** 2) or a positive base"
        )
    if a == 0.0 and b <= 0.0:
        raise ZeroDivisionError(f"{a!r} ** {b!r}: zero to a non-positive power is undefined")
    return _checked_pow(a, b)


def _power_const(a: float, *, c: float) -> float:
    if c - c != 0.0:  # int(c) below would fail with a message naming neither number
        raise ValueError(f"{a!r} ** {c!r}: the exponent must be a finite number")
    if a == 0.0 and c < 0.0:
        raise ZeroDivisionError(f"{a!r} ** {c!r}: zero to a negative power divides by zero")
    if a < 0.0 and c != int(c):
        raise ValueError(
            f"{a!r} ** {c!r}: a negative number to a fractional power is not a real number"
        )
    return _checked_pow(a, c)


def _checked_pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        raise OverflowError(
            f"{a!r} ** {b!r} overflows: the result is too large for a float"
        ) from None


def _slope_of_power(a: float, c: float) -> float:
    # d/da a ** c = c * a ** (c - 1); at a = 0 with c < 1 that slope is infinite.
    if c == 0.0:
        return 0.0
    if a == 0.0 and c < 1.0:
        raise ValueError(
            f"the derivative of x ** {c!r} at x = {a!r} is infinite "
            f"(c * x ** (c - 1) with c = {c!r}); move x away from 0"
        )
    try:
        return c * math.pow(a, c - 1.0)
    except OverflowError:
        # Too steep for a float: an infinite slope, which backward reports by the operation
        # the user wrote (x ** c), not by this formula's own power (x ** (c - 1)).
        odd_power_of_a_negative = a < 0.0 and (c - 1.0) % 2.0 == 1.0
        return -c * math.inf if odd_power_of_a_negative else c * math.inf


def _power_local(a: float, b: float, *, out: float) -> tuple[float, float]:
    # d/da a ** b = b * a ** (b - 1); d/db a ** b = a ** b * log(a), which tends to 0 as a -> 0.
    d_exponent = out * math.log(a) if a > 0.0 else 0.0
    return _slope_of_power(a, b), d_exponent


def _exp(a: float) -> float:
    if a > 709.782712893384:  # math.log(sys.float_info.max)
        raise OverflowError(
            f"exp({a!r}) overflows: exp is finite only for inputs up to about 709.78"
        )
    return math.exp(a)


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError(f"log({a!r}): log is defined only for positive numbers")
    return math.log(a)


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise ValueError(f"sqrt({a!r}): sqrt is defined only for numbers >= 0")
    return math.sqrt(a)


def _sqrt_local(a: float, *, out: float) -> tuple[float]:
    # d/da sqrt(a) = 1 / (2 sqrt(a)) = 0.5 / out; at a = 0 the slope is infinite.
    if out == 0.0:
        raise ValueError(
            f"the derivative of sqrt(x) at x = {a!r} is infinite (1 / (2 sqrt(x))); "
            "move x away from 0"
        )
    return (0.5 / out,)


def _sigmoid(a: float) -> float:
    # 1 / (1 + e^-a) overflows e^-a for a below about -709; the second form never does.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _clamp(a: float, *, c: tuple[float, float]) -> float:
    low, high = c
    return low if a < low else high if a > high else a


def _sum(*xs: float) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


def _weighted_sum(*xs: float) -> float:
    # xs = (w1, x1, w2, x2, ..., wn, xn, b): a neuron's w1*x1 + ... + wn*xn + b.
    pairs = iter(xs)
    total = 0.0
    for w, x in zip(pairs, pairs):  # (w1, x1), (w2, x2), ...; b is left over
        total += w * x
    return total + xs[-1]


def _weighted_sum_local(*xs: float, out: float) -> list[float]:
    # d/dw_i = x_i and d/dx_i = w_i: each pair swaps places. d/db = 1.
    local = list(xs)
    local[0:-1:2], local[1:-1:2] = local[1:-1:2], local[0:-1:2]
    local[-1] = 1.0
    return local


# ---------------------------------------------------------------------------------------
# The table. Every row: forward(*inputs) -> out, local(*inputs, out=out) -> (d out/d input
# for each input). The inputs are plain numbers (the inputs' data); out is the output's
# data (reusing it is cheaper than recomputing: d/da e^a = e^a = out); c is the operation's
# constant (the 3 of x ** 3), given only to the rows that have one. The chain rule that
# multiplies these local derivatives by the upstream gradient is in backward.py.
# ---------------------------------------------------------------------------------------

# fmt: off
ADD     = Op("+",       "{a} + {b}",    lambda a, b: a + b,     lambda a, b, *, out: (1.0, 1.0))
SUB     = Op("-",       "{a} - {b}",    lambda a, b: a - b,     lambda a, b, *, out: (1.0, -1.0))
MUL     = Op("*",       "{a} * {b}",    lambda a, b: a * b,     lambda a, b, *, out: (b, a))
DIV     = Op("/",       "{a} / {b}",    _divide,                lambda a, b, *, out: (1.0 / b, -out / b))
POW     = Op("**",      "{a} ** {b}",   _power,                 _power_local)
POW_C   = Op("**",      "{a} ** {c}",   _power_const,           lambda a, *, out, c: (_slope_of_power(a, c),))
NEG     = Op("neg",     "-{a}",         lambda a: -a,           lambda a, *, out: (-1.0,))
EXP     = Op("exp",     "exp({a})",     _exp,                   lambda a, *, out: (out,))
LOG     = Op("log",     "log({a})",     _log,                   lambda a, *, out: (1.0 / a,))
TANH    = Op("tanh",    "tanh({a})",    math.tanh,              lambda a, *, out: (1.0 - out * out,))
SIN     = Op("sin",     "sin({a})",     math.sin,               lambda a, *, out: (math.cos(a),))
COS     = Op("cos",     "cos({a})",     math.cos,               lambda a, *, out: (-math.sin(a),))
SQRT    = Op("sqrt",    "sqrt({a})",    _sqrt,                  _sqrt_local)
SIGMOID = Op("sigmoid", "sigmoid({a})", _sigmoid,               lambda a, *, out: (out * (1.0 - out),))
# relu is not differentiable at 0; like PyTorch we use 0 there, so a dead unit stays dead.
RELU    = Op("relu",    "relu({a})",    lambda a: a if a > 0.0 else 0.0,
             lambda a, *, out: (1.0,) if a > 0.0 else (0.0,))
# clamp passes the gradient only where it did not clip (c = (low, high)).
CLAMP   = Op("clamp",   "clamp({a}, {c})", _clamp,
             lambda a, *, out, c: (1.0,) if c[0] <= a <= c[1] else (0.0,))
# max and min pass the whole gradient to the input they chose: the other one did not affect
# the result. On a tie they choose the first operand, as Python's max(a, b) and min(a, b)
# return a, so it gets 1 and the second 0 (torch.maximum splits a tie 0.5 / 0.5 instead;
# both are valid slopes at a point where max has no derivative).
MAX     = Op("max",     "max({a}, {b})", lambda a, b: a if a >= b else b,
             lambda a, b, *, out: (1.0, 0.0) if a >= b else (0.0, 1.0))
MIN     = Op("min",     "min({a}, {b})", lambda a, b: a if a <= b else b,
             lambda a, b, *, out: (1.0, 0.0) if a <= b else (0.0, 1.0))
# abs is not differentiable at 0; like PyTorch (the sign of 0 is 0) we use 0 there.
ABS     = Op("abs",     "abs({a})",     abs,
             lambda a, *, out: (1.0,) if a > 0.0 else (-1.0,) if a < 0.0 else (0.0,))
# Any number of inputs: a sum, and a neuron's weighted sum (inputs w1, x1, ..., wn, xn, b).
SUM     = Op("sum",     "sum",          _sum,                   lambda *xs, out: (1.0,) * len(xs))
WSUM    = Op("wsum",    "wsum",         _weighted_sum,          _weighted_sum_local)

def _leaf_has_no_rule(*args: object, **keywords: object) -> Any:
    raise TypeError("a leaf was made by hand, not computed: it has no forward rule or inputs")


# What a Value made by hand has as its op: nothing computed it, nothing to differentiate.
LEAF = Op("", "", _leaf_has_no_rule, _leaf_has_no_rule)

TABLE: tuple[Op, ...] = (ADD, SUB, MUL, DIV, POW, POW_C, NEG, EXP, LOG, TANH, SIGMOID, RELU,
                         CLAMP, SUM, WSUM, MAX, MIN, ABS, SIN, COS, SQRT)
# fmt: on
