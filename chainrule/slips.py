"""What kind of slip a wrong answer looks like, said without giving the answer away.

A marker who sees 0.5393 where 0.5933 belongs says "two digits swapped", not "it is
0.5933". These diagnoses compare the learner's number with the exact one (and with the
numbers a mix-up would give) and name the kind of slip only: a sign, a digit slip or swap,
rounding, an update with the wrong sign, an input mixed up. The digit comparison is
`chainrule check`'s (check.py), which diagnoses a source's printed numbers the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from autograd.printing import format_number

from .check import _digit_slip


def _close(a: float, b: float, half_unit: float) -> bool:
    return abs(a - b) <= half_unit + 1e-12 * max(1.0, abs(b))


def kind_of_slip(
    answer: float,
    expected: float,
    decimals: int,
    *,
    wrong_sign_updates: Sequence[float] = (),
    mix_ups: Mapping[str, float] | None = None,
) -> str:
    """The kind of slip that turns expected into answer at this many decimals, in words
    that hold no number ("" when no simple slip fits).

    wrong_sign_updates: for a parameter after the step, what old + lr x gradient gives (an
    update up the gradient), with the exact gradient and with the learner's own.
    mix_ups: what the answer would be after each mix-up, by its description ("x and y
    swapped", "dE/dw6 in its place"), tried in order.
    """
    half_unit = 0.5 * 10.0**-decimals
    if expected != 0.0 and _close(answer, -expected, half_unit):
        return "a sign slip: the size is right, the sign is not"
    if any(_close(answer, up, half_unit) for up in wrong_sign_updates):
        return (
            "an update with the wrong sign: a step up the gradient (old + lr x gradient) "
            "instead of down it (old - lr x gradient)"
        )
    needs_rounding = not _close(round(expected, decimals), expected, 0.0)
    if needs_rounding and abs(answer - expected) <= 3 * half_unit + 1e-12 * max(1.0, abs(expected)):
        return (
            "a rounding slip: one unit off in the last decimal (round the unrounded value, "
            "half up, rather than a rounded one or a cut-off one)"
        )
    shown = format_number(answer, decimals=decimals, fixed=True)
    exact = format_number(expected, decimals=decimals, fixed=True)
    longer = format_number(expected, decimals=decimals + 1, fixed=True)
    # In a one-digit number every mistake changes "one digit": no slip worth naming.
    significant = len(exact.lstrip("-").replace(".", "").lstrip("0"))
    digits = _digit_slip(shown, exact, longer) if significant >= 2 else ""
    if digits:
        if "swapped" in digits:
            return "a digit swap: two neighbouring digits are the wrong way round"
        if "left out" in digits:
            return "a digit slip: a digit is left out"
        if "extra digit" in digits:
            return "a digit slip: an extra digit"
        return "a digit slip: one digit is off"
    for description, value in (mix_ups or {}).items():
        if _close(answer, value, half_unit):
            return f"an input mixed up: it is what you get with {description}"
    return ""
