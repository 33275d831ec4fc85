"""chainrule's neural-network library, built on the autograd engine.

    >>> from nn import MLP, Adam, fit, line_data, train_val_split
    >>> model = MLP(1, [16, 16, 1], seed=0)            # the lesson's 1-16-16-1 ReLU network
    >>> x_train, y_train, x_val, y_val = train_val_split(*line_data())
    >>> history = fit(model, Adam(model.parameters(), lr=0.01), x_train, y_train,
    ...               x_val, y_val, epochs=300, progress=False)

Modules (Neuron, Layer, MLP) build the graph, losses measure it, optimizers update it.
The network diagram (draw_network) is loaded on first use, as autograd's draw_dot is, so
importing nn imports no drawing code.
"""

from typing import TYPE_CHECKING, Any

from .data import batches, line_data, train_val_split
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss, sum_squared_error
from .module import Module
from .optim import SGD, Adam, Optimizer, RMSprop
from .train import History, TrainingDiverged, fit

if TYPE_CHECKING:
    from .diagram import draw_network

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "RMSprop",
    "TrainingDiverged",
    "batches",
    "binary_cross_entropy",
    "cross_entropy",
    "draw_network",
    "fit",
    "hinge_loss",
    "line_data",
    "mse_loss",
    "sum_squared_error",
    "train_val_split",
]


def __getattr__(name: str) -> Any:
    # The diagram lives in nn.diagram, which imports autograd.draw; load it only when asked.
    if name == "draw_network":
        from .diagram import draw_network

        return draw_network
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
