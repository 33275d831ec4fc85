"""Worked examples: a slide's computation as a graph you can build, run backward and print.

An example is data, not code: a TOML file with the given numbers, the values computed from
them (expressions such as `q = "x + y"`, or a small network), the source it comes from and
every number the source prints. The course's own examples (`xyz`, `2-2-2`) and a library of
classic ones from public teaching material ship as such files in chainrule/worked-examples/;
`load(NAME or PATH)` reads one into a WorkedExample (the reader is example_files.py),
`from_expr(text, given)` makes one from a line of text. Only given numbers are typed in;
every result is computed by the engine.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Step, Value, backward_steps, no_grad, topological_order
from autograd.expr import Definition, ExpressionError, evaluate, parse
from autograd.printing import format_number

# nn through chainrule, which finds its own even beside a learner's nn.py (_packages.py).
from chainrule import MLP, SGD, Adam, History, RMSprop, fit, line_data, train_val_split

# Where the example files live: the course's built-ins, then the library.
FOLDER = Path(__file__).with_name("worked-examples")
BUILT_INS = ("xyz", "2-2-2")
LIBRARY_FOLDER = FOLDER / "library"


class ExampleError(ValueError):
    """An example that cannot be read: the message names the file, the line or field, and
    what to write instead."""


@dataclass(frozen=True)
class Source:
    """Where an example's numbers come from, and what was checked against it."""

    author: str
    title: str
    url: str
    checked: str = ""

    def __str__(self) -> str:
        return f"{self.author}, {self.title!r}, {self.url}"


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
    constants: list[str] = field(default_factory=list)  # given numbers drawn as constants
    model: MLP | None = None  # a network example's layers, sharing its Values (diagrams)
    path: Path | None = None  # the file it was read from
    rebuild: Callable[[Mapping[str, float] | None], WorkedExample] | None = field(
        default=None, repr=False, compare=False
    )  # a fresh copy, optionally with other given numbers

    def number(self, x: float) -> str:
        """x printed at the slide's precision."""
        return format_number(x, decimals=self.decimals, fixed=True)

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
            return build(self.name) if given is None else load(self.name).fresh(given)
        return self.rebuild(given)


# ---------------------------------------------------------------------------------------
# Finding and loading examples
# ---------------------------------------------------------------------------------------


def library_names() -> list[str]:
    """The library's examples by name (file stem), in alphabetical order."""
    return sorted(p.stem for p in LIBRARY_FOLDER.glob("*.toml"))


def example_path(name: str) -> Path:
    """The file of a built-in or library example; ExampleError listing the names if none."""
    if name in BUILT_INS:
        return FOLDER / f"{name}.toml"
    if name in library_names():
        return LIBRARY_FOLDER / f"{name}.toml"
    known = ", ".join([*BUILT_INS, *library_names()])
    raise ExampleError(
        f"unknown worked example {name!r}; choose one of: {known} (or give a .toml file)"
    )


def load(name_or_path: str | Path) -> WorkedExample:
    """A worked example: a built-in name ("xyz", "2-2-2"), a library name
    ("cs231n-sigmoid-circuit"), or the path of a .toml file. Raises ExampleError (a ValueError)
    naming the file and the line or field for a file that cannot be used."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text:
        path = Path(name_or_path)
    else:
        path = example_path(text)
    return read_example(path)


def build(name: str) -> WorkedExample:
    """A fresh copy of the built-in or library example called name."""
    return read_example(example_path(name))


def xyz() -> WorkedExample:
    """f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4: the chain rule on two nodes."""
    return build("xyz")


def two_two_two() -> WorkedExample:
    """The slides' 2-2-2 sigmoid network (Mazur's), one bias shared per layer."""
    return build("2-2-2")


def _builder(name: str) -> Callable[[], WorkedExample]:
    return lambda: build(name)


# Every example by name, as a function that builds a fresh copy: built-ins first.
EXAMPLES: dict[str, Callable[[], WorkedExample]] = {
    name: _builder(name) for name in [*BUILT_INS, *library_names()]
}


def summaries() -> dict[str, str]:
    """Each example's name and its one-line summary: the built-ins, then the library."""
    from .example_files import read_toml

    return {name: read_toml(example_path(name)).get("summary", name) for name in EXAMPLES}


def from_expr(text: str, given: Mapping[str, float], *, name: str = "expr") -> WorkedExample:
    """An example from a line of text: `from_expr("q = x + y; f = q * z", {"x": -2, ...})`.

    The root is the last value computed: the last statement's (when statements come in
    the order they are computed; written in another order, the one computed last). Numbers
    print with no decimals when every value
    and gradient is a whole number, else with 4. Raises ExpressionError (a ValueError) for
    text outside the expression language, an unknown or unused name, or a math error.
    """
    numbers_given = {
        key: _given_number(value, f"the given value {key}") for key, value in given.items()
    }
    definitions = parse(text)

    def make(overrides: Mapping[str, float] | None = None) -> WorkedExample:
        values_given = {**numbers_given, **(overrides or {})}
        leaves = {key: Value(x, key) for key, x in values_given.items()}
        computed = evaluate(definitions, leaves)
        used = {n for d in definitions for n in d.uses}
        unused = [key for key in leaves if key not in used]
        if unused:
            raise ExpressionError(
                f"expression: {', '.join(unused)} given but not used; "
                "remove it, or use it in the expression"
            )
        example = WorkedExample(
            name=name,
            summary=text,
            root=list(computed.values())[-1],
            values={**leaves, **computed},
            formulas={d.name: d.text for d in _in_order(definitions, computed)},
            gradients={},
            decimals=0,
            given=dict(values_given),
            title=text,
            rebuild=make,
        )
        example.gradients = automatic_gradients(example)
        example.decimals = _automatic_decimals(example)
        return example

    return make()


def _in_order(definitions: list[Definition], computed: dict[str, Value]) -> list[Definition]:
    """The definitions in the order they were computed (each after what it uses)."""
    by_name = {d.name: d for d in definitions}
    return [by_name[name] for name in computed]


def _automatic_decimals(example: WorkedExample) -> int:
    """0 when every value and gradient is a whole number, else 4."""
    run_backward(example)
    whole = all(
        float(v.data).is_integer() and float(v.grad).is_integer() for v in example.values.values()
    )
    zero_gradients(example)
    return 0 if whole else 4


def _given_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ExampleError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ExampleError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def read_example(path: Path) -> WorkedExample:
    """Read one example file (see the README's "Writing your own example"); ExampleError
    naming the file and the line or field when it cannot be used."""
    from .example_files import read_file  # the reader builds on this module

    return read_file(path)


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


def automatic_gradients(example: WorkedExample) -> dict[str, str]:
    """The chain-rule column when a file gives none: for each named value, in the order the
    backward pass reaches it, the sum over the named values it feeds of
    d root/d consumer * d consumer/d value."""
    from .derive import named_inputs  # derive builds on this module

    root = example.root.label
    consumers: dict[str, list[str]] = {}
    for name, value in example.values.items():
        for lower in named_inputs(value, example):
            consumers.setdefault(lower, []).append(name)
    # A value's gradient is complete once the last node that uses it has passed its share
    # back: list the values in that order (ties in the order of that node's inputs).
    complete: dict[int, tuple[int, int]] = {}
    for k, node in enumerate(reversed(topological_order(example.root, leaves=False))):
        for j, x in enumerate(node.inputs):
            complete[id(x)] = (k, j)
    reached = [n for n, v in example.values.items() if id(v) in complete and n != root]
    order = [root, *sorted(reached, key=lambda n: complete[id(example.values[n])])]
    order += [n for n in example.values if n not in order]
    gradients = {}
    for name in order:
        if name == root:
            gradients[name] = "base case"
        else:
            gradients[name] = (
                " + ".join(
                    _local(example, upper, name)
                    if upper == root
                    else f"d{root}/d{upper} * d{upper}/d{name}"
                    for upper in consumers.get(name, [])
                )
                or "not used by the output"
            )
    return gradients


def _local(example: WorkedExample, upper: str, name: str) -> str:
    """The root's own local derivative, with the root's formula: "df/dq (f = q * z)"."""
    formula = example.formulas.get(upper)
    return f"d{upper}/d{name} ({upper} = {formula})" if formula else f"d{upper}/d{name}"


# ---------------------------------------------------------------------------------------
# Running the examples
# ---------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Update:
    """One parameter before and after a gradient-descent step."""

    name: str
    old: float
    gradient: float
    new: float


def gradient_descent_step(
    example: WorkedExample, lr: float | None = None, parameters: Sequence[str] | None = None
) -> list[Update]:
    """One step new = old - lr * gradient on the example's parameters (or the ones named).

    lr defaults to the example's own. Uses the gradients already in the graph (call
    run_backward first). A positive lr is an nn.SGD step; a negative one (a source that
    nudges along the gradient, as micrograd's lecture does) the same arithmetic by hand.
    The parameters change in place, so the values computed from them are stale afterwards:
    call recompute(example), or build a fresh example.
    """
    lr = _learning_rate(example, lr)
    names = list(example.parameters if parameters is None else parameters)
    chosen = [example.values[name] for name in names]
    old = [(p.data, p.grad) for p in chosen]
    if lr > 0:
        SGD(chosen, lr=lr).step()
    else:
        for p in chosen:
            p.data -= lr * p.grad
    return [Update(name, data, grad, p.data) for name, p, (data, grad) in zip(names, chosen, old)]


def _learning_rate(example: WorkedExample, lr: float | None) -> float:
    if lr is None:
        lr = 0.5 if example.lr is None else example.lr
    return lr


def recompute(example: WorkedExample) -> None:
    """Run the forward pass again through the example's graph, in place, after its given
    numbers changed (after an update): each node's data from its inputs, by the op table."""
    done: set[int] = set()
    for value in example.values.values():
        for node in topological_order(value, leaves=False):
            if id(node) in done:
                continue
            done.add(id(node))
            op, inputs = node.op, node.inputs
            if op.kind == "unary":
                node.data = op.forward(inputs[0].data, node.const)
            elif op.kind == "binary":
                node.data = op.forward(inputs[0].data, inputs[1].data)
            else:
                node.data = op.forward(inputs)


def layer_by_layer_step(
    example: WorkedExample, lr: float | None = None, parameters: Sequence[str] | None = None
) -> None:
    """A network's update as code that updates while it backpropagates makes it: the output
    layer first, then each layer below with gradients computed again through the weights
    above it that were just changed (the forward values stay those of the pass before).
    Not the textbook step (gradient_descent_step uses the old weights throughout), but what
    some sources print. Needs an example with layers (a [network])."""
    names = set(example.parameters if parameters is None else parameters)
    for layer in reversed(example.layers):
        run_backward(example)
        gradient_descent_step(example, lr, [n for n in layer if n in names])


UPDATE_RULES = ("simultaneous", "layer_by_layer")


def train_steps(
    example: WorkedExample,
    steps: int,
    parameters: Sequence[str],
    rule: str = "simultaneous",
) -> None:
    """`steps` rounds of backward, update (by the rule named) and forward, in place."""
    for _ in range(steps):
        if rule == "layer_by_layer":
            layer_by_layer_step(example, parameters=parameters)
        else:
            run_backward(example)
            gradient_descent_step(example, parameters=parameters)
        recompute(example)


# ---------------------------------------------------------------------------------------
# Printing: plain-text tables in the slides' notation
# ---------------------------------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; a column whose header starts with a space is
    right-aligned (numbers), the others left-aligned. Indented by two spaces."""
    names = [header.strip() for header in headers]
    widths = [max(len(cell) for cell in column) for column in zip(names, *rows)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if header.startswith(" ") else cell.ljust(width)
            for cell, width, header in zip(cells, widths, headers)
        ]
        return ("  " + "  ".join(padded)).rstrip()

    rule = ["-" * width for width in widths]
    return "\n".join([line(names), line(rule), *map(line, rows)])


def forward_rows(example: WorkedExample) -> list[list[str]]:
    """[name, formula, value] for every named value: the given numbers first, then each
    computed value in the order the forward pass computes them."""
    given = [
        [name, "given", example.number(value.data)]
        for name, value in example.values.items()
        if name not in example.formulas
    ]
    computed = [
        [name, formula, example.number(example.values[name].data)]
        for name, formula in example.formulas.items()
    ]
    return given + computed


def gradient_rows(example: WorkedExample) -> list[list[str]]:
    """[gradient, chain rule, value] for every gradient the slide names, in backward order."""
    return [
        [example.gradient_name(name), how, example.number(example.values[name].grad)]
        for name, how in example.gradients.items()
    ]


def forward_table(example: WorkedExample) -> str:
    """Every named value with its formula and number, as `chainrule example` prints it."""
    return "Forward pass\n" + format_table(["name", "formula", " value"], forward_rows(example))


def gradient_table(example: WorkedExample) -> str:
    """Every gradient of the root the slide names, in the order the backward pass finds
    them, with the chain-rule product it comes from."""
    title = f"Backward pass: gradients of {example.root.label}"
    return title + "\n" + format_table(["gradient", "chain rule", " value"], gradient_rows(example))


def update_table(example: WorkedExample, updates: Sequence[Update], lr: float) -> str:
    """The gradient-descent step as the slide writes it: new = old - lr * gradient."""
    rows = [
        [
            u.name,
            example.number(u.old),
            example.number(u.gradient),
            example.number(u.new),
        ]
        for u in updates
    ]
    title = f"One gradient-descent step, learning rate {lr:g}: new = old - {lr:g} * gradient"
    if lr < 0:  # a step up the gradient, as a source that nudges values to grow its output
        title = f"One step up the gradient, learning rate {lr:g}: new = old + {-lr:g} * gradient"
    return title + "\n" + format_table(["parameter", " old", " gradient", " new"], rows)


def report(example: WorkedExample, *, steps: Sequence[Step] = (), lr: float | None = None) -> str:
    """The whole printout of `chainrule example NAME`: forward values and loss, the
    backward steps when given, every gradient, the notes, and (for an example with
    parameters) one gradient-descent step at learning rate lr (default: the example's).

    Call run_backward first so the gradients are in the graph. The update is made on a
    fresh copy of the example, so the graph passed in is left as it is (ready to draw).
    """
    title = f"{example.name}: {example.summary}"
    parts = [title, forward_table(example)]
    if steps:
        lines = "\n".join(f"  {k + 1:>2}. {step}" for k, step in enumerate(steps))
        parts.append("Backward pass step by step (local x upstream = downstream)\n" + lines)
    parts.append(gradient_table(example))
    parts.extend(example.notes)
    if example.parameters:
        rate = _learning_rate(example, lr)
        fresh = example.fresh()
        run_backward(fresh)
        parts.append(update_table(fresh, gradient_descent_step(fresh, rate), rate))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------
# The PyTorch lesson: a 1-16-16-1 ReLU network learns y = 2x + 1
# ---------------------------------------------------------------------------------------

OPTIMIZERS = ("sgd", "adam", "rmsprop")


@dataclass
class LineRun:
    """A trained line network and how its training went."""

    model: MLP
    history: History
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
    a line every tenth of the epochs (nn.fit's progress).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}")
    xs, ys = line_data(200, -10.0, 10.0)
    x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=seed)
    model = MLP(1, [16, 16, 1], "relu", seed=seed)
    choices = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
    opt = choices[optimizer](model.parameters(), lr=lr)
    history = fit(
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
    )
    return LineRun(model, history, len(x_train), len(x_val))


def line_prediction(model: MLP, x: float = 12.0) -> str:
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


def plot_history(history: History, path: str | Path, title: str = "y = 2x + 1") -> Path:
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
