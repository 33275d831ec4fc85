"""Variants of a worked example: the same graph with other given numbers, and its answer key.

A variant keeps the example's graph and draws new given numbers in sensible ranges (small
whole numbers stay small whole numbers, numbers between 0 and 1 stay between 0 and 1). The
whole graph is recomputed forward through the op table, then backward, and numbers that
would make a poor exercise are drawn again: a ReLU at 0, a division by almost zero, a
saturated sigmoid, a gradient too small to show. A seed makes it reproducible.

`write_variant` writes the sheet (student.md), the key (key.md), a blank answers.toml, the
filled key.toml and a test_answers.py that grades answers.toml with chainrule.grading.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograd import topological_order
from autograd.files import read_text_file, write_atomically
from autograd.printing import format_number

from . import derive, examples, grading
from .example_files import read_toml
from .worked import ExampleError, WorkedExample, run_backward

MAX_DRAWS = 5000  # attempts to find good numbers before giving up
SHEET_DECIMALS = 4  # at most this many decimals asked of a learner by default


@dataclass
class Variant:
    """One version of an example: its graph at the new numbers, after backward."""

    example: WorkedExample
    source: str  # the built-in's name (or the example file) it was made from
    seed: int
    number: int  # 1 for the first variant a seed makes, 2 for the next, ...
    given: dict[str, float]
    decimals: int  # the precision the sheet asks for (the tolerance of its grading)
    lr: float
    student: str | None = None  # a roster's id: the sheet names them, never the seed
    ask: list[str] | None = None  # the answer labels the sheet asks for (None: all)

    def asked(self) -> dict[str, list[str]]:
        """What the sheet asks for, section by section (grading.asked_names)."""
        return grading.asked_names(self.example, self.ask)

    @property
    def title(self) -> str:
        """How the sheet and key name this version: for a student, or by seed."""
        if self.student is not None:
            return f"{self.source}, for {self.student}"
        return f"{self.source}, variant {self.number} (seed {self.seed})"

    @property
    def key_decimals(self) -> int:
        """The precision the key prints (make_variants sets the example's to it)."""
        return self.example.decimals

    def key_number(self, x: float) -> str:
        return format_number(x, decimals=self.key_decimals, fixed=True)

    @property
    def from_file(self) -> bool:
        """Made from an example file (copied into the folder as example.toml), not a name."""
        return self.source not in examples.EXAMPLES

    @property
    def example_reference(self) -> str:
        """What the [exercise] table's example = says: the name, or the copied file."""
        return "example.toml" if self.from_file else self.source


# ---------------------------------------------------------------------------------------
# Drawing the numbers
# ---------------------------------------------------------------------------------------


def _decimals_of(x: float) -> int:
    """Digits after the point in x's shortest form: 0.05 -> 2, 0.6 -> 1, -2.0 -> 0."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        return 3
    whole, _, fraction = text.partition(".")
    return 0 if fraction == "0" else len(fraction)


def draw_number(rng: random.Random, original: float) -> float:
    """A new given number in the range of the original:

    - a whole number: a whole number from 1 to max(9, 2|original|), of either sign;
    - a number strictly between 0 and 1 (inputs, weights, targets of a sigmoid network):
      another one, with the original's decimals (at least 2, at most 3); likewise between
      -1 and 0;
    - any other number: the original's decimals (2 to 3), size up to twice the original's,
      either sign;
    - 0 stays 0 (a given zero is usually there on purpose).
    """
    if original == 0.0:
        return 0.0
    size = abs(original)
    if float(original).is_integer():
        largest = max(9, int(2 * size))
        return float(rng.choice((-1, 1)) * rng.randint(1, largest))
    decimals = min(3, max(2, _decimals_of(original)))
    unit = 10**decimals
    if size < 1.0:
        return (1 if original > 0 else -1) * rng.randint(1, unit - 1) / unit
    return rng.choice((-1, 1)) * rng.randint(1, int(2 * size * unit)) / unit


def problems(example: WorkedExample, decimals: int) -> list[str]:
    """What makes the example's numbers a poor exercise at this printed precision (empty
    when none): a ReLU (or clamp) at its kink, a division by or log of almost zero, a
    saturated sigmoid or tanh, or an asked-for number that would print as 0 although the
    original example's is not 0. Call after the forward and backward passes."""
    found = []
    smallest = 10.0**-decimals
    for node in topological_order(example.root):
        op, inputs = str(node.op), node.inputs
        if not inputs:
            continue
        a = inputs[0].data
        if op == "relu" and abs(a) < smallest:
            found.append(f"relu({a:g}) sits at the kink")
        elif op == "clamp" and any(abs(a - bound) < smallest for bound in node.const):  # type: ignore[attr-defined]
            found.append(f"clamp({a:g}) sits at a bound")
        elif op == "/" and abs(inputs[1].data) < 0.1:
            found.append(f"division by almost zero ({inputs[1].data:g})")
        elif op == "**" and len(inputs) == 1 and node.const < 0 and abs(a) < 0.1:  # type: ignore[operator]
            found.append(f"{a:g} ** {node.const} divides by almost zero")
        elif op in ("log", "sqrt") and a < 0.1:
            found.append(f"{op}({a:g}) of almost zero")
        elif op == "sigmoid" and node.data * (1.0 - node.data) < 0.01:
            found.append(f"sigmoid({a:g}) is saturated")
        elif op == "tanh" and 1.0 - node.data * node.data < 0.01:
            found.append(f"tanh({a:g}) is saturated")
    return found


def _asked_numbers(example: WorkedExample, lr: float) -> dict[str, float]:
    """Every asked-for number of the example, by its answer label."""
    asked = grading.asked_names(example)
    values = example.values
    numbers = {n: values[n].data for n in asked["forward"]}
    numbers.update({example.gradient_name(n): values[n].grad for n in asked["gradients"]})
    numbers.update(
        {f"{p} after the step": values[p].data - lr * values[p].grad for p in asked["updated"]}
    )
    return numbers


def fresh_example(source: str) -> WorkedExample:
    """A fresh copy of the example source names: a built-in or library example's name, or
    an example file."""
    return examples.load(source)


def make_variants(
    source: str,
    seed: int,
    count: int = 1,
    *,
    decimals: int | None = None,
    keep: Sequence[str] = (),
    ask: Sequence[str] | None = None,
) -> list[Variant]:
    """count variants of the example (a name or an example file), from one random stream
    seeded with seed: the same source and seed always give the same numbers, and the
    variants of one call are all different from each other and from the original.

    decimals: the precision the sheet asks for (default: the example's, at most 4).
    keep: given numbers that stay as they are (constants such as the 2 of 2 * n).
    ask: what the sheet asks for (grading.ask_labels: sections, names, grad:NAME,
    new:NAME; default: every value, every gradient but a constant's, every update)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    original = fresh_example(source)
    run_backward(original)
    labels = None if ask is None else grading.ask_labels(original, ask)
    if decimals is None:
        decimals = min(original.decimals, SHEET_DECIMALS)
    lr = grading._learning_rate(original, None)
    names = grading.given_names(original)
    unknown = [n for n in keep if n not in names]
    if unknown:
        raise ValueError(
            f"keep: {', '.join(unknown)} not a given number of {original.name}; "
            f"its given numbers are {', '.join(names)}"
        )
    start = [original.values[n].data for n in names]
    held = [n in keep for n in names]
    if all(held):
        raise ValueError(
            f"keep: {', '.join(names)} are all the given numbers of {original.name}, so no "
            "variant could differ from it; keep fewer of them"
        )
    # An asked number that prints as 0 in the original may do so in a variant; others not.
    smallest = 10.0**-decimals
    must_show = [k for k, x in _asked_numbers(original, lr).items() if abs(x) >= smallest]
    rng = random.Random(seed)
    seen = {tuple(start)}
    variants: list[Variant] = []
    for _ in range(MAX_DRAWS):
        numbers = [x if fixed else draw_number(rng, x) for x, fixed in zip(start, held)]
        if tuple(numbers) in seen:
            continue
        seen.add(tuple(numbers))
        example = fresh_example(source)
        try:
            grading.set_given(example, dict(zip(names, numbers)))
        except (ArithmeticError, ValueError):  # the numbers break an operation: draw again
            continue
        run_backward(example)
        asked = _asked_numbers(example, lr)
        if problems(example, decimals) or any(abs(asked[k]) < smallest for k in must_show):
            continue
        given = dict(zip(names, numbers))
        # The key prints whole numbers as they are, others two digits finer than the sheet
        # asks (at least as fine as the example), so its products visibly add up; every
        # printer of the example (tables, derivations) then uses that precision.
        whole = all(float(x).is_integer() for x in asked.values())
        example.decimals = decimals if whole else max(example.decimals, min(decimals + 2, 9))
        number = len(variants) + 1
        variants.append(Variant(example, source, seed, number, given, decimals, lr, ask=labels))
        if len(variants) == count:
            return variants
    raise RuntimeError(
        f"found only {len(variants)} of {count} usable variants of {source} in {MAX_DRAWS} "
        "draws; ask for fewer, or fewer decimals"
    )


# ---------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _given_text(x: float) -> str:
    """A given number as typed: -3, 0.37."""
    return str(int(x)) if x.is_integer() else repr(x)


def exercise_table(variant: Variant) -> dict[str, object]:
    """The [exercise] table of the variant's answers.toml and key.toml, as data: the
    problem, with its check (grading.exercise_check) over everything else in it. A
    student's has their id and no seed: the seed would let them make their key."""
    exercise: dict[str, object] = {"example": variant.example_reference}
    if variant.student is None:
        exercise.update(seed=variant.seed, variant=variant.number)
    else:
        exercise["student"] = variant.student
    exercise["decimals"] = variant.decimals
    if variant.asked()["updated"]:
        exercise["lr"] = variant.lr
    if variant.ask is not None:
        exercise["ask"] = list(variant.ask)
    exercise["given"] = dict(variant.given)
    exercise["check"] = grading.exercise_check(exercise)
    return exercise


def answers_toml(variant: Variant, *, filled: bool) -> str:
    """answers.toml (blank: every answer "") or key.toml (filled with the key's numbers)."""
    example = variant.example
    asked = variant.asked()
    root = example.root.label
    what = "Answer key" if filled else "Answers"
    if variant.student is None:
        made = f"(chainrule variant {variant.source} --seed {variant.seed})"
        lines = [
            f"# {what}: {variant.source}, variant {variant.number} of seed {variant.seed} {made}"
        ]
    else:
        lines = [f"# {what}: {variant.title}"]
    if not filled:
        lines += [
            f'# Replace each "" with your number, to {variant.decimals} decimals '
            "(a blank answer counts as missing).",
            "# Check your answers: `pytest` in this folder, or `chainrule grade .`",
        ]
    exercise = exercise_table(variant)
    lines += ["", "[exercise]  # the problem these answers belong to: leave it as it is"]
    for key, value in exercise.items():
        if key != "given":
            lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[exercise.given]"]
    lines += [f"{_toml_key(n)} = {_given_text(x)}" for n, x in variant.given.items()]

    def entry(name: str, number: float, comment: str) -> str:
        value = variant.key_number(number) if filled else '""'
        return f"{_toml_key(name)} = {value}  # {comment}"

    values = example.values
    if asked["forward"]:
        lines += ["", "[forward]"]
        lines += [entry(n, values[n].data, example.formulas[n]) for n in asked["forward"]]
    if asked["gradients"]:
        lines += ["", f"[gradients]  # d{root}/d<name>"]
        lines += [entry(n, values[n].grad, example.gradient_name(n)) for n in asked["gradients"]]
    if asked["updated"]:
        rule = grading.update_rule(variant.lr)
        lines += ["", f"[updated]  # after one gradient-descent step: new = {rule}"]
        lines += [
            entry(
                p,
                values[p].data - variant.lr * values[p].grad,
                grading.update_rule(variant.lr, p, example.gradient_name(p)),
            )
            for p in asked["updated"]
        ]
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    """A number, a text or a list of texts as TOML writes it."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(str(v)) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; a header starting with a space is a right-aligned number column."""
    align = ["---:" if h.startswith(" ") else "---" for h in headers]
    out = ["| " + " | ".join(h.strip() for h in headers) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _given_table(variant: Variant) -> str:
    rows = [[n, _given_text(x)] for n, x in variant.given.items()]
    return _md_table(["name", " value"], rows)


def student_md(variant: Variant, picture: str | None) -> str:
    """The problem sheet: given numbers, what to compute in order, the graph's picture."""
    example = variant.example
    asked = variant.asked()
    root = example.root.label
    d = variant.decimals
    parts = [
        f"# Backprop by hand: {variant.title}",
        f"The worked example `{variant.source}` with other numbers. Give every answer to {d} "
        f"decimal{'s' if d != 1 else ''}, and write it into `answers.toml`.",
        "## Given\n\n" + _given_table(variant),
    ]
    every = grading.asked_names(example)["forward"]
    if variant.ask is None:
        rows = [[n, f"`{example.formulas[n]}`"] for n in every]
        parts.append(
            "## 1. Forward pass\n\nCompute each value, in this order:\n\n"
            + _md_table(["value", "formula"], rows)
        )
    else:  # every value is needed on the way; the sheet names the ones it asks for
        rows = [
            [n, f"`{example.formulas[n]}`", "yes" if n in asked["forward"] else ""] for n in every
        ]
        parts.append(
            "## 1. Forward pass\n\nCompute each value, in this order, and write the ones "
            "marked *asked* into `answers.toml`:\n\n"
            + _md_table(["value", "formula", "asked"], rows)
        )
    if asked["gradients"]:
        parts.append(
            f"## 2. Backward pass\n\nCompute the gradient of {root} with respect to each of "
            "these, in the order the backward pass finds them (each is a sum of local "
            "derivative x upstream gradient over the values that use it):\n\n"
            + "\n".join(f"- {example.gradient_name(n)}" for n in asked["gradients"])
        )
    if picture is not None:
        parts.append(
            "The graph after the forward pass, gradients hidden. It shows the forward "
            "values: use it to check part 1 before you start part 2.\n\n"
            f"![The graph of {root} after the forward pass]({picture})"
        )
    if asked["updated"]:
        parts.append(
            f"## 3. One step of gradient descent\n\nWith learning rate {variant.lr:g}, update "
            f"each parameter: new = {grading.update_rule(variant.lr)}.\n\n"
            + ", ".join(asked["updated"])
        )
    parts.append(
        "## Your answers\n\n"
        'Replace each `""` in `answers.toml` with your number. Check your work with '
        "`pytest` in this folder (or `chainrule grade .`): it names the first wrong value, "
        "where it sits in the computation and the kind of slip it looks like, without "
        "giving the answer away, and marks an answer that correctly follows from an earlier "
        "mistake as such. Leave the `[exercise]` table as it is: the check refuses a sheet "
        "whose given numbers were changed."
    )
    return "\n\n".join(parts) + "\n"


def key_md(variant: Variant, picture: str | None) -> str:
    """The worked solution: forward values, every gradient with its chain rule and the
    numbers it is built from, the update, and the graph after backward."""
    example = variant.example
    asked = grading.asked_names(example)  # the whole solution, whatever the sheet asks
    root = example.root.label
    n = variant.key_number
    values = example.values
    graph = grading.NamedGraph.of(example)

    def built_from(name: str) -> str:
        terms = grading.chain_terms(graph, name)
        return " + ".join(f"{n(t.local)} x {n(t.upstream)}" for t in terms) or "(base case)"

    forward = [[m, f"`{example.formulas[m]}`", n(values[m].data)] for m in asked["forward"]]
    gradients = [
        [
            example.gradient_name(m),
            f"`{example.gradients[m]}`",
            built_from(m),
            n(values[m].grad),
        ]
        for m in asked["gradients"]
    ]
    parts = [
        f"# Answer key: {variant.title}",
        f"Answers are graded to {variant.decimals} decimals; error carried forward is "
        "credited (chainrule grade).",
        "## Given\n\n" + _given_table(variant),
        "## Forward pass\n\n" + _md_table(["name", "formula", " value"], forward),
        f"## Backward pass: gradients of {root}\n\nEach gradient is the sum, over the values "
        "that use it, of local derivative x upstream gradient.\n\n"
        + _md_table(["gradient", "chain rule", "local x upstream", " value"], gradients),
    ]
    rules = derive.chain_rules(example)
    if rules:
        blocks = ["\n".join(derive.plain_rule(example, rule)) for rule in rules]
        parts.append(
            "## The chain rule along every path\n\n```text\n" + "\n\n".join(blocks) + "\n```"
        )
    if asked["updated"]:
        lr = variant.lr
        rows = [
            [p, n(values[p].data), n(values[p].grad), n(values[p].data - lr * values[p].grad)]
            for p in asked["updated"]
        ]
        parts.append(
            f"## One gradient-descent step, learning rate {lr:g}: new = "
            f"{grading.update_rule(lr)}\n\n"
            + _md_table(["parameter", " old", " gradient", " new"], rows)
        )
    if picture is not None:
        parts.append(f"![The graph of {root} after backward]({picture})")
    return "\n\n".join(parts) + "\n"


TEST_ANSWERS = '''\
"""Checks answers.toml in this folder (made by `chainrule variant`): run `pytest` here.

It passes when every answer is right. Otherwise it fails naming the first wrong value,
where it sits in the computation and the kind of slip it looks like, never the number it
should be. It grades the [exercise] table handed out with this file (CHECK); a table whose
given numbers were changed is refused, and nothing passes.
"""

from pathlib import Path

import pytest

from chainrule import grade_file

CHECK = "{check}"  # the [exercise] table as handed out


def test_answers() -> None:
    try:
        result = grade_file(Path(__file__).with_name("answers.toml"), check=CHECK)
    except ValueError as error:  # an edited [exercise] table, or a file that is not TOML
        pytest.fail(str(error), pytrace=False)
    if not result.all_right:
        pytest.fail(result.failure_message(reveal=False), pytrace=False)
'''


def test_answers_py(variant: Variant) -> str:
    """The handed-out self-check: grades answers.toml against the [exercise] table it was
    handed out with, and prints no expected number."""
    return TEST_ANSWERS.replace("{check}", str(exercise_table(variant)["check"]))


SHEET_FILES = ("student.md", "answers.toml", "test_answers.py")  # what a student gets
KEY_FILES = ("key.md", "key.toml")  # what the instructor keeps


def variant_files(
    variant: Variant, *, pictures: bool = True, handouts: bool = False
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every file of the variant, made in memory and not yet written: (what a student
    gets, what the instructor keeps), each by file name. Pictures: graph.svg (the sheet's,
    gradients hidden) and key_graph.svg. handouts: also student.tex and key.tex (complete
    LaTeX documents), and their PDFs where pdflatex is installed (chainrule.handouts)."""
    sheet_picture = key_picture = None
    sheet: dict[str, bytes] = {}
    key: dict[str, bytes] = {}
    if pictures:
        from autograd import draw_dot

        root = variant.example.root
        sheet_picture, key_picture = "graph.svg", "key_graph.svg"
        # The sheet's picture prints numbers as the sheet asks for them, the key's as the key.
        constants = variant.example.constant_values()  # the targets: given, not inputs
        drawings = {
            sheet_picture: draw_dot(
                root,
                decimals=variant.decimals,
                show_grad=False,
                color_roles=True,
                constants=constants,
            ),
            key_picture: draw_dot(
                root, decimals=variant.key_decimals, color_roles=True, constants=constants
            ),
        }
        with tempfile.TemporaryDirectory() as scratch:
            for name, drawing in drawings.items():
                drawn = Path(drawing.save(Path(scratch) / name)).read_bytes()
                (sheet if name == sheet_picture else key)[name] = drawn
    texts = {
        "student.md": student_md(variant, sheet_picture),
        "answers.toml": answers_toml(variant, filled=False),
        "test_answers.py": test_answers_py(variant),
    }
    sheet.update({name: text.encode() for name, text in texts.items()})
    key["key.md"] = key_md(variant, key_picture).encode()
    key["key.toml"] = answers_toml(variant, filled=True).encode()
    if variant.from_file:  # the folder holds its example, so it can be graded anywhere
        sheet["example.toml"] = read_text_file(variant.source, what="an example file").encode()
    if handouts:
        from .handouts import handout_files

        more_sheet, more_key = handout_files(variant)
        sheet.update(more_sheet)
        key.update(more_key)
    return sheet, key


def holds_answers(path: Path) -> bool:
    """Whether an answers.toml there holds a learner's work: any answer that is not blank
    (a file that cannot be read as TOML counts as work too: it is someone's)."""
    if not path.exists():
        return False
    try:
        answers = read_toml(path)
    except ValueError:
        return True
    return any(
        isinstance(entries, dict) and any(v != "" for v in entries.values())
        for section, entries in answers.items()
        if section in grading.SECTIONS
    )


def check_overwrite(targets: Sequence[Path], force: bool) -> None:
    """Refuse (ExampleError, a ValueError, naming the first one) to replace an answers.toml
    that holds answers, unless force."""
    if force:
        return
    for path in targets:
        if path.name == "answers.toml" and holds_answers(path):
            raise ExampleError(
                f"{path} holds answers; chainrule variant will not replace them (move the "
                "folder away, or pass --force to overwrite)"
            )


def write_planned(plan: Mapping[Path, bytes]) -> list[Path]:
    """Write every planned file (made in memory first, so an error while making them
    writes nothing), creating folders as needed; returns the paths in order."""
    check_no_links(list(plan))
    for path, data in plan.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    return list(plan)


def check_no_links(paths: Sequence[Path]) -> None:
    """Refuse (ExampleError, naming it) a symlink among the planned files or the folders
    between them and the folder they share: writing through it would put a sheet or a key
    outside the folder chainrule variant was given. Checked before anything is written."""
    if not paths:
        return
    root = Path(os.path.commonpath([os.path.abspath(p) for p in paths]))
    if len(paths) == 1:
        root = root.parent
    for path in paths:
        place = Path(os.path.abspath(path))
        while place != root and place != place.parent:
            if place.is_symlink():
                raise ExampleError(
                    f"{place} is a symlink; chainrule variant writes only inside its --out "
                    "folder, so it will not write through it (remove the link, or choose an "
                    "empty --out folder)"
                )
            place = place.parent


def plan_variant(
    variant: Variant,
    folder: Path,
    *,
    keys: Path | None = None,
    pictures: bool = True,
    handouts: bool = False,
) -> dict[Path, bytes]:
    """Where each of the variant's files goes: the student's into folder, the key's into
    keys (default: folder too, as a single variant has always been written)."""
    sheet, key = variant_files(variant, pictures=pictures, handouts=handouts)
    keys = folder if keys is None else keys
    plan = {folder / name: data for name, data in sheet.items()}
    plan.update({keys / name: data for name, data in key.items()})
    order = ["graph.svg", "key_graph.svg", "student.md", "key.md", "answers.toml", "key.toml"]
    rank = {name: k for k, name in enumerate(order)}
    return dict(sorted(plan.items(), key=lambda item: rank.get(item[0].name, len(order))))


def write_variant(
    variant: Variant,
    folder: str | Path,
    *,
    pictures: bool = True,
    force: bool = False,
    handouts: bool = False,
) -> list[Path]:
    """Write the variant's files into folder (created if needed); returns their paths:
    graph.svg and key_graph.svg (with pictures), student.md, key.md, answers.toml,
    key.toml, test_answers.py. An answers.toml there that holds answers is kept (ValueError)
    unless force."""
    plan = plan_variant(variant, Path(folder), pictures=pictures, handouts=handouts)
    check_overwrite(list(plan), force)
    return write_planned(plan)


def write_variants(
    source: str,
    out: str | Path,
    *,
    seed: int,
    count: int = 1,
    decimals: int | None = None,
    keep: Sequence[str] = (),
    ask: Sequence[str] | None = None,
    pictures: bool = True,
    force: bool = False,
    handouts: bool = False,
) -> list[Path]:
    """make_variants, written out: one variant straight into out; several into numbered
    folders out/variant_01, out/variant_02, ... Each numbered folder gets an empty
    __init__.py, so `pytest out` can collect the folders' test_answers.py side by side.
    Every file is made before any is written, and an answers.toml holding answers is
    never replaced without force."""
    variants = make_variants(source, seed, count, decimals=decimals, keep=keep, ask=ask)
    out = Path(out)
    plan: dict[Path, bytes] = {}
    if count == 1:
        plan = plan_variant(variants[0], out, pictures=pictures, handouts=handouts)
    else:
        width = max(2, len(str(count)))
        for variant in variants:
            folder = out / f"variant_{variant.number:0{width}d}"
            plan.update(plan_variant(variant, folder, pictures=pictures, handouts=handouts))
            plan[folder / "__init__.py"] = b""
    check_overwrite(list(plan), force)
    return write_planned(plan)
