"""The Value node and the backward pass.

A Value holds one number (`data`), the derivative of some output with respect to it
(`grad`), and how it was made (`op`, `inputs`). Arithmetic on Values builds a graph;
`backward()` walks that graph from the output back to the leaves in topological order and
applies the chain rule: each input's gradient grows by local derivative x upstream gradient.
The local derivatives come from the op table in ops.py; this file applies them.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from .backward import local_derivatives
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
        data = _as_float(data)
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
        upstream = self.grad
        for x, local in zip(self.inputs, local_derivatives(self)):
            x.grad += local * upstream  # += : an input used twice receives both shares

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
            return _unary(POW_C, self, _as_float(exponent, "an exponent"))
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
        low, high = _as_float(low, "clamp's low"), _as_float(high, "clamp's high")
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
        gradient = _as_gradient(gradient)
        # The nodes to pass gradients through (root last), and the leaves below them. The
        # search keeps every grad as it was, to put back if the pass fails part-way, and
        # sets the nodes' grads to 0: they are this pass's values, while leaves (parameters)
        # keep accumulating until someone calls zero_grad().
        nodes, saved, leaves = _plan(self)
        leaf_grads = [leaf.grad for leaf in leaves]
        if nodes:
            self.grad = gradient
        else:  # self is a leaf: d(self)/d(self) = 1
            self.grad += gradient
        failure = None
        try:
            self._apply_chain_rule(nodes)
            # A NaN or an infinity anywhere in the pass reaches a leaf (x + inf, x * inf and
            # 0 * inf are all inf or nan), so checking the leaves at the end catches it.
            for leaf in leaves:
                grad = leaf.grad
                data = leaf.data  # a NaN set by hand would be hidden by relu (0 * nan is 0)
                if grad - grad != 0.0 or data - data != 0.0:
                    break
            else:
                return
        except (ArithmeticError, ValueError) as error:  # a local derivative failed
            failure = error
        except BaseException:  # such as KeyboardInterrupt: put every grad back, then stop
            _restore(nodes, saved)
            _restore(leaves, leaf_grads)
            raise
        _restore(nodes, saved)
        _restore(leaves, leaf_grads)
        _explain_failure(self, gradient, failure, nodes + leaves, saved + leaf_grads)

    def _apply_chain_rule(self, order: list[Value]) -> None:
        """backward()'s pass over `order` (the nodes from _plan, root last), after its
        set-up."""
        # Walk from the output back to the inputs. The topological order guarantees a
        # node's gradient is complete (every use of it has reported) before it is passed on.
        for node in reversed(order):
            upstream = node.grad
            op = node.op
            inputs = node.inputs
            # The chain rule: input.grad += d node/d input (local) x d self/d node (upstream).
            # `+=` because an input used in several places receives one share from each.
            # One- and two-input nodes are unpacked directly; they are most of any graph.
            if len(inputs) == 2:
                a, b = inputs
                local_a, local_b = op.local(a.data, b.data, out=node.data)
                a.grad += local_a * upstream
                b.grad += local_b * upstream
            elif len(inputs) == 1:
                a = inputs[0]
                const = node.const
                if const is None:
                    (local,) = op.local(a.data, out=node.data)
                else:
                    (local,) = op.local(a.data, out=node.data, c=const)
                a.grad += local * upstream
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
                for x, local in zip(inputs, local_derivatives(node)):
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
    "abs": Value.abs,
    "max": lambda first, *rest: _fold(MAX, first, rest),
    "min": lambda first, *rest: _fold(MIN, first, rest),
}


def _as_float(data: object, what: str = "Value") -> float:
    """data as a Python float, or a TypeError that names what was given."""
    if type(data) is float:
        return data
    if type(data) is int or (isinstance(data, numbers.Real) and not isinstance(data, Value)):
        try:
            return float(data)  # int, bool, Fraction, NumPy real scalars
        except OverflowError:  # an int (or Fraction) beyond about 1.8e308
            raise ValueError(
                f"{what} needs a number a float can hold (up to about 1.8e308 in size), got "
                f"{type(data).__name__} {_size_of(data)}"
            ) from None
    hint = " (use its .data)" if isinstance(data, Value) else ""
    raise TypeError(
        f"{what} needs a real number (int, float or NumPy real scalar), "
        f"got {type(data).__name__}{hint}"
    )


def _as_gradient(gradient: object) -> float:
    """The `gradient` given to a backward pass, as a finite float."""
    gradient = _as_float(gradient, "gradient")
    if gradient - gradient != 0.0:
        raise ValueError(f"backward needs a finite gradient, got {gradient!r}")
    return gradient


def _restore(nodes: list[Value], grads: list[float]) -> None:
    for node, grad in zip(nodes, grads):
        node.grad = grad


def _explain_failure(
    root: Value,
    gradient: float,
    failure: BaseException | None,
    order: list[Value],
    saved: list[float],
) -> NoReturn:
    """Raise the error of a failed backward pass, every grad being back as it was.

    The fast pass only knows that something went wrong; the same pass one step at a time
    (backward_steps, bit for bit the same arithmetic) finds the first step that goes wrong
    and raises an error naming that node and its numbers, then puts the grads back itself.
    """
    from .steps import backward_steps  # steps is built on this module: import it late

    for _ in backward_steps(root, gradient):
        pass
    # Not reached while the two passes agree (tests check they do); if they ever did not,
    # the step-by-step pass finished: take it back and report what the fast pass met.
    _restore(order, saved)
    raise failure or OverflowError(f"backward from {root!r} met a number that is not finite")


def _size_of(number: object) -> str:
    """'of about 401 digits' for a huge int, without printing it (str() of a huge int is
    slow, and refused past 4300 digits)."""
    if isinstance(number, int):
        return f"of about {int(number.bit_length() * 0.30103) + 1} digits"
    return "too large for a float"


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
        data = [x.data for x in operands]
    except AttributeError:  # numbers among the operands: make them leaves
        operands = [_lift(x) for x in operands]
        data = [x.data for x in operands]
    return _node(WSUM.forward(*data), WSUM, tuple(operands))


def topological_order(root: Value, *, leaves: bool = True) -> list[Value]:
    """Every node below root (root included), each one after all of its inputs.

    Iterative depth-first search, so a chain of a million operations needs no recursion.
    Inputs are visited last operand first (so the backward pass, which walks this order in
    reverse, takes the first operand's branch first) and nothing depends on object ids, so
    the same graph always gives the same order: (x + y) * z gives [z, y, x, x + y, f].
    With leaves=False only nodes with inputs are listed
    (what the backward pass needs: a leaf has nothing to pass its gradient on to).
    """
    return _search(root, leaves=leaves)


def _search(root: Value, *, leaves: bool) -> list[Value]:
    """topological_order's search. (backward() walks the same way in _plan, which also keeps
    and zeroes the grads and lists the leaves apart.)"""
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


def _plan(root: Value) -> tuple[list[Value], list[float], list[Value]]:
    """What backward() needs, in one search: the nodes below root that have inputs, in
    topological order (root last; the same order as topological_order(root, leaves=False)),
    their grads as they were, and the leaves below them. Each node's grad is set to 0.0 as
    it is listed. (The same walk as _search; kept apart so neither pays for the other.)
    """
    if not root.inputs:
        return [], [], [root]
    entered, done = object(), object()  # fresh marks: none left by an earlier search match
    nodes: list[Value] = []
    saved: list[float] = []
    leaves: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark is entered:  # back from its inputs: all of them are in order now
            node._mark = done
            nodes.append(node)
            saved.append(node.grad)
            node.grad = 0.0
        elif mark is not done:
            inputs = node.inputs
            if not inputs:  # a leaf is finished the moment it is reached
                node._mark = done
                leaves.append(node)
                continue
            node._mark = entered
            stack.append(node)  # to be finished after its inputs, which go on top of it
            if len(inputs) == 2:  # most nodes: unpacked, without a loop (as in _search)
                a, b = inputs
                if a._mark is not done:
                    stack.append(a)
                if b._mark is not done:
                    stack.append(b)
            else:
                for x in inputs:
                    if x._mark is not done:
                        stack.append(x)
    return nodes, saved, leaves


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
