"""Checking a source's numbers: every number a slide or post prints, against the engine.

Each printed number is compared at the precision it is printed with: "0.75136507" agrees
with 0.7513650695... because that rounds to the same 8 decimals. A number that agrees only
when the computed value is cut off (truncated) instead of rounded passes, with a note. A
number that disagrees gets a diagnosis where one fits: a sign error, a digit slip, a
rounding difference in the last digit, or a different formula (an update of the weights
only, a step in the wrong direction). A file's [errata] say which typos are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from autograd.printing import format_number

from .tables import format_table
from .update import train_steps
from .worked import Printed, WorkedExample, printed_names, run_backward, zero_gradients


@dataclass(frozen=True)
class Finding:
    """One printed number, the value computed for it, and the verdict."""

    printed: Printed
    computed: float
    verdict: str  # "agrees", "truncated" (agrees when cut off: passes) or "differs"
    diagnosis: str = ""  # why it differs, or the note on truncation

    @property
    def ok(self) -> bool:
        """Whether the printed number stands (agrees, or agrees when truncated)."""
        return self.verdict != "differs"

    @property
    def computed_text(self) -> str:
        """The computed value at the printed precision."""
        return format_number(self.computed, decimals=self.printed.decimals, fixed=True)


def check(example: WorkedExample) -> list[Finding]:
    """Compare every number the example's source prints with the value computed for it, in
    the order the file lists them. The example itself is left as it was (the update and
    the repeated steps run on fresh copies)."""
    work = example.fresh()
    run_backward(work)
    findings = []
    runs: dict[tuple[object, ...], WorkedExample] = {}  # each update rule runs once
    for item in work.printed:
        if item.stage == "forward":
            computed = _forward(work, item.key)
        else:
            run = _updated(work, work.source_updates, item.stage, runs=runs)
            computed = run.values[item.key].data
        verdict, diagnosis = compare(item.text, computed)
        if verdict == "differs":
            diagnosis = diagnose(work, item, computed, runs)
        findings.append(Finding(item, computed, verdict, diagnosis))
    return findings


def _forward(example: WorkedExample, key: str) -> float:
    name, lower = printed_names(key, example)
    if lower is None:
        return example.values[name].data
    if name == example.root.label:
        return example.values[lower].grad
    # d name / d lower for a value other than the root: a backward pass from it.
    zero_gradients(example)
    example.values[name].backward()
    result = example.values[lower].grad
    run_backward(example)  # back to the root's gradients for the next keys
    return result


def _updated(
    example: WorkedExample,
    parameters: Sequence[str],
    stage: str,
    lr_sign: float = 1.0,
    rule: str = "simultaneous",
    runs: dict[tuple[object, ...], WorkedExample] | None = None,
) -> WorkedExample:
    """A fresh copy after the source's update (stage "update") or its repeated updates
    (stage "steps"), with every value recomputed from the new parameters. `runs` keeps
    the copies made, so each rule runs once per check."""
    key = (tuple(parameters), stage, lr_sign, rule)
    if runs is not None and key in runs:
        return runs[key]
    fresh = example.fresh()
    fresh.lr = (example.lr or 0.0) * lr_sign
    train_steps(fresh, example.steps if stage == "steps" else 1, parameters, rule)
    if runs is not None:
        runs[key] = fresh
    return fresh


def compare(printed: str, computed: float) -> tuple[str, str]:
    """("agrees", ""), ("truncated", note) or ("differs", ""): computed against the printed
    text at the printed precision."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    shown = _normal(printed)
    if format_number(computed, decimals=decimals, fixed=True) == shown:
        return "agrees", ""
    cut = Decimal(repr(computed)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    if _normal(f"{cut:f}") == shown:
        return "truncated", (
            f"the source cuts {computed!r} off at {decimals} decimals instead of rounding "
            f"it (rounded: {format_number(computed, decimals=decimals, fixed=True)})"
        )
    return "differs", ""


def _normal(text: str) -> str:
    """A printed number in the form format_number writes: no "+", no "-0"."""
    text = text.strip().lstrip("+")
    if text.startswith("."):
        text = "0" + text
    if text.startswith("-."):
        text = "-0" + text[1:]
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def diagnose(
    example: WorkedExample,
    item: Printed,
    computed: float,
    runs: dict[tuple[object, ...], WorkedExample] | None = None,
) -> str:
    """Why a printed number differs from the computed one, where a simple reason fits."""
    decimals = item.decimals
    shown = _normal(item.text)
    expected = format_number(computed, decimals=decimals, fixed=True)
    if format_number(-computed, decimals=decimals, fixed=True) == shown and expected != shown:
        return f"a sign error: the value is {expected}, the source prints {shown}"
    unit = Decimal(1).scaleb(-decimals)
    off = (Decimal(shown) - Decimal(repr(computed))) / unit
    if abs(off) <= Decimal("1.5"):
        return (
            f"rounding: off by one in the last printed digit ({computed!r} rounds to "
            f"{expected}); the source probably rounded a value along the way"
        )
    slip = _digit_slip(shown, expected, format_number(computed, decimals=decimals + 1, fixed=True))
    if slip:
        return f"a digit slip: {slip} ({expected} computed)"
    if item.stage != "forward":
        formula = _other_update(example, item, {} if runs is None else runs)
        if formula:
            return f"a different formula: the printed number comes from {formula}"
    return f"no simple explanation: it differs from {expected} by {float(off * unit):.3g}"


def _digit_slip(printed: str, computed: str, longer: str) -> str:
    """One digit changed, two neighbours swapped, or one digit left out or doubled.
    computed is at the printed precision, longer has one more decimal (for a digit left
    out, the printed number is one digit short of it)."""
    for digits in (computed, longer):
        if len(printed) + 1 == len(digits):
            for k in range(len(digits)):
                if digits[:k] + digits[k + 1 :] == printed:
                    return f"the digit {digits[k]} at place {k + 1} is left out"
    if len(printed) == len(computed) + 1:
        for k in range(len(printed)):
            if printed[:k] + printed[k + 1 :] == computed:
                return f"an extra digit {printed[k]} at place {k + 1}"
    if len(printed) == len(computed):
        different = [k for k, (a, b) in enumerate(zip(printed, computed)) if a != b]
        if len(different) == 1:
            k = different[0]
            return f"the digit {computed[k]} is printed as {printed[k]}"
        if len(different) == 2 and different[1] == different[0] + 1:
            k = different[0]
            if printed[k] == computed[k + 1] and printed[k + 1] == computed[k]:
                return f"the digits {computed[k : k + 2]} are swapped"
    return ""


def _other_update(
    example: WorkedExample, item: Printed, runs: dict[tuple[object, ...], WorkedExample]
) -> str:
    """Which other update rule gives the printed number, if one of the usual ones does."""
    weights = [n for n in example.source_updates if n not in example.biases]
    layered = (
        "an update layer by layer from the output back, with the lower layers' gradients "
        "taken through the weights above them already updated"
    )
    candidates = [
        (weights, 1.0, "simultaneous", "an update of the weights only (biases left as they were)"),
        (example.parameters, 1.0, "simultaneous", "an update of every parameter, biases included"),
        (example.source_updates, -1.0, "simultaneous", "a step up the gradient (+ lr * gradient)"),
    ]
    if example.layers:
        candidates += [
            (example.source_updates, 1.0, "layer_by_layer", layered),
            (weights, 1.0, "layer_by_layer", layered + ", weights only"),
            (example.parameters, 1.0, "layer_by_layer", layered + ", biases included"),
        ]
    for parameters, sign, rule, words in candidates:
        same = list(parameters) == example.source_updates and sign == 1.0
        if not parameters or (same and rule == "simultaneous"):
            continue
        other = _updated(example, parameters, item.stage, sign, rule, runs)
        if compare(item.text, other.values[item.key].data)[0] != "differs":
            return words
    return ""


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------


def check_report(example: WorkedExample, findings: Sequence[Finding]) -> str:
    """What `chainrule check` prints for one example: each number with its verdict, then a
    count. Differences are listed with the printed and computed number and the diagnosis."""
    lines = [f"{example.name}: {example.title or example.summary}"]
    if example.source is not None:
        lines.append(f"Source: {example.source}")
    rows = [
        [
            "ok" if f.verdict == "agrees" else "ok*" if f.ok else "DIFFERS",
            f.printed.label,
            f.printed.text,
            f.computed_text,
        ]
        for f in findings
    ]
    parts = ["\n".join(lines)]
    if rows:
        parts.append(format_table(["", "number", " printed", " computed"], rows))
    notes = []
    for f in findings:
        if f.verdict == "truncated":
            notes.append(f"ok* {f.printed.label}: {f.diagnosis}")
        elif not f.ok:
            note = f"DIFFERS {f.printed.label}: printed {f.printed.text}, computed "
            note += f"{f.computed_text}: {f.diagnosis}"
            if f.printed.erratum:
                note += f"\n  (known, the file says: {f.printed.erratum})"
            notes.append(note)
    if notes:
        parts.append("\n".join(notes))
    wrong = sum(not f.ok for f in findings)
    count = f"{len(findings)} printed numbers checked: {len(findings) - wrong} agree"
    parts.append(count + (f", {wrong} differ" if wrong != 1 else ", 1 differs") + ".")
    return "\n\n".join(parts)
