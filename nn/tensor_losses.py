"""The losses over Tensors: one Tensor operation per step of the formula, for a whole batch
(cross_entropy's two, as PyTorch's: log_softmax, then the negative log-likelihood).

nn.losses' mse_loss, binary_cross_entropy and cross_entropy hand Tensors over to these, so
a learner calls the same function on a list of Values or on a batch. Predictions and
targets must have the same shape (a model's (n, 1) outputs may take n targets of shape
(n,): one per sample); PyTorch would broadcast those to an (n, n) table and warn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor, nll

# Probabilities are kept inside [EPS, 1 - EPS] before a log, as in nn.losses.
EPS = 1e-12


def mse_loss(preds: Any, targets: Any) -> Tensor:
    """mean((pred - target)^2) over every entry."""
    preds, targets = _paired("mse_loss", preds, targets)
    return _named(((preds - targets) ** 2).mean())


def binary_cross_entropy(probs: Any, targets: Any) -> Tensor:
    """mean(-(t log p + (1 - t) log(1 - p))), p clamped to [1e-12, 1 - 1e-12] first."""
    probs, targets = _paired("binary_cross_entropy", probs, targets)
    t = targets.data
    outside = (t < 0.0) | (t > 1.0)
    if outside.any():
        raise ValueError(
            f"binary_cross_entropy targets must be in [0, 1], got {float(t[outside][0])!r}"
        )
    p = probs.clamp(EPS, 1.0 - EPS)
    return _named(-(targets * p.log() + (1.0 - targets) * (1.0 - p).log()).mean())


def cross_entropy(logits: Any, labels: Any) -> Tensor:
    """mean(-log softmax(logits)[label]) over the samples: logits of shape (n, classes) and
    n integer labels (or one sample: logits (classes,) and one label)."""
    if not isinstance(logits, Tensor):
        logits = Tensor(logits)
    labels_array = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels_array.dtype.kind == "f" and (labels_array == np.round(labels_array)).all():
        labels_array = labels_array.astype(np.intp)  # whole numbers written as floats
    if labels_array.dtype.kind not in "iu":
        raise ValueError(
            f"cross_entropy needs integer class labels, got dtype {labels_array.dtype}"
        )
    if logits.ndim not in (1, 2) or labels_array.shape != logits.shape[:-1]:
        raise ValueError(
            f"cross_entropy needs logits of shape (n, classes) and n labels, or (classes,) and "
            f"one label; got logits {logits.shape} and labels {labels_array.shape}"
        )
    classes = logits.shape[-1]
    if labels_array.size == 0:
        raise ValueError("cross_entropy needs at least one sample, got an empty batch")
    if _smallest(labels_array, None) < 0 or _largest(labels_array, None) >= classes:
        bad = labels_array[(labels_array < 0) | (labels_array >= classes)].flat[0]
        raise ValueError(
            f"cross_entropy label {int(bad)} is out of range for {classes} classes "
            f"(valid: 0 to {classes - 1})"
        )
    # log_softmax, then the mean of minus each sample's log-probability of its label: two
    # operations, as in PyTorch's graph (LogSoftmaxBackward, NllLossBackward)
    return _named(nll(logits.log_softmax(axis=-1), labels_array.astype(np.intp)))


_smallest = np.minimum.reduce  # (the ufuncs themselves: .min() goes through Python first)
_largest = np.maximum.reduce


def _named(loss: Tensor) -> Tensor:
    loss.label = "L"  # as the slides write it: dL/dW
    return loss


def _paired(name: str, preds: Any, targets: Any) -> tuple[Tensor, Tensor]:
    if not isinstance(preds, Tensor):
        preds = Tensor(preds)
    if not isinstance(targets, Tensor):
        targets = _constant(targets, preds)
    if targets.shape != preds.shape:
        if preds.ndim == 2 and preds.shape[1] == 1 and targets.shape == preds.shape[:1]:
            targets = targets.reshape(-1, 1)  # one target per sample, for (n, 1) outputs
        else:
            raise ValueError(
                f"{name} needs predictions and targets of the same shape, got {preds.shape} "
                f"and {targets.shape}"
            )
    if preds.size == 0:
        raise ValueError(f"{name} needs at least one prediction, got an empty batch")
    return preds, targets


def _constant(targets: Any, like: Tensor) -> Tensor:
    """Targets as a Tensor in the predictions' dtype (float32 predictions, float32 targets)."""
    tensor = Tensor(targets)
    if tensor.dtype != like.dtype:
        tensor = Tensor(tensor.data.astype(like.dtype))
    return tensor
