"""chainrule's neural-network library, built on the autograd engine.

    >>> from nn import MLP, Adam, fit, line_data, train_val_split
    >>> model = MLP(1, [16, 16, 1], seed=0)            # the lesson's 1-16-16-1 ReLU network
    >>> x_train, y_train, x_val, y_val = train_val_split(*line_data())
    >>> history = fit(model, Adam(model.parameters(), lr=0.01), x_train, y_train,
    ...               x_val, y_val, epochs=300, progress=False)

Modules (Neuron, Layer, MLP) build the graph, losses measure it, optimizers update it.
"""

from .data import batches, line_data, train_val_split
from .diagram import draw_network
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss, sum_squared_error
from .module import Module
from .optim import SGD, Adam, Optimizer, RMSprop
from .train import History, TrainingDiverged, fit

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
