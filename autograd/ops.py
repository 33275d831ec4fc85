"""The op table: every operation chainrule knows, with its forward rule and local derivatives.

This file is the whole calculus of the engine. Each row says how an operation computes its
output from its inputs (forward) and how much the output moves when each input moves
(the local derivatives, d out / d input). The chain rule itself lives in one place,
`Value.backward` in engine.py, which multiplies these local derivatives by the upstream
gradient. Nothing here knows about graphs or gradients, and this file imports nothing from
the package.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any


class Op(str):
    """One row of the table. It *is* its symbol (`op == "+"`), and carries its rules.

    kind is "unary" (one input, and maybe a constant such as the exponent of x ** 3),
    "binary" (two inputs) or "nary" (any number of inputs, such as a neuron's weighted sum).
    """

    kind: str
    template: str
    forward: Callable[..., float]
    local: Callable[..., Any]

    def __new__(
        cls,
        symbol: str,
        kind: str,
        template: str,
        forward: Callable[..., float],
        local: Callable[..., Any],
    ) -> Op:
        op = super().__new__(cls, symbol)
        op.kind = kind
        op.template = template  # how the operation is written, for messages and traces
        op.forward = forward
        op.local = local
        return op

    def describe(self, operands: Sequence[object], const: object = None) -> str:
        """The operation written out with its operands, e.g. `3.0 * -4.0` or `log(-1.0)`."""
        if self.kind == "nary":
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


def _power_const(a: float, c: float) -> float:
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


def _power_const_local(a: float, c: float) -> float:
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


def _power_local(a: float, b: float, out: float) -> tuple[float, float]:
    # d/da a ** b = b * a ** (b - 1); d/db a ** b = a ** b * log(a), which tends to 0 as a -> 0.
    d_exponent = out * math.log(a) if a > 0.0 else 0.0
    return _power_const_local(a, b), d_exponent


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


def _sigmoid(a: float) -> float:
    # 1 / (1 + e^-a) overflows e^-a for a below about -709; the second form never does.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _clamp(a: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return low if a < low else high if a > high else a


def _sum(inputs: Sequence[Any]) -> float:
    total = 0.0
    for x in inputs:
        total += x.data
    return total


def _weighted_sum(inputs: Sequence[Any]) -> float:
    # inputs = (w1, x1, w2, x2, ..., wn, xn, b): a neuron's w1*x1 + ... + wn*xn + b.
    pairs = iter(inputs)
    total = 0.0
    for w, x in zip(pairs, pairs):  # (w1, x1), (w2, x2), ...; b is left over
        total += w.data * x.data
    return total + inputs[-1].data


def _weighted_sum_local(inputs: Sequence[Any], out: float) -> list[float]:
    # d/dw_i = x_i and d/dx_i = w_i: each pair swaps places. d/db = 1.
    local = [x.data for x in inputs]
    local[0:-1:2], local[1:-1:2] = local[1:-1:2], local[0:-1:2]
    local[-1] = 1.0
    return local


# ---------------------------------------------------------------------------------------
# The table.
#   unary:  forward(a, c) -> out            local(a, out, c) -> d out/da
#   binary: forward(a, b) -> out            local(a, b, out) -> (d out/da, d out/db)
#   nary:   forward(inputs) -> out          local(inputs, out) -> [d out/dx for x in inputs]
# a and b are the inputs' data; an n-ary row gets the input Values themselves and reads
# each one's .data in the same pass as its arithmetic (a neuron has many inputs, and one
# pass over them is what makes it cheap). out is the output's data (reusing it is cheaper
# than recomputing: d/da e^a = e^a = out), c is the operation's constant (the 3 of x ** 3).
# ---------------------------------------------------------------------------------------

# fmt: off
ADD     = Op("+",       "binary", "{a} + {b}",    lambda a, b: a + b,   lambda a, b, out: (1.0, 1.0))
SUB     = Op("-",       "binary", "{a} - {b}",    lambda a, b: a - b,   lambda a, b, out: (1.0, -1.0))
MUL     = Op("*",       "binary", "{a} * {b}",    lambda a, b: a * b,   lambda a, b, out: (b, a))
DIV     = Op("/",       "binary", "{a} / {b}",    _divide,              lambda a, b, out: (1.0 / b, -out / b))
POW     = Op("**",      "binary", "{a} ** {b}",   _power,               _power_local)
POW_C   = Op("**",      "unary",  "{a} ** {c}",   _power_const,         lambda a, out, c: _power_const_local(a, c))
NEG     = Op("neg",     "unary",  "-{a}",         lambda a, c: -a,      lambda a, out, c: -1.0)
EXP     = Op("exp",     "unary",  "exp({a})",     lambda a, c: _exp(a), lambda a, out, c: out)
LOG     = Op("log",     "unary",  "log({a})",     lambda a, c: _log(a), lambda a, out, c: 1.0 / a)
TANH    = Op("tanh",    "unary",  "tanh({a})",    lambda a, c: math.tanh(a),
             lambda a, out, c: 1.0 - out * out)
SIGMOID = Op("sigmoid", "unary",  "sigmoid({a})", lambda a, c: _sigmoid(a),
             lambda a, out, c: out * (1.0 - out))
# relu is not differentiable at 0; like PyTorch we use 0 there, so a dead unit stays dead.
RELU    = Op("relu",    "unary",  "relu({a})",    lambda a, c: a if a > 0.0 else 0.0,
             lambda a, out, c: 1.0 if a > 0.0 else 0.0)
# clamp passes the gradient only where it did not clip (c = (low, high)).
CLAMP   = Op("clamp",   "unary",  "clamp({a}, {c})", _clamp,
             lambda a, out, c: 1.0 if c[0] <= a <= c[1] else 0.0)
# max and min pass the whole gradient to the input they chose: the other one did not affect
# the result. On a tie they choose the first operand, as Python's max(a, b) and min(a, b)
# return a, so it gets 1 and the second 0 (torch.maximum splits a tie 0.5 / 0.5 instead;
# both are valid slopes at a point where max has no derivative).
MAX     = Op("max",     "binary", "max({a}, {b})", lambda a, b: a if a >= b else b,
             lambda a, b, out: (1.0, 0.0) if a >= b else (0.0, 1.0))
MIN     = Op("min",     "binary", "min({a}, {b})", lambda a, b: a if a <= b else b,
             lambda a, b, out: (1.0, 0.0) if a <= b else (0.0, 1.0))
# abs is not differentiable at 0; like PyTorch (the sign of 0 is 0) we use 0 there.
ABS     = Op("abs",     "unary",  "abs({a})",     lambda a, c: abs(a),
             lambda a, out, c: 1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0)
SUM     = Op("sum",     "nary",   "sum",          _sum,                 lambda inputs, out: [1.0] * len(inputs))
WSUM    = Op("wsum",    "nary",   "wsum",         _weighted_sum,        _weighted_sum_local)

def _leaf_has_no_rule(*args: object) -> Any:
    raise TypeError("a leaf was made by hand, not computed: it has no forward rule or inputs")


# What a Value made by hand has as its op: nothing computed it, nothing to differentiate.
LEAF = Op("", "leaf", "", _leaf_has_no_rule, _leaf_has_no_rule)

TABLE: tuple[Op, ...] = (ADD, SUB, MUL, DIV, POW, POW_C, NEG, EXP, LOG, TANH, SIGMOID, RELU,
                         CLAMP, SUM, WSUM, MAX, MIN, ABS)
# fmt: on


def local_derivatives(node: Any) -> tuple[float, ...]:
    """d node / d input for each of node.inputs, in order, read off the table."""
    op = node.op
    inputs = node.inputs
    if op.kind == "unary":
        return (op.local(inputs[0].data, node.data, node.const),)
    if op.kind == "binary":
        return tuple(op.local(inputs[0].data, inputs[1].data, node.data))
    if op.kind == "nary":
        return tuple(op.local(inputs, node.data))
    return ()


# ---------------------------------------------------------------------------------------
# Rows of your own. define_row turns two plain rules, written with numbers as on paper,
# into a row in the table's shape, so the engine applies it like any row above: the rules
# are wrapped to the kind's calling convention, and what they return is checked, because
# a rule that returns a Value or NaN would otherwise corrupt gradients far from the cause.
# ---------------------------------------------------------------------------------------


def define_row(
    name: str, forward: Callable[..., float], derivatives: Sequence[Callable[..., float]]
) -> Op:
    """A row for an operation of your own, with one input per derivative.

    forward(x1, ..., xn) returns the output; derivatives[i] is d out / d x_i, called as
    derivatives[i](x1, ..., xn, out), or as derivatives[i](x1, ..., xn) if it takes only
    the inputs. All of them take and return plain numbers (the inputs' .data).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"an operation's name must be a Python identifier such as 'my_tanh', got {name!r}"
        )
    if not callable(forward):
        raise TypeError(
            f"{name}: forward must be a function of the inputs' numbers, "
            f"got {type(forward).__name__}"
        )
    n = len(derivatives)
    if n == 0:
        raise TypeError(
            f"{name}: give one derivative per input after forward, e.g. "
            "define_op('my_tanh', forward, derivative) for one input"
        )
    if _takes(forward, n) is False:
        raise TypeError(
            f"{name}: forward must take one argument per input, and {_count(n, 'derivative')} "
            f"means {_count(n, 'input')}, but forward cannot be called with {_count(n, 'argument')}"
        )
    local_rules = [_local_rule(name, k, d, n) for k, d in enumerate(derivatives)]
    run = _checked_forward(name, forward)
    if n == 1:
        (local,) = local_rules
        return Op(
            name, "unary", name + "({a})", lambda a, c: run(a), lambda a, out, c: local(a, out)
        )
    if n == 2:
        local_a, local_b = local_rules
        return Op(
            name,
            "binary",
            name + "({a}, {b})",
            run,
            lambda a, b, out: (local_a(a, b, out), local_b(a, b, out)),
        )

    def forward_n(inputs: Sequence[Any]) -> float:
        return run(*[x.data for x in inputs])

    def local_n(inputs: Sequence[Any], out: float) -> list[float]:
        data = [x.data for x in inputs]
        return [local(*data, out) for local in local_rules]

    return Op(name, "nary", name, forward_n, local_n)


def _takes(rule: Callable[..., Any], n: int) -> bool | None:
    """Whether rule can be called with n positional arguments (None: cannot tell)."""
    import inspect  # only when an operation is defined: it costs more than the engine

    try:
        signature = inspect.signature(rule)
    except (TypeError, ValueError):  # some built-in functions do not say
        return None
    try:
        signature.bind(*range(n))
    except TypeError:
        return False
    return True


def _checked_forward(name: str, forward: Callable[..., float]) -> Callable[..., float]:
    def run(*xs: float) -> float:
        # (a result that is not finite is reported by the engine, as for any row)
        return _number(_call(forward, xs, xs, name, "forward"), name, "forward", xs, finite=False)

    return run


def _local_rule(
    name: str, k: int, derivative: Callable[..., float], n: int
) -> Callable[..., float]:
    """derivative k as a function of (x1, ..., xn, out), its result checked."""
    if not callable(derivative):
        raise TypeError(
            f"{name}: derivative {k + 1} must be a function, got {type(derivative).__name__}"
        )
    with_out = _takes(derivative, n + 1)
    if with_out is False and _takes(derivative, n) is False:
        raise TypeError(
            f"{name}: derivative {k + 1} must take the {_count(n, 'input')} and then the "
            f"output, d(x1, ..., out), or the {_count(n, 'input')} alone; it takes neither"
        )
    what = f"derivative {k + 1} (d {name} / d input {k + 1})"

    def local(*args: float) -> float:
        xs = args[:-1]  # args is (x1, ..., xn, out)
        result = _call(derivative, args if with_out is not False else xs, xs, name, what)
        return _number(result, name, what, xs)

    return local


def _call(
    rule: Callable[..., Any], args: Sequence[float], xs: Sequence[float], name: str, what: str
) -> Any:
    """rule(*args); Python's math errors get the rule's name and the inputs xs added."""
    try:
        return rule(*args)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        if type(error) not in (ValueError, ZeroDivisionError, OverflowError):
            raise  # an exception class of the rule's own: leave it as it is
        # Python's own messages ("math domain error") say neither where nor at what value.
        raise type(error)(f"{name}'s {what} at {_point(xs)}: {error}") from error


def _number(
    result: object, name: str, what: str, xs: Sequence[float], finite: bool = True
) -> float:
    if type(result) is float:
        number = result
    elif isinstance(result, numbers.Real) and not isinstance(result, bool):
        number = float(result)
    else:
        raise TypeError(
            f"{name}'s {what} must return a number, got {type(result).__name__} at "
            f"{_point(xs)}; the rules receive and return plain numbers (the inputs' .data)"
        )
    if finite and number - number != 0.0:  # inf and nan
        raise ValueError(f"{name}'s {what} at {_point(xs)} is {number!r}, not a finite number")
    return number


def _point(xs: Sequence[float]) -> str:
    return ", ".join(f"x{k + 1} = {x!r}" for k, x in enumerate(xs))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
