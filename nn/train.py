"""fit: the lesson's training loop, five steps per batch, repeated for every epoch.

    1. forward pass       preds = [model(x) for x in batch]
    2. loss               loss = loss_fn(preds, targets)
    3. clear gradients    optimizer.zero_grad()
    4. backpropagation    loss.backward()
    5. update             optimizer.step()   (the only step that changes the weights)

After each epoch the validation loss is measured without recording a graph (no_grad), and
both losses are kept in a History, ready to plot. A loss that stops being a finite number
(or, with divergence=DIVERGENCE_FACTOR, grows a million times past where it started)
stops training with TrainingDiverged, naming the epoch and suggesting the usual fix: a
lower learning rate.
"""

from __future__ import annotations

import math
import numbers
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from autograd import Value, no_grad

from .data import batches
from .losses import mse_loss

# A loss this many times its first batch's is diverging, not learning: `chainrule train`
# stops there (fit(divergence=DIVERGENCE_FACTOR)).
DIVERGENCE_FACTOR = 1e6


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite (or grew the `divergence` factor past where it
    started): the steps were too large (lower the learning rate)."""


@dataclass
class History:
    """The loss after each epoch: train_loss[k] and val_loss[k] belong to epoch k + 1.

    val_loss is empty when fit was given no validation data.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.train_loss)


class _Optimizer(Protocol):
    def zero_grad(self) -> None: ...
    def step(self) -> None: ...


def fit(
    model: Callable[[list[Any]], Any],
    optimizer: _Optimizer,
    x_train: Sequence[Any],
    y_train: Sequence[Any],
    x_val: Sequence[Any] | None = None,
    y_val: Sequence[Any] | None = None,
    *,
    epochs: int,
    batch_size: int = 32,
    loss_fn: Callable[[Any, Any], Value] = mse_loss,
    seed: int | None = 0,
    progress: bool | str | None = None,
    on_epoch: Callable[[int, float, float | None], None] | None = None,
    divergence: float | None = None,
) -> History:
    """Train `model` with `optimizer` on (x_train, y_train) for `epochs` passes.

    Each sample x is a list of inputs (a plain number x counts as [x]); for a model with
    Tensor parameters the samples may also be NumPy arrays, one row per sample, and lists
    are made arrays, so that each batch is one call of the model. Batches are
    reshuffled every epoch from `seed`. The train loss of an epoch is the lesson's
    sum over batches of loss * batch length / n_train; the validation loss is the loss over
    the whole validation set. progress shows a tqdm bar (None: only when stderr is a
    terminal); progress="lines" prints a line to stderr every tenth of the epochs instead,
    for output that goes to a file. on_epoch(epoch, train_loss, val_loss) is called after
    every epoch, with val_loss None when there is no validation data. Raises
    TrainingDiverged, naming the epoch, when the loss becomes NaN or infinite, and with
    `divergence` (a factor, such as DIVERGENCE_FACTOR) when a batch's loss is more than
    that many times the first batch's: growth that only ends in an overflow much later.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if len(x_train) != len(y_train):
        raise ValueError(
            f"x_train and y_train must have the same length, got {len(x_train)} and {len(y_train)}"
        )
    if len(x_train) == 0:
        raise ValueError("fit needs at least one training sample, got none")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    if x_val is not None and y_val is not None and len(x_val) != len(y_val):
        raise ValueError(
            f"x_val and y_val must have the same length, got {len(x_val)} and {len(y_val)}"
        )
    has_val = x_val is not None and len(x_val) > 0
    if getattr(optimizer, "flat", None) is not None:  # Tensor parameters: arrays, batched
        x_train, y_train = _array("x_train", x_train), _array("y_train", y_train)
        if has_val:
            x_val, y_val = _array("x_val", x_val), _array("y_val", y_val)
    if _is_array(x_train):  # NumPy arrays: a Tensor model takes each batch at once
        x_train = _as_batch(x_train)
        x_val = _as_batch(x_val) if has_val else x_val
    else:
        x_train = [_as_inputs(x) for x in x_train]
        x_val = [_as_inputs(x) for x in x_val] if has_val else []  # type: ignore[union-attr]
    epoch_seeds = random.Random(seed)  # one shuffle seed per epoch, all from `seed`
    history = History()
    if divergence is not None and not divergence > 1.0:
        raise ValueError(f"divergence must be a factor above 1 (or None), got {divergence!r}")
    watch = _Divergence(divergence, optimizer)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(1, epochs + 1):
            shuffle_seed = epoch_seeds.getrandbits(64)
            try:
                train_loss = _train_one_epoch(
                    model, optimizer, loss_fn, x_train, y_train, batch_size, shuffle_seed, epoch,
                    watch,
                )  # fmt: skip
                val_loss = None
                if has_val:
                    with no_grad():  # measuring only: no graph, no gradients
                        val_loss = float(loss_fn(_forward(model, x_val), y_val).data)
                    _check_finite(val_loss, epoch, optimizer)
            except OverflowError as error:  # the engine met a number too large for a float
                raise TrainingDiverged(_diverged_message(epoch, optimizer, str(error))) from error
            history.train_loss.append(train_loss)
            if val_loss is not None:
                history.val_loss.append(val_loss)
            if bar is not None:
                shown = {"train": f"{train_loss:.4g}"}
                if val_loss is not None:
                    shown["val"] = f"{val_loss:.4g}"
                bar.set_postfix(shown, refresh=False)
                bar.update(1)
            if on_epoch is not None:
                on_epoch(epoch, train_loss, val_loss)
    finally:
        if bar is not None:
            bar.close()
    return history


def _train_one_epoch(
    model: Callable[[list[Any]], Any],
    optimizer: _Optimizer,
    loss_fn: Callable[[Any, Any], Value],
    x_train: Sequence[Any],
    y_train: Sequence[Any],
    batch_size: int,
    shuffle_seed: int,
    epoch: int,
    watch: _Divergence,
) -> float:
    """One pass over the training data, the lesson's five steps per batch; returns the
    epoch's train loss, sum over batches of loss * batch length / n_train."""
    running = 0.0
    for xb, yb in batches(x_train, y_train, batch_size, seed=shuffle_seed):
        preds = _forward(model, xb)  # 1. forward pass
        loss = loss_fn(preds, yb)  # 2. loss
        _check_finite(float(loss.data), epoch, optimizer)
        watch.check(float(loss.data), epoch)
        optimizer.zero_grad()  # 3. clear the old gradients
        loss.backward()  # 4. backpropagation
        optimizer.step()  # 5. update the weights (the only step that changes them)
        running += float(loss.data) * len(xb)
    train_loss = running / len(x_train)
    _check_finite(train_loss, epoch, optimizer)
    _check_parameters(epoch, optimizer)
    return train_loss


def _forward(model: Callable[[Any], Any], xb: Any) -> Any:
    """The predictions for a batch: one call on an array batch, one call per sample else."""
    return model(xb) if _is_array(xb) else [model(x) for x in xb]


def _is_array(xs: object) -> bool:
    return hasattr(xs, "ndim") and hasattr(xs, "shape")


def _array(name: str, xs: Any) -> Any:
    """Samples given as lists, for a model with Tensor parameters: one NumPy array, so a
    batch is one call of the model (labels stay integers, as cross_entropy needs them)."""
    if _is_array(xs):
        return xs
    import numpy as np  # (only a Tensor model's training needs it)

    try:
        array = np.asarray(xs)
    except ValueError:  # rows of different lengths
        raise ValueError(
            f"fit: {name} for a Tensor model must be one table of numbers, every sample of the "
            "same length"
        ) from None
    if array.dtype.kind not in "iuf":
        raise ValueError(f"fit: {name} must hold numbers, got dtype {array.dtype}")
    return array


def _as_batch(xs: Any) -> Any:
    """An array of samples; a 1-D one holds one input per sample, so it becomes a column
    (as a plain number x counts as [x] above)."""
    return xs.reshape(-1, 1) if xs.ndim == 1 else xs


def _as_inputs(x: Any) -> Any:
    """A sample's inputs as a list: a number x becomes [x]."""
    if isinstance(x, (numbers.Real, Value)):
        return [x]
    return x


def _check_finite(loss: float, epoch: int, optimizer: object) -> None:
    if not math.isfinite(loss):
        raise TrainingDiverged(_diverged_message(epoch, optimizer, f"the loss became {loss!r}"))


class _Divergence:
    """Stops training whose loss grows `factor` times past the first batch's loss."""

    def __init__(self, factor: float | None, optimizer: object) -> None:
        self.factor = factor
        self.optimizer = optimizer
        self.start = 0.0  # the first positive loss seen

    def check(self, loss: float, epoch: int) -> None:
        if self.factor is None:
            return
        if self.start == 0.0:
            self.start = loss if loss > 0.0 else 0.0
        elif loss > self.factor * self.start:
            what = (
                f"the loss grew from {self.start:.4g} (the first batch) to {loss:.4g}, "
                f"over {self.factor:g} times where it started"
            )
            raise TrainingDiverged(_diverged_message(epoch, self.optimizer, what))


def _check_parameters(epoch: int, optimizer: object) -> None:
    # An infinite gradient from the last step makes weights inf or nan without any loss
    # showing it yet; the next forward pass would fail, but there may be none after fit.
    params = getattr(optimizer, "params", ())
    if not all(_all_finite(p.data) for p in params):
        raise TrainingDiverged(_diverged_message(epoch, optimizer, "a weight became inf or nan"))


def _all_finite(data: Any) -> bool:
    if isinstance(data, float):
        return math.isfinite(data)
    return bool(math.isfinite(data.sum()) or (abs(data) < math.inf).all())  # an array


def _diverged_message(epoch: int, optimizer: object, what: str) -> str:
    lr = getattr(optimizer, "lr", None)
    now = f" (it is {lr!r} now)" if lr is not None else ""
    return (
        f"training diverged in epoch {epoch}: {what}. The steps are too large for this "
        f"problem; try a lower learning rate{now}, e.g. a tenth of it."
    )


def _progress_bar(epochs: int, progress: bool | str | None) -> Any:
    if progress == "lines":
        return _ProgressLines(epochs)
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        progress = bool(isatty and isatty())
    if not progress:
        return None
    from tqdm import tqdm  # loaded only when a bar is shown

    return tqdm(total=epochs, desc="training", unit="epoch")


class _ProgressLines:
    """Progress as plain lines on stderr, one every tenth of the epochs and one at the end
    (tqdm's bar redraws one line, which a file or a CI log shows as a jumble):

        training: epoch 30/300, train 0.1234, val 0.2345
    """

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.every = max(1, epochs // 10)
        self.epoch = 0
        self.shown: dict[str, str] = {}

    def set_postfix(self, shown: dict[str, str], refresh: bool = False) -> None:
        self.shown = shown

    def update(self, n: int = 1) -> None:
        self.epoch += n
        if self.epoch % self.every == 0 or self.epoch == self.epochs:
            losses = "".join(f", {name} {value}" for name, value in self.shown.items())
            sys.stdout.flush()  # what was printed before comes first, in a shared file
            print(f"training: epoch {self.epoch}/{self.epochs}{losses}", file=sys.stderr)
            sys.stderr.flush()

    def close(self) -> None:
        pass
