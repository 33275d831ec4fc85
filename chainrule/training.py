"""The PyTorch lesson: a 1-16-16-1 ReLU network learns y = 2x + 1 (`chainrule train line`).

The lesson's data, split and network, trained with `fit`; its last lines (the prediction
for x = 12 and the errors) and a plot of the loss history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograd import Value, no_grad

# nn through chainrule's own finder, which works even beside a learner's nn.py.
from ._packages import nn

OPTIMIZERS = ("sgd", "adam", "rmsprop")


@dataclass
class LineRun:
    """A trained line network and how its training went."""

    model: nn.MLP
    history: nn.History
    n_train: int
    n_val: int


def train_line(
    *,
    epochs: int = 300,
    lr: float = 0.01,
    batch_size: int = 32,
    optimizer: str = "adam",
    seed: int = 0,
    progress: bool | str | None = None,
) -> LineRun:
    """The lesson's setup: 200 points of y = 2x + 1 on [-10, 10], 80/20 split, a 1-16-16-1
    ReLU MLP trained with mean squared error in batches (Adam at lr 0.01 by default).

    progress=None shows a progress bar only when the output is a terminal; "lines" prints
    a line every tenth of the epochs (nn.fit's progress). A loss that grows a million
    times past its first batch's stops training (TrainingDiverged).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}")
    xs, ys = nn.line_data(200, -10.0, 10.0)
    x_train, y_train, x_val, y_val = nn.train_val_split(xs, ys, val_fraction=0.2, seed=seed)
    model = nn.MLP(1, [16, 16, 1], "relu", seed=seed)
    choices = {"sgd": nn.SGD, "adam": nn.Adam, "rmsprop": nn.RMSprop}
    opt = choices[optimizer](model.parameters(), lr=lr)
    history = nn.fit(
        model,
        opt,
        x_train,
        y_train,
        x_val,
        y_val,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
        divergence=nn.train.DIVERGENCE_FACTOR,  # a loss a million times its start: stop
    )
    return LineRun(model, history, len(x_train), len(x_val))


def line_prediction(model: nn.MLP, x: float = 12.0) -> str:
    """The lesson's last lines: the prediction for x, the true 2x + 1 and the errors."""
    with no_grad():
        out = model([x])
    y_pred = out.data if isinstance(out, Value) else out[0].data
    y_true = 2.0 * x + 1.0
    abs_err = abs(y_pred - y_true)
    pct_err = abs_err / abs(y_true) * 100.0
    return "\n".join(
        [
            f"x={x:g}",
            f"Predicted y: {y_pred:.6f}",
            f"True y: {y_true:.6f}",
            f"Abs error: {abs_err:.6f}",
            f"% error: {pct_err:.4f}%",
        ]
    )


def plot_history(history: nn.History, path: str | Path, title: str = "y = 2x + 1") -> Path:
    """Save the train and validation loss per epoch as a picture (format by suffix).

    matplotlib is imported here, with the Agg backend, so nothing else needs it or a display.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    epochs = range(1, len(history.train_loss) + 1)
    axes.plot(epochs, history.train_loss, label="train loss")
    if history.val_loss:
        axes.plot(epochs, history.val_loss, label="val loss")
    axes.set_xlabel("epoch")
    axes.set_ylabel("MSE loss (log scale)")
    axes.set_yscale("log")
    axes.set_title(f"Learning history: {title}")
    axes.legend()
    axes.grid(True)
    try:
        figure.savefig(path)
    finally:
        plt.close(figure)
    return Path(path)
