"""Worked examples: a slide's computation as a graph you can build, run backward and print.

An example is data, not code: a TOML file with the given numbers, the values computed from
them (expressions such as `q = "x + y"`, or a small network), the source it comes from and
every number the source prints. The course's own examples (`xyz`, `2-2-2`) and a library of
classic ones from public teaching material ship as such files in chainrule/examples/;
`load(NAME or PATH)` reads one into a WorkedExample, `from_expr(text, given)` makes one from
a line of text. Only given numbers are typed in; every result is computed by the engine.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from pathlib import Path
from typing import Any

from autograd import Step, Value, backward_steps, no_grad, topological_order, weighted_sum
from autograd.expr import Definition, ExpressionError, evaluate, parse
from nn.data import line_data, train_val_split
from nn.layers import ACTIVATIONS, MLP
from nn.losses import sum_squared_error
from nn.optim import SGD, Adam, RMSprop
from nn.train import History, fit

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

# Where the example files live: the course's built-ins, then the library.
FOLDER = Path(__file__).with_name("examples")
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
    path: Path | None = None  # the file it was read from
    rebuild: Callable[[Mapping[str, float] | None], WorkedExample] | None = field(
        default=None, repr=False, compare=False
    )  # a fresh copy, optionally with other given numbers

    def number(self, x: float) -> str:
        """x printed at the slide's precision."""
        return format_number(x, self.decimals)

    def gradient_name(self, name: str) -> str:
        """The slide's notation for d root / d name, e.g. dE_total/dw5."""
        return f"d{self.root.label}/d{name}"

    def fresh(self, given: Mapping[str, float] | None = None) -> WorkedExample:
        """A new copy of this example's graph (with some given numbers replaced)."""
        if self.rebuild is None:
            return build(self.name) if given is None else load(self.name).fresh(given)
        return self.rebuild(given)


def format_number(x: float, decimals: int) -> str:
    """x with `decimals` digits after the point: the one number format of tables,
    derivations and checks. -0 prints as 0."""
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


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
    return {name: _read_toml(example_path(name)).get("summary", name) for name in EXAMPLES}


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


# ---------------------------------------------------------------------------------------
# Reading an example file
# ---------------------------------------------------------------------------------------

FIELDS = {
    "name": "the example's name (default: the file name)",
    "title": "a heading",
    "summary": "one line for `chainrule examples`",
    "decimals": "digits after the point in tables",
    "notes": "lines printed under the tables",
    "output": "the value backward starts from (default: the last one computed)",
    "source": "author, title, url, checked",
    "given": "the numbers typed in",
    "define": "values computed by expressions",
    "network": "inputs, layers and loss of a small network",
    "explain": "the chain-rule column of the gradient table",
    "update": "lr and the parameters one gradient-descent step changes",
    "printed": "the numbers the source prints, as strings",
    "errata": "known typos in the source, by printed key",
}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ExampleError(f"{path}: no such file") from None
    except OSError as error:
        raise ExampleError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ExampleError(f"{path}: not UTF-8 text: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ExampleError(f"{path}: not valid TOML: {error}") from None


def read_example(path: Path) -> WorkedExample:
    """Read one example file (see the README's "Writing your own example")."""
    spec = _read_toml(path)
    text = path.read_text(encoding="utf-8")
    reader = _Reader(path, text)
    return reader.example(spec)


class _Reader:
    """Reads one file's table into a WorkedExample; every error names the file and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    # -- messages ---------------------------------------------------------------------

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """The line of `[section]` (or of `key =` inside it), for messages."""
        current = ""
        header = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
        for number, line in enumerate(self.lines, start=1):
            match = header.match(line)
            if match:
                current = match.group(1)
                if key is None and current == section:
                    return number
                continue
            if key is not None and current == section:
                if re.match(rf'^\s*("{re.escape(key)}"|{re.escape(key)})\s*=', line):
                    return number
        return None

    def error(self, message: str, section: str = "", key: str | None = None) -> ExampleError:
        line = self.line_of(section, key) if (section or key) else None
        where = f"{self.path}, line {line}" if line else str(self.path)
        return ExampleError(f"{where}: {message}")

    # -- the whole file ---------------------------------------------------------------

    def example(self, spec: dict[str, Any]) -> WorkedExample:
        unknown = [key for key in spec if key not in FIELDS]
        if unknown:
            known = ", ".join(FIELDS)
            raise self.error(
                f"unknown field {unknown[0]!r}; the fields are: {known}", "", unknown[0]
            )
        title = self.string(spec, "title", required=True) or ""
        name = self.string(spec, "name") or self.path.stem
        summary = self.string(spec, "summary") or title
        decimals = spec.get("decimals", 4)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 17:
            raise self.error(
                f"decimals must be a whole number from 0 to 17, got {decimals!r}", "", "decimals"
            )
        notes = spec.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise self.error("notes must be a list of strings", "", "notes")
        source = self.source(spec.get("source"))
        if "given" not in spec:
            raise self.error(
                "missing [given]: the numbers the example starts from, e.g. [given] x = -2"
            )
        given = self.given(spec["given"])
        if "define" not in spec and "network" not in spec:
            raise self.error(
                "missing [define] or [network]: what is computed from the given "
                'numbers, e.g. [define] q = "x + y"'
            )
        definitions = self.definitions(spec.get("define", {}))
        network = spec.get("network")
        lr, parameters, source_updates = self.update(spec.get("update"), given)
        printed, steps = self.printed(spec.get("printed", {}), spec.get("errata", {}))
        explain = spec.get("explain")
        if explain is not None and (
            not isinstance(explain, dict) or not all(isinstance(v, str) for v in explain.values())
        ):
            raise self.error('[explain] holds strings, e.g. q = "z (f = q * z)"', "explain")
        output = self.string(spec, "output")

        def make(overrides: Mapping[str, float] | None = None) -> WorkedExample:
            numbers_given = {**given, **(overrides or {})}
            leaves = {key: Value(x, key) for key, x in numbers_given.items()}
            values: dict[str, Value] = dict(leaves)
            formulas: dict[str, str] = {}
            biases: list[str] = []
            layers: list[list[str]] = []
            if network is not None:
                built = self.network(network, leaves)
                values.update(built.values)
                formulas.update(built.formulas)
                biases, layers = built.biases, built.layers
            try:
                computed = evaluate(definitions, values, where=str(self.path))
            except ExpressionError as error:
                raise ExampleError(str(error)) from None
            values.update(computed)
            formulas.update({d.name: d.text for d in _in_order(definitions, computed)})
            if output is not None and output not in values:
                raise self.error(
                    f"output {output!r} is not a name of the example; "
                    f"known names: {', '.join(values)}",
                    "",
                    "output",
                )
            root = values[output] if output else values[list(formulas)[-1]]
            example = WorkedExample(
                name=name,
                summary=summary,
                root=root,
                values=values,
                formulas=formulas,
                gradients={},
                decimals=decimals,
                parameters=list(parameters),
                notes=list(notes),
                given=dict(numbers_given),
                lr=lr,
                title=title,
                source=source,
                printed=list(printed),
                source_updates=list(source_updates),
                steps=steps,
                biases=biases,
                layers=layers,
                path=self.path,
                rebuild=make,
            )
            if explain is None:
                example.gradients = automatic_gradients(example)
            else:
                unknown_names = [key for key in explain if key not in values]
                if unknown_names:
                    raise self.error(
                        f"[explain] names {unknown_names[0]!r}, which is not a "
                        f"value of the example",
                        "explain",
                        unknown_names[0],
                    )
                example.gradients = dict(explain)
            self.check_printed_keys(example)
            return example

        return make()

    # -- the parts --------------------------------------------------------------------

    def string(self, spec: dict[str, Any], key: str, *, required: bool = False) -> str | None:
        if key not in spec:
            if required:
                raise self.error(f'missing {key!r}: {FIELDS[key]}, e.g. {key} = "..."')
            return None
        value = spec[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{key} must be a non-empty string, got {value!r}", "", key)
        return value

    def source(self, spec: object) -> Source | None:
        if spec is None:
            return None
        if not isinstance(spec, dict):
            raise self.error(
                "source must be a table: [source] author = ..., title = ..., url = ...",
                "",
                "source",
            )
        fields = {}
        for key in ("author", "title", "url"):
            value = spec.get(key)
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"[source] needs {key} as a string, got {value!r}", "source")
        for key in spec:
            if key not in ("author", "title", "url", "checked"):
                raise self.error(
                    f"[source] has an unknown field {key!r}; the fields are: "
                    "author, title, url, checked",
                    "source",
                    key,
                )
        fields = {key: str(spec.get(key, "")) for key in ("author", "title", "url", "checked")}
        return Source(**fields)

    def given(self, spec: object) -> dict[str, float]:
        if not isinstance(spec, dict) or not spec:
            raise self.error("[given] must be a table of numbers, e.g. x = -2", "given")
        given: dict[str, float] = {}
        for key, value in spec.items():
            if not _is_name(key):
                raise self.error(
                    f"[given] {key!r} is not a name (letters, digits, _; "
                    "not starting with a digit)",
                    "given",
                    key,
                )
            try:
                given[key] = _given_number(value, f"[given] {key}")
            except ExampleError as error:
                raise self.error(str(error), "given", key) from None
        return given

    def definitions(self, spec: object) -> list[Definition]:
        if not isinstance(spec, dict):
            raise self.error('[define] must be a table of expressions, e.g. q = "x + y"', "define")
        definitions: list[Definition] = []
        for key, value in spec.items():
            line = self.line_of("define", key) or 1
            if not isinstance(value, str):
                raise self.error(
                    f"[define] {key} must be an expression in quotes, e.g. "
                    f'{key} = "x + y", got {value!r}',
                    "define",
                    key,
                )
            if not _is_name(key):
                raise self.error(f"[define] {key!r} is not a name", "define", key)
            try:
                definitions += parse(
                    f"{key} = {value}", where=f"{self.path} [define] {key}", line_offset=line - 1
                )
            except ExpressionError as error:
                raise ExampleError(str(error)) from None
            if len(definitions) and definitions[-1].name != key:
                raise self.error(f"[define] {key} must be one expression", "define", key)
        return definitions

    def update(
        self, spec: object, given: dict[str, float]
    ) -> tuple[float | None, list[str], list[str]]:
        if spec is None:
            return None, [], []
        if not isinstance(spec, dict):
            raise self.error("[update] must be a table: lr = 0.5, parameters = [...]", "update")
        lr = spec.get("lr")
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
            raise self.error(f"[update] lr must be a number, got {lr!r}", "update", "lr")
        lists = []
        for key in ("parameters", "source_updates"):
            names = spec.get(key, spec.get("parameters") if key == "source_updates" else None)
            if not isinstance(names, list) or not names:
                raise self.error(f"[update] {key} must be a list of given names", "update", key)
            for n in names:
                if n not in given:
                    raise self.error(
                        f"[update] {key} names {n!r}, which is not in [given]", "update", key
                    )
            lists.append(list(names))
        for key in spec:
            if key not in ("lr", "parameters", "source_updates"):
                raise self.error(
                    f"[update] has an unknown field {key!r}; the fields are: lr, "
                    "parameters, source_updates",
                    "update",
                    key,
                )
        return float(lr), lists[0], lists[1]

    def printed(self, spec: object, errata: object) -> tuple[list[Printed], int]:
        if not isinstance(spec, dict):
            raise self.error("[printed] must be a table of numbers as strings", "printed")
        if not isinstance(errata, dict) or not all(isinstance(v, str) for v in errata.values()):
            raise self.error("[errata] must be a table of strings", "errata")
        printed: list[Printed] = []
        steps = 0
        stages = {"after_update": "update", "after_steps": "steps"}
        for key, value in spec.items():
            if key in stages and isinstance(value, dict):
                section = f"printed.{key}"
                for inner, text in value.items():
                    if key == "after_steps" and inner == "steps":
                        if isinstance(text, bool) or not isinstance(text, int) or text < 1:
                            raise self.error(
                                f"steps must be a positive whole number, got {text!r}",
                                section,
                                inner,
                            )
                        steps = text
                        continue
                    self.printed_text(section, inner, text)
                    erratum = errata.get(f"{key}.{inner}", "")
                    printed.append(Printed(inner, text, stages[key], erratum))
                if key == "after_steps" and not steps:
                    raise self.error(
                        "[printed.after_steps] needs steps = N, how many updates", section
                    )
                continue
            self.printed_text("printed", key, value)
            printed.append(Printed(key, value, "forward", errata.get(key, "")))
        printed = [replace(p, steps=steps) if p.stage == "steps" else p for p in printed]
        prefixes = {"forward": "", "update": "after_update.", "steps": "after_steps."}
        keys = {prefixes[p.stage] + p.key for p in printed}
        for key in errata:
            if key not in keys:
                raise self.error(f"[errata] {key!r} is not a key of [printed]", "errata", key)
        return printed, steps

    def printed_text(self, section: str, key: str, text: object) -> None:
        if not isinstance(text, str):
            raise self.error(
                f"{key} must be written as a string, as printed ({key} = "
                f'"{text}"), so its precision is known',
                section,
                key,
            )
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text.strip()):
            raise self.error(
                f'{key} = {text!r} is not a number as printed (write digits, e.g. "-0.20" or "12")',
                section,
                key,
            )

    def check_printed_keys(self, example: WorkedExample) -> None:
        for item in example.printed:
            section = {
                "forward": "printed",
                "update": "printed.after_update",
                "steps": "printed.after_steps",
            }[item.stage]
            try:
                printed_names(item.key, example)
            except ExampleError as error:
                raise self.error(str(error), section, item.key) from None
            if item.stage != "forward" and (example.lr is None):
                raise self.error(
                    f"{item.key} after an update needs [update] with lr and parameters",
                    section,
                    item.key,
                )

    # -- networks ---------------------------------------------------------------------

    def network(self, spec: object, leaves: dict[str, Value]) -> _Network:
        where = "network"
        if not isinstance(spec, dict):
            raise self.error("[network] must be a table with inputs, layers and loss", where)
        for key in spec:
            if key not in ("inputs", "layers", "loss"):
                raise self.error(
                    f"[network] has an unknown field {key!r}; the fields are: inputs, layers, loss",
                    where,
                    key,
                )
        inputs = spec.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise self.error(
                '[network] inputs must be a list of given names, e.g. ["i1", "i2"]', where, "inputs"
            )
        xs = [self.leaf(leaves, n, where, "inputs") for n in inputs]
        layers = spec.get("layers")
        if not isinstance(layers, list) or not layers:
            raise self.error("[network] needs at least one [[network.layers]]", where)
        built = _Network({}, {}, [], [])
        outputs: list[str] = []
        for k, layer in enumerate(layers, start=1):
            xs, outputs = self.layer(k, layer, xs, leaves, built)
        loss = spec.get("loss")
        if loss is not None:
            self.loss(loss, xs, outputs, leaves, built)
        return built

    def leaf(self, leaves: dict[str, Value], name: object, section: str, key: str) -> Value:
        if not isinstance(name, str) or name not in leaves:
            raise self.error(
                f"{key} names {name!r}, which is not in [given]; add it there with its number",
                section,
                key,
            )
        return leaves[name]

    def layer(
        self,
        k: int,
        spec: object,
        xs: list[Value],
        leaves: dict[str, Value],
        built: _Network,
    ) -> tuple[list[Value], list[str]]:
        where = "network.layers"
        what = f"[[network.layers]] number {k}"
        if not isinstance(spec, dict):
            raise self.error(f"{what} must be a table", where)
        allowed = ("neurons", "activation", "weights", "bias", "biases", "nets", "outputs")
        for key in spec:
            if key not in allowed:
                raise self.error(
                    f"{what} has an unknown field {key!r}; the fields are: {', '.join(allowed)}",
                    where,
                    key,
                )
        neurons = spec.get("neurons")
        if not isinstance(neurons, list) or not neurons or not all(map(_is_name, neurons)):
            raise self.error(f'{what} needs neurons = ["h1", "h2", ...]', where, "neurons")
        activation = spec.get("activation", "linear")
        if activation not in ACTIVATIONS:
            raise self.error(
                f"{what} activation {activation!r} is unknown; choose one of "
                f"{', '.join(ACTIVATIONS)}",
                where,
                "activation",
            )
        rows = spec.get("weights")
        if not isinstance(rows, list) or len(rows) != len(neurons):
            raise self.error(
                f"{what} weights must have one row per neuron ({len(neurons)} rows of given names)",
                where,
                "weights",
            )
        weights = []
        for j, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(xs):
                raise self.error(
                    f"{what} weights row {j + 1} must name one weight per input ({len(xs)})",
                    where,
                    "weights",
                )
            weights.append([self.leaf(leaves, n, where, "weights") for n in row])
        if "bias" in spec and "biases" in spec:
            raise self.error(
                f"{what} has both bias (shared) and biases (one per neuron); keep one",
                where,
                "bias",
            )
        if "bias" in spec:
            bias_names = [spec["bias"]] * len(neurons)
        elif "biases" in spec:
            bias_names = spec["biases"]
            if not isinstance(bias_names, list) or len(bias_names) != len(neurons):
                raise self.error(f"{what} biases must name one bias per neuron", where, "biases")
        else:
            bias_names = []
        biases = [self.leaf(leaves, n, where, "bias") for n in bias_names]
        built.biases = list(dict.fromkeys([*built.biases, *bias_names]))
        names = [w.label for row in weights for w in row] + [b.label for b in biases]
        built.layers.append(list(dict.fromkeys(names)))
        linear = activation == "linear"
        nets = self.names(spec, "nets", [f"net_{n}" for n in neurons], what)
        outs = self.names(spec, "outputs", [f"out_{n}" for n in neurons], what)
        activate = ACTIVATIONS[activation]
        results = []
        for j in range(len(neurons)):
            # A bias-free neuron adds a constant 0 (a leaf with no name) as its bias.
            net = weighted_sum(weights[j], xs, biases[j] if biases else 0.0)
            out = net if activate is None else activate(net)
            inputs = " + ".join(f"{w.label}*{x.label}" for w, x in zip(weights[j], xs))
            if biases:
                inputs += f" + {biases[j].label}"
            if linear:
                self.name_node(built, out, outs[j], inputs, what, leaves)
            else:
                self.name_node(built, net, nets[j], inputs, what, leaves)
                self.name_node(built, out, outs[j], f"{activation}({nets[j]})", what, leaves)
            results.append(out)
        return results, outs

    def names(self, spec: dict[str, Any], key: str, default: list[str], what: str) -> list[str]:
        names = spec.get(key, default)
        if (
            not isinstance(names, list)
            or len(names) != len(default)
            or not all(map(_is_name, names))
        ):
            raise self.error(f"{what} {key} must be {len(default)} names", "network.layers", key)
        return names

    def name_node(
        self,
        built: _Network,
        node: Value,
        name: str,
        formula: str,
        what: str,
        leaves: dict[str, Value],
    ) -> None:
        if name in built.values or name in leaves:
            raise self.error(
                f"{what}: the name {name!r} is used twice; rename one (nets = "
                "[...], outputs = [...])",
                "network.layers",
            )
        node.label = name
        built.values[name] = node
        built.formulas[name] = formula

    def loss(
        self,
        spec: object,
        outputs: list[Value],
        names: list[str],
        leaves: dict[str, Value],
        built: _Network,
    ) -> None:
        where = "network.loss"
        if not isinstance(spec, dict):
            raise self.error("[network.loss] must be a table: kind, targets, total", where)
        for key in spec:
            if key not in ("kind", "targets", "terms", "total"):
                raise self.error(
                    f"[network.loss] has an unknown field {key!r}; the fields "
                    "are: kind, targets, terms, total",
                    where,
                    key,
                )
        kind = spec.get("kind")
        if kind != "half_squared_error":
            raise self.error(
                f"[network.loss] kind {kind!r} is unknown; the one kind is "
                '"half_squared_error" (E = sum 1/2 (target - out)^2)',
                where,
                "kind",
            )
        targets = spec.get("targets")
        if not isinstance(targets, list) or len(targets) != len(outputs):
            raise self.error(
                f"[network.loss] targets must name one given target per output ({len(outputs)})",
                where,
                "targets",
            )
        target_values = [self.leaf(leaves, n, where, "targets") for n in targets]
        total = spec.get("total", "E")
        default_terms = [total] if len(outputs) == 1 else [f"E_{n}" for n in names]
        terms = spec.get("terms", default_terms)
        if not isinstance(terms, list) or len(terms) != len(outputs):
            raise self.error("[network.loss] terms must name one error per output", where, "terms")
        errors = []
        for out, target, name, target_name, out_name in zip(
            outputs, target_values, terms, targets, names
        ):
            error = sum_squared_error([out], [target])  # 1/2 (target - out)^2
            self.name_node(
                built, error, name, f"1/2 ({target_name} - {out_name})^2", "[network.loss]", leaves
            )
            errors.append(error)
        if len(errors) > 1:
            error_total = reduce(lambda a, b: a + b, errors)
            self.name_node(built, error_total, total, " + ".join(terms), "[network.loss]", leaves)


@dataclass
class _Network:
    """What a [network] table builds: the named values, their formulas, the bias names."""

    values: dict[str, Value]
    formulas: dict[str, str]
    biases: list[str]
    layers: list[list[str]]  # each layer's weights and biases, input side first


def _is_name(text: object) -> bool:
    return isinstance(text, str) and text.isidentifier() and not text.startswith("__")


def _given_number(value: object, what: str) -> float:
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
    order = [root]
    for node in reversed(topological_order(example.root, leaves=False)):
        for x in node.inputs:
            if x.label in example.values and example.values[x.label] is x and x.label not in order:
                order.append(x.label)
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
