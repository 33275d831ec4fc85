"""One record of a worked pass: what every view of a forward and backward pass shows.

A teacher meets the same pass in many views (tables, steps, derivations, pictures, frames,
the step-through page). `record_pass(root, ...)` works out, once, everything those views
must agree on:

- the values in reading order: the inputs, then the network layer by layer (each given
  number just before the first layer that uses it);
- each node's one name (autograd/names.py), with the names a caller gives;
- which leaves are constants: numbers written into an expression (the 1/2 of
  1/2 (t - y)^2), and the given numbers the caller lists (a loss's targets). A constant
  has no gradient shown and no step into it; `backward_steps` itself still yields them;
- the backward steps, all of them and the ones a learner is shown;
- each gradient's chain rule, derived from the graph: dE/dw1 = dE/dnet_h * x1, a sum over
  the values a node feeds when it feeds several;
- the update a learning rate makes, new = old - lr * gradient, when there is one;
- the precision every number is written with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .backward import topological_order
from .engine import Value
from .names import grouped, node_names, reading_order
from .printing import format_number
from .steps import Step, backward_steps

MAX_TERMS = 16  # a chain rule with more terms than this lists these, then counts the rest


@dataclass(frozen=True)
class Precision:
    """How every number of a pass is written: `decimals` digits after the point (fixed, as
    a slide prints them), or `digits` significant digits, or (neither) up to 10 significant
    digits with no trailing zeros."""

    decimals: int | None = None
    digits: int | None = None

    def __call__(self, x: float) -> str:
        if self.decimals is not None:
            return format_number(x, decimals=self.decimals, fixed=True)
        return format_number(x, digits=self.digits)


@dataclass(frozen=True)
class UpdateRow:
    """One parameter under the update: new = old - lr * gradient."""

    name: str
    old: float
    gradient: float
    new: float


@dataclass
class PassRecord:
    """A forward and backward pass as every view shows it (see the module's docstring)."""

    root: Value
    names: dict[Value, str]  # every node's one name
    forward: list[Value]  # reading order: the inputs, then layer by layer
    constants: frozenset[Value]  # leaves shown without a gradient and with no step into them
    steps: list[Step]  # every step of backward_steps(root, gradient), in its order
    number: Precision  # how every number is written
    named: dict[str, Value]  # the values a derivation names (a caller's, else the labelled)
    lr: float | None = None  # the update's learning rate, when the pass has one
    parameters: list[str] = field(default_factory=list)  # what the update changes, by name
    chain_rules: dict[str, str] = field(default_factory=dict)  # name -> its chain rule

    # -- what a learner is shown --------------------------------------------------------

    @property
    def shown_steps(self) -> list[Step]:
        """The steps a learner is shown: every step except those into a constant."""
        return [step for step in self.steps if step.input not in self.constants]

    def is_constant(self, value: Value) -> bool:
        """Whether value is shown with no gradient and no step into it."""
        return value in self.constants

    def step_text(self, step: Step) -> str:
        """The step as a slide writes it, numbers at this pass's precision:
        "dE/dw5 = 0.593269992 (local) x dE/dnet_o1 = 0.138498562 (upstream) -> w5.grad +=
        0.082167041"."""
        return step_text(step, self.root, self.names, self.number)

    # -- the update ----------------------------------------------------------------------

    def update_rows(self) -> list[UpdateRow]:
        """Each parameter's new value, new = old - lr * gradient, from this pass's numbers
        (nothing is changed: a view of the step, not the step)."""
        if self.lr is None:
            return []
        rows = []
        for name in self.parameters:
            value = self.named[name]
            rows.append(UpdateRow(name, value.data, value.grad, value.data - self.lr * value.grad))
        return rows


def step_text(
    step: Step, root: Value, names: Mapping[Value, str], number: Callable[[float], str]
) -> str:
    """A step as the slides write it, with the names and the precision of the view that
    shows it (str(step) writes the same at 10 significant digits)."""
    r, node, x = (grouped(names[v]) for v in (root, step.node, step.input))
    return (
        f"d{node}/d{x} = {number(step.local)} (local) x "
        f"d{r}/d{node} = {number(step.upstream)} (upstream) "
        f"-> {x}.grad += {number(step.contribution)}"
    )


def record_pass(
    root: Value,
    gradient: float = 1.0,
    *,
    named: Mapping[str, Value] | None = None,
    constants: Iterable[Value] = (),
    decimals: int | None = None,
    digits: int | None = None,
    lr: float | None = None,
    parameters: Sequence[str] = (),
    explain: Mapping[str, str] | None = None,
) -> PassRecord:
    """Run root's backward pass step by step and record it for every view.

    named: the values a worked example names, by name, in its order (given numbers first);
    default: the labelled Values. constants: given numbers shown without a gradient (a
    loss's targets); the unlabelled numbers written into an expression are constants too.
    decimals or digits: the precision (default: up to 10 significant digits). lr and
    parameters: the update the pass is followed by. explain: a chain rule written by hand
    for some names, kept instead of the derived one.
    Afterwards every gradient is that of root.backward(gradient) from zero.
    """
    order = topological_order(root)
    for node in order:  # the pass shown starts from zero, whatever came before
        node.grad = 0.0
    steps = list(backward_steps(root, gradient))
    if named is None:
        named = {node.label: node for node in reading_order(root) if node.label}
    named = dict(named)
    names = node_names(root)
    names.update({value: name for name, value in named.items() if value in names})
    given = [v for v in named.values() if not v.inputs]
    folded = {node for node in order if not node.inputs and not node.label and node is not root}
    record = PassRecord(
        root=root,
        names=names,
        forward=forward_order(root, given),
        constants=frozenset(folded | {c for c in constants if not c.inputs}),
        steps=steps,
        number=Precision(decimals, digits),
        named=named,
        lr=lr,
        parameters=list(parameters),
    )
    record.chain_rules = derived_chain_rules(
        root, named, names=names, constants=record.constants, explain=explain
    )
    return record


# -- reading order: inputs first, then layer by layer -------------------------------------


def forward_order(root: Value, given: Sequence[Value] = ()) -> list[Value]:
    """Every node below root in the order a forward pass is read: the computed values layer
    by layer (a node's layer is its longest path from the leaves; inside a layer, reading
    order), each leaf just before the first layer that uses it (in the order `given` lists
    them, then in reading order). For a network: the inputs and first layer's weights, the
    first layer, the next layer's weights, the next layer, ..., the targets, the loss."""
    reading = reading_order(root)
    place = {node: k for k, node in enumerate(reading)}
    listed = {node: k for k, node in enumerate(given)}
    layer: dict[Value, int] = {}
    for node in topological_order(root):
        layer[node] = 1 + max((layer[x] for x in node.inputs), default=-1)
    first_use: dict[Value, int] = {}
    for node in reading:
        for x in node.inputs:
            first_use[x] = min(first_use.get(x, layer[node]), layer[node])

    def key(node: Value) -> tuple[int, int, int, int]:
        if node.inputs:
            return (layer[node], 1, 0, place[node])
        use = first_use.get(node, layer[node])  # a root that is a leaf has no use
        return (use, 0, listed.get(node, len(listed)), place[node])

    return sorted(reading, key=key)


# -- the chain rule of each gradient, read off the graph ------------------------------------


def derived_chain_rules(
    root: Value,
    named: Mapping[str, Value],
    *,
    names: Mapping[Value, str] | None = None,
    constants: Iterable[Value] = (),
    explain: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """For each named value (backward order: the order its gradient is complete), how its
    gradient follows by the chain rule: "base case" for the root, else the sum over the
    named values it feeds of d root / d that value times the local derivative between them,
    written out from the operations ("dE/dnet_h * x1", "out (1 - out)"); the unnamed nodes
    between two named values fold into one factor. explain's entries are kept as written.
    names: every node's name (default: node_names, with named's); constants: leaves whose
    number is a coefficient when unlabelled (besides the unlabelled leaves themselves)."""
    explain = explain or {}
    if names is None:
        names = {**node_names(root), **{value: name for name, value in named.items()}}
    by_value = {value: name for name, value in named.items()}
    by_value.setdefault(root, names[root])
    unlabelled = {node for node in topological_order(root) if not node.inputs and not node.label}
    spelled = _Spelling(names, frozenset(constants) | unlabelled)
    terms: dict[Value, list[str]] = {}
    for upper in reversed(topological_order(root, leaves=False)):
        if upper not in by_value:
            continue
        upstream = f"d{names[root]}/d{by_value[upper]}"
        for lower, factors in _links(upper, by_value, spelled).items():
            for coefficient, symbols in factors:
                terms.setdefault(lower, []).append(
                    _term(upstream, upper is root, coefficient, symbols)
                )
    complete: dict[Value, tuple[int, int]] = {}
    for k, node in enumerate(reversed(topological_order(root, leaves=False))):
        for j, x in enumerate(node.inputs):
            complete[x] = (k, j)
    reached = sorted((v for v in by_value if v in complete), key=lambda v: complete[v])
    rules = {by_value[root]: explain.get(by_value[root], "base case")}
    for value in reached:
        name = by_value[value]
        parts = terms.get(value, [])
        if len(parts) > MAX_TERMS:
            parts = [*parts[: MAX_TERMS - 1], f"... ({len(parts) - MAX_TERMS + 1} more)"]
        written = " + ".join(parts).replace(" + -", " - ")
        rules[name] = explain.get(name, written or "not used by the output")
    for name in named:
        rules.setdefault(name, explain.get(name, "not used by the output"))
    return rules


Factor = tuple[float, list[str]]  # a number times symbols: (-1.0, ["target - out"])


@dataclass(frozen=True)
class _Spelling:
    """What writing a local derivative out needs: each node's name, and which leaves are
    constants (an unlabelled one is a number: a coefficient, not a symbol)."""

    names: Mapping[Value, str]
    constants: frozenset[Value]


def _links(
    upper: Value, named: Mapping[Value, str], spelled: _Spelling
) -> dict[Value, list[Factor]]:
    """The named values and leaves just below upper (through unnamed nodes only), each
    with the local derivative along each way down, as a number times symbols."""
    found: dict[Value, list[Factor]] = {}
    stack: list[tuple[Value, float, list[str]]] = [(upper, 1.0, [])]
    while stack:
        node, coefficient, symbols = stack.pop()
        for i, x in enumerate(node.inputs):
            if x is node.inputs[i - 1] and i > 0 and str(node.op) == "*":
                continue  # a * a: both uses are one factor 2a, written by the first
            c, more = _local_symbol(node, i, spelled)
            if c == 0.0:
                continue
            factor = (coefficient * c, symbols + more)
            if x in named or not x.inputs:
                found.setdefault(x, []).append(factor)
            else:
                stack.append((x, *factor))
    return found


def _local_symbol(node: Value, i: int, spelled: _Spelling) -> Factor:
    """d node / d node.inputs[i] written out: a number times symbols made of names."""
    op, inputs, names = str(node.op), node.inputs, spelled.names
    constants = spelled.constants

    def name(x: Value) -> str:
        return grouped(names[x])

    def bare(x: Value) -> bool:  # a number written into the expression: a coefficient
        return x in constants and not x.label

    if op in ("+", "sum"):
        return 1.0, []
    if op == "-" and len(inputs) == 2:
        return (1.0 if i == 0 else -1.0), []
    if op == "neg":
        return -1.0, []
    if op == "*" and len(inputs) == 2:
        other = inputs[1 - i]
        if inputs[0] is inputs[1]:
            return 2.0, [name(other)]
        return (other.data, []) if bare(other) else (1.0, [name(other)])
    if op == "/" and len(inputs) == 2:
        a, b = inputs
        if i == 0:
            return (1.0 / b.data, []) if bare(b) else (1.0, [f"1/{name(b)}"])
        return -1.0, [f"{name(a)}/{name(b)}^2"]
    if op == "**" and node.const is not None:
        power = float(node.const)  # type: ignore[arg-type]
        if power == 1.0:
            return 1.0, []
        if power == 2.0:
            return 2.0, [name(inputs[0])]
        return power, [f"{name(inputs[0])}^{power - 1:g}"]
    if op == "wsum":  # (w1, x1, w2, x2, ..., bias): a weight's slope is its input's value
        last = len(inputs) - 1
        if i == last:
            return 1.0, []
        return 1.0, [name(inputs[i + 1] if i % 2 == 0 else inputs[i - 1])]
    out = grouped(names[node])
    if op == "exp":
        return 1.0, [out]
    if op == "log":
        return 1.0, [f"1/{name(inputs[0])}"]
    if op == "tanh":
        return 1.0, [f"(1 - {out}^2)"]
    if op == "sigmoid":
        return 1.0, [out, f"(1 - {out})"]
    if op == "relu":
        return 1.0, [f"[{name(inputs[0])} > 0]"]
    return 1.0, [f"d{out}/d{name(inputs[i])}"]


def _term(upstream: str, from_root: bool, coefficient: float, symbols: list[str]) -> str:
    """One term of a chain rule: "dE/dnet_h * x1", "-(target - out)", "0.5 * dE/dq"."""
    factors = list(symbols) if from_root else [upstream, *symbols]
    size = abs(coefficient)
    if size != 1.0 or not factors:
        factors.insert(0, f"{size:g}")
    text = " * ".join(factors)
    return f"-{text}" if coefficient < 0 else text
