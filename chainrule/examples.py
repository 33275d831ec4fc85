"""The course's worked examples as graphs you can build, run backward through and print.

Each builder returns a WorkedExample: the graph's root, every value the slide names
(labelled as on the slide, so traces and drawings use the slide's words), the formula
behind each value and each gradient, and how to print them. `chainrule example NAME`
prints these tables; notebooks and tests build the same graphs with `build(NAME)`.
Only the slide's given numbers are typed in; every result is computed by the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Through chainrule, which finds its own nn even beside a learner's nn.py (_packages.py).
from chainrule import (
    MLP,
    SGD,
    Adam,
    History,
    Layer,
    RMSprop,
    Step,
    Value,
    backward_steps,
    fit,
    line_data,
    no_grad,
    sum_squared_error,
    topological_order,
    train_val_split,
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

    def number(self, x: float) -> str:
        """x printed at the slide's precision."""
        return f"{x:.{self.decimals}f}"

    def gradient_name(self, name: str) -> str:
        """The slide's notation for d root / d name, e.g. dE_total/dw5."""
        return f"d{self.root.label}/d{name}"


# ---------------------------------------------------------------------------------------
# The examples
# ---------------------------------------------------------------------------------------


def xyz() -> WorkedExample:
    """f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4: the chain rule on two nodes."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return WorkedExample(
        name="xyz",
        summary="f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4: the first backprop slide",
        root=f,
        values={"x": x, "y": y, "z": z, "q": q, "f": f},
        formulas={"q": "x + y", "f": "q * z"},
        gradients={
            "f": "base case",
            "q": "z (f = q * z)",
            "z": "q (f = q * z)",
            "x": "dq/dx * df/dq = 1 * df/dq",
            "y": "dq/dy * df/dq = 1 * df/dq",
        },
        decimals=0,
        notes=["Note: the slide prints f = q.z = 3 * -4 = 12, a sign typo: 3 * -4 = -12."],
    )


def two_two_two() -> WorkedExample:
    """The slides' 2-2-2 sigmoid network: two inputs, two hidden and two output neurons,
    squared error against the targets 0.01 and 0.99.

    Built from nn.Layer with the slide's weights; each layer's two neurons share one bias
    Value (b1 for the hidden layer, b2 for the output layer), as on the slide.
    """
    i1, i2 = Value(0.05, "i1"), Value(0.10, "i2")
    b1, b2 = Value(0.35, "b1"), Value(0.60, "b2")
    hidden = Layer(2, 2, "sigmoid", weights=[[0.15, 0.20], [0.25, 0.30]], biases=[b1, b1])
    output = Layer(2, 2, "sigmoid", weights=[[0.40, 0.45], [0.50, 0.55]], biases=[b2, b2])

    out_h1, out_h2 = hidden([i1, i2])
    out_o1, out_o2 = output([out_h1, out_h2])
    target_o1, target_o2 = Value(0.01, "target_o1"), Value(0.99, "target_o2")
    error_o1 = sum_squared_error([out_o1], [target_o1])  # 1/2 (target_o1 - out_o1)^2
    error_o2 = sum_squared_error([out_o2], [target_o2])
    error_total = error_o1 + error_o2

    values = {"i1": i1, "i2": i2}
    values.update({f"w{k}": w for k, w in enumerate(_weights(hidden, output), start=1)})
    values.update({"b1": b1, "b2": b2, "target_o1": target_o1, "target_o2": target_o2})
    # A Neuron computes its weighted sum (net) and then squashes it (out), so the sigmoid
    # node's one input is the net input the slide names.
    for name, out in (("h1", out_h1), ("h2", out_h2), ("o1", out_o1), ("o2", out_o2)):
        values[f"net_{name}"] = out.inputs[0]
        values[f"out_{name}"] = out
    values.update({"E_o1": error_o1, "E_o2": error_o2, "E_total": error_total})
    for name, value in values.items():
        value.label = name

    return WorkedExample(
        name="2-2-2",
        summary="the slides' 2-2-2 sigmoid network: forward, error, gradients, one update "
        "at lr 0.5",
        root=error_total,
        values=values,
        formulas={
            "net_h1": "w1*i1 + w2*i2 + b1",
            "out_h1": "sigmoid(net_h1)",
            "net_h2": "w3*i1 + w4*i2 + b1",
            "out_h2": "sigmoid(net_h2)",
            "net_o1": "w5*out_h1 + w6*out_h2 + b2",
            "out_o1": "sigmoid(net_o1)",
            "net_o2": "w7*out_h1 + w8*out_h2 + b2",
            "out_o2": "sigmoid(net_o2)",
            "E_o1": "1/2 (target_o1 - out_o1)^2",
            "E_o2": "1/2 (target_o2 - out_o2)^2",
            "E_total": "E_o1 + E_o2",
        },
        gradients={
            "E_total": "base case",
            "E_o1": "E_total = E_o1 + E_o2",
            "E_o2": "E_total = E_o1 + E_o2",
            "out_o1": "out_o1 - target_o1",
            "out_o2": "out_o2 - target_o2",
            "net_o1": "dE_total/dout_o1 * out_o1 * (1 - out_o1)",
            "net_o2": "dE_total/dout_o2 * out_o2 * (1 - out_o2)",
            "w5": "dE_total/dnet_o1 * out_h1",
            "w6": "dE_total/dnet_o1 * out_h2",
            "w7": "dE_total/dnet_o2 * out_h1",
            "w8": "dE_total/dnet_o2 * out_h2",
            "b2": "dE_total/dnet_o1 + dE_total/dnet_o2 (shared)",
            "out_h1": "dE_total/dnet_o1 * w5 + dE_total/dnet_o2 * w7",
            "out_h2": "dE_total/dnet_o1 * w6 + dE_total/dnet_o2 * w8",
            "net_h1": "dE_total/dout_h1 * out_h1 * (1 - out_h1)",
            "net_h2": "dE_total/dout_h2 * out_h2 * (1 - out_h2)",
            "w1": "dE_total/dnet_h1 * i1",
            "w2": "dE_total/dnet_h1 * i2",
            "w3": "dE_total/dnet_h2 * i1",
            "w4": "dE_total/dnet_h2 * i2",
            "b1": "dE_total/dnet_h1 + dE_total/dnet_h2 (shared)",
        },
        decimals=9,
        parameters=["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"],
        notes=[
            "Note: each layer's two neurons share one bias (b1, b2), so a bias gets a\n"
            "share of the gradient from each neuron it feeds."
        ],
    )


def _weights(*layers: Layer) -> list[Value]:
    """The layers' weights in the slide's order: w1, w2 feed h1, w3, w4 feed h2, ..."""
    return [w for layer in layers for neuron in layer.neurons for w in neuron.w]


EXAMPLES: dict[str, Callable[[], WorkedExample]] = {"xyz": xyz, "2-2-2": two_two_two}


def build(name: str) -> WorkedExample:
    """A fresh copy of the worked example called name ("xyz" or "2-2-2")."""
    if name not in EXAMPLES:
        known = ", ".join(EXAMPLES)
        raise ValueError(f"unknown worked example {name!r}; choose one of: {known}")
    return EXAMPLES[name]()


def summaries() -> dict[str, str]:
    """Each example's name and its one-line summary."""
    return {name: builder().summary for name, builder in EXAMPLES.items()}


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
    """Set the gradient of every node in the example's graph back to 0."""
    for node in topological_order(example.root):
        node.grad = 0.0


@dataclass(frozen=True)
class Update:
    """One parameter before and after a gradient-descent step."""

    name: str
    old: float
    gradient: float
    new: float


def gradient_descent_step(example: WorkedExample, lr: float = 0.5) -> list[Update]:
    """One nn.SGD step (new = old - lr * gradient) on the example's parameters.

    Uses the gradients already in the graph (call run_backward first). The parameters are
    changed in place, so the values computed from them are stale afterwards: draw or print
    the graph before this, or build a fresh example.
    """
    parameters = [example.values[name] for name in example.parameters]
    old = [(p.data, p.grad) for p in parameters]
    SGD(parameters, lr=lr).step()
    return [
        Update(name, data, grad, p.data)
        for name, p, (data, grad) in zip(example.parameters, parameters, old)
    ]


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


def forward_table(example: WorkedExample) -> str:
    """Every named value: the given numbers first, then each computed value with its
    formula, in the order the forward pass computes them."""
    given = [
        [name, "given", example.number(value.data)]
        for name, value in example.values.items()
        if name not in example.formulas
    ]
    computed = [
        [name, formula, example.number(example.values[name].data)]
        for name, formula in example.formulas.items()
    ]
    return "Forward pass\n" + format_table(["name", "formula", " value"], given + computed)


def gradient_table(example: WorkedExample) -> str:
    """Every gradient of the root the slide names, in the order the backward pass finds
    them, with the chain-rule product it comes from."""
    rows = [
        [example.gradient_name(name), how, example.number(example.values[name].grad)]
        for name, how in example.gradients.items()
    ]
    title = f"Backward pass: gradients of {example.root.label}"
    return title + "\n" + format_table(["gradient", "chain rule", " value"], rows)


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
    return title + "\n" + format_table(["parameter", " old", " gradient", " new"], rows)


def report(example: WorkedExample, *, steps: Sequence[Step] = (), lr: float = 0.5) -> str:
    """The whole printout of `chainrule example NAME`: forward values and loss, the
    backward steps when given, every gradient, the notes, and (for an example with
    parameters) one gradient-descent step at learning rate lr.

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
        fresh = build(example.name)
        run_backward(fresh)
        parts.append(update_table(fresh, gradient_descent_step(fresh, lr), lr))
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
    progress: bool | None = None,
) -> LineRun:
    """The lesson's setup: 200 points of y = 2x + 1 on [-10, 10], 80/20 split, a 1-16-16-1
    ReLU MLP trained with mean squared error in batches (Adam at lr 0.01 by default).

    progress=None shows a progress bar only when the output is a terminal.
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
