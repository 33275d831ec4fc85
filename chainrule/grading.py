"""Grading a learner's hand-computed backprop, as a careful human marker would.

The expected answers are the graph's own numbers: every named value's data (forward order),
every gradient of the root (backward order), and each parameter after one gradient-descent
step. A wrong answer is not the end of the story: the grader recomputes each answer from
the learner's *own* earlier numbers with the op table's forward rules and local derivatives,
so an answer that is wrong only because it carried an earlier mistake forward correctly is
marked "follows from your earlier error" and keeps its credit (error carried forward).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from autograd import Value, topological_order
from autograd.files import UnusableFile
from autograd.printing import format_number

from . import examples
from .answer_files import read_answers_file
from .carried import Interval, carry_step
from .chain import named_inputs
from .slips import kind_of_slip
from .tables import format_table
from .update import recompute
from .worked import WorkedExample, run_backward

SECTIONS = ("forward", "gradients", "updated")
_ITEM = {"forward": "value", "gradients": "gradient", "updated": "parameter"}
RIGHT, CARRIED, WRONG, MISSING = "right", "carried", "wrong", "missing"
DEFAULT_LR = 0.5  # the slides' learning rate


# ---------------------------------------------------------------------------------------
# Tolerance: "to 4 decimals", or absolute / relative
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """How close an answer must be. decimals=4 means "to 4 decimals": the answer may differ
    from the exact number by at most half a unit in the 4th decimal (0.00005), so any
    correctly rounded or longer answer is right. Otherwise math.isclose's abs_tol/rel_tol."""

    decimals: int | None = None
    abs_tol: float = 0.0
    rel_tol: float = 0.0

    def __post_init__(self) -> None:
        if self.decimals is not None:
            if isinstance(self.decimals, bool) or not isinstance(self.decimals, int):
                raise TypeError(f"decimals must be a whole number, got {self.decimals!r}")
            if not 0 <= self.decimals <= 15:
                raise ValueError(f"decimals must be from 0 to 15, got {self.decimals}")
            if self.abs_tol or self.rel_tol:
                raise ValueError(
                    "give the tolerance either as decimals or as abs_tol/rel_tol, not both"
                )
        elif not (self.abs_tol > 0 or self.rel_tol > 0):
            raise ValueError(
                "a tolerance needs decimals (e.g. 4) or a positive abs_tol or rel_tol, got "
                f"abs_tol={self.abs_tol!r}, rel_tol={self.rel_tol!r}"
            )
        if self.abs_tol < 0 or self.rel_tol < 0:
            raise ValueError("abs_tol and rel_tol must not be negative")

    def agrees(self, answer: float, exact: float) -> bool:
        """Whether answer is exact at this tolerance (nan and inf never agree)."""
        if not (math.isfinite(answer) and math.isfinite(exact)):
            return False
        if self.decimals is not None:
            half_unit = 0.5 * 10.0**-self.decimals
            # The tiny second term forgives float noise: 0.1 + 0.2 rounds to 0.3000 at 4.
            return abs(answer - exact) <= half_unit + 1e-12 * max(1.0, abs(exact))
        return math.isclose(answer, exact, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def half_width(self, x: float) -> float:
        """How far from x the numbers lie that x stands for at this tolerance: half a unit
        of the last decimal ("0.3519" at 4 decimals: 0.00005), else the abs/rel width."""
        if self.decimals is not None:
            return 0.5 * 10.0**-self.decimals
        return max(self.abs_tol, self.rel_tol * abs(x))

    def number(self, x: float, fallback_decimals: int) -> str:
        """x printed to this tolerance's decimals (or the example's, for abs/rel)."""
        decimals = self.decimals if self.decimals is not None else fallback_decimals
        return format_number(x, decimals=decimals, fixed=True)

    def __str__(self) -> str:
        if self.decimals is not None:
            return f"to {self.decimals} decimal{'s' if self.decimals != 1 else ''}"
        parts = [f"abs {self.abs_tol:g}" if self.abs_tol else "", f"rel {self.rel_tol:g}"]
        return "within " + ", ".join(p for p in parts if p and not p.endswith(" 0"))


# ---------------------------------------------------------------------------------------
# The result: one mark per asked-for answer
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One share of a gradient: d consumer / d name (local) x d root / d consumer (upstream).
    The exact numbers, and the learner's upstream where they gave a different one."""

    local_name: str  # e.g. dnet_o1/dw5
    local: float
    upstream_name: str  # e.g. dE_total/dnet_o1
    upstream: float
    your_upstream: float | None = None  # the learner's number for upstream_name, if given


@dataclass(frozen=True)
class Mark:
    """The verdict on one answer."""

    section: str  # "forward", "gradients" or "updated"
    name: str  # the value's name: out_h1, w5
    label: str  # how the report names it: out_h1, dE_total/dw5, w5 after the step
    how: str  # how it is computed: a formula, a chain rule, new = old - lr * gradient
    expected: float
    answer: float | None  # None when the learner left it blank
    status: str  # "right", "carried" (follows from an earlier error), "wrong", "missing"
    from_yours: float | None = None  # what the learner's own earlier numbers give
    causes: tuple[str, ...] = ()  # labels of the earlier wrong answers it follows from
    built_from: tuple[Term, ...] = ()  # for a gradient: its chain-rule terms
    note: str = ""
    slip: str = ""  # for a wrong answer: the kind of slip it looks like (slips.py), no numbers
    position: tuple[int, int] = (0, 0)  # k of n: where it sits in its section's order

    @property
    def credit(self) -> bool:
        """Right, or carried forward correctly from an earlier error."""
        return self.status in (RIGHT, CARRIED)


@dataclass(frozen=True)
class GradeResult:
    """Every mark, in the order the computation finds the values, and the report."""

    example: str
    tolerance: Tolerance
    marks: tuple[Mark, ...]
    decimals: int  # the example's printed precision (numbers in the report)
    root: str = "f"
    source: str = ""  # the answers file, when graded from one

    @property
    def all_right(self) -> bool:
        """Every asked-for answer given and right (carried-forward answers are not right)."""
        return all(mark.status == RIGHT for mark in self.marks)

    @property
    def earned(self) -> int:
        """Marks with credit: right, plus error carried forward."""
        return sum(mark.credit for mark in self.marks)

    @property
    def possible(self) -> int:
        return len(self.marks)

    @property
    def first_wrong(self) -> Mark | None:
        """The first wrong answer in computation order (else the first blank one)."""
        for status in (WRONG, MISSING):
            for mark in self.marks:
                if mark.status == status:
                    return mark
        return None

    def __getitem__(self, label: str) -> Mark:
        """The mark for a label (`result["dE_total/dw5"]`) or a forward value's name."""
        for mark in self.marks:
            if label in (mark.label, mark.name if mark.section == "forward" else None):
                return mark
        raise KeyError(f"no answer called {label!r}; known: {[m.label for m in self.marks]}")

    def to_dict(self, *, reveal: bool = True) -> dict[str, Any]:
        """The same facts as the report, as plain data (JSON-ready) for autograders.
        reveal=False leaves out every number the learner did not write (expected, from
        their numbers, the chain-rule terms)."""
        first = self.first_wrong
        marks = [asdict(mark) for mark in self.marks]
        if not reveal:
            for mark in marks:
                for key in ("expected", "from_yours", "built_from"):
                    mark.pop(key)
        return {
            "example": self.example,
            "tolerance": str(self.tolerance),
            "all_right": self.all_right,
            "earned": self.earned,
            "possible": self.possible,
            "first_wrong": None if first is None else first.label,
            "marks": marks,
        }

    def to_json(self, *, reveal: bool = True) -> str:
        return json.dumps(self.to_dict(reveal=reveal), indent=2)

    def first_problem(self, *, reveal: bool = True) -> str:
        """A few lines on the first wrong (or blank) answer: expected, given, and how it
        is built. Empty when all are right."""
        mark = self.first_wrong
        if mark is None:
            return ""
        first = "First blank answer" if mark.answer is None else "First wrong value"
        return f"{first}: {self.explain(mark, reveal=reveal)}"

    def explain(self, mark: Mark | str, *, reveal: bool = True) -> str:
        """One answer's verdict: expected and given number, how the value is computed and,
        for a gradient, the local derivative and upstream gradient of each of its terms.
        reveal=False leaves out every exact number (for a test a student sees)."""
        if isinstance(mark, str):
            mark = self[mark]
        n = self._number
        place = {"forward": "forward pass", "gradients": "backward pass", "updated": "update"}
        short = {RIGHT: "right", WRONG: "wrong", MISSING: "blank"}.get(mark.status)
        verdict = short or self._verdict(mark)
        k, of = mark.position
        where = place[mark.section] + (f", {_ITEM[mark.section]} {k} of {of}" if of else "")
        lines = [f"{mark.label} ({where}): {verdict}"]
        expected = f"expected {n(mark.expected)}" if reveal else ""
        if mark.answer is not None and mark.status != RIGHT:
            lines.append(f"  {expected + ', ' if reveal else ''}you gave {n(mark.answer)}")
        elif mark.answer is None and reveal:
            lines.append(f"  {expected}")
        lines.append(f"  {mark.label} = {mark.how}")
        for term in mark.built_from:
            if reveal:
                line = (
                    f"    {term.local_name} = {n(term.local)} (local) x "
                    f"{term.upstream_name} = {n(term.upstream)} (upstream)"
                )
            else:
                line = f"    {term.local_name} (local) x {term.upstream_name} (upstream)"
            theirs = term.your_upstream
            if theirs is not None and not self.tolerance.agrees(theirs, term.upstream):
                line += f"; your {term.upstream_name} is {n(theirs)}"
            lines.append(line)
        yours = mark.from_yours
        if (
            reveal
            and mark.answer is not None
            and yours is not None
            and not self.tolerance.agrees(yours, mark.expected)
        ):
            lines.append(f"  from your own earlier numbers it is {n(yours)}")
        if mark.slip:
            lines.append(f"  it looks like {mark.slip}")
        return "\n".join(lines)

    def _number(self, x: float) -> str:
        return self.tolerance.number(x, self.decimals)

    def summary(self) -> str:
        """One line: the example, the tolerance and the count of marks."""
        counts = {s: sum(m.status == s for m in self.marks) for s in (CARRIED, WRONG, MISSING)}
        summary = [f"{self.earned} of {self.possible} marks"]
        if counts[CARRIED]:
            verb = "follows" if counts[CARRIED] == 1 else "follow"
            summary.append(f"{counts[CARRIED]} {verb} from an earlier error")
        if counts[WRONG]:
            summary.append(f"{counts[WRONG]} wrong")
        if counts[MISSING]:
            summary.append(f"{counts[MISSING]} blank")
        head = f"{self.example} ({self.tolerance}): " + ", ".join(summary)
        return head + (". All right." if self.all_right else "")

    def tables(self, *, reveal: bool = True) -> str:
        """Every answer with its mark, section by section."""
        titles = {
            "forward": "Forward pass",
            "gradients": f"Gradients of {self.root}",
            "updated": "After one gradient-descent step",
        }
        parts = []
        for section in SECTIONS:
            rows = [
                [
                    m.label,
                    "" if m.answer is None else self._number(m.answer),
                    self._verdict(m, reveal),
                ]
                for m in self.marks
                if m.section == section
            ]
            if rows:
                table = format_table(["answer", " yours", "mark"], rows)
                parts.append(titles[section] + "\n" + table)
        return "\n\n".join(parts)

    def failure_message(self, *, reveal: bool = True) -> str:
        """The report with the first wrong value on top (what a failing test shows)."""
        parts = [self.first_problem(reveal=reveal), self.summary(), self.tables(reveal=reveal)]
        return "\n\n".join(parts)

    def report(self, *, reveal: bool = True) -> str:
        """The summary line, the first wrong value, every mark. reveal=False leaves out
        the exact numbers, for a report a student sees before the deadline."""
        parts = [self.summary()]
        if not self.all_right:
            parts.append(self.first_problem(reveal=reveal))
        return "\n\n".join([*parts, self.tables(reveal=reveal)])

    def __str__(self) -> str:
        return self.report()

    def _verdict(self, mark: Mark, reveal: bool = True) -> str:
        expected = f"expected {self._number(mark.expected)}" if reveal else ""
        if mark.status == RIGHT:
            return "right" + (f" ({mark.note})" if mark.note else "")
        if mark.status == MISSING:
            return f"blank ({expected})" if reveal else "blank"
        if mark.status == CARRIED:
            return f"follows from your earlier error in {', '.join(mark.causes)}"
        return f"WRONG: {expected}" if reveal else "WRONG"


# ---------------------------------------------------------------------------------------
# Running a graph again with other numbers: the op table's rules on plain floats
# ---------------------------------------------------------------------------------------


def given_names(example: WorkedExample) -> list[str]:
    """The names of the example's given numbers, in its order."""
    return list(example.given)


def set_given(example: WorkedExample, given: Mapping[str, float]) -> WorkedExample:
    """Give the example other given numbers and run its forward pass again, in place
    (update.recompute); returns it. Gradients are left stale: run_backward next.
    Raises as the engine does on a math error, and OverflowError for a result that is not
    a finite number."""
    known = given_names(example)
    for name, number in given.items():
        if name not in known:
            raise ValueError(
                f"{name!r} is not a given number of {example.name}; its given numbers are "
                f"{', '.join(known)}"
            )
        example.values[name].data = _answer_number(number, f"given {name}")
    recompute(example)
    for name, value in example.values.items():
        if not math.isfinite(value.data):
            raise OverflowError(f"{name} = {value.data!r} with these given numbers")
    example.given = {n: example.values[n].data for n in known}
    return example


# ---------------------------------------------------------------------------------------
# The grader
# ---------------------------------------------------------------------------------------


@dataclass
class NamedGraph:
    """The example's graph seen by its named values, the ones a learner can refer to:
    NamedGraph.of(example)."""

    example: WorkedExample
    order: list[Value]
    names: dict[Value, str]  # named Value -> name (the root included)
    by_name: dict[str, Value]
    # For each named computed value m: its named inputs n (reached through unnamed nodes)
    # with d m / d n along those paths (chain.named_inputs, the links of a derivation).
    named_inputs: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, example: WorkedExample) -> NamedGraph:
        order = topological_order(example.root)
        names = {v: n for n, v in example.values.items()}
        names.setdefault(example.root, example.root.label or "root")
        by_name = {n: v for v, n in names.items()}
        graph = cls(example, order, names, by_name)
        for m, name in names.items():
            if m.inputs:  # through unnamed nodes, such as the 1/2 of a squared error
                graph.named_inputs[name] = named_inputs(m, example)
        return graph

    def consumers(self, name: str) -> list[str]:
        """The named values that use name directly (through unnamed nodes only)."""
        return [m for m, inputs in self.named_inputs.items() if name in inputs]


Written = Callable[[str, str, float], Interval]


def as_written(section: str, name: str, number: float) -> Interval:
    """A learner's number taken exactly as written (no rounding interval)."""
    return Interval.point(number)


def rounding_intervals(
    tolerance: Tolerance, expected: Mapping[str, Mapping[str, float]]
) -> Written:
    """A learner's number as every number it stands for at the tolerance (half a unit of
    the last decimal each side), so an answer computed from their unrounded earlier values
    still follows from them. Where their number is right, they carried on either the exact
    value or their rounded one: the interval between the two. Where no exact number needs
    rounding at the tolerance (xyz's whole numbers), numbers are taken as written: there
    was nothing to round."""

    def is_round(x: float) -> bool:
        if tolerance.decimals is None:
            return False
        return abs(round(x, tolerance.decimals) - x) <= 1e-12 * max(1.0, abs(x))

    if all(is_round(x) for numbers in expected.values() for x in numbers.values()):
        return as_written

    def written(section: str, name: str, number: float) -> Interval:
        exact = expected[section].get(name)
        if exact is not None and tolerance.agrees(number, exact):
            return Interval.point(number).hull(Interval.point(exact))
        return Interval.around(number, tolerance.half_width(number))

    return written


def _world(
    graph: NamedGraph,
    answers: Mapping[str, Mapping[str, float]],
    lr: float,
    written: Written = as_written,
) -> dict[str, dict[str, Interval]]:
    """The graph recomputed from the learner's own numbers: where they gave a value, it is
    used downstream (as `written` says: exactly, or with its rounding interval); elsewhere
    the op table's rules compute it from what came before, through carried.carry_step, and
    each local derivative is taken at the learner's own output. Section by section, each
    asked name's value; a value that the learner's numbers make impossible (log of a
    negative number) is missing, and so is everything computed from it."""
    given_forward = answers.get("forward", {})
    given_grads = answers.get("gradients", {})
    mine: dict[Value, Interval] = {}
    forward: dict[str, Interval] = {}
    for node in graph.order:
        if not node.inputs:
            mine[node] = Interval.point(node.data)
            continue
        if any(x not in mine for x in node.inputs):
            continue  # an earlier step broke: nothing follows from it
        try:
            out = carry_step(node, [mine[x] for x in node.inputs]).out
        except (ArithmeticError, ValueError):  # the learner's numbers break the operation
            continue
        name = graph.names.get(node)
        if name is not None:
            forward[name] = out
            if name in given_forward:
                mine[node] = written("forward", name, given_forward[name])
                continue
        mine[node] = out
    grad: dict[Value, Interval | None] = {node: Interval.point(0.0) for node in graph.order}
    grad[graph.example.root] = Interval.point(1.0)
    gradients: dict[str, Interval] = {}
    for node in reversed(graph.order):
        upstream = grad[node]
        name = graph.names.get(node)
        if name is not None:
            if upstream is not None:
                gradients[name] = upstream
            if name in given_grads:
                upstream = written("gradients", name, given_grads[name])
        if not node.inputs:
            continue
        try:
            if upstream is None or node not in mine:
                raise ValueError("unknown")
            local = carry_step(node, [mine[x] for x in node.inputs], out=mine[node]).local
        except (ArithmeticError, ValueError):  # unknown from here down
            for x in node.inputs:
                grad[x] = None
            continue
        for x, d in zip(node.inputs, local):
            before = grad[x]
            grad[x] = None if before is None else before + d * upstream
    updated = {}
    for p in graph.example.parameters:
        if p in given_grads:
            g: Interval | None = written("gradients", p, given_grads[p])
        else:
            g = gradients.get(p)
        if g is not None:
            updated[p] = Interval.point(graph.by_name[p].data) - g.scaled(lr)
    return {"forward": forward, "gradients": gradients, "updated": updated}


def _follows(answer: float, carried: Interval | None, tolerance: Tolerance) -> bool:
    """Whether answer, at the tolerance, is a number the carried interval holds."""
    if carried is None or not (math.isfinite(carried.low) and math.isfinite(carried.high)):
        return False
    noise = 1e-12 * max(1.0, abs(answer))
    return answer in carried.widened(tolerance.half_width(answer) + noise)


def grade(
    example: WorkedExample | str,
    answers: Mapping[str, Mapping[str, float | str]],
    *,
    decimals: int | None = None,
    abs_tol: float = 0.0,
    rel_tol: float = 0.0,
    lr: float | None = None,
    require_all: bool = True,
    ask: Iterable[str] | None = None,
) -> GradeResult:
    """Mark a learner's answers to a worked example.

    example: a WorkedExample (built, loaded or from an expression, as it is: fresh, before
    any update), or a built-in's name. answers: {"forward": {name: number}, "gradients":
    {name: d root / d name}, "updated": {parameter: after one step}}, the layout of an
    answers.toml; a blank ("") or absent answer is marked missing (left out of the result
    with require_all=False, for a learner checking part of their work).

    Tolerance: decimals ("to 4 decimals"; the example's own precision by default) or
    abs_tol / rel_tol. lr: the gradient-descent step's learning rate (the example's, else
    0.5). ask: the answers a sheet asks for (labels as asked_names takes them; default
    all). Raises ValueError naming an unknown section or name, or an answer that is not a
    number.
    """
    if isinstance(example, str):
        example = examples.build(example)
    if decimals is None and not (abs_tol or rel_tol):
        decimals = example.decimals
    tolerance = Tolerance(decimals, abs_tol, rel_tol)
    lr = _learning_rate(example, lr)
    recompute(example)  # the numbers of its current given values, forward and back
    run_backward(example)
    graph = NamedGraph.of(example)
    asked = asked_names(example, ask)
    given = _clean_answers(answers, asked, example)
    world = _world(graph, given, lr)
    expected = {
        "forward": {n: example.values[n].data for n in asked["forward"]},
        "gradients": {n: example.values[n].grad for n in asked["gradients"]},
        "updated": {
            p: example.values[p].data - lr * example.values[p].grad for p in asked["updated"]
        },
    }

    carried = _world(graph, given, lr, rounding_intervals(tolerance, expected))

    def from_yours(section: str, name: str) -> float:
        value = world[section].get(name)
        return math.nan if value is None else value.mid

    marks: list[Mark] = []
    statuses: dict[tuple[str, str], str] = {}
    for section in SECTIONS:
        for k, name in enumerate(asked[section], start=1):
            position = (k, len(asked[section]))
            label = answer_label(example, section, name)
            how = _how(example, section, name, lr)
            exact = expected[section][name]
            answer = given[section].get(name)
            terms = chain_terms(graph, name, given) if section == "gradients" else ()
            if answer is None:
                if require_all:
                    marks.append(
                        Mark(section, name, label, how, exact, None, MISSING, position=position)
                    )
                continue
            mine = from_yours(section, name)
            status, note = WRONG, ""
            causes: tuple[tuple[str, str], ...] = ()
            if tolerance.agrees(answer, exact):
                status = RIGHT
            elif tolerance.agrees(answer, mine) or _follows(
                answer, carried[section].get(name), tolerance
            ):
                # Right from the learner's own numbers (anywhere within their precision):
                # which earlier wrong answers made the difference? Put each back to its
                # exact value and see what changes.
                causes = _causes(graph, given, statuses, expected, section, name, mine, lr)
                if causes:
                    status = CARRIED
                else:  # only their (right) rounded earlier numbers differ: right
                    status, note = RIGHT, "from your rounded earlier numbers"
            statuses[(section, name)] = status
            marks.append(
                Mark(
                    section,
                    name,
                    label,
                    how,
                    exact,
                    answer,
                    status,
                    from_yours=mine if math.isfinite(mine) else None,
                    causes=tuple(answer_label(example, s, n) for s, n in causes),
                    built_from=terms,
                    note=note,
                    position=position,
                )
            )
    if any(mark.status == WRONG for mark in marks):
        marks = _with_slips(example, marks, expected, lr, tolerance)
    return GradeResult(
        example.name, tolerance, tuple(marks), example.decimals, graph.names[example.root]
    )


def _with_slips(
    example: WorkedExample,
    marks: list[Mark],
    expected: dict[str, dict[str, float]],
    lr: float,
    tolerance: Tolerance,
) -> list[Mark]:
    """Each wrong mark with the kind of slip it looks like (slips.kind_of_slip): a sign, a
    digit, rounding, an update up the gradient, or an input mixed up (two given numbers
    swapped, or another answer's value written in its place)."""
    decimals = tolerance.decimals if tolerance.decimals is not None else example.decimals
    gradients = {
        m.name: m.answer for m in marks if m.section == "gradients" and m.answer is not None
    }
    swaps = _swapped_numbers(example, expected, lr)
    done = []
    for mark in marks:
        if mark.status != WRONG or mark.answer is None:
            done.append(mark)
            continue
        key = (mark.section, mark.name)
        mix_ups = {f"{a} and {b} swapped": numbers[key] for (a, b), numbers in swaps.items()}
        for other in marks:
            if other.section == mark.section and other.name != mark.name:
                mix_ups[f"{other.label} in its place"] = other.expected
        ups = []  # a step up the gradient: the exact one, or the learner's own
        if mark.section == "updated":
            value = example.values[mark.name]
            ups.append(value.data + lr * value.grad)
            theirs = gradients.get(mark.name)
            if theirs is not None:
                ups.append(value.data + lr * theirs)
        slip = kind_of_slip(
            mark.answer, mark.expected, decimals, wrong_sign_updates=ups, mix_ups=mix_ups
        )
        done.append(replace(mark, slip=slip))
    return done


def _swapped_numbers(
    example: WorkedExample, expected: dict[str, dict[str, float]], lr: float
) -> dict[tuple[str, str], dict[tuple[str, str], float]]:
    """Every asked number when two given numbers change places (x and y swapped), for
    each such pair; the example is left as it was."""
    names = [n for n in given_names(example) if n not in example.constants]
    original = {n: example.values[n].data for n in names}
    swaps = {}
    try:
        for k, a in enumerate(names):
            for b in names[k + 1 :]:
                if original[a] == original[b]:
                    continue
                example.values[a].data, example.values[b].data = original[b], original[a]
                try:
                    recompute(example)
                    run_backward(example)
                except (ArithmeticError, ValueError):
                    continue
                else:
                    swaps[(a, b)] = _asked_values(example, expected, lr)
                finally:
                    example.values[a].data, example.values[b].data = original[a], original[b]
    finally:
        recompute(example)
        run_backward(example)
    return swaps


def _asked_values(
    example: WorkedExample, asked: Mapping[str, Iterable[str]], lr: float
) -> dict[tuple[str, str], float]:
    """The example's current number for each asked (section, name)."""
    numbers = {}
    for section, names in asked.items():
        for name in names:
            value = example.values[name]
            if section == "forward":
                numbers[(section, name)] = value.data
            elif section == "gradients":
                numbers[(section, name)] = value.grad
            else:
                numbers[(section, name)] = value.data - lr * value.grad
    return numbers


def _causes(
    graph: NamedGraph,
    given: dict[str, dict[str, float]],
    statuses: dict[tuple[str, str], str],
    expected: dict[str, dict[str, float]],
    section: str,
    name: str,
    mine: float,
    lr: float,
) -> tuple[tuple[str, str], ...]:
    """The learner's earlier wrong (or carried) answers that this answer's value, computed
    from their numbers, depends on: putting one back to its exact value changes it."""
    found = []
    for (s, n), status in statuses.items():
        if status not in (WRONG, CARRIED):
            continue
        fixed = {sec: dict(values) for sec, values in given.items()}
        fixed[s][n] = expected[s][n]
        changed = _world(graph, fixed, lr)[section].get(name)
        if changed is None or not math.isclose(changed.mid, mine, rel_tol=1e-12, abs_tol=1e-15):
            found.append((s, n))
    return tuple(found)


def chain_terms(
    graph: NamedGraph, name: str, given: Mapping[str, Mapping[str, float]] | None = None
) -> tuple[Term, ...]:
    """The chain-rule terms of d root / d name at the graph's numbers (run backward first):
    one per named value that uses name. given: a learner's answers, to show their upstream
    where it differs."""
    root = graph.names[graph.example.root]
    yours_by_name = {} if given is None else given.get("gradients", {})
    terms = []
    for m in graph.consumers(name):
        yours = yours_by_name.get(m)
        upstream = graph.by_name[m].grad
        terms.append(
            Term(
                f"d{m}/d{name}",
                graph.named_inputs[m][name],
                f"d{root}/d{m}",
                upstream,
                yours if yours is not None and yours != upstream else None,
            )
        )
    return tuple(terms)


def asked_names(example: WorkedExample, ask: Iterable[str] | None = None) -> dict[str, list[str]]:
    """What an exercise on the example asks for, section by section, in computation order:
    every computed value, every gradient but the root's own (always 1), and each parameter
    after the update (for examples with parameters). A constant (a name in the example's
    constants, such as a loss's target) is never asked; numbers written into expressions
    have no name, so they never are either."""
    root = next((n for n, v in example.values.items() if v is example.root), "")
    constants = set(example.constants)
    every = {
        "forward": [n for n in example.formulas if n not in constants],
        "gradients": [n for n in example.gradients if n != root and n not in constants],
        "updated": [n for n in example.parameters if n not in constants],
    }
    if ask is None:
        return every
    chosen = set(ask_labels(example, ask))
    return {
        section: [n for n in names if answer_label(example, section, n) in chosen]
        for section, names in every.items()
    }


def ask_labels(example: WorkedExample, ask: Iterable[str]) -> list[str]:
    """The answer labels a sheet asks for, from what `--ask` names, in computation order:
    a section (forward, gradients, updated), a value's name (its forward value),
    grad:NAME or the label dROOT/dNAME (a gradient), new:NAME or "NAME after the step" (a
    parameter after the update). ValueError naming anything the example does not ask."""
    every = asked_names(example)
    labels = {
        section: [answer_label(example, section, n) for n in names]
        for section, names in every.items()
    }
    chosen: set[str] = set()
    for item in ask:
        item = item.strip()
        if item in labels:
            chosen.update(labels[item])
            continue
        kind, _, name = item.partition(":")
        if kind in ("grad", "new") and name:
            item = answer_label(example, "gradients" if kind == "grad" else "updated", name)
        if not any(item in section for section in labels.values()):
            known = ", ".join(label for section in labels.values() for label in section)
            raise ValueError(
                f"--ask: {example.name} asks for nothing called {item!r}; choose sections "
                f"(forward, gradients, updated) or answers: {known}"
            )
        chosen.add(item)
    if not chosen:
        raise ValueError("--ask: name at least one answer or section")
    return [label for section in labels.values() for label in section if label in chosen]


def answer_label(example: WorkedExample, section: str, name: str) -> str:
    """How an answer is named in reports: out_h1, dE_total/dw5, w5 after the step."""
    if section == "gradients":
        return example.gradient_name(name)
    if section == "updated":
        return f"{name} after the step"
    return name


def _how(example: WorkedExample, section: str, name: str, lr: float) -> str:
    if section == "forward":
        return example.formulas[name]
    if section == "gradients":
        return example.gradients[name]
    return update_rule(lr, name, example.gradient_name(name))


def update_rule(lr: float, old: str = "old", gradient: str = "gradient") -> str:
    """The update as written: "old - 0.5 * gradient", or "old + 0.01 * gradient" for a
    negative learning rate (a step up the gradient, as micrograd's lecture nudges)."""
    sign = "-" if lr >= 0 else "+"
    return f"{old} {sign} {abs(lr):g} * {gradient}"


def _learning_rate(example: WorkedExample, lr: float | None) -> float:
    if lr is None:
        lr = DEFAULT_LR if example.lr is None else example.lr
    # Not necessarily positive: micrograd's lecture nudges its inputs *up* the gradient.
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
        raise ValueError(f"lr must be a number, got {lr!r}")
    return float(lr)


def _answer_number(x: object, where: str) -> float:
    """A learner's number: an int or float, or a string holding one ("0.5933")."""
    if isinstance(x, bool):
        raise ValueError(f"{where}: expected a number, got {x!r}")
    if isinstance(x, str):
        try:
            x = float(x.strip())
        except ValueError:
            raise ValueError(f"{where}: expected a number, got the text {x!r}") from None
    if not isinstance(x, (int, float)):
        raise ValueError(f"{where}: expected a number, got {type(x).__name__} {x!r}")
    if not math.isfinite(x):
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return float(x)


def _clean_answers(
    answers: Mapping[str, Any], asked: dict[str, list[str]], example: WorkedExample
) -> dict[str, dict[str, float]]:
    """answers checked against what is asked; blanks ("") dropped; numbers as floats."""
    if not isinstance(answers, Mapping):
        raise ValueError(
            "answers must be a mapping of sections (forward, gradients, updated) to "
            f"{{name: number}}, got {type(answers).__name__}"
        )
    clean: dict[str, dict[str, float]] = {section: {} for section in SECTIONS}
    for section, entries in answers.items():
        if section == "exercise":
            continue  # an answers file's description of the problem
        if section not in SECTIONS:
            raise ValueError(
                f"unknown section {section!r} in the answers; use {', '.join(SECTIONS)}"
            )
        if not isinstance(entries, Mapping):
            raise ValueError(f"answers[{section!r}] must map names to numbers")
        for name, number in entries.items():
            if name not in asked[section]:
                known = ", ".join(asked[section]) or "nothing"
                raise ValueError(
                    f"{section}.{name}: {example.name} asks for no such answer; "
                    f"the {section} answers are: {known}"
                )
            if isinstance(number, str) and not number.strip():
                continue  # left blank
            clean[section][name] = _answer_number(number, f"{section}.{name}")
    return clean


# ---------------------------------------------------------------------------------------
# Answers files: the [exercise] table says which problem they answer
# ---------------------------------------------------------------------------------------


def exercise_example(exercise: Mapping[str, Any], folder: Path) -> WorkedExample:
    """The worked example an [exercise] table describes, with its given numbers set:
    example = a built-in or library example's name, or an example file (relative to
    folder); or expr = the text of an expression (`chainrule expr`)."""
    given = exercise.get("given", {})
    if not isinstance(given, Mapping):
        raise ValueError("[exercise.given] must map names to numbers")
    source, text = exercise.get("example"), exercise.get("expr")
    if isinstance(text, str) and text:
        return examples.from_expr(text, given)
    if not isinstance(source, str) or not source:
        raise ValueError(
            "the [exercise] table needs example = an example's name or file, "
            'or expr = "an expression"'
        )
    path = folder / source
    example = examples.load(source if source in examples.EXAMPLES else path)
    return set_given(example, given)


class EditedExercise(ValueError):
    """An answers file whose [exercise] table is not the one handed out: grading it would
    grade a problem the learner changed, so nothing is graded."""


def exercise_check(exercise: Mapping[str, Any]) -> str:
    """A fingerprint of an [exercise] table (everything in it but its own check): 16 hex
    digits of SHA-256 over its canonical JSON, numbers as floats (so 3 and 3.0 agree)."""

    def canonical(x: Any) -> Any:
        if isinstance(x, Mapping):
            return {str(k): canonical(v) for k, v in x.items() if k != "check"}
        if isinstance(x, (list, tuple)):
            return [canonical(v) for v in x]
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return float(x)
        return x

    text = json.dumps(canonical(exercise), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def verify_exercise(exercise: Mapping[str, Any], path: Path, check: str | None = None) -> None:
    """Raise EditedExercise when the [exercise] table was edited after `chainrule variant`
    wrote it: its check line no longer matches it, or (check given, as the handed-out
    test_answers.py gives it) it is not the table handed out."""
    written = exercise.get("check")
    expected = check if check is not None else written
    if expected is None:
        if "student" not in exercise:
            return  # an answers file of one's own: nothing to compare with
        expected = ""
    if exercise_check(exercise) != expected or (written is not None and written != expected):
        raise EditedExercise(
            f"{path}: the [exercise] table is not the one handed out (its given numbers, "
            "example, seed or variant were changed), so nothing is graded; put it back as "
            "it was handed out"
        )


def _exercise_of_file(exercise: Mapping[str, Any], folder: Path, path: Path) -> WorkedExample:
    """exercise_example, with a problem of the file's [exercise] (given numbers that make
    an operation overflow, an unknown example) named by the file."""
    try:
        return exercise_example(exercise, folder)
    except (ValueError, ArithmeticError) as error:
        if str(error).startswith(str(path)):
            raise
        raise UnusableFile(f"{path}, [exercise]: {error}") from None


def grade_file(
    path: str | Path,
    example: WorkedExample | str | Path | None = None,
    *,
    check: str | None = None,
    **tolerance: Any,
) -> GradeResult:
    """Grade an answers file (or DIR/answers.toml for a folder).

    The problem is the one the file's [exercise] table describes (the example and its given
    numbers), unless example is passed: a WorkedExample, a built-in's name (with the
    file's given numbers when its [exercise] names the same example), or another file with
    an [exercise] table, such as the teacher's key.toml, whose problem, precision and
    learning rate are then used (so an edited [exercise] in a student's file changes
    nothing). The tolerance is the [exercise] table's unless given as keywords
    (decimals, or abs_tol / rel_tol)."""
    path = Path(path)
    if path.is_dir():
        path = path / "answers.toml"
    answers = read_answers_file(path)
    exercise, folder = answers.get("exercise", {}), path.parent
    if isinstance(example, Path) or (isinstance(example, str) and example not in examples.EXAMPLES):
        source = Path(example)
        exercise, folder = read_answers_file(source).get("exercise", {}), source.parent
        if not exercise:
            raise ValueError(
                f"{source} has no [exercise] table; pass a built-in example's name "
                f"({', '.join(examples.EXAMPLES)}) or a file made by chainrule variant"
            )
        example = None
    if example is None:
        if not exercise:
            raise ValueError(
                f"{path} has no [exercise] table saying which example it answers: pass the "
                "example (chainrule grade FILE --example NAME)"
            )
        # Given numbers no problem can hold (an overflow) are bad input before an edit.
        example = _exercise_of_file(exercise, folder, path)
        verify_exercise(exercise, path, check)
    elif isinstance(example, str):
        name = example
        example = examples.build(name)
        if exercise.get("example") == name:
            set_given(example, exercise.get("given", {}))
    if not tolerance:
        tolerance = {k: exercise[k] for k in ("decimals", "abs_tol", "rel_tol") if k in exercise}
    if "lr" in exercise:
        tolerance.setdefault("lr", exercise["lr"])
    if "ask" in exercise:
        tolerance.setdefault("ask", exercise["ask"])
    try:
        result = grade(example, answers, **tolerance)
    except ValueError as error:  # a name not asked, a value that is not a number
        raise ValueError(_in_file(path, str(error))) from None
    return GradeResult(
        result.example, result.tolerance, result.marks, result.decimals, result.root, str(path)
    )


def _in_file(path: Path, message: str) -> str:
    """An error about an answers file as one line: the file, the line of the answer the
    message names ("forward.x: ..."), the message and what to do."""
    name = message.split(":", 1)[0].split(".")[-1] if ":" in message else ""
    line = 1
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if name and text.split("=", 1)[0].strip().strip('"') == name:
            line = number
            break
    return f"{path}, line {line}: {message}; fix it and grade again"
