"""The worked examples by name: the course's built-ins, the library, your own files and lines.

An example is data, not code: a TOML file with the given numbers, the values computed from
them (expressions such as `q = "x + y"`, or a small network), the source it comes from and
every number the source prints. The course's own examples (`xyz`, `2-2-2`) and a library of
classic ones from public teaching material ship as such files in chainrule/worked-examples/;
`load(NAME or PATH)` reads one into a WorkedExample (worked.py; the reader is
example_files.py), `from_expr(text, given)` makes one from a line of text. Only given
numbers are typed in; every result is computed by the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from autograd import Value
from autograd.expr import ExpressionError, evaluate, parse

from .chain import automatic_gradients
from .example_files import read_file, read_toml
from .worked import (
    ExampleError,
    WorkedExample,
    given_number,
    in_order,
    run_backward,
    zero_gradients,
)

# Where the example files live: the course's built-ins, then the library.
FOLDER = Path(__file__).with_name("worked-examples")
BUILT_INS = ("xyz", "2-2-2")
LIBRARY_FOLDER = FOLDER / "library"


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
    return read_file(path)


def build(name: str) -> WorkedExample:
    """A fresh copy of the built-in or library example called name."""
    return read_file(example_path(name))


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
        key: given_number(value, f"the given value {key}") for key, value in given.items()
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
            formulas={d.name: d.text for d in in_order(definitions, computed)},
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


def _automatic_decimals(example: WorkedExample) -> int:
    """0 when every value and gradient is a whole number, else 4."""
    run_backward(example)
    whole = all(
        float(v.data).is_integer() and float(v.grad).is_integer() for v in example.values.values()
    )
    zero_gradients(example)
    return 0 if whole else 4
