"""Linear, Sequential and the activations: the lesson's layer a = f(Wx + b) over Tensors.

A Layer of Neurons is one `wsum` node per neuron and a node per weight in the graph; a
Linear is one matrix: `x @ W.T + b` computes every neuron of the layer for every sample
of a batch in one operation (`linear`, as PyTorch's). The names, shapes and state-dict
keys are PyTorch's (`weight` is n_out x n_in, a Sequential's keys are "0.weight",
"0.bias", ...), so a model moves to PyTorch (`to_torch()`) and back
(`load_state_dict(torch_model.state_dict())`) with its weights. `MLP.vectorized()` gives
the scalar network's twin, with the same weights.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.tensor import Tensor, as_array, linear

from .module import Module


class TensorModule(Module):
    """A Module whose parameters are Tensors: Linear, Sequential, the activations.

    Parameters, zero_grad, the state dict and loading are worked out from Tensors;
    save() and load() are Module's (JSON, atomic, checked before anything changes).
    """

    def named_parameters(self) -> list[tuple[str, Tensor]]:  # type: ignore[override]
        return []

    def parameters(self) -> list[Tensor]:  # type: ignore[override]
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None  # zeros when next read, as PyTorch's zero_grad(set_to_none=True)

    def n_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    def state_tensors(self) -> dict[str, Tensor]:  # type: ignore[override]
        return dict(self.named_parameters())

    def state_dict(self) -> dict[str, Any]:
        """The weights as nested lists of floats, PyTorch's keys and shapes (JSON-ready)."""
        return {key: t.data.tolist() for key, t in self.state_tensors().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set the weights from `state`: lists, NumPy arrays or PyTorch tensors (a PyTorch
        model's state_dict() loads as it is). Every key is checked first; a missing or extra
        key, a wrong shape or a number that is not finite raises ValueError naming the key,
        and then nothing has changed."""
        if not isinstance(state, dict):
            raise ValueError(
                "load_state_dict needs a dict like state_dict() returns, got "
                f"{type(state).__name__}"
            )
        tensors = self.state_tensors()
        missing = [key for key in tensors if key not in state]
        extra = [key for key in state if key not in tensors]
        if missing or extra:
            what = (
                f"is missing key {missing[0]!r}" if missing else f"has unexpected key {extra[0]!r}"
            )
            raise ValueError(
                f"state_dict {what} (missing: {missing}, extra: {extra}); "
                f"{type(self).__name__} expects keys {list(tensors)}"
            )
        arrays = {}
        for key, tensor in tensors.items():
            given = state[key]
            if hasattr(given, "detach"):  # a PyTorch tensor
                given = given.detach().cpu().numpy()
            try:
                array = as_array(given, f"state_dict key {key!r}", dtype=tensor.data.dtype)
            except TypeError as error:
                raise ValueError(str(error)) from None
            if array.shape != tensor.shape:
                raise ValueError(
                    f"state_dict key {key!r} should have shape {tensor.shape}, got {array.shape}"
                )
            arrays[key] = array
        for key, tensor in tensors.items():  # all of it fits: now write
            tensor.data = arrays[key]


class Linear(TensorModule):
    """z = x @ weight.T + bias for a batch x of shape (n, n_in): n_out outputs per sample,
    one operation in the graph (autograd.tensor.linear).

    weight is an (n_out, n_in) Tensor (row j feeds output j, as a Layer's neuron j) and
    bias has n_out entries, both drawn uniform in [-1/sqrt(n_in), 1/sqrt(n_in)] (PyTorch's
    default) from random.Random(seed), as Layer(n_in, n_out, seed=seed) draws them: the
    same seed gives the same numbers as that Layer. bias=False leaves the bias out.
    """

    def __init__(
        self, n_in: int, n_out: int, bias: bool = True, *, seed: int | None = None
    ) -> None:
        _check_size("n_in", n_in)
        _check_size("n_out", n_out)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {type(bias).__name__}")
        weight, biases = _draw(n_in, n_out, bias, seed)
        self.weight = Tensor(weight, "weight", requires_grad=True)
        self.bias = Tensor(biases, "bias", requires_grad=True) if bias else None

    @classmethod
    def of(cls, weight: Any, bias: Any = None) -> Linear:
        """A Linear with the given weight (n_out rows of n_in numbers) and bias (n_out
        numbers, or None for none), as arrays or nested lists."""
        weight = as_array(weight, "Linear.of's weight")
        if weight.ndim != 2 or 0 in weight.shape:
            raise ValueError(
                f"a Linear's weight is n_out rows of n_in numbers, got shape {weight.shape}"
            )
        linear = cls.__new__(cls)
        linear.weight = Tensor(weight, "weight", requires_grad=True)
        linear.bias = None
        if bias is not None:
            linear.bias = Tensor(bias, "bias", requires_grad=True)
            if linear.bias.shape != (weight.shape[0],):
                raise ValueError(
                    f"a Linear's bias has one number per output ({weight.shape[0]}), got shape "
                    f"{linear.bias.shape}"
                )
        return linear

    @property
    def n_in(self) -> int:
        return int(self.weight.shape[1])

    @property
    def n_out(self) -> int:
        return int(self.weight.shape[0])

    def forward(self, x: Any) -> Tensor:
        return linear(_as_input(x, self.n_in, "Linear"), self.weight, self.bias)

    def named_parameters(self) -> list[tuple[str, Tensor]]:  # type: ignore[override]
        if self.bias is None:
            return [("weight", self.weight)]
        return [("weight", self.weight), ("bias", self.bias)]

    def __repr__(self) -> str:
        no_bias = ", bias=False" if self.bias is None else ""
        return f"Linear({self.n_in}, {self.n_out}{no_bias})"


class _Activation(TensorModule):
    """An activation as a module, so it can stand in a Sequential; no parameters."""

    name = ""

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        return getattr(x, self.name)()  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    """relu(x) = max(x, 0), entry by entry."""

    name = "relu"


class Tanh(_Activation):
    """tanh(x), entry by entry."""

    name = "tanh"


class Sigmoid(_Activation):
    """sigmoid(x) = 1 / (1 + e^-x), entry by entry."""

    name = "sigmoid"


# The scalar activations' names and their modules (MLP.vectorized uses it).
ACTIVATION_MODULES: dict[str, type[_Activation]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}


class Sequential(TensorModule):
    """Modules applied in order: Sequential(Linear(1, 16), ReLU(), Linear(16, 1)).

    It iterates over and indexes its modules (model[0] is the first Linear; a slice is a
    Sequential), and names their parameters by position: "0.weight", "0.bias", "2.weight".
    """

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        if not modules:
            raise ValueError("Sequential needs at least one module, e.g. Sequential(Linear(1, 1))")
        for i, module in enumerate(modules):
            if not isinstance(module, TensorModule):
                raise TypeError(
                    f"Sequential takes Tensor modules (Linear, ReLU, Tanh, Sigmoid, Sequential), "
                    f"got {type(module).__name__} at position {i}"
                    + (
                        "; use MLP.vectorized() for an MLP"
                        if type(module).__name__ == "MLP"
                        else ""
                    )
                )
        self.modules = list(modules)
        for name, p in self.named_parameters():  # "0.weight", as drawings and steps show it
            if p.label in ("weight", "bias"):
                p.label = name

    @classmethod
    def from_mlp(cls, mlp: Any) -> Sequential:
        """The scalar MLP's network as a Sequential with the same weights (copied: training
        one does not change the other). MLP.vectorized() calls this."""
        modules: list[TensorModule] = []
        for layer in mlp.layers:
            neurons = layer.neurons
            weight = [[w.data for w in n.w] for n in neurons]
            bias = None if neurons[0].b is None else [n.b.data for n in neurons]
            modules.append(Linear.of(weight, bias))
            if layer.activation != "linear":
                modules.append(ACTIVATION_MODULES[layer.activation]())
        return cls(*modules)

    def forward(self, x: Any) -> Tensor:
        for module in self.modules:
            x = module(x)
        return x  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*self.modules[index])
        try:
            return self.modules[index]
        except IndexError:
            n = len(self.modules)
            raise IndexError(
                f"index {index} is out of range for a Sequential of {n} modules "
                f"(0 to {n - 1}, or -{n} to -1 from the end)"
            ) from None

    def named_parameters(self) -> list[tuple[str, Tensor]]:  # type: ignore[override]
        named = []
        seen: set[int] = set()  # a module used twice is trained once, under its first name
        for i, module in enumerate(self.modules):
            for name, p in module.named_parameters():  # type: ignore[assignment]
                if id(p) not in seen:
                    seen.add(id(p))
                    named.append((f"{i}.{name}", p))
        return named  # type: ignore[return-value]

    def to_torch(self) -> Any:
        """This network as a torch.nn.Sequential with the same weights, in the same dtype
        (float64 unless the weights are float32), for a learner moving on to PyTorch."""
        try:
            import torch
        except ImportError:
            raise ImportError(
                "to_torch() needs PyTorch: pip install torch (the CPU build is enough)"
            ) from None
        layers = []
        for module in self.modules:
            layers.append(_torch_module(module, torch))
        return torch.nn.Sequential(*layers)

    def __repr__(self) -> str:
        lines = [f"Sequential with {self.n_parameters()} parameters:"]
        lines += [f"  ({i}): {module!r}" for i, module in enumerate(self.modules)]
        return "\n".join(lines)


def _torch_module(module: Module, torch: Any) -> Any:
    if isinstance(module, Linear):
        dtype = torch.float32 if module.weight.dtype == np.float32 else torch.float64
        linear = torch.nn.Linear(module.n_in, module.n_out, bias=module.bias is not None)
        linear = linear.to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(module.weight.data))
            if module.bias is not None:
                linear.bias.copy_(torch.from_numpy(module.bias.data))
        return linear
    if isinstance(module, _Activation):
        return getattr(torch.nn, type(module).__name__)()
    if isinstance(module, Sequential):
        return module.to_torch()
    raise TypeError(f"to_torch() does not know {type(module).__name__}")


def _draw(
    n_in: int, n_out: int, bias: bool, seed: int | None
) -> tuple[list[list[float]], list[float]]:
    """Starting weights and biases drawn as Layer(n_in, n_out, seed=seed) draws them: a
    generator per neuron, seeded from the layer's, giving its n_in weights, then its bias."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    layer = random.Random(random.getrandbits(64) if seed is None else seed)
    bound = 1.0 / math.sqrt(n_in)
    weight, biases = [], []
    for _ in range(n_out):
        neuron = random.Random(layer.getrandbits(64))
        weight.append([neuron.uniform(-bound, bound) for _ in range(n_in)])
        if bias:
            biases.append(neuron.uniform(-bound, bound))
    return weight, biases


def _check_size(what: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")


def _as_input(x: Any, n_in: int, what: str) -> Tensor:
    """x as a Tensor whose last size is n_in: a batch (n, n_in) or one sample (n_in,)."""
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.ndim not in (1, 2) or x.shape[-1] != n_in:
        raise ValueError(
            f"this {what} takes {n_in} inputs per sample: a batch of shape (n, {n_in}) or one "
            f"sample of shape ({n_in},), got shape {x.shape}"
            + (
                "; for n samples of one input, x.reshape(-1, 1)"
                if n_in == 1 and x.ndim == 1
                else ""
            )
        )
    return x
