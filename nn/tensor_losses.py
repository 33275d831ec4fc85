"""The losses over Tensors: one Tensor operation per step of the formula, for a whole batch
(cross_entropy's two, as PyTorch's: log_softmax, then the negative log-likelihood).

nn.losses' mse_loss, binary_cross_entropy and cross_entropy hand Tensors over to these, so
a learner calls the same function on a list of Values or on a batch. Predictions and
targets must have the same shape (a model's (n, 1) outputs may take n targets of shape
(n,): one per sample); PyTorch would broadcast those to an (n, n) table and warn.
"""

from __future__ import annotations

from typing import Any

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
    if logits.ndim not in (1, 2):  # (before log_softmax; nll checks the labels against it)
        raise ValueError(
            f"cross_entropy needs logits of shape (n, classes) and n labels, or (classes,) and "
            f"one label; got logits {logits.shape}"
        )
    # log_softmax, then the mean of minus each sample's log-probability of its label: two
    # operations, as in PyTorch's graph (LogSoftmaxBackward, NllLossBackward)
    log_probs = logits.log_softmax(axis=-1)
    return _named(nll(log_probs, labels, what="cross_entropy", scores="logits"))


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
