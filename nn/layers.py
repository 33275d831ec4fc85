"""Neuron, Layer and MLP: the lesson's network, out = activation(w . x + b), stacked.

A Neuron is one weighted sum (one `wsum` node in the graph) followed by its activation; a
Layer is several neurons reading the same inputs; an MLP is layers in a row. Starting
weights follow PyTorch's nn.Linear: uniform in [-1/sqrt(n_inputs), 1/sqrt(n_inputs)], drawn
from a random.Random(seed) of the network's own, so the same seed gives the same network and
no global random state is touched. Without a seed, that generator's seed comes from Python's
`random` module, so `random.seed(1337)` repeats a run, as in micrograd. Exact weights can be
given instead, as numbers or as existing Values (which are then shared, like the slides'
bias b1 used by two neurons); `bias=False` makes neurons without a bias.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import Value, weighted_sum

from .module import Module

# What each activation name does to a neuron's weighted sum ("linear" does nothing).
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}

Number = float | int
Weight = Value | Number


class Neuron(Module):
    """activation(w1*x1 + ... + wn*xn + b) for n = n_inputs.

    bias: None (or True) draws a starting bias, a number or Value sets it, and False makes
    a neuron without one (`.b` is then None, and it has no "bias" in its state_dict).
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        weights: Sequence[Weight] | None = None,
        bias: Weight | bool | None = None,
        seed: int | None = None,
    ) -> None:
        _check_size("nin", nin)
        self._activate = _activation(activation)
        self.activation = activation
        rng = _generator(seed)
        # PyTorch's nn.Linear default: weights and bias uniform in [-1/sqrt(nin), 1/sqrt(nin)].
        bound = 1.0 / math.sqrt(nin)
        if weights is None:
            self.w = [Value(rng.uniform(-bound, bound)) for _ in range(nin)]
        else:
            if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
                raise TypeError(
                    f"weights must be a list of {nin} numbers or Values, "
                    f"got {type(weights).__name__}"
                )
            if len(weights) != nin:
                raise ValueError(
                    f"weights must have one entry per input (nin={nin}), got {len(weights)}"
                )
            self.w = [_parameter(w, f"weights[{i}]") for i, w in enumerate(weights)]
        # bias: None or True draws one, False means none, a number or Value sets it.
        self.b: Value | None
        if bias is None or bias is True:
            self.b = Value(rng.uniform(-bound, bound))
        elif bias is False:
            self.b = None
        else:
            self.b = _parameter(bias, "bias")

    def forward(self, xs: Sequence[Value | Number]) -> Value:
        """One `wsum` node, then one activation node (none for "linear")."""
        # Without a bias, the weighted sum's last input is a fresh constant 0, not a parameter
        # (labelled, so a drawing of the graph says what it is).
        out = weighted_sum(self.w, xs, Value(0.0, "no bias") if self.b is None else self.b)
        activate = self._activate
        return out if activate is None else activate(out)

    def __call__(self, xs: Sequence[Value | Number]) -> Value:
        return self.forward(_check_inputs(xs, len(self.w), "Neuron"))

    def state_tensors(self) -> dict[str, Any]:
        if self.b is None:  # as torch.nn.Linear(..., bias=False): no "bias" key
            return {"weight": self.w}
        return {"weight": self.w, "bias": self.b}

    def parameter_groups(
        self, boxes: tuple[str, ...] = ("neuron",)
    ) -> dict[Value, tuple[str, ...]]:
        """Each parameter with the boxes a drawing puts it in and its name, for
        draw_dot(..., group_by=neuron.parameter_groups()): {w[0]: ("neuron", "w.0"), ...}."""
        places = {w: (*boxes, f"w.{i}") for i, w in enumerate(self.w)}
        if self.b is not None:
            places.setdefault(self.b, (*boxes, "b"))
        return places

    def __repr__(self) -> str:
        no_bias = ", bias=False" if self.b is None else ""
        return f"Neuron({len(self.w)}, activation={self.activation!r}{no_bias})"


class Layer(Module):
    """n_outputs neurons that all read the same inputs; returns a list of their outputs
    (a list even for one neuron). bias=False makes every neuron bias-free."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        weights: Sequence[Sequence[Weight]] | None = None,
        biases: Sequence[Weight] | None = None,
        bias: bool = True,
        seed: int | None = None,
    ) -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        _activation(activation)
        _check_bias_flag(bias)
        if not bias and biases is not None:
            raise ValueError("biases were given with bias=False; give one or the other")
        if weights is not None and len(weights) != nout:
            raise ValueError(
                f"weights must have one row per neuron (nout={nout}), got {len(weights)} rows"
            )
        if biases is not None and len(biases) != nout:
            raise ValueError(
                f"biases must have one entry per neuron (nout={nout}), got {len(biases)}"
            )
        # Each neuron gets its own seed, drawn from this layer's: distinct but reproducible.
        rng = _generator(seed)
        self.activation = activation
        self.neurons = [
            Neuron(
                nin,
                activation,
                weights=None if weights is None else _row(weights, j, nin),
                bias=False if not bias else None if biases is None else biases[j],
                seed=rng.getrandbits(64),
            )
            for j in range(nout)
        ]

    def forward(self, xs: Sequence[Value | Number]) -> list[Value]:
        # Make numbers into Values once, so every neuron reads the same input nodes.
        xs = [x if isinstance(x, Value) else Value(x) for x in xs]
        return [neuron.forward(xs) for neuron in self.neurons]

    def __call__(self, xs: Sequence[Value | Number]) -> list[Value]:
        return self.forward(_check_inputs(xs, len(self.neurons[0].w), "Layer"))

    def state_tensors(self) -> dict[str, Any]:
        # The shapes of torch.nn.Linear: weight is nout rows of nin, bias has nout entries.
        weight = [n.w for n in self.neurons]
        if self.neurons[0].b is None:
            return {"weight": weight}
        return {"weight": weight, "bias": [n.b for n in self.neurons]}

    def parameter_groups(self, boxes: tuple[str, ...] = ("layer",)) -> dict[Value, tuple[str, ...]]:
        """Each parameter in its neuron's box inside this layer's box (see
        Neuron.parameter_groups): {w: ("layer", "neuron 1", "w.0"), ...}."""
        places: dict[Value, tuple[str, ...]] = {}
        for j, neuron in enumerate(self.neurons):
            for value, place in neuron.parameter_groups((*boxes, f"neuron {j}")).items():
                places.setdefault(value, place)  # a shared bias stays in its first box
        return places

    def check_follows(self, before: Layer) -> None:
        """A ValueError unless this layer can be applied to before's outputs: it takes as
        many inputs as before has neurons."""
        if len(self.neurons[0].w) != len(before.neurons):
            raise ValueError(
                f"these layers do not chain: a layer of {len(before.neurons)} neurons is "
                f"followed by one taking {len(self.neurons[0].w)} inputs"
            )

    def __repr__(self) -> str:
        nin = len(self.neurons[0].w)
        no_bias = ", bias=False" if self.neurons[0].b is None else ""
        return f"Layer({nin}, {len(self.neurons)}, activation={self.activation!r}{no_bias})"


class MLP(Module):
    """Layers in a row: nin inputs, then one layer per entry of nouts.

    Hidden layers use `activation`, the last one `output_activation`. Calling it returns a
    Value when the last layer has one output, else a list of Values. bias=False makes every
    neuron bias-free.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        bias: bool = True,
        seed: int | None = None,
    ) -> None:
        _check_size("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(
                f"nouts must be a non-empty list of layer sizes such as [16, 16, 1], got {nouts!r}"
            )
        for size in nouts:
            _check_size("each layer size in nouts", size)
        _activation(activation)
        _activation(output_activation)
        _check_bias_flag(bias)
        self.activation = activation
        self.output_activation = output_activation
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        rng = _generator(seed)
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                bias=bias,
                seed=rng.getrandbits(64),
            )
            for i in range(len(nouts))
        ]

    @classmethod
    def from_layers(cls, layers: Sequence[Layer]) -> MLP:
        """An MLP made of the given Layers, applied in order, sharing their Values: for a
        network whose weights are given (a worked example's 2-2-2), so that it can be
        called, drawn (network_drawing()) and trained like any other MLP."""
        if isinstance(layers, Layer):
            layers = [layers]
        if not isinstance(layers, Sequence) or not layers:
            raise TypeError(f"from_layers needs a non-empty list of Layers, got {layers!r}")
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"from_layers needs Layers, got {type(layer).__name__}")
        for before, after in zip(layers, layers[1:]):
            after.check_follows(before)
        mlp = cls.__new__(cls)
        mlp.activation = layers[0].activation
        mlp.output_activation = layers[-1].activation
        mlp.layers = list(layers)
        return mlp

    def parameter_groups(self) -> dict[Value, tuple[str, ...]]:
        """Each parameter in its neuron's box inside its layer's box, for
        draw_dot(..., group_by=mlp.parameter_groups()): {w: ("layer 0", "neuron 1", "w.0")}."""
        places: dict[Value, tuple[str, ...]] = {}
        for i, layer in enumerate(self.layers):
            for value, place in layer.parameter_groups((f"layer {i}",)).items():
                places.setdefault(value, place)
        return places

    def vectorized(self) -> Any:
        """The same network, with the same weights (copied), as an nn.Sequential of Linear
        layers over Tensors: one matrix per layer, a whole batch per call."""
        from .tensor_layers import Sequential  # NumPy: loaded only when asked for

        return Sequential.from_mlp(self)

    def forward(self, xs: Sequence[Value | Number]) -> Value | list[Value]:
        out: list[Value] = list(xs)  # type: ignore[arg-type]
        for layer in self.layers:
            out = layer.forward(out)
        return out[0] if len(out) == 1 else out

    def __call__(self, xs: Sequence[Value | Number]) -> Value | list[Value]:
        return self.forward(_check_inputs(xs, len(self.layers[0].neurons[0].w), "MLP"))

    def __repr__(self) -> str:
        sizes = [len(layer.neurons) for layer in self.layers]
        nin = len(self.layers[0].neurons[0].w)
        lines = [
            f"MLP({nin}, {sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}) with {self.n_parameters()} "
            "parameters:"
        ]
        lines += [f"  (layers.{i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "\n".join(lines)


# -- argument checks -------------------------------------------------------------------


def _check_size(what: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")


def _generator(seed: object) -> random.Random:
    """The generator a module draws its starting weights from: random.Random(seed). Without
    a seed, the seed itself is drawn from Python's `random` module, so random.seed(1337)
    before building a network repeats it (as in micrograd), and a seed= leaves the global
    random state untouched."""
    if seed is None:
        return random.Random(random.getrandbits(64))
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    return random.Random(seed)


def _check_bias_flag(bias: object) -> None:
    if not isinstance(bias, bool):
        raise TypeError(
            f"bias must be True or False, got {type(bias).__name__}; "
            "starting biases are given as biases=[...]"
        )


def _activation(name: object) -> Callable[[Value], Value] | None:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATIONS)}")
    return ACTIVATIONS[name]  # type: ignore[index]


def _parameter(w: object, what: str) -> Value:
    """An existing Value as it is (shared, not copied); a number as a new Value. Either way
    it must be finite: a NaN or infinite weight would spread through every output."""
    if isinstance(w, Value):
        number = w.data
    elif isinstance(w, bool) or not isinstance(w, numbers.Real):
        raise TypeError(f"{what} must be a number or a Value, got {type(w).__name__}")
    else:
        try:
            number = float(w)
        except OverflowError:
            digits = f"an int of about {int(w.bit_length() * 0.30103) + 1} digits"  # type: ignore[attr-defined]
            raise ValueError(f"{what} must be a finite number, got {digits}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {number!r}")
    return w if isinstance(w, Value) else Value(number)


def _row(weights: Sequence[Sequence[Weight]], j: int, nin: int) -> Sequence[Weight]:
    row = weights[j]
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != nin:
        got = f"{len(row)} entries" if isinstance(row, Sequence) else type(row).__name__
        raise ValueError(f"weights row {j} must have nin={nin} entries, got {got}")
    return row


def _check_inputs(xs: object, n_inputs: int, what: str) -> Sequence[Value | Number]:
    """xs as a sequence of n_inputs inputs, or an error that says what to pass instead.
    (Calling a module checks its inputs once; forward() itself trusts them, for speed.)"""
    if isinstance(xs, (Value, numbers.Real)):
        raise TypeError(
            f"a network takes a list of inputs, got a single {type(xs).__name__}; "
            "wrap it in a list: model([x])"
        )
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"a network takes a list of inputs, got {type(xs).__name__}")
    if not isinstance(xs, Sequence):
        xs = list(xs)  # e.g. a NumPy row
    if len(xs) != n_inputs:
        raise ValueError(f"this {what} takes {n_inputs} inputs, got {len(xs)}")
    return xs
