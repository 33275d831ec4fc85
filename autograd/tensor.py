"""Tensor: the same reverse-mode engine as Value, over NumPy arrays.

A layer is `a = f(W @ x + b)`: with W a matrix, one operation does what a Value graph needs
a node per weight for. A Tensor holds an array (`data`), the gradient of some output with
respect to it (`grad`, an array of the same shape), and how it was made (`op`, `inputs`).
`backward()` walks the graph from the output back to the leaves in topological order, and
for each operation asks the op table (tensor_ops.py) for its vector-Jacobian product:
input.grad += vjp(upstream). Broadcasting is undone in one place (`_unbroadcast`). As with
Value: no NaN or infinity passes silently (an operation that makes one raises, naming it),
and a failed backward pass changes no gradient.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .engine import Value, is_grad_enabled
from .tensor_backward import (
    all_finite,
    chain_rule,
    finish_pass,
    first_bad,
    topological_order,
)
from .tensor_ops import (
    ADD,
    CLAMP,
    DIV,
    DOMAIN,
    EXP,
    INDEX,
    LEAF,
    LINEAR,
    LOG,
    LOG_SOFTMAX,
    MATMUL,
    MEAN,
    MUL,
    NEG,
    NLL,
    POW,
    RELU,
    RESHAPE,
    SIGMOID,
    SOFTMAX,
    SUB,
    SUM,
    TANH,
    T,
    TensorOp,
)

Array = np.ndarray


class Tensor:
    """An array in a computation graph."""

    __slots__ = ("data", "_grad", "label", "op", "inputs", "const", "requires_grad", "_home")

    # Make NumPy hand `array + tensor` and `numpy_scalar * tensor` to our reflected operators.
    __array_ufunc__ = None

    data: Array
    _grad: Array | None
    label: str
    op: TensorOp
    inputs: tuple[Tensor, ...]
    const: Any
    requires_grad: bool
    # Where a parameter's gradient goes when it gets one from zero: its view of an optimizer's
    # flat buffer (nn.tensor_optim), so the step finds it there without copying; or None.
    _home: Array | None

    def __init__(self, data: Any, label: str = "", requires_grad: bool = False) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Tensor label must be a str, got {type(label).__name__}")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
        self.data = as_array(data, f"Tensor {label!r}" if label else "Tensor")
        self._grad = None
        self.label = label
        self.op = LEAF
        self.inputs = ()
        self.const = None
        self.requires_grad = requires_grad
        self._home = None

    # -- what it holds -------------------------------------------------------------------

    @property
    def grad(self) -> Array:
        """d(output)/d(self) from the backward passes so far: zeros until one reaches it."""
        if self._grad is None:
            if self._home is not None:
                self._home.fill(0.0)
                self._grad = self._home
            else:
                self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None or (isinstance(value, numbers.Real) and value == 0):
            self._grad = None  # zeros when next read (p.grad = 0.0 is zero_grad())
            return
        grad = np.array(value, dtype=self.data.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(
                f"a gradient must have the tensor's shape {self.data.shape}, got {grad.shape}"
            )
        self._grad = grad

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        """The one number of a one-element tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-element tensor, this one has shape {self.shape}")
        return float(self.data.reshape(()))

    def detach(self) -> Tensor:
        """The same numbers as a new leaf, outside the graph (no copy of the array)."""
        out = Tensor.__new__(Tensor)
        _set(out, self.data, LEAF, (), None, False)
        return out

    def __repr__(self) -> str:
        numbers = np.array2string(
            self.data, precision=4, separator=", ", threshold=20, prefix="Tensor("
        )
        extra = "" if self.data.dtype == np.float64 else f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({numbers}{extra})"

    # -- arithmetic: each operator in the source is one node in the graph ---------------

    def __add__(self, other: Any) -> Tensor:
        return _binary(ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:  # other + self
        return _binary(ADD, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(SUB, self, other)

    def __rsub__(self, other: Any) -> Tensor:  # other - self
        return _binary(SUB, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:  # other * self
        return _binary(MUL, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(DIV, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:  # other / self
        return _binary(DIV, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _binary(MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:  # other @ self
        return _binary(MATMUL, other, self)

    def __neg__(self) -> Tensor:
        return _unary(NEG, self)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"a Tensor's exponent must be a number, got {type(exponent).__name__}; "
                "for a tensor exponent write exp(b * log(a))"
            )
        c = float(exponent)
        if not math.isfinite(c):
            raise ValueError(f"** needs a finite exponent, got {c!r}")
        return _unary(POW, self, c)

    def __getitem__(self, key: Any) -> Tensor:
        """Entries picked by NumPy indexing (t[0], t[:, 1], t[rows, labels]); the gradient
        goes back to the entries picked, twice to one picked twice."""
        if isinstance(key, Tensor):
            key = key.data.astype(np.intp)
        try:
            return _unary(INDEX, self, key)
        except IndexError as error:
            raise IndexError(f"[]: {error} (the tensor has shape {self.shape})") from None

    def exp(self) -> Tensor:
        return _unary(EXP, self)

    def log(self) -> Tensor:
        return _unary(LOG, self)

    def tanh(self) -> Tensor:
        return _unary(TANH, self)

    def sigmoid(self) -> Tensor:
        return _unary(SIGMOID, self)

    def relu(self) -> Tensor:
        return _unary(RELU, self)

    def clamp(self, low: float, high: float) -> Tensor:
        """self limited to [low, high]; the gradient passes only where it was not clipped."""
        if not float(low) <= float(high):
            raise ValueError(f"clamp needs low <= high, got low={low!r}, high={high!r}")
        return _unary(CLAMP, self, (float(low), float(high)))

    def sum(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """The sum of all entries (axis=None), or along the given axis or axes."""
        return _unary(SUM, self, _axis(axis, self))

    def mean(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """The mean of all entries (axis=None), or along the given axis or axes."""
        return _unary(MEAN, self, _axis(axis, self))

    @property
    def T(self) -> Tensor:
        """The transpose (the axes reversed)."""
        return _unary(T, self)

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """The same entries in a new shape: t.reshape(2, 3) or t.reshape((2, 3)); one size
        may be -1, worked out from the others."""
        wanted = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            target = tuple(int(n) for n in wanted)  # type: ignore[union-attr, arg-type]
            np.empty(self.shape).reshape(target)  # (cheap: checks the sizes fit)
        except (TypeError, ValueError):
            raise ValueError(
                f"reshape: a tensor of shape {self.shape} ({self.size} entries) cannot take "
                f"the shape {tuple(wanted)}"  # type: ignore[arg-type]
            ) from None
        return _unary(RESHAPE, self, target)

    def softmax(self, axis: int = -1) -> Tensor:
        """e^x / sum e^x along axis (the largest entry is subtracted first: never overflows)."""
        return _unary(SOFTMAX, self, _one_axis(axis, self, "softmax"))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)) along axis, computed as x - max - log(sum e^(x - max)): finite
        however large the entries, and more accurate than log() of softmax()."""
        return _unary(LOG_SOFTMAX, self, _one_axis(axis, self, "log_softmax"))

    # -- the backward pass --------------------------------------------------------------

    def backward(self, gradient: Any = None) -> None:
        """Add d(self)/d(leaf) * gradient into every leaf's .grad below self.

        gradient has self's shape; for a one-element self (a loss) it may be left out (1).
        Intermediate tensors get this pass's gradient. All or nothing: when a gradient would
        not be finite, it raises naming the operation, and no .grad has changed.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not depend on any tensor with requires_grad=True, "
                "so there is nothing to differentiate (make the parameters with "
                "Tensor(..., requires_grad=True); nn.Linear's are)"
            )
        seed = self._seed(gradient)
        order = topological_order(self)
        grads = {self: seed}
        with np.errstate(all="ignore"):  # a NaN or infinity is reported below, by name
            for _ in chain_rule(order, grads, homes=True):
                pass
        finish_pass(self, order, grads, seed)

    def _seed(self, gradient: Any) -> Array:
        """d(self)/d(self) times the given gradient: what the pass starts from. A number
        (or None, meaning 1) is enough for a one-element tensor."""
        if isinstance(gradient, Tensor):
            gradient = gradient.data
        if gradient is not None:
            seed = as_array(gradient, "backward's gradient", dtype=self.data.dtype)
            if seed.shape == self.shape:
                return seed
            if seed.ndim != 0 or self.data.size == 1:
                if seed.ndim == 0:  # a number for a one-element tensor
                    return np.full_like(self.data, seed)
                raise ValueError(
                    f"backward's gradient must have the tensor's shape {self.shape}, "
                    f"got {seed.shape}"
                )
        if self.data.size != 1:
            raise ValueError(
                f"backward needs a gradient for a tensor of shape {self.shape}: only a "
                "one-element tensor (a loss) has an implied gradient of 1; pass "
                "gradient=... of that shape, or reduce it first (.sum() or .mean())"
            )
        return np.ones_like(self.data)


# ---------------------------------------------------------------------------------------
# Making results.
# ---------------------------------------------------------------------------------------


def _set(
    out: Tensor,
    data: Array,
    op: TensorOp,
    inputs: tuple[Tensor, ...],
    const: Any,
    requires_grad: bool,
) -> None:
    out.data = data
    out._grad = None
    out.label = ""
    out.op = op
    out.inputs = inputs
    out.const = const
    out.requires_grad = requires_grad
    out._home = None


def _result(op: TensorOp, data: Any, inputs: tuple[Tensor, ...], const: Any = None) -> Tensor:
    """The tensor op made from inputs, checked finite; a graph node while grad is enabled
    and an input requires grad, else a leaf."""
    if data.__class__ is not np.ndarray:  # a NumPy scalar, from a full sum or an index
        data = np.asarray(data)
    if not op.keeps_finite and not all_finite(data):
        raise _not_finite(op, data, inputs, const)
    out = _new_tensor(Tensor)
    needed = inputs[0].requires_grad  # (the others read directly, without a generator)
    if not needed and len(inputs) > 1:
        needed = inputs[1].requires_grad or (len(inputs) == 3 and inputs[2].requires_grad)
    if needed and is_grad_enabled():
        _set(out, data, op, inputs, const, True)
    else:
        _set(out, data, LEAF, (), const, False)
    return out


_new_tensor = object.__new__


def _unary(op: TensorOp, a: Tensor, const: Any = None) -> Tensor:
    return _result(op, op.forward(a.data, const), (a,), const)


def _binary(op: TensorOp, a: Any, b: Any) -> Tensor:
    like = a if isinstance(a, Tensor) else b
    a = _operand(a, like)
    b = _operand(b, like)
    if a is None or b is None:
        return NotImplemented
    x, y = a.data, b.data
    if op is MATMUL:
        _check_matmul(x, y)
    try:
        data = op.forward(x, y)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {x.shape} and {y.shape} do not broadcast together (compared from "
            "the right, each pair of sizes must be equal or one of them 1)"
        ) from None
    return _result(op, data, (a, b))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one operation, a layer's z (PyTorch's linear): x a batch of
    rows (n, n_in) or one sample (n_in,), weight (n_out, n_in), bias (n_out,). Backward
    gives dL/dx = dL/dz @ W, dL/dW = dL/dz^T @ x and dL/db = dL/dz summed over the batch.
    Without a bias it is the product x @ weight.T alone."""
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)) or not (
        bias is None or isinstance(bias, Tensor)
    ):
        given = ", ".join(type(t).__name__ for t in (x, weight, bias))
        raise TypeError(f"linear takes Tensors x, weight and bias (or None), got {given}")
    xs, ws = x.data.shape, weight.data.shape
    if len(ws) != 2 or not 1 <= len(xs) <= 2 or xs[-1] != ws[1]:
        raise ValueError(
            f"linear takes x of shape (n, n_in) or (n_in,) and a weight of shape (n_out, n_in): "
            f"got x {xs} and weight {ws}"
        )
    if bias is None:
        return x @ weight.T
    if bias.data.shape != ws[:1]:
        raise ValueError(
            f"linear's bias has one number per output ({ws[0]}), got shape {bias.data.shape}"
        )
    return _result(LINEAR, LINEAR.forward(x.data, weight.data, bias.data), (x, weight, bias))


def nll(
    log_probs: Tensor, labels: Any, *, what: str = "nll", scores: str = "log-probabilities"
) -> Tensor:
    """The negative log-likelihood: -mean(log_probs[i, labels[i]]) over the rows, for
    log_probs of shape (n, classes) and n integer labels (one row of log-probabilities and
    one label: -log_probs[label]). Labels that are not whole numbers, the wrong count, an
    empty batch and a label outside 0 .. classes - 1 are errors naming `what` (the caller:
    cross_entropy says its own name, and calls the scores logits)."""
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels.dtype.kind == "f" and (labels == np.round(labels)).all():
        labels = labels.astype(np.intp)  # whole numbers written as floats
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{what} needs integer class labels, got dtype {labels.dtype}")
    shape = log_probs.data.shape
    if not 1 <= len(shape) <= 2 or labels.shape != shape[:-1]:
        raise ValueError(
            f"{what} needs {scores} of shape (n, classes) and n labels, or (classes,) and one "
            f"label; got {scores} {shape} and labels {labels.shape}"
        )
    classes = shape[-1]
    if labels.size == 0:
        raise ValueError(f"{what} needs at least one sample, got an empty batch")
    if _smallest(labels, None) < 0 or _largest(labels, None) >= classes:
        bad = labels[(labels < 0) | (labels >= classes)].flat[0]
        raise ValueError(
            f"{what} label {int(bad)} is out of range for {classes} classes "
            f"(valid: 0 to {classes - 1})"
        )
    return _unary(NLL, log_probs, labels.astype(np.intp))  # (a copy: the graph keeps it)


_smallest = np.minimum.reduce  # (the ufuncs themselves: .min() goes through Python first)
_largest = np.maximum.reduce


def _operand(x: Any, like: Tensor) -> Tensor | None:
    """x as a Tensor: a Tensor as it is, a number or an array as a constant (a number takes
    the other operand's dtype), None for anything else."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(
            "a Tensor and a Value cannot be mixed in one operation; use the Value's .data "
            "(a number), or make it a Tensor"
        )
    if isinstance(x, numbers.Real) and not isinstance(x, np.ndarray):
        data = np.asarray(x, dtype=like.data.dtype)
    elif isinstance(x, (np.ndarray, list, tuple)):
        data = as_array(x, "an operand")
    else:
        return None
    out = _new_tensor(Tensor)
    _set(out, data, LEAF, (), None, False)
    if not all_finite(data):
        raise ValueError(f"an operand of a Tensor operation is not finite: {x!r:.80}")
    return out


def _check_matmul(a: Array, b: Array) -> None:
    if not 1 <= a.ndim <= 2 or not 1 <= b.ndim <= 2:
        raise ValueError(
            f"@ takes vectors and matrices (1 or 2 dimensions), got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[0]:
        hint = ""
        if b.ndim == 2 and a.shape[-1] == b.shape[1]:
            hint = "; did you mean to transpose the right one (W.T)?"
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} do not line up: the left's last size "
            f"({a.shape[-1]}) must equal the right's first ({b.shape[0]}){hint}"
        )


def _axis(axis: Any, t: Tensor) -> Any:
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for n in axes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -t.ndim <= n < t.ndim:
            raise ValueError(
                f"axis {n} is out of range for a tensor of shape {t.shape} ({t.ndim} dimensions)"
            )
    return axis


def _one_axis(axis: Any, t: Tensor, name: str) -> int:
    if isinstance(axis, tuple) or axis is None:
        raise TypeError(f"{name} works along one axis (an int), got {axis!r}")
    return _axis(axis, t)  # type: ignore[no-any-return]


def as_array(data: Any, what: str, dtype: Any = None) -> Array:
    """data as a new float array: float32 stays float32, everything else becomes float64
    (or `dtype`); every entry finite. Anything else is an error naming what was given."""
    if isinstance(data, (Tensor, Value)):
        raise TypeError(
            f"{what} needs numbers or an array, got a {type(data).__name__}; use its .data"
        )
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{what} needs a rectangular array of numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{what} needs real numbers (int, float, or an array of them), got "
            f"{type(data).__name__} of dtype {array.dtype}"
        )
    if dtype is None:
        dtype = np.float32 if array.dtype == np.float32 else np.float64
    array = np.array(array, dtype=dtype)  # a copy: the tensor never shares the caller's array
    if not all_finite(array):
        index = first_bad(array)
        raise ValueError(
            f"{what} needs finite numbers, got {float(array[index])!r} at index {index}: a NaN or "
            "an infinity would spread silently through every result and gradient"
        )
    return array


def _not_finite(op: TensorOp, data: Array, inputs: tuple[Tensor, ...], const: Any) -> Exception:
    """The error for an operation whose result is not finite, naming the operation, the
    first entry at fault and the numbers it was made from."""
    index = first_bad(data)
    value = float(data[index])
    n_bad = int((~np.isfinite(data)).sum())
    where = f" at index {index} of the {data.shape} result" if data.ndim else ""
    if n_bad > 1:
        where += f" ({n_bad} of its {data.size} entries are not finite)"
    if op.elementwise:
        operands = [float(np.broadcast_to(x.data, data.shape)[index]) for x in inputs]
        written = op.template.format(c=const, **dict(zip("ab", map(repr, operands))))
    else:
        shapes = " and ".join(str(x.shape) for x in inputs)
        written = f"{op} of shape{'s' if len(inputs) > 1 else ''} {shapes}"
        operands = []
    reason = DOMAIN.get(op, "the result is too large for a float")
    if op == "exp":  # the largest float's log, in the result's own precision
        limit = f"{float(np.log(np.finfo(data.dtype).max)):.2f}"
        if data.dtype != np.float64:
            limit += f" in {data.dtype}"
        reason = reason.format(exp_limit=limit)
    message = f"{written} is {value!r}{where}: {reason}"
    if op == "/" and operands and operands[1] == 0.0:
        return ZeroDivisionError(message)
    if np.isnan(value) or op == "log":
        return ValueError(message)
    return OverflowError(message)
