"""How chainrule writes a number, wherever it prints one: pictures, captions, tables.

One function, so a gradient reads the same in a graph's node, a frame's caption and a
table: `decimals` fixes the digits after the point (the slides' 0.082167041 is decimals=9),
`digits` the significant digits, and with neither a number gets up to 10 significant
digits and no trailing zeros (1.0 -> "1").
"""

from __future__ import annotations

import math

# Past this size a number in fixed notation is mostly digits no one reads.
LARGE = 1e6


def format_number(
    x: float, *, decimals: int | None = None, digits: int | None = None, fixed: bool = False
) -> str:
    """x as text: `decimals` digits after the point, or `digits` significant digits.

    format_number(0.0821670406, decimals=9) -> "0.082167041"
    format_number(0.0821670405, digits=3)   -> "0.0822"
    format_number(-4.0)                      -> "-4"
    With decimals, a non-zero number that would print as 0 (or a huge one) switches to
    scientific notation with as many decimals, so nothing non-zero ever reads 0; unless
    fixed=True, which keeps the fixed notation a slide prints (tables, derivations, the
    checks of printed numbers): -0.0000001 at 4 decimals is "0.0000", never "-0.0000".
    """
    if fixed:  # any number of decimals: a check compares a printed number one digit past
        if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
            raise ValueError(
                "fixed=True writes decimals digits after the point; give decimals= as a "
                f"whole number from 0, got {decimals!r}"
            )
        if digits is not None:
            raise ValueError(f"fixed=True takes decimals=, not digits= (got digits={digits!r})")
    else:
        check_precision(decimals, digits)
    if not math.isfinite(x):
        return str(x)
    x = x + 0.0  # -0.0 becomes 0.0: a sign on zero only confuses
    if fixed:
        text = f"{x:.{decimals}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text
    if decimals is not None:
        plain = f"{x:.{decimals}f}"
        if (x != 0.0 and float(plain) == 0.0) or abs(x) >= LARGE:
            return f"{x:.{decimals}e}"
        return plain
    return f"{x:.{10 if digits is None else digits}g}"


def check_precision(decimals: object, digits: object) -> None:
    """A ValueError naming the fix unless decimals and digits are usable (at most one)."""
    if decimals is not None and digits is not None:
        raise ValueError(
            f"give decimals= (digits after the point) or digits= (significant digits), "
            f"not both; got decimals={decimals!r}, digits={digits!r}"
        )
    for name, value, low in (("decimals", decimals, 0), ("digits", digits, 1)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 15:
            raise ValueError(f"{name} must be a whole number from {low} to 15, got {value!r}")
