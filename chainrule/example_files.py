"""Reading a worked-example file: TOML in, a WorkedExample out, or one clear error.

Every field is checked as it is read, and every error names the file, the line (or the
field) and what to write instead; nothing is half-built. The format is described in the
README ("Writing your own example"); `chainrule/worked-examples/*.toml` are complete examples.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import reduce
from pathlib import Path
from typing import Any

from autograd import Value, weighted_sum
from autograd.expr import Definition, ExpressionError, evaluate, parse
from autograd.files import UnusableFile

# nn through chainrule, which finds its own even beside a learner's nn.py (_packages.py).
from chainrule import nn, sum_squared_error

from .examples import (
    ExampleError,
    Printed,
    Source,
    WorkedExample,
    _given_number,
    _in_order,
    automatic_gradients,
    printed_names,
)
from .toml_files import TomlFile, key_line, read_toml_file

ACTIVATIONS = nn.layers.ACTIVATIONS

FIELDS = {
    "name": "the example's name (default: the file name)",
    "title": "a heading",
    "summary": "one line for `chainrule examples`",
    "decimals": "digits after the point in tables",
    "notes": "lines printed under the tables",
    "output": "the value backward starts from (default: the last one computed)",
    "source": "author, title, url, checked",
    "given": "the numbers typed in",
    "constants": "given names that are constants, not inputs (drawn without a gradient)",
    "define": "values computed by expressions",
    "network": "inputs, layers and loss of a small network",
    "explain": "the chain-rule column of the gradient table",
    "update": "lr and the parameters one gradient-descent step changes",
    "printed": "the numbers the source prints, as strings",
    "errata": "known typos in the source, by printed key",
}


def read_toml(path: Path) -> dict[str, Any]:
    """The data of a TOML file the tools read, or an ExampleError naming the file."""
    return read_toml_checked(path).data


def read_toml_checked(path: Path) -> TomlFile:
    try:
        return read_toml_file(path, what="an example file")
    except UnusableFile as error:
        raise ExampleError(str(error)) from None


def read_file(path: Path) -> WorkedExample:
    """Read one example file into a WorkedExample (examples.load and read_example call
    this); ExampleError naming the file and the line or field when it cannot be used."""
    document = read_toml_checked(path)  # read once: a FIFO or device is never read
    reader = _Reader(path, document.text)
    return reader.example(document.data)


class _Reader:
    """Reads one file's table into a WorkedExample; every error names the file and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    # -- messages ---------------------------------------------------------------------

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """The line of `[section]` (or of `key =` inside it), for messages."""
        return key_line(self.lines, section, key)

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
        constants = spec.get("constants", [])
        if not isinstance(constants, list) or any(name not in given for name in constants):
            raise self.error(
                f'constants must list names from [given], e.g. constants = ["target"]; '
                f"got {constants!r}",
                "",
                "constants",
            )

        def make(overrides: Mapping[str, float] | None = None) -> WorkedExample:
            numbers_given = {**given, **(overrides or {})}
            leaves = {key: Value(x, key) for key, x in numbers_given.items()}
            values: dict[str, Value] = dict(leaves)
            formulas: dict[str, str] = {}
            biases: list[str] = []
            layers: list[list[str]] = []
            given_constants = list(constants)
            model = None
            if network is not None:
                built = self.network(network, leaves)
                values.update(built.values)
                formulas.update(built.formulas)
                biases, layers = built.biases, built.layers
                given_constants += [n for n in built.constants if n not in given_constants]
                model = nn.MLP.from_layers(built.model)
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
                constants=given_constants,
                model=model,
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
        built = _Network({}, {}, [], [], [], [])
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
        built.model.append(
            nn.Layer(
                len(xs),
                len(neurons),
                activation,
                weights=weights,
                biases=biases or None,
                bias=bool(biases),
            )
        )
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
        built.constants = list(targets)
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
    constants: list[str]  # the loss's targets: given numbers, not inputs
    model: list[nn.Layer]  # the layers as nn Layers sharing the given Values (for diagrams)


def _is_name(text: object) -> bool:
    return isinstance(text, str) and text.isidentifier() and not text.startswith("__")
