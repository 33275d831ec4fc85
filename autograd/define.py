"""Operations of your own: the lecture's exercise of writing tanh (or exp) by hand.

An operation is two rules written with plain numbers: the forward rule (the output from the
inputs) and one local derivative per input (d output / d input). `define_op` turns them
into a row of the op table (`define_row`, which checks what the rules return) and returns a
function that builds nodes of it. From then on the engine treats it like any built-in row:
backward(), backward_steps, draw_dot and gradcheck use it, and the expression language finds
it by its name.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from .engine import FUNCTIONS, Value, _apply, _lift
from .ops import TABLE, Op

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from typing import Any

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
        return _apply(row, tuple(_lift(x) for x in operands))  # numbers become leaves

    build.op = row  # type: ignore[attr-defined]  # the row itself, for reading its rules
    return build


def define_row(
    name: str, forward: Callable[..., float], derivatives: Sequence[Callable[..., float]]
) -> Op:
    """A row of the op table for an operation of your own, one input per derivative.

    forward(x1, ..., xn) returns the output; derivatives[i] is d out / d x_i, called as
    derivatives[i](x1, ..., xn, out), or as derivatives[i](x1, ..., xn) if it takes only
    the inputs. All of them take and return plain numbers (the inputs' .data), as the
    table's own rows do; what they return is checked, because a rule that returns a Value
    or NaN would otherwise corrupt gradients far from the cause.
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

    def local(*xs: float, out: float) -> tuple[float, ...]:
        return tuple([rule(*xs, out) for rule in local_rules])

    template = {1: name + "({a})", 2: name + "({a}, {b})"}.get(n, name)  # else: in full
    return Op(name, template, _checked_forward(name, forward), local)


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
