"""The Value node: one number in a computation graph, and the operators that build graphs.

A Value holds one number (`data`), the derivative of some output with respect to it
(`grad`), and how it was made (`op`, `inputs`, and the operation's constant `const`, as the
3 of x ** 3). Arithmetic on Values builds a graph, one node per operator in the source, each
computed by its row of the op table (ops.py). `backward()` runs the chain rule back through
that graph; the pass itself is in backward.py.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from .backward import backpropagate, chain_rule
from .floats import as_float, as_gradient
from .ops import (
    ABS,
    ADD,
    CLAMP,
    DIV,
    EXP,
    LEAF,
    LOG,
    MAX,
    MIN,
    MUL,
    NEG,
    POW,
    POW_C,
    RELU,
    SIGMOID,
    SUB,
    SUM,
    TANH,
    WSUM,
    Op,
)
from .steps import explain_failure


class _GradMode(threading.local):
    """Whether operations record the graph, for each thread (True until no_grad())."""

    enabled = True


_grad_mode = _GradMode()
# How many no_grad() blocks are open, in all threads. While it is 0, which is nearly always
# during training, an operation records without reading the (slower) per-thread mode.
_open_no_grad_blocks = 0
_open_no_grad_lock = threading.Lock()


class Value:
    """One scalar in a computation graph."""

    # A fixed set of slots and no closure: a node is small, and holds no reference back to
    # itself, so a graph is freed as soon as its last outside reference goes.
    __slots__ = ("data", "grad", "label", "op", "inputs", "const", "_mark")

    # Make NumPy hand `numpy_scalar * value` to our reflected operators.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: Op
    inputs: tuple[Value, ...]
    const: object
    _mark: object

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        data = as_float(data)
        if data - data != 0.0:  # inf - inf and nan - nan are nan
            named = f" for {label!r}" if label else ""
            raise ValueError(
                f"Value needs a finite number, got {data!r}{named}: a NaN or an infinity "
                "would spread silently through every result and gradient computed from it"
            )
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = LEAF
        self.inputs = ()
        self.const = None
        self._mark = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- micrograd's names, as views of the ones above --------------------------------
    # Code written for micrograd (the lecture's draw_dot, build_topo and node-by-node
    # backward) reads these. They are computed when read, so a node still stores nothing
    # but its op and inputs: no set, no closure.

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the inputs, as a set: each input once (`.inputs` keeps
        operand order and repeats, as `(a * a).inputs == (a, a)`)."""
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """micrograd's name for the op's symbol: "" for a leaf, else "+", "*", "tanh", ..."""
        return str(self.op)

    def _backward(self) -> None:
        """This one node's chain rule, as micrograd's `_backward()`: each input's grad grows
        by d self / d input (read off the op table) x self.grad. A leaf does nothing.

        Calling it on every node in reverse topological order, after setting the output's
        grad to 1, is what backward() does (backward() also restarts intermediate grads).
        """
        for _ in chain_rule([self]):
            pass  # (it applies the step itself, yielding nothing)

    # -- arithmetic: each operator in the source is one node in the graph ---------------

    def __add__(self, other: Value | float) -> Value:
        return _binary(ADD, self, other)

    def __radd__(self, other: float) -> Value:  # other + self
        return _binary(ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        return _binary(SUB, self, other)

    def __rsub__(self, other: float) -> Value:  # other - self
        return _binary(SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        return _binary(MUL, self, other)

    def __rmul__(self, other: float) -> Value:  # other * self
        return _binary(MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return _binary(DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:  # other / self
        return _binary(DIV, other, self)

    def __pow__(self, exponent: Value | float) -> Value:
        if isinstance(exponent, Value):
            return _binary(POW, self, exponent)
        if isinstance(exponent, numbers.Real):
            # A number exponent is a constant of the operation, not an input.
            return _unary(POW_C, self, as_float(exponent, "an exponent"))
        return NotImplemented

    def __rpow__(self, base: float) -> Value:  # base ** self, e.g. 2 ** v
        return _binary(POW, base, self)

    def __neg__(self) -> Value:
        return _unary(NEG, self)

    # -- comparisons: by .data, so Python's max(a, b), min, sorted and `if a > 0:` work ---
    # They return a bool and build no node (a comparison has no useful derivative). `==`
    # is not among them: it stays identity, so Values remain usable as dict keys.

    def __lt__(self, other: Value | float) -> bool:
        data = _compared(other)
        return NotImplemented if data is None else self.data < data

    def __le__(self, other: Value | float) -> bool:
        data = _compared(other)
        return NotImplemented if data is None else self.data <= data

    def __gt__(self, other: Value | float) -> bool:
        data = _compared(other)
        return NotImplemented if data is None else self.data > data

    def __ge__(self, other: Value | float) -> bool:
        data = _compared(other)
        return NotImplemented if data is None else self.data >= data

    def exp(self) -> Value:
        return _unary(EXP, self)

    def log(self) -> Value:
        return _unary(LOG, self)

    def tanh(self) -> Value:
        return _unary(TANH, self)

    def sigmoid(self) -> Value:
        return _unary(SIGMOID, self)

    def relu(self) -> Value:
        return _unary(RELU, self)

    def max(self, other: Value | float) -> Value:
        """The larger of self and other, as a `max` node. The gradient goes to the one
        chosen, all of it; on a tie that is self, as Python's max(a, b) returns a."""
        return _binary(MAX, self, _lift(other))

    def min(self, other: Value | float) -> Value:
        """The smaller of self and other, as a `min` node; the gradient goes to the one
        chosen, self on a tie."""
        return _binary(MIN, self, _lift(other))

    def abs(self) -> Value:
        """|self| as an `abs` node (also `abs(v)`); its slope at 0 is taken as 0."""
        return _unary(ABS, self)

    __abs__ = abs

    def clamp(self, low: float, high: float) -> Value:
        """self limited to [low, high]; the gradient passes only where it was not clipped."""
        low, high = as_float(low, "clamp's low"), as_float(high, "clamp's high")
        if not low <= high:  # also false for a NaN bound
            raise ValueError(f"clamp needs low <= high, got low={low!r}, high={high!r}")
        return _unary(CLAMP, self, (low, high))

    # -- the backward pass --------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(leaf) * gradient into every leaf's .grad below self.

        Intermediate nodes get this pass's d(self)/d(node) * gradient (not a running total),
        so calling backward() twice without zeroing exactly doubles the leaves' gradients.
        All or nothing: when a gradient would not be a finite number, or a local derivative
        cannot be computed, it raises an error naming the node, and every .grad is exactly
        as it was before the call.
        """
        gradient = as_gradient(gradient)
        try:
            backpropagate(self, gradient)
        except (ArithmeticError, ValueError) as failure:  # a failed or non-finite step
            explain_failure(self, gradient, failure)  # (every grad is back as it was)


# The functions that text can name (the expression language, worked-example files), by
# name: each takes Values (or numbers) and returns a Value. Operations added later (max,
# min, abs, ones a user defines) register here too, so text can use them at once.
FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "clamp": Value.clamp,
    "abs": Value.abs,
    "max": lambda first, *rest: _fold(MAX, first, rest),
    "min": lambda first, *rest: _fold(MIN, first, rest),
}


def _node(data: float, op: Op, inputs: tuple[Value, ...], const: object = None) -> Value:
    """A new Value made by an operation (or a leaf, when no_grad() is on)."""
    if data - data != 0.0:  # inf - inf and nan - nan are nan: the result is not finite
        if not inputs:  # a number mixed into an expression
            raise OverflowError(f"an expression cannot use {data!r}: it is not a finite number")
        raise OverflowError(
            f"{op.describe([x.data for x in inputs], const)} = {data!r}: "
            "the result is not a finite number"
        )
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    # Record unless this thread is inside no_grad() (checked only while some thread is).
    if not _open_no_grad_blocks or _grad_mode.enabled:
        out.op = op
        out.inputs = inputs
    else:
        out.op = LEAF
        out.inputs = ()
    out.const = const
    out._mark = None
    return out


_new_value = object.__new__


def _operand(x: object) -> Value | None:
    """x as a Value: a Value as it is, a number as a new leaf, None for anything else."""
    if x.__class__ is float:
        return _node(x, LEAF, ())  # type: ignore[arg-type]
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return _node(float(x), LEAF, ())
    return None


def _lift(x: object) -> Value:
    """Like _operand, but anything that is not a number is a TypeError naming its type."""
    value = _operand(x)
    return Value(x) if value is None else value  # type: ignore[arg-type]  # Value() raises


def _compared(x: object) -> float | None:
    """What a comparison reads from x: a Value's data, a number itself, None otherwise."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)  # so that a comparison with a NumPy number is a bool too
    return None


def _fold(op: Op, first: Value | float, rest: Sequence[Value | float]) -> Value:
    """max(a, b, c, ...) or min(...) as binary nodes, left to right: max(max(a, b), c).
    A tie keeps the earlier value, as Python's max and min do."""
    if not rest:
        raise TypeError(f"{op} needs at least two values, got one")
    out = _lift(first)
    for x in rest:
        out = _binary(op, out, _lift(x))
    return out


def _binary(op: Op, a: Value | float, b: Value | float) -> Value:
    if a.__class__ is not Value:
        a = _operand(a)  # type: ignore[assignment]
        if a is None:
            return NotImplemented  # let Python try the other operand, then raise TypeError
    if b.__class__ is not Value:
        b = _operand(b)  # type: ignore[assignment]
        if b is None:
            return NotImplemented
    return _node(op.forward(a.data, b.data), op, (a, b))  # type: ignore[union-attr, arg-type]


def _unary(op: Op, a: Value, const: object = None) -> Value:
    if const is None:
        return _node(op.forward(a.data), op, (a,))
    return _node(op.forward(a.data, c=const), op, (a,), const)


def _apply(op: Op, inputs: tuple[Value, ...], const: object = None) -> Value:
    """A node of op over any number of inputs (each a Value)."""
    if const is None:
        return _node(op.forward(*[x.data for x in inputs]), op, inputs)
    return _node(op.forward(*[x.data for x in inputs], c=const), op, inputs, const)


def sum_of(values: Iterable[Value | float]) -> Value:
    """values[0] + values[1] + ... as one `sum` node (a chain of `+` nodes gives the same
    number; one node is smaller, faster and easier to read in a drawing)."""
    inputs = tuple(_lift(v) for v in values)
    if not inputs:
        raise ValueError("sum_of needs at least one value, got an empty sequence")
    return _apply(SUM, inputs)


def weighted_sum(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float
) -> Value:
    """w1*x1 + ... + wn*xn + bias as one `wsum` node: what a neuron computes before its
    activation. The node's inputs are (w1, x1, w2, x2, ..., wn, xn, bias)."""
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(
            f"weighted_sum needs one weight per input, got {n} weights and {len(inputs)} inputs"
        )
    operands: list = [bias] * (2 * n + 1)
    operands[0:-1:2] = weights
    operands[1:-1:2] = inputs
    try:
        # The wsum row's forward rule, each number read off its Value in the same pass: a
        # neuron's weighted sum is most of a network's forward pass, and the row, which
        # takes plain numbers, would need a pass more to collect them. The order and the
        # arithmetic are the row's (tests compare the two bit for bit).
        total = 0.0
        pairs = iter(operands)
        for w, x in zip(pairs, pairs):
            total += w.data * x.data
        data = total + operands[-1].data
    except (AttributeError, TypeError):  # numbers among the operands: make them leaves
        operands = [_lift(x) for x in operands]
        data = WSUM.forward(*[x.data for x in operands])
    return _node(data, WSUM, tuple(operands))


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations record no graph (like torch.no_grad()).

    The mode belongs to the calling thread: another thread training at the same time keeps
    recording. Blocks nest, and the mode before the block comes back even after an error.
    Also a decorator: `@no_grad()` on a function runs each call of it in such a block.
    """
    global _open_no_grad_blocks
    mode = _grad_mode
    previous = mode.enabled
    with _open_no_grad_lock:  # `+=` on a global is not atomic between threads
        _open_no_grad_blocks += 1
    mode.enabled = False
    try:
        yield
    finally:
        mode.enabled = previous
        with _open_no_grad_lock:
            _open_no_grad_blocks -= 1


@contextmanager
def enable_grad() -> Iterator[None]:
    """Inside this block, operations record the graph again, even inside no_grad()
    (like torch.enable_grad()); for the calling thread only. Also a decorator."""
    mode = _grad_mode
    previous = mode.enabled
    mode.enabled = True
    try:
        yield
    finally:
        mode.enabled = previous


def is_grad_enabled() -> bool:
    """Whether operations in the calling thread record the graph."""
    return _grad_mode.enabled
