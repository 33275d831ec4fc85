"""The [printed] and [errata] sections of an example file: the source's numbers, as printed.

Each number is kept as the text the source prints ("0.75136507"), since its digits are its
precision; the keys name values, derivatives ("dE_total/dw5") or values after the update.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .example_text import ExampleText
from .worked import ExampleError, Printed, WorkedExample, printed_names


def read_printed(file: ExampleText, spec: object, errata: object) -> tuple[list[Printed], int]:
    if not isinstance(spec, dict):
        raise file.error("[printed] must be a table of numbers as strings", "printed")
    if not isinstance(errata, dict) or not all(isinstance(v, str) for v in errata.values()):
        raise file.error("[errata] must be a table of strings", "errata")
    printed: list[Printed] = []
    steps = 0
    stages = {"after_update": "update", "after_steps": "steps"}
    for key, value in spec.items():
        if key in stages and isinstance(value, dict):
            section = f"printed.{key}"
            for inner, text in value.items():
                if key == "after_steps" and inner == "steps":
                    if isinstance(text, bool) or not isinstance(text, int) or text < 1:
                        raise file.error(
                            f"steps must be a positive whole number, got {text!r}",
                            section,
                            inner,
                        )
                    steps = text
                    continue
                _printed_text(file, section, inner, text)
                erratum = errata.get(f"{key}.{inner}", "")
                printed.append(Printed(inner, text, stages[key], erratum))
            if key == "after_steps" and not steps:
                raise file.error("[printed.after_steps] needs steps = N, how many updates", section)
            continue
        _printed_text(file, "printed", key, value)
        printed.append(Printed(key, value, "forward", errata.get(key, "")))
    printed = [replace(p, steps=steps) if p.stage == "steps" else p for p in printed]
    prefixes = {"forward": "", "update": "after_update.", "steps": "after_steps."}
    keys = {prefixes[p.stage] + p.key for p in printed}
    for key in errata:
        if key not in keys:
            raise file.error(f"[errata] {key!r} is not a key of [printed]", "errata", key)
    return printed, steps


def _printed_text(file: ExampleText, section: str, key: str, text: object) -> None:
    if not isinstance(text, str):
        raise file.error(
            f"{key} must be written as a string, as printed ({key} = "
            f'"{text}"), so its precision is known',
            section,
            key,
        )
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text.strip()):
        raise file.error(
            f'{key} = {text!r} is not a number as printed (write digits, e.g. "-0.20" or "12")',
            section,
            key,
        )


def check_printed_keys(file: ExampleText, example: WorkedExample) -> None:
    for item in example.printed:
        section = {
            "forward": "printed",
            "update": "printed.after_update",
            "steps": "printed.after_steps",
        }[item.stage]
        try:
            printed_names(item.key, example)
        except ExampleError as error:
            raise file.error(str(error), section, item.key) from None
        if item.stage != "forward" and (example.lr is None):
            raise file.error(
                f"{item.key} after an update needs [update] with lr and parameters",
                section,
                item.key,
            )


# -- networks ---------------------------------------------------------------------
