"""chainrule's neural-network library, built on the autograd engine.

    >>> from nn import MLP, Adam, fit, line_data, train_val_split
    >>> model = MLP(1, [16, 16, 1], seed=0)            # the lesson's 1-16-16-1 ReLU network
    >>> x_train, y_train, x_val, y_val = train_val_split(*line_data())
    >>> history = fit(model, Adam(model.parameters(), lr=0.01), x_train, y_train,
    ...               x_val, y_val, epochs=300, progress=False)

Modules (Neuron, Layer, MLP) build the graph, losses measure it, optimizers update it.
Linear, Sequential, ReLU, Tanh and Sigmoid are the same network over Tensors (a layer is one
matrix); they and the network diagram (draw_network) are loaded on first use, as autograd's
draw_dot is, so importing nn imports neither NumPy nor drawing code.
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
    from .tensor_layers import Linear, ReLU, Sequential, Sigmoid, Tanh

# The modules over Tensors (nn.tensor_layers imports NumPy), loaded on first use.
_TENSOR_MODULES = ("Linear", "ReLU", "Sequential", "Sigmoid", "Tanh")

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "Optimizer",
    "RMSprop",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
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
    if name in _TENSOR_MODULES:
        from . import tensor_layers

        return getattr(tensor_layers, name)
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
