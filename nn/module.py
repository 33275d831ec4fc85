"""Module: the base class of every network piece (Neuron, Layer, MLP, your own).

A Module finds its parameters by looking at its own attributes: a Value is a parameter, a
Module is a part, and a list or tuple may hold either. From that one walk come
`named_parameters()` (dotted names such as "layers.0.neurons.1.w.0"), `parameters()`,
`zero_grad()`, and the saved form of the weights: `state_dict()` holds plain floats, so it
can be written as JSON (never pickle) by `save()` and read back, after checking, by `load()`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.files import read_text_file, write_atomically
from autograd.tensor_probe import is_tensor

# A "tensor" here is a Value, or a (nested) list of Values: the shape of one state_dict entry.
Tensor = Any

# load() refuses larger files: weights of a scalar engine's networks take kilobytes (the
# lesson's 1-16-16-1 MLP about 10 KB), and a limit keeps a wrong path from filling memory.
MAX_LOAD_BYTES = 64 * 1024 * 1024


class Module:
    """Base class: subclasses store Values and Modules as attributes and define forward()."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- parameters ----------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, in the order the attributes were set.

        A Value shared by two places (the slides' bias b1, used by both hidden neurons) is
        listed once, under the first name it is found at, so an optimizer updates it once.
        """
        seen: set[int] = set()
        named = []
        for name, value in _walk(self, ""):
            if id(value) not in seen:
                seen.add(id(value))
                named.append((name, value))
        return named

    def parameters(self) -> list[Value]:
        """Every parameter Value, each once."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.0 (backward() adds into it, so clear it first)."""
        for p in self.parameters():
            p.grad = 0.0

    def n_parameters(self) -> int:
        """How many numbers the module learns."""
        return len(self.parameters())

    # -- saving and loading --------------------------------------------------------------

    def state_tensors(self) -> dict[str, Tensor]:
        """The Values behind each state_dict key, in the state_dict's shape.

        By default each parameter is its own key; parts that are matrices (Layer, Neuron)
        override this, and a Module holding parts prefixes their keys with its own names.
        """
        tensors: dict[str, Tensor] = {}
        for name, item in _members(self, ""):
            if isinstance(item, Value):
                tensors[name] = item
            else:
                for key, tensor in item.state_tensors().items():
                    tensors[f"{name}.{key}"] = tensor
        return tensors

    def state_dict(self) -> dict[str, Any]:
        """The weights as plain floats (lists of floats for a layer), keyed like PyTorch."""
        return {key: _to_floats(tensor) for key, tensor in self.state_tensors().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set the weights from `state` (as made by state_dict()).

        Every key is checked first: a missing or extra key, a wrong shape, or an entry that
        is not a finite number raises ValueError naming the key, and then nothing has been
        changed. Only when all of it fits are the weights written.
        """
        if not isinstance(state, dict):
            raise ValueError(
                f"load_state_dict needs a dict like state_dict() returns, "
                f"got {type(state).__name__}"
            )
        tensors = self.state_tensors()
        missing = [key for key in tensors if key not in state]
        extra = [key for key in state if key not in tensors]
        if missing:
            raise ValueError(
                f"state_dict is missing key {missing[0]!r} (missing: {missing}); "
                f"{type(self).__name__} expects keys {list(tensors)}"
            )
        if extra:
            raise ValueError(
                f"state_dict has unexpected key {extra[0]!r} (extra: {extra}); "
                f"{type(self).__name__} expects keys {list(tensors)}"
            )
        # Check everything before writing anything, so a bad entry leaves the model as it was.
        updates: dict[int, tuple[Value, float, str]] = {}
        for key, tensor in tensors.items():
            for value, number in _pair_up(key, tensor, state[key]):
                earlier = updates.get(id(value))
                if earlier is not None and earlier[1] != number:
                    raise ValueError(
                        f"state_dict key {key!r} gives the shared parameter also set by "
                        f"{earlier[2]!r} a different value ({number!r} vs {earlier[1]!r})"
                    )
                updates[id(value)] = (value, number, key)
        for value, number, _ in updates.values():
            value.data = number

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write state_dict() to `path` as JSON, atomically; returns the path.

        The JSON goes to a temporary file in the same folder, is flushed to disk, and only
        then replaces `path` in one step (os.replace), so a crash during the save leaves the
        previous file as it was.
        """
        path = Path(path)
        state = self.state_dict()
        for key, tensor in state.items():
            if not all(math.isfinite(x) for x in _flatten(tensor)):
                raise ValueError(
                    f"cannot save: parameter {key!r} is not finite (NaN or infinity); "
                    "JSON cannot hold it, and such weights are not worth keeping"
                )
        return write_atomically(path, json.dumps(state, indent=1))

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read weights saved by save(); the module is changed only if all of them fit.

        Anything wrong with the file raises ValueError naming the path (and the key at
        fault, when one is), and leaves the module unchanged: a path that is not a regular
        file (a folder, a FIFO, a device), a file over MAX_LOAD_BYTES (64 MiB), bytes that
        are not UTF-8 JSON, a number a float cannot hold, or weights that do not fit. A
        missing or unreadable file is the usual FileNotFoundError or PermissionError.
        """
        text = _read_weights_file(path)
        try:
            state = json.loads(
                text,
                parse_constant=_BadNumber.not_finite,
                parse_float=_parse_float,
                parse_int=_parse_int,
            )
        except RecursionError:
            raise ValueError(
                f"{path} is not a valid weights file: its JSON is nested too deeply"
            ) from None
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            raise ValueError(f"{path} is not a valid weights file (bad JSON: {error})") from None
        try:
            self.load_state_dict(state)
        except ValueError as error:
            raise ValueError(f"{path} does not fit this {type(self).__name__}: {error}") from None

    # -- display -------------------------------------------------------------------------

    def network_drawing(self, **options: Any) -> Any:
        """This model's network diagram: nn.draw_network(self, **options), a Graph. (Lets
        autograd's tools ask a model for its picture without importing nn.)"""
        from .diagram import draw_network

        return draw_network(self, **options)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.n_parameters()} parameters)"


def _members(module: Module, prefix: str) -> Iterator[tuple[str, Value | Module]]:
    """The Values and Modules directly inside `module`, with dotted names."""
    for name, attribute in vars(module).items():
        yield from _items(attribute, prefix + name)


def _items(item: object, name: str) -> Iterator[tuple[str, Value | Module]]:
    if isinstance(item, (Value, Module)):
        yield name, item
    elif isinstance(item, (list, tuple)):
        for i, element in enumerate(item):
            yield from _items(element, f"{name}.{i}")


def _walk(module: Module, prefix: str) -> Iterator[tuple[str, Value]]:
    """Every parameter Value below `module`, depth first, with dotted names."""
    for name, item in _members(module, prefix):
        if isinstance(item, Value):
            yield name, item
        else:  # a part lists its own (a Linear's are Tensors: nn.tensor_layers)
            yield from ((f"{name}.{key}", p) for key, p in item.named_parameters())


def _to_floats(tensor: Tensor) -> Any:
    if isinstance(tensor, Value):
        return tensor.data
    if is_tensor(tensor):  # a Linear's weight inside a Module of your own
        return tensor.data.tolist()
    return [_to_floats(t) for t in tensor]


def _flatten(numbers: Any) -> Iterator[float]:
    if isinstance(numbers, list):
        for x in numbers:
            yield from _flatten(x)
    else:
        yield numbers


def _shape(tensor: Tensor) -> str:
    if isinstance(tensor, Value):
        return "a number"
    if tensor and not isinstance(tensor[0], Value):
        return f"{len(tensor)} rows of {len(tensor[0])} numbers"
    return f"a list of {len(tensor)} numbers"


def _pair_up(key: str, tensor: Tensor, given: object, where: str = "") -> list[tuple[Value, float]]:
    """(Value, new number) pairs for one key, or a ValueError saying how `given` is off.

    `where` is the position inside the entry, such as "[1][0]", for the message.
    """
    name = f"state_dict key {key!r}{where}"
    if is_tensor(tensor):  # a Linear's weight inside a Module of your own: checked whole
        from autograd.tensor import as_array

        array = as_array(given, name, dtype=tensor.dtype)
        if array.shape != tensor.shape:
            raise ValueError(f"{name} should have shape {tensor.shape}, got {array.shape}")
        return [(tensor, array)]  # type: ignore[list-item]
    if isinstance(tensor, Value):
        if isinstance(given, _BadNumber):
            raise ValueError(f"{name} is {given}, {given.why}")
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            raise ValueError(f"{name} should be a number, got {_preview(given)}")
        try:
            number = float(given)
        except OverflowError:  # an int given to load_state_dict directly
            raise ValueError(f"{name} is an int too large for a float") from None
        if not math.isfinite(number):
            raise ValueError(f"{name} should be a finite number, got {number!r}")
        return [(tensor, number)]
    if not isinstance(given, list) or len(given) != len(tensor):
        got = f"a list of {len(given)}" if isinstance(given, list) else _preview(given)
        raise ValueError(f"{name} should be {_shape(tensor)}, got {got}")
    pairs = []
    for i, (part, element) in enumerate(zip(tensor, given, strict=True)):
        pairs.extend(_pair_up(key, part, element, f"{where}[{i}]"))
    return pairs


def _preview(given: object) -> str:
    """What was given, briefly, without printing all of something large or deep."""
    if isinstance(given, (list, dict)):
        return f"a {type(given).__name__} of {len(given)}"
    if isinstance(given, int) and not isinstance(given, bool):
        return f"int {given}"  # (only ints a float can hold get here)
    return f"{type(given).__name__} {repr(given)[:60]}"


def _read_weights_file(path: str | os.PathLike[str]) -> str:
    """The text of a weights file, or a ValueError naming path if it cannot be one."""
    return read_text_file(path, what="a weights file", max_bytes=MAX_LOAD_BYTES)


class _BadNumber(str):
    """A number in a weights file that no float can hold, kept as its text until the key
    it belongs to is known, so the error can name both."""

    why: str

    @classmethod
    def make(cls, text: str, why: str) -> _BadNumber:
        shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
        number = cls(shown)
        number.why = why
        return number

    @classmethod
    def not_finite(cls, text: str) -> _BadNumber:  # NaN, Infinity, -Infinity
        return cls.make(text, "not a finite number")


def _parse_float(text: str) -> float | _BadNumber:
    number = float(text)
    if number - number != 0.0:  # 1e400 reads as inf
        return _BadNumber.make(text, "too large for a float (about 1.8e308 at most)")
    return number


def _parse_int(text: str) -> int | _BadNumber:
    # A float holds at most 309 digits; longer ints are refused before int() reads them
    # (slow for huge ones, and refused by Python past 4300 digits).
    if len(text.lstrip("-")) <= 309:
        number = int(text)
        if abs(number) < 2**1024:
            return number
    return _BadNumber.make(text, "too large for a float (about 1.8e308 at most)")
