"""Reading a worked-example file: TOML in, a WorkedExample out, or one clear error.

Every field is checked as it is read, and every error names the file, the line (or the
field) and what to write instead; nothing is half-built. The format is described in the
README ("Writing your own example"); `chainrule/worked-examples/*.toml` are complete examples.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.expr import Definition, ExpressionError, Function, evaluate, parse
from autograd.files import UnusableFile

# nn through chainrule's own finder, which works even beside a learner's nn.py.
from ._packages import nn
from .chain import automatic_gradients
from .example_functions import read_functions
from .example_network import read_network
from .example_printed import check_printed_keys, read_printed
from .example_text import ExampleText, is_name
from .toml_files import TomlFile, read_toml_file
from .worked import ExampleError, Source, WorkedExample, given_number, in_order

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
    "functions": 'functions of your own, e.g. "swish(x)" = "x * sigmoid(x)"',
    "define": "values computed by expressions",
    "network": "inputs, layers and loss of a small network",
    "explain": "the chain-rule column of the gradient table",
    "update": "lr and the parameters one gradient-descent step changes",
    "printed": "the numbers the source prints, as strings",
    "errata": "known typos in the source, by printed key",
}


def read_toml(path: Path) -> dict[str, Any]:
    """The data of an example file, or an ExampleError naming the file (and the line)."""
    return _read_checked(path).data


def _read_checked(path: Path) -> TomlFile:
    # One reader for every file (autograd.files): never a FIFO, a device or a huge file.
    try:
        return read_toml_file(path, what="an example file")
    except UnusableFile as error:
        raise ExampleError(str(error)) from None


def read_file(path: Path) -> WorkedExample:
    """Read one example file into a WorkedExample (examples.load calls
    this); ExampleError naming the file and the line or field when it cannot be used."""
    document = _read_checked(path)  # read once: what is parsed is what messages quote
    reader = _Reader(path, document.text)
    return reader.example(document.data)


class _Reader(ExampleText):
    """Reads one file's table into a WorkedExample; every error names the file and line.
    The sections with most to check are read by their own modules: [network] by
    example_network.py, [printed] and [errata] by example_printed.py."""

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
        define = spec.get("define", {})
        names = [*given, *(define if isinstance(define, dict) else ())]
        functions = read_functions(self, spec.get("functions", {}), names)
        definitions = self.definitions(define, functions)
        network = spec.get("network")
        lr, parameters, source_updates = self.update(spec.get("update"), given)
        printed, steps = read_printed(self, spec.get("printed", {}), spec.get("errata", {}))
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
            neurons: list[list[str]] = []
            given_constants = list(constants)
            model = None
            if network is not None:
                built = read_network(self, network, leaves)
                values.update(built.values)
                formulas.update(built.formulas)
                biases, layers, neurons = built.biases, built.layers, built.neurons
                given_constants += [n for n in built.constants if n not in given_constants]
                model = nn.MLP.from_layers(built.model)
            try:
                computed = evaluate(definitions, values, where=str(self.path), functions=functions)
            except ExpressionError as error:
                raise ExampleError(str(error)) from None
            values.update(computed)
            formulas.update({d.name: d.text for d in in_order(definitions, computed)})
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
                neurons=neurons,
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
            check_printed_keys(self, example)
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
        for key in ("author", "title"):
            value = spec.get(key)
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"[source] needs {key} as a string, got {value!r}", "source")
        for key in ("url", "checked"):  # optional: a lecture slide has no address
            if not isinstance(spec.get(key, ""), str):
                raise self.error(
                    f"[source] {key} must be a string (or left out), got {spec[key]!r}",
                    "source",
                    key,
                )
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
            if not is_name(key):
                raise self.error(
                    f"[given] {key!r} is not a name (letters, digits, _; "
                    "not starting with a digit)",
                    "given",
                    key,
                )
            try:
                given[key] = given_number(value, f"[given] {key}")
            except ExampleError as error:
                raise self.error(str(error), "given", key) from None
        return given

    def definitions(
        self, spec: object, functions: Mapping[str, Function] | None = None
    ) -> list[Definition]:
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
            if not is_name(key):
                raise self.error(f"[define] {key!r} is not a name", "define", key)
            try:
                definitions += parse(
                    f"{key} = {value}",
                    where=f"{self.path} [define] {key}",
                    line_offset=line - 1,
                    functions=functions,
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
