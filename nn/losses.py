"""Loss functions: one number that says how wrong the predictions are.

Each loss takes the model's outputs (Values) and the targets (numbers or Values) and returns
one Value, so `loss.backward()` fills every parameter's grad. They are written to stay
finite at extreme inputs: probabilities are clamped away from 0 and 1 before a log, and
cross entropy subtracts the largest logit (as a constant) before exponentiating.
Inputs may be single values or equally long sequences; a sequence of per-sample lists
(a multi-output model) is flattened, as PyTorch averages over every element.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from autograd import Value, sum_of
from autograd.tensor_probe import any_tensor

Scalar = Value | float | int
Scalars = Scalar | Sequence[Scalar] | Sequence[Sequence[Scalar]]

# Probabilities are kept inside [EPS, 1 - EPS] before a log, so p = 0 or 1 gives a large but
# finite loss (log(1e-12) is about -27.6) instead of an error.
EPS = 1e-12


def mse_loss(preds: Scalars, targets: Scalars) -> Value:
    """Mean squared error: (1/n) * sum (pred - target)^2, the lesson's regression loss.
    (Given Tensors, the same over a batch: nn.tensor_losses.)"""
    if any_tensor((preds, targets)):
        return _tensor_losses().mse_loss(preds, targets)  # type: ignore[no-any-return]
    preds, targets = _paired("mse_loss", preds, targets)
    # One `sum` node over the squares, then one division: few nodes, a fast backward pass.
    return _total([(p - t) ** 2 for p, t in zip(preds, targets, strict=True)]) / len(preds)


def sum_squared_error(outputs: Scalars, targets: Scalars) -> Value:
    """The slides' total error E = sum 1/2 (target - out)^2 (the 1/2 cancels the 2 of the
    derivative, so dE/dout = out - target)."""
    outputs, targets = _paired("sum_squared_error", outputs, targets)
    return _total([(t - o) ** 2 for o, t in zip(outputs, targets, strict=True)]) * 0.5


def binary_cross_entropy(probs: Scalars, targets: Scalars) -> Value:
    """Mean of -(t * log(p) + (1 - t) * log(1 - p)) for probabilities p and targets t in
    [0, 1] (p usually comes from a sigmoid). p is clamped to [1e-12, 1 - 1e-12] first."""
    if any_tensor((probs, targets)):
        return _tensor_losses().binary_cross_entropy(probs, targets)  # type: ignore[no-any-return]
    probs, targets = _paired("binary_cross_entropy", probs, targets)
    for i, t in enumerate(targets):
        if not isinstance(t, Value) and not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy targets must be in [0, 1], got {t!r} at {i}")
    terms = []
    for p, t in zip(probs, targets, strict=True):
        p = _lift(p).clamp(EPS, 1.0 - EPS)
        terms.append(t * p.log() + (1 - t) * (1 - p).log())
    return -_total(terms) / len(terms)


def cross_entropy(
    logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
    target_index: int | Sequence[int],
) -> Value:
    """-log softmax(logits)[target_index]: the classification loss on raw scores.

    Computed as log(sum_j exp(z_j - m)) - (z_target - m) with m = max(z) taken as a constant:
    the same number (m cancels), but no exp ever sees a large positive argument.
    Given a list of logit lists and a list of indices, returns the mean over the samples;
    given a Tensor of logits (n, classes) and n integer labels, the same over the batch.
    """
    if any_tensor((logits,)):
        return _tensor_losses().cross_entropy(logits, target_index)  # type: ignore[no-any-return]
    if isinstance(target_index, Sequence):
        if isinstance(logits, (Value, numbers.Real)) or len(logits) != len(target_index):
            raise ValueError(
                f"cross_entropy needs one list of logits per target index, got "
                f"{_length(logits)} logit lists and {len(target_index)} indices"
            )
        if not target_index:
            raise ValueError("cross_entropy needs at least one sample, got empty lists")
        samples = zip(logits, target_index, strict=True)
        losses = [_cross_entropy_one(z, t) for z, t in samples]
        return _total(losses) / len(losses)
    return _cross_entropy_one(logits, target_index)


def _cross_entropy_one(logits: Any, target: Any) -> Value:
    # Any: both are checked here, at run time, with messages that say what is wrong.
    if isinstance(logits, (Value, numbers.Real, str)) or not isinstance(logits, Sequence):
        raise ValueError(f"cross_entropy needs a list of logits, got {type(logits).__name__}")
    if not logits:
        raise ValueError("cross_entropy needs at least one logit, got an empty list")
    if isinstance(target, bool) or not isinstance(target, int):
        raise ValueError(f"cross_entropy target_index must be an int, got {target!r}")
    if not 0 <= target < len(logits):
        raise ValueError(
            f"cross_entropy target_index {target} is out of range for {len(logits)} logits "
            f"(valid: 0 to {len(logits) - 1})"
        )
    zs = [_lift(z) for z in logits]
    m = max(z.data for z in zs)  # a plain float: a constant, not part of the graph
    shifted = [z - m for z in zs]
    return sum_of([s.exp() for s in shifted]).log() - shifted[target]


def hinge_loss(scores: Scalars, targets: Scalars) -> Value:
    """The max-margin loss: mean of relu(1 - y * s) for labels y = +1 or -1. Zero once every
    score is on the right side with a margin of at least 1."""
    scores, targets = _paired("hinge_loss", scores, targets)
    for i, y in enumerate(targets):
        if not isinstance(y, Value) and y not in (1.0, -1.0):
            raise ValueError(f"hinge_loss targets must be +1 or -1, got {y!r} at {i}")
    margins = [_lift(1 - y * s).relu() for s, y in zip(scores, targets, strict=True)]
    return _total(margins) / len(margins)


# -- helpers ---------------------------------------------------------------------------


def _tensor_losses() -> Any:
    from . import tensor_losses  # NumPy: loaded only when a Tensor is given

    return tensor_losses


def _lift(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _length(x: object) -> str:
    return str(len(x)) if isinstance(x, Sequence) else "no"


def _flat(name: str, what: str, xs: Scalars) -> list[Scalar]:
    """xs as a flat list: a single value becomes [x], per-sample lists are joined."""
    if isinstance(xs, (Value, numbers.Real)):
        return [xs]
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(f"{name} {what} must be numbers, Values or lists of them, got {xs!r:.60}")
    flat: list[Scalar] = []
    for i, x in enumerate(xs):
        if isinstance(x, (Value, numbers.Real)):
            flat.append(x)
        elif isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
            flat.extend(_flat(name, what, x))
        else:
            raise TypeError(f"{name} {what}[{i}] must be a number or a Value, got {x!r:.60}")
    return flat


def _paired(name: str, outputs: Scalars, targets: Scalars) -> tuple[list[Scalar], list[Scalar]]:
    outputs_flat = _flat(name, "predictions", outputs)
    targets_flat = _flat(name, "targets", targets)
    if len(outputs_flat) != len(targets_flat):
        raise ValueError(
            f"{name} needs as many targets as predictions, got {len(outputs_flat)} predictions "
            f"and {len(targets_flat)} targets"
        )
    if not outputs_flat:
        raise ValueError(f"{name} needs at least one prediction, got an empty list")
    return outputs_flat, targets_flat


def _total(terms: list[Any]) -> Value:
    """The terms added up as one `sum` node; a single term is its own total (no node)."""
    if len(terms) == 1:
        return terms[0] if isinstance(terms[0], Value) else Value(terms[0])
    return sum_of(terms)
