"""What the engine accepts as a number.

A Value holds a Python float. `as_float` turns what a user hands over (an int, a float, a
NumPy real scalar, a Fraction) into one, and refuses anything else with an error that names
what was given; `as_gradient` also refuses a NaN or an infinity, which would spread silently
through every gradient of a backward pass.
"""

from __future__ import annotations

import numbers


def as_float(data: object, what: str = "Value") -> float:
    """data as a Python float, or a TypeError that names what was given."""
    if type(data) is float:
        return data
    if type(data) is int or isinstance(data, numbers.Real):
        try:
            return float(data)  # int, bool, Fraction, NumPy real scalars
        except OverflowError:  # an int (or Fraction) beyond about 1.8e308
            raise ValueError(
                f"{what} needs a number a float can hold (up to about 1.8e308 in size), got "
                f"{type(data).__name__} {_size_of(data)}"
            ) from None
    is_a_value = hasattr(data, "inputs") and hasattr(data, "grad")  # a Value (or one alike)
    hint = " (use its .data)" if is_a_value else ""
    raise TypeError(
        f"{what} needs a real number (int, float or NumPy real scalar), "
        f"got {type(data).__name__}{hint}"
    )


def as_gradient(gradient: object) -> float:
    """The `gradient` given to a backward pass, as a finite float."""
    gradient = as_float(gradient, "gradient")
    if gradient - gradient != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(f"backward needs a finite gradient, got {gradient!r}")
    return gradient


def _size_of(number: object) -> str:
    """'of about 401 digits' for a huge int, without printing it (str() of a huge int is
    slow, and refused past 4300 digits)."""
    if isinstance(number, int):
        return f"of about {int(number.bit_length() * 0.30103) + 1} digits"
    return "too large for a float"
