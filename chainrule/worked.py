"""A worked example as data: the given numbers, the graph built from them, the words to print.

A WorkedExample is what every view of a slide's computation reads: the named Values (given
numbers first, then each computed one), their formulas, the chain-rule column, the printed
precision, the update the slide makes and the numbers its source prints. The reader of
example files (example_files.py) and `from_expr` (examples.py) make them; this module only
holds the model, the printed numbers and running the backward pass over it.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Step, Value, backward_steps, topological_order
from autograd.expr import Definition
from autograd.printing import format_number
from autograd.record import PassRecord, record_pass

# nn through chainrule's own finder, which works even beside a learner's nn.py.
from ._packages import nn


class ExampleError(ValueError):
    """An example that cannot be read: the message names the file, the line or field, and
    what to write instead."""


@dataclass(frozen=True)
class Source:
    """Where an example's numbers come from, and what was checked against it."""

    author: str
    title: str
    url: str = ""  # "" for a source with no address (a lecture slide)
    checked: str = ""

    def __str__(self) -> str:
        address = f", {self.url}" if self.url else ""
        return f"{self.author}, {self.title!r}{address}"


@dataclass(frozen=True)
class Printed:
    """One number as the source prints it.

    key is how the file names it: a value ("out_o1"), a derivative ("dE_total/dw5": of the
    first name with respect to the second), or a value after the update (stage "update") or
    after several updates (stage "steps"). erratum is the file's own note on a known typo.
    """

    key: str
    text: str  # exactly as printed, e.g. "0.75136507": its digits give the precision
    stage: str = "forward"  # "forward", "update" or "steps"
    erratum: str = ""
    steps: int = 0  # for stage "steps": after how many updates

    @property
    def decimals(self) -> int:
        """Digits after the point, as printed."""
        return len(self.text.split(".")[1]) if "." in self.text else 0

    @property
    def label(self) -> str:
        """The key with its stage, as reports name it: "w5 after the update"."""
        return {"forward": self.key, "update": f"{self.key} after the update"}.get(
            self.stage, f"{self.key} after {self.steps} updates"
        )


@dataclass
class WorkedExample:
    """A slide's computation as a graph, with the words to print it in."""

    name: str  # what `chainrule example NAME` calls it
    summary: str  # one line for `chainrule examples`
    root: Value  # the output (or the loss) that backward starts from
    values: dict[str, Value]  # every value the slide names, by its label
    formulas: dict[str, str]  # how each value is computed, in forward order
    gradients: dict[str, str]  # how each gradient follows by the chain rule, backward order
    decimals: int  # digits after the point, as the slide prints them (0: integers)
    parameters: list[str] = field(default_factory=list)  # what gradient descent updates
    notes: list[str] = field(default_factory=list)  # printed under the tables
    given: dict[str, float] = field(default_factory=dict)  # the numbers typed in, by name
    lr: float | None = None  # the learning rate of the example's update, if it has one
    title: str = ""  # the example's heading
    source: Source | None = None  # who printed it, where (None for ad-hoc examples)
    printed: list[Printed] = field(default_factory=list)  # the source's numbers, as printed
    source_updates: list[str] = field(default_factory=list)  # what the source's update changes
    steps: int = 0  # how many updates the "steps" numbers come after
    biases: list[str] = field(default_factory=list)  # which parameters are biases
    layers: list[list[str]] = field(default_factory=list)  # a network's parameters by layer
    neurons: list[list[str]] = field(default_factory=list)  # a network's neuron names by layer
    constants: list[str] = field(default_factory=list)  # given numbers drawn as constants
    model: nn.MLP | None = None  # a network example's layers, sharing its Values (diagrams)
    path: Path | None = None  # the file it was read from
    rebuild: Callable[[Mapping[str, float] | None], WorkedExample] | None = field(
        default=None, repr=False, compare=False
    )  # a fresh copy, optionally with other given numbers

    @property
    def precision(self) -> int:
        """The digits after the point every view writes this example's numbers with: its
        decimals, but never fewer than a given number is typed with (decimals = 0 with a
        given 4.5 writes 4.5, and a gradient of 0.5 as 0.5). A given number with more than
        TYPED_DECIMALS decimals is a computed one the source rounds itself: not counted."""
        typed = [_typed_decimals(x) for x in self.given.values()]
        return max([self.decimals, *(d for d in typed if d <= TYPED_DECIMALS)])

    def number(self, x: float) -> str:
        """x printed at the example's precision."""
        return format_number(x, decimals=self.precision, fixed=True)

    def is_constant(self, name: str) -> bool:
        """Whether the value called name is a constant: shown with no gradient, no step."""
        return name in self.constants

    def worked_pass(self, gradient: float = 1.0, *, lr: float | None = None) -> PassRecord:
        """Run the backward pass step by step and record it as every view shows it: the
        names, the reading order, the constants, the steps a learner is shown, each
        gradient's chain rule, the update (at lr, default the example's own) and the
        precision (autograd/record.py). Afterwards the graph holds this pass's gradients."""
        return record_pass(
            self.root,
            gradient,
            named=self.values,
            constants=self.constant_values(),
            decimals=self.precision,
            lr=self.lr if lr is None else lr,
            parameters=self.parameters,
            explain=self.gradients,
        )

    def constant_values(self) -> list[Value]:
        """The Values of the given numbers that are constants (a loss's targets), for
        draw_dot(..., constants=...): drawn without a gradient, not as inputs."""
        return [self.values[name] for name in self.constants]

    def gradient_name(self, name: str) -> str:
        """The slide's notation for d root / d name, e.g. dE_total/dw5."""
        return f"d{self.root.label}/d{name}"

    def fresh(self, given: Mapping[str, float] | None = None) -> WorkedExample:
        """A new copy of this example's graph (with some given numbers replaced)."""
        if self.rebuild is None:
            raise ValueError(
                f"example {self.name} was made without a way to rebuild it; "
                "load it with examples.load or from_expr"
            )
        return self.rebuild(given)


TYPED_DECIMALS = 6  # a given number with more decimals than this was not typed in by hand


def _typed_decimals(x: float) -> int:
    """The decimals x is written with at its shortest: 4.5 -> 1, 0.05 -> 2, -2.0 -> 0."""
    text = repr(x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        digits = len(mantissa.split(".")[1].rstrip("0")) if "." in mantissa else 0
        return max(0, digits - int(exponent))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def in_order(definitions: list[Definition], computed: dict[str, Value]) -> list[Definition]:
    """The definitions in the order they were computed (each after what it uses)."""
    by_name = {d.name: d for d in definitions}
    return [by_name[name] for name in computed]


def given_number(value: object, what: str) -> float:
    """value as a float, or ExampleError saying it must be a (finite) number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ExampleError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ExampleError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def printed_names(key: str, example: WorkedExample) -> tuple[str, str | None]:
    """A printed key as (value name, None) or, for "dA/dB", (A, B). ExampleError names a
    key that is neither a value of the example nor a derivative of one by another."""
    if key in example.values:
        return key, None
    match = re.fullmatch(r"d(.+)/d(.+)", key)
    if match and match.group(1) in example.values and match.group(2) in example.values:
        return match.group(1), match.group(2)
    raise ExampleError(
        f"{key!r} is neither a value of the example nor a derivative dA/dB of two of its "
        f"values; the names are: {', '.join(example.values)}"
    )


def run_backward(example: WorkedExample, *, steps: bool = False) -> list[Step]:
    """Zero every gradient in the graph, then run the backward pass from the root.

    With steps=True the pass runs one chain-rule step at a time and the steps are returned
    (str(step) reads upstream x local = downstream); either way the gradients are the same.
    Zeroing first makes the example safe to run again: leaves accumulate otherwise.
    """
    zero_gradients(example)
    if steps:
        return list(backward_steps(example.root))
    example.root.backward()
    return []


def zero_gradients(example: WorkedExample) -> None:
    """Set the gradient of every node in the example's graph (and every named value) to 0."""
    for node in topological_order(example.root):
        node.grad = 0.0
    for value in example.values.values():
        value.grad = 0.0
