"""Plain-text tables of a worked example in the slides' notation: `chainrule example NAME`.

The forward values with their formulas, the gradients with their chain rule, and one
gradient-descent step as new = old - lr * gradient; `report` puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Step
from autograd.record import PassRecord

from .escape import plain
from .update import Update
from .worked import WorkedExample

STEPS_TITLE = "Backward pass step by step (local x upstream = downstream)"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; a column whose header starts with a space is
    right-aligned (numbers), the others left-aligned. Indented by two spaces."""
    names = [header.strip() for header in headers]
    rows = [[plain(cell) for cell in row] for row in rows]  # a file's text: one line, no controls
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
    """[gradient, chain rule, value] for every gradient the slide names, in backward order;
    none for a constant (a target, a name in `constants`)."""
    return [
        [example.gradient_name(name), how, example.number(example.values[name].grad)]
        for name, how in example.gradients.items()
        if not example.is_constant(name)
    ]


def forward_table(example: WorkedExample) -> str:
    """Every named value with its formula and number, as `chainrule example` prints it."""
    return "Forward pass\n" + format_table(["name", "formula", " value"], forward_rows(example))


def gradient_table(example: WorkedExample) -> str:
    """Every gradient of the root the slide names, in the order the backward pass finds
    them, with the chain-rule product it comes from."""
    title = f"Backward pass: gradients of {example.root.label}"
    return title + "\n" + format_table(["gradient", "chain rule", " value"], gradient_rows(example))


UPDATE_HEADERS = ["parameter", " old", " gradient", " new"]


def update_title(lr: float) -> str:
    """The update's heading: "One gradient-descent step, learning rate 0.5: new = old -
    0.5 * gradient" (a step up the gradient for a negative rate)."""
    if lr < 0:  # a step up the gradient, as a source that nudges values to grow its output
        return f"One step up the gradient, learning rate {lr:g}: new = old + {-lr:g} * gradient"
    return f"One gradient-descent step, learning rate {lr:g}: new = old - {lr:g} * gradient"


def update_rows(example: WorkedExample, updates: Sequence[Update]) -> list[list[str]]:
    """[parameter, old, gradient, new] for each parameter, at the example's precision."""
    return [
        [u.name, example.number(u.old), example.number(u.gradient), example.number(u.new)]
        for u in updates
    ]


def update_table(example: WorkedExample, updates: Sequence[Update], lr: float) -> str:
    """The gradient-descent step as the slide writes it: new = old - lr * gradient."""
    return update_title(lr) + "\n" + format_table(UPDATE_HEADERS, update_rows(example, updates))


def step_lines(
    example: WorkedExample, steps: Sequence[Step], record: PassRecord | None = None
) -> list[str]:
    """The backward steps a learner is shown (none into a constant), numbered from 1, each
    as the slide writes it at the example's precision (autograd.record's step_text)."""
    if not steps:
        return []
    record = record or example.worked_pass()
    shown = [step for step in steps if not record.is_constant(step.input)]
    return [f"{k + 1:>2}. {record.step_text(step)}" for k, step in enumerate(shown)]


def report(example: WorkedExample, *, steps: Sequence[Step] = (), lr: float | None = None) -> str:
    """The whole printout of `chainrule example NAME`: forward values and loss, the
    backward steps when given, every gradient, the notes, and (for an example with
    parameters) one gradient-descent step at learning rate lr (default: the example's).

    The pass is recorded once (WorkedExample.worked_pass): the steps, the gradients and
    the update (new = old - lr * gradient, worked out without changing a parameter, so the
    graph is left ready to draw) all come from that record.
    """
    record = example.worked_pass(lr=lr)
    title = plain(f"{example.name}: {example.summary}")  # (a file's text, for a terminal)
    parts = [title, forward_table(example)]
    if steps:
        lines = "\n".join(f"  {line}" for line in step_lines(example, steps, record))
        parts.append(f"{STEPS_TITLE}\n{lines}")
    parts.append(gradient_table(example))
    parts.extend(plain(note) for note in example.notes)
    if example.parameters and record.lr is not None:
        parts.append(update_table(example, record.update_rows(), record.lr))
    return "\n\n".join(parts)
