"""The Tensor op table: each operation on arrays, its forward rule and its vector-Jacobian
product, one aligned row per operation.

The scalar table (ops.py) gives each operation's local derivative, a number. For arrays
that number becomes a matrix (the Jacobian), far too large to build for a layer: 64 x 128
outputs against 64 x 784 inputs. What the chain rule needs is only the upstream gradient
times that matrix, the vector-Jacobian product (vjp), and each row writes it directly:
for out = a @ b it is dL/da = g @ b.T and dL/db = a.T @ g, with g = dL/dout.
Broadcasting is undone in one place (Tensor's backward pass), not in the rows.
This file imports only NumPy; it knows nothing about graphs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray
Vjp = Callable[[Array, Array, Array, Any], Array]
# A vjp of an input in TensorOp.writes_into also takes the array to write its result into.
VjpInto = Callable[[Array, Array, Array, Any, Array], Array]

# The reductions as ufuncs: a.max() and a.sum() go through a Python function first, which
# costs more than the arithmetic on a layer's arrays.
_largest = np.maximum.reduce
_total = np.add.reduce


class TensorOp(str):
    """One row: it *is* its symbol (`op == "@"`), and carries its rules.

    forward(a, b) -> out and each vjp(g, out, a, b) -> dL/d input, one vjp per input. a is
    the first input's data; b is the second input's data, or for a one-input operation its
    constant (the exponent of x ** 2, the axis of a sum, the shape of a reshape). The one
    three-input row, linear, takes its bias as a third argument to forward; the bias's vjp
    needs g alone, so no vjp ever needs a third input. g is the
    gradient flowing into out (dL/dout); out is the forward result, reused where it is the
    derivative's cheapest ingredient (d/da e^a = e^a = out).
    """

    template: str
    forward: Callable[..., Array]  # (a, b); linear's (x, W, bias)
    vjps: tuple[Vjp, ...]
    elementwise: bool
    keeps_finite: bool
    writes_into: frozenset[int]

    def __new__(
        cls,
        symbol: str,
        template: str,
        forward: Callable[..., Array],
        *vjps: Vjp,
        elementwise: bool = True,
        keeps_finite: bool = False,
        writes_into: frozenset[int] = frozenset(),
    ) -> TensorOp:
        op = super().__new__(cls, symbol)
        op.template = template  # how the operation is written, for messages and drawings
        # A rule whose result is checked runs without NumPy's floating-point warnings: an
        # overflow or a domain error ("divide by zero encountered in log") makes an inf or
        # a nan, which the Tensor then reports naming the operation; a warning before it
        # would only say it twice (and, with warnings as errors, say it less clearly).
        op.forward = forward if keeps_finite else _quietly(forward)
        op.vjps = vjps
        op.elementwise = elementwise  # output[i] depends on input[i] alone (after broadcasting)
        # Finite inputs always give a finite result (a transpose moves numbers, relu and
        # tanh bound them), so the Tensor does not check the result; every other
        # operation's result is checked, as overflow or a domain error can make it inf or nan.
        op.keeps_finite = keeps_finite
        # The inputs whose vjp takes a fifth argument, an array of the input's shape to write
        # its result into (a layer's weight gradient, written straight into the optimizer's
        # buffer instead of into a new array copied there afterwards).
        op.writes_into = writes_into
        return op


def _quietly(rule: Callable[..., Array]) -> Callable[..., Array]:
    return np.errstate(all="ignore")(rule)  # (the decorator: half the cost of a `with`)


def _power(a: Array, c: float) -> Array:
    if c == 2.0:  # the square of a loss: a multiplication is faster than a power
        return a * a
    return np.power(a, c)


def _sigmoid(a: Array, c: Any = None) -> Array:
    # 1 / (1 + e^-a) overflows e^-a for a below about -709; with e = e^-|a| <= 1 this never
    # does: sigmoid(a) = 1 / (1 + e) for a >= 0, e / (1 + e) for a < 0.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0.0, 1.0, e) / (1.0 + e)


def _log_softmax(a: Array, axis: int) -> Array:
    # log(e^a_i / sum_j e^a_j) = a_i - m - log(sum_j e^(a_j - m)), with m the largest a_j:
    # the same number, but no exponential ever sees a positive argument.
    shifted = a - _largest(a, axis, keepdims=True)
    return shifted - np.log(_total(np.exp(shifted), axis, keepdims=True))


def _softmax(a: Array, axis: int) -> Array:
    e = np.exp(a - _largest(a, axis, keepdims=True))
    return e / _total(e, axis, keepdims=True)


def _matmul_vjp_a(g: Array, out: Array, a: Array, b: Array) -> Array:
    # out = a @ b: dL/da = g @ b.T (for a vector b, the outer product of g and b).
    return g @ b.T if b.ndim == 2 else np.multiply.outer(g, b)


def _matmul_vjp_b(g: Array, out: Array, a: Array, b: Array) -> Array:
    # out = a @ b: dL/db = a.T @ g (for a vector a, the outer product of a and g).
    if a.ndim != 2:
        return np.multiply.outer(a, g)
    if b.flags.f_contiguous and not b.flags.c_contiguous:
        # b is a transpose, W.T in x @ W.T: the same numbers, (g.T @ a).T, laid out as W is,
        # so adding them into W's gradient reads memory in order.
        return (g.T @ a).T
    return a.T @ g


def _linear(x: Array, w: Array, bias: Array | None = None) -> Array:
    # A layer's z = x @ W.T + b for a batch x of rows (PyTorch's layout: W is (out, in)).
    # The product is a new array, so the bias is added into it, not into a third one.
    out = x @ w.T
    if bias is not None:
        out += bias
    return out


def _linear_vjp_w(g: Array, out: Array, x: Array, w: Array, into: Array | None = None) -> Array:
    # dL/dW = dL/dz^T @ x: in W's own layout, (out, in), for a batch x and for one sample;
    # written into `into` when given (see TensorOp.writes_into).
    if x.ndim == 2:
        return np.matmul(g.T, x, out=into)
    return np.multiply.outer(g, x, out=into)


def _bias_vjp(g: Array, out: Array, x: Array, w: Array) -> Array:
    # every sample's dL/dz adds into the bias, which all of them used
    return _total(g, 0) if g.ndim == 2 else g


def _nll(log_probs: Array, labels: Array) -> Array:
    # -mean over the samples of the log-probability of each one's label (one sample: minus
    # the entry at its label). labels were checked by cross_entropy.
    if log_probs.ndim == 1:
        return -log_probs[labels]
    return np.asarray(-_total(log_probs[np.arange(len(labels)), labels]) / len(labels))


def _nll_vjp(g: Array, out: Array, log_probs: Array, labels: Array) -> Array:
    # -g / n at each sample's label, 0 everywhere else
    grad = np.zeros_like(log_probs)
    if log_probs.ndim == 1:
        grad[labels] = -g
    else:
        grad[np.arange(len(labels)), labels] = -g / len(labels)
    return grad


def _spread(g: Array, a: Array, axis: Any) -> Array:
    """A sum's vjp: every input entry gets the gradient of the total it went into."""
    if axis is not None:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, a.shape)


def _mean_vjp(g: Array, out: Array, a: Array, axis: Any) -> Array:
    return _spread(g, a, axis) / (a.size // max(out.size, 1))


def _index_vjp(g: Array, out: Array, a: Array, key: Any) -> Array:
    # Each picked entry gets its gradient back; an entry picked twice gets both (add.at).
    grad = np.zeros_like(a)
    np.add.at(grad, key, g)
    return grad


def _sum(a: Array, axis: Any) -> Array:
    return np.asarray(a.sum(axis=axis))


def _mean(a: Array, axis: Any) -> Array:
    return np.asarray(a.mean(axis=axis))


# ---------------------------------------------------------------------------------------
# The table.  forward(a, b) -> out        vjp(g, out, a, b) -> dL/d(that input)
# b is the second input's data, or the constant of a one-input operation.
# ---------------------------------------------------------------------------------------

# fmt: off
ADD      = TensorOp("+",   "{a} + {b}",  np.add,               lambda g, out, a, b: g,            lambda g, out, a, b: g)
SUB      = TensorOp("-",   "{a} - {b}",  np.subtract,          lambda g, out, a, b: g,            lambda g, out, a, b: -g)
MUL      = TensorOp("*",   "{a} * {b}",  np.multiply,          lambda g, out, a, b: g * b,        lambda g, out, a, b: g * a)
DIV      = TensorOp("/",   "{a} / {b}",  np.divide,           lambda g, out, a, b: g / b,        lambda g, out, a, b: -g * out / b)
MATMUL   = TensorOp("@",   "{a} @ {b}",  np.matmul,            _matmul_vjp_a,                     _matmul_vjp_b, elementwise=False)
POW      = TensorOp("**",  "{a} ** {c}", _power,               lambda g, out, a, c: g * c * a ** (c - 1))
NEG      = TensorOp("neg", "-{a}",       lambda a, c: -a,      lambda g, out, a, c: -g,           keeps_finite=True)
EXP      = TensorOp("exp", "exp({a})",   np.exp,               lambda g, out, a, c: g * out)
LOG      = TensorOp("log", "log({a})",   np.log,               lambda g, out, a, c: g / a)
TANH     = TensorOp("tanh", "tanh({a})", lambda a, c: np.tanh(a),
                    lambda g, out, a, c: g * (1.0 - out * out), keeps_finite=True)
SIGMOID  = TensorOp("sigmoid", "sigmoid({a})", _sigmoid,       lambda g, out, a, c: g * out * (1.0 - out),
                    keeps_finite=True)
# relu is not differentiable at 0; like PyTorch (and the scalar table) we use 0 there.
RELU     = TensorOp("relu", "relu({a})", lambda a, c: np.maximum(a, 0.0),
                    lambda g, out, a, c: g * (a > 0.0), keeps_finite=True)
# clamp passes the gradient only where it did not clip (c = (low, high)).
CLAMP    = TensorOp("clamp", "clamp({a}, {c})", lambda a, c: np.clip(a, *c),
                    lambda g, out, a, c: g * ((a >= c[0]) & (a <= c[1])))
SUM      = TensorOp("sum",  "sum({a}, axis={c})",  _sum,       lambda g, out, a, c: _spread(g, a, c), elementwise=False)
MEAN     = TensorOp("mean", "mean({a}, axis={c})", _mean,      _mean_vjp,                         elementwise=False)
T        = TensorOp("T",   "{a}.T",      lambda a, c: a.T,     lambda g, out, a, c: g.T,          elementwise=False,
                    keeps_finite=True)
RESHAPE  = TensorOp("reshape", "{a}.reshape{c}", lambda a, c: a.reshape(c),
                    lambda g, out, a, c: g.reshape(a.shape), elementwise=False, keeps_finite=True)
INDEX    = TensorOp("[]",  "{a}[{c}]",   lambda a, c: a[c],    _index_vjp,                        elementwise=False,
                    keeps_finite=True)
# softmax_i = e^a_i / sum_j e^a_j; its vjp is out * (g - sum_j g_j out_j) along the axis,
# and log_softmax's is g - softmax * sum_j g_j (softmax = e^out).
SOFTMAX  = TensorOp("softmax", "softmax({a}, axis={c})", _softmax,
                    lambda g, out, a, c: out * (g - (g * out).sum(axis=c, keepdims=True)),
                    elementwise=False)
LOG_SOFTMAX = TensorOp("log_softmax", "log_softmax({a}, axis={c})", _log_softmax,
                       lambda g, out, a, c: g - np.exp(out) * _total(g, c, keepdims=True),
                       elementwise=False)
# A layer's z = x @ W.T + b as one operation, as PyTorch's linear: three inputs, x, W, b.
LINEAR   = TensorOp("linear", "{a} @ {b}.T + {c}", _linear,
                    lambda g, out, a, b: g @ b, _linear_vjp_w, _bias_vjp, elementwise=False,
                    writes_into=frozenset({1}))
# The negative log-likelihood of the labels (c): the end of cross_entropy, after log_softmax.
NLL      = TensorOp("nll", "nll({a}, labels)", _nll, _nll_vjp, elementwise=False)
# fmt: on

TABLE: tuple[TensorOp, ...] = (
    ADD, SUB, MUL, DIV, MATMUL, POW, NEG, EXP, LOG, TANH, SIGMOID, RELU, CLAMP,
    SUM, MEAN, T, RESHAPE, INDEX, SOFTMAX, LOG_SOFTMAX, LINEAR, NLL,
)  # fmt: skip

# What each operation needs of its inputs, said when a result is not a finite number.
DOMAIN: dict[str, str] = {
    "log": "log is defined only for positive numbers",
    "/": "the divisor is 0 there, or the quotient is too large for a float",
    "**": "a negative number to a fractional power is not real, 0 to a negative power "
    "divides by zero, or the power is too large for a float",
    "exp": "exp is finite only for inputs up to about {exp_limit}",  # (709.78 in float64)
}


def _leaf_has_no_rule(*args: object) -> Any:
    raise TypeError("a leaf Tensor was made by hand, not computed: it has no rule or inputs")


# What a Tensor made by hand has as its op: nothing computed it, nothing to differentiate.
LEAF = TensorOp("", "", _leaf_has_no_rule)
