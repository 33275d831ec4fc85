"""The Value node and the backward pass.

A Value holds one number (`data`), the derivative of some output with respect to it
(`grad`), and how it was made (`op`, `inputs`). Arithmetic on Values builds a graph;
`backward()` walks that graph from the output back to the leaves in topological order and
applies the chain rule: each input's gradient grows by local derivative x upstream gradient.
The local derivatives come from the op table in ops.py; this file applies them.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from .ops import (
    ADD,
    CLAMP,
    DIV,
    EXP,
    LEAF,
    LOG,
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

# Whether operations record the graph. no_grad() turns it off for a block.
_recording = True


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
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = LEAF
        self.inputs = ()
        self.const = None
        self._mark = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

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
            return _unary(POW_C, self, float(exponent))
        return NotImplemented

    def __rpow__(self, base: float) -> Value:  # base ** self, e.g. 2 ** v
        return _binary(POW, base, self)

    def __neg__(self) -> Value:
        return _unary(NEG, self)

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

    def clamp(self, low: float, high: float) -> Value:
        """self limited to [low, high]; the gradient passes only where it was not clipped."""
        if not low <= high:
            raise ValueError(f"clamp needs low <= high, got low={low!r}, high={high!r}")
        return _unary(CLAMP, self, (float(low), float(high)))

    # -- the backward pass --------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(leaf) * gradient into every leaf's .grad below self.

        Intermediate nodes get this pass's d(self)/d(node) * gradient (not a running total),
        so calling backward() twice without zeroing exactly doubles the leaves' gradients.
        """
        gradient = _as_float(gradient, "gradient")
        # Intermediate gradients restart every pass (the search sets them to 0 as it goes):
        # they are this pass's values, while leaves (parameters) keep accumulating until
        # someone calls zero_grad().
        order = _search(self, leaves=False, zero_grads=True)
        if not order:  # self is a leaf: d(self)/d(self) = 1
            self.grad += gradient
            return
        self.grad = gradient
        # Walk from the output back to the inputs. The topological order guarantees a
        # node's gradient is complete (every use of it has reported) before it is passed on.
        for node in reversed(order):
            upstream = node.grad
            op = node.op
            kind = op.kind
            inputs = node.inputs
            # The chain rule: input.grad += d node/d input (local) x d self/d node (upstream).
            # `+=` because an input used in several places receives one share from each.
            # One- and two-input nodes are unpacked directly; they are most of any graph.
            if kind == "binary":
                a, b = inputs
                local_a, local_b = op.local(a.data, b.data, node.data)
                a.grad += local_a * upstream
                b.grad += local_b * upstream
            elif kind == "unary":
                a = inputs[0]
                a.grad += op.local(a.data, node.data, node.const) * upstream
            elif op is WSUM:
                # A neuron's weighted sum holds most of a network's edges, so its row's local
                # derivatives (d/dw_i = x_i, d/dx_i = w_i, d/db = 1) are applied pair by pair
                # here, without building the list; the order and arithmetic are the same as
                # the generic loop below (tests compare the two bit for bit).
                pairs = iter(inputs)
                for w, x in zip(pairs, pairs):
                    w.grad += x.data * upstream
                    x.grad += w.data * upstream
                inputs[-1].grad += upstream  # the bias: local derivative 1
            else:
                for x, local in zip(inputs, op.local(inputs, node.data)):
                    x.grad += local * upstream


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
}


def _as_float(data: object, what: str = "Value") -> float:
    """data as a Python float, or a TypeError that names what was given."""
    if type(data) is float:
        return data
    if type(data) is int:
        return float(data)
    if isinstance(data, numbers.Real) and not isinstance(data, Value):
        return float(data)  # bool, Fraction, NumPy real scalars
    hint = " (use its .data)" if isinstance(data, Value) else ""
    raise TypeError(
        f"{what} needs a real number (int, float or NumPy real scalar), "
        f"got {type(data).__name__}{hint}"
    )


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
    if _recording:
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
    return _node(op.forward(a.data, const), op, (a,), const)


def _nary(op: Op, inputs: tuple[Value, ...]) -> Value:
    return _node(op.forward(inputs), op, inputs)


def sum_of(values: Iterable[Value | float]) -> Value:
    """values[0] + values[1] + ... as one `sum` node (a chain of `+` nodes gives the same
    number; one node is smaller, faster and easier to read in a drawing)."""
    inputs = tuple(_lift(v) for v in values)
    if not inputs:
        raise ValueError("sum_of needs at least one value, got an empty sequence")
    return _nary(SUM, inputs)


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
        return _nary(WSUM, tuple(operands))
    except (AttributeError, TypeError):  # numbers among the operands: make them leaves
        return _nary(WSUM, tuple([_lift(x) for x in operands]))


def topological_order(root: Value, *, leaves: bool = True) -> list[Value]:
    """Every node below root (root included), each one after all of its inputs.

    Iterative depth-first search, so a chain of a million operations needs no recursion.
    Inputs are visited last operand first (so the backward pass, which walks this order in
    reverse, takes the first operand's branch first) and nothing depends on object ids, so
    the same graph always gives the same order: (x + y) * z gives [z, y, x, x + y, f].
    With leaves=False only nodes with inputs are listed
    (what the backward pass needs: a leaf has nothing to pass its gradient on to).
    """
    return _search(root, leaves=leaves, zero_grads=False)


def _search(root: Value, *, leaves: bool, zero_grads: bool) -> list[Value]:
    """topological_order's search; with zero_grads it also sets each listed node's grad to
    0.0, as the backward pass needs, saving a second walk over the nodes."""
    if not leaves and not root.inputs:
        return []
    # Each search uses two fresh marks, so no mark left by an earlier search can match.
    entered, done = object(), object()
    order: list[Value] = []
    stack = [root]
    # (stack.append is left as written: Python specialises it, an alias would be slower.)
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark is entered:  # back from its inputs: all of them are in order now
            node._mark = done
            order.append(node)
            if zero_grads:
                node.grad = 0.0
        elif mark is not done:
            inputs = node.inputs
            if not inputs:  # a leaf is finished the moment it is reached
                node._mark = done
                order.append(node)
                continue
            node._mark = entered
            stack.append(node)  # to be finished after its inputs, which go on top of it
            # Inputs are pushed first-first, so the last operand is searched first and the
            # first operand's branch is finished last. The backward pass walks the order in
            # reverse, so it reaches the first operand's branch first: for E = E_o1 + E_o2
            # it works through o1 (and dE/dw5) before o2, as the slides do.
            if len(inputs) == 2:  # most nodes: unpacked, without a loop
                a, b = inputs
                if (a.inputs or leaves) and a._mark is not done:
                    stack.append(a)
                if (b.inputs or leaves) and b._mark is not done:
                    stack.append(b)
            else:
                for x in inputs:
                    if (x.inputs or leaves) and x._mark is not done:
                        stack.append(x)
    return order


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations record no graph (like torch.no_grad())."""
    global _recording
    previous = _recording
    _recording = False
    try:
        yield
    finally:
        _recording = previous


def is_grad_enabled() -> bool:
    """Whether operations are currently recording the graph."""
    return _recording
