"""What an answers file (answers.toml, key.toml) may hold, checked before it is graded.

A class hands these files in, edited by hand: a number written `0,6`, a table where a
name should be, `decimals = "a"`. Each such problem is one line naming the file, the line,
the key and what to write instead, raised (as UnusableFile) before any grading starts. The
grading tolerances have ranges the command line checks too: a tolerance of infinity (or
1e308) would mark any answer right.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.files import UnusableFile

from .toml_files import TomlFile, read_toml_file

ANSWER_SECTIONS = ("forward", "gradients", "updated")

# The largest tolerances that still grade: an answer within 1 of the exact number, or
# within half of it. Past these, wrong answers pass.
TOLERANCE_LIMITS = {"abs_tol": 1.0, "rel_tol": 0.5}

_FLOAT_MAX = sys.float_info.max


def read_answers_file(path: str | Path) -> dict[str, Any]:
    """The data of an answers or key file, its types and ranges checked; an UnusableFile
    naming the file and line of the first problem."""
    document = read_toml_file(path, what="an answers file")
    check_answers_file(document)
    return document.data


def check_answers_file(document: TomlFile) -> None:
    """Raise an UnusableFile for the first entry of the wrong type or out of range."""
    for section, entries in document.data.items():
        if section == "exercise":
            _check_exercise(document, entries)
        elif section in ANSWER_SECTIONS:
            if not isinstance(entries, dict):
                raise document.error(
                    f"{section} must be a table of answers, [{section}] with lines such as "
                    'q = "3.0"',
                    "",
                    section,
                )
            for name, answer in entries.items():
                _check_answer(document, section, name, answer)


def _check_answer(document: TomlFile, section: str, name: str, answer: object) -> None:
    def refuse(what: str) -> UnusableFile:
        return document.error(f"{section}.{name} {what}", section, name)

    if isinstance(answer, str):
        text = answer.strip()
        if not text:
            return  # left blank
        try:
            number = float(text)
        except ValueError:
            if _with_a_decimal_comma(text):
                shown = text.replace(",", ".")
                raise refuse(
                    f'is "{text}": write the decimal point as a point, "{shown}"'
                ) from None
            raise refuse(f'is "{text[:40]}", not a number: write a number such as "0.5"') from None
    elif isinstance(answer, (int, float)) and not isinstance(answer, bool):
        number = float(answer)
    else:
        raise refuse(f'is {_kind(answer)}: write a number such as "0.5", or "" to leave it blank')
    if not math.isfinite(number):
        raise refuse(f"is {answer!r}, not a finite number")


def _with_a_decimal_comma(text: str) -> bool:
    head, comma, tail = text.partition(",")
    if not comma or "," in tail or "." in text:
        return False
    try:
        float(f"{head}.{tail}")
    except ValueError:
        return False
    return True


def _check_exercise(document: TomlFile, exercise: object) -> None:
    if not isinstance(exercise, dict):
        raise document.error(
            'exercise must be a table, [exercise] with example = "NAME" (or expr = "...") '
            "and the given numbers in [exercise.given]",
            "",
            "exercise",
        )

    def refuse(key: str, what: str, section: str = "exercise") -> UnusableFile:
        return document.error(f"{section}.{key} {what}", section, key)

    for key in ("example", "expr"):
        if key in exercise and not (isinstance(exercise[key], str) and exercise[key].strip()):
            raise refuse(
                key, f'must be a non-empty string, e.g. {key} = "xyz"; got {_kind(exercise[key])}'
            )
    for key in ("seed", "variant"):
        if key in exercise and not _is_int(exercise[key]):
            raise refuse(key, f"must be a whole number, got {_kind(exercise[key])}")
    if "decimals" in exercise:
        decimals = exercise["decimals"]
        if not _is_int(decimals) or not 0 <= decimals <= 15:
            raise refuse("decimals", f"must be a whole number from 0 to 15, got {_kind(decimals)}")
    for key in ("abs_tol", "rel_tol"):
        if key in exercise:
            problem = tolerance_problem(key, exercise[key])
            if problem:
                raise refuse(key, problem)
    if "lr" in exercise and not _is_finite_number(exercise["lr"]):
        raise refuse("lr", f"must be a finite number such as 0.5, got {_kind(exercise['lr'])}")
    given = exercise.get("given", {})
    if not isinstance(given, dict):
        raise refuse("given", "must be a table, [exercise.given] with lines such as x = -2")
    for name, number in given.items():
        if not _is_finite_number(number):
            raise refuse(name, f"must be a finite number, got {_kind(number)}", "exercise.given")


def tolerance_problem(name: str, value: object) -> str | None:
    """What is wrong with a tolerance (abs_tol or rel_tol), or None when it can grade."""
    limit = TOLERANCE_LIMITS[name]
    if not _is_finite_number(value) or not 0 < value <= limit:  # type: ignore[operator]
        return f"must be a number above 0 and at most {limit:g}, got {_kind(value)}"
    return None


def tolerance_argument(name: str) -> Callable[[str], float]:
    """An argparse type for --abs-tol or --rel-tol: the number, or a usage error (exit 2)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if tolerance_problem(name, value):
            limit = TOLERANCE_LIMITS[name]
            raise argparse.ArgumentTypeError(
                f"must be a number above 0 and at most {limit:g}, got {text!r}"
            )
        return value

    return parse


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_finite_number(x: object) -> bool:
    if _is_int(x):
        return abs(x) <= _FLOAT_MAX  # type: ignore[arg-type]  # (an int is compared exactly)
    return isinstance(x, float) and math.isfinite(x)


def _kind(x: object) -> str:
    """x as a message shows it: `the text "a"`, `a table`, `inf`."""
    if isinstance(x, str):
        return f'the text "{x[:40]}"'
    if isinstance(x, dict):
        return "a table"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, bool):
        return f"{str(x).lower()} (a true/false value)"
    return repr(x)
