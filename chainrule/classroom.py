"""A class from a roster: one version of a worked example per student, and the keys apart.

`chainrule variant NAME --roster class.csv --out course/` writes, for each student id,
course/handout/<id>/ (student.md, answers.toml, test_answers.py: what the student gets,
holding no answer) and course/keys/<id>/ (key.md, key.toml: what the instructor keeps).
A student's numbers follow from the example, their id and the course secret
(roster.student_seed), so they can be made again, but not by a student. Everything is made
in memory first: a bad roster or a folder holding answers leaves every file as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .roster import SECRET_FILE, RosterError, kept_secret, make_secret, read_roster, student_seed
from .variants import check_overwrite, fresh_example, make_variants, plan_variant, write_planned

STUDENTS_FILE = "students.csv"  # keys/students.csv: the roster's ids, names, emails, sections


def write_class(
    source: str,
    roster: str | Path,
    out: str | Path,
    *,
    secret: str | None = None,
    decimals: int | None = None,
    keep: Sequence[str] = (),
    ask: Sequence[str] | None = None,
    pictures: bool = True,
    force: bool = False,
    handouts: bool = False,
) -> str:
    """Write one version of the example per student of the roster into out/handout/<id>/
    and out/keys/<id>/; returns the one-line summary `chainrule variant` prints.

    secret: the course secret; without it, the one kept in out/keys/secret.txt, or a new
    one, kept there. Raises RosterError (a ValueError) for a roster that cannot be used,
    ValueError for an answers.toml that holds answers (unless force) or a secret that is
    not the one kept."""
    students = read_roster(roster)
    out = Path(out)
    keys = out / "keys"
    kept = kept_secret(keys)
    made = False
    if secret is None:
        secret = kept
    elif not secret.strip():
        raise ValueError("--secret: the course secret must not be empty")
    elif kept is not None and kept != secret:
        raise RosterError(
            f"{keys / SECRET_FILE}, line 1: holds another course secret than --secret; pass "
            "that one, or move the file away to start afresh"
        )
    if secret is None:
        secret, made = make_secret(), True
    name = fresh_example(source).name
    plan: dict[Path, bytes] = {}
    for student in students:
        seed = student_seed(name, student.id, secret)
        [variant] = make_variants(source, seed, decimals=decimals, keep=keep, ask=ask)
        variant = replace(variant, student=student.id)
        plan.update(
            plan_variant(
                variant,
                out / "handout" / student.id,
                keys=keys / student.id,
                pictures=pictures,
                handouts=handouts,
            )
        )
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["id", "name", "email", "section"])
    for student in students:
        writer.writerow(
            [student.id, *(student.extra.get(k, "") for k in ("name", "email", "section"))]
        )
    plan[keys / STUDENTS_FILE] = table.getvalue().encode()
    if made:
        plan[keys / SECRET_FILE] = (secret + "\n").encode()
    check_overwrite(list(plan), force)
    write_planned(plan)
    if made:  # only its owner may read the course secret
        (keys / SECRET_FILE).chmod(0o600)
    summary = (
        f"Wrote {len(students)} students' sheets of {source} to {out / 'handout'}/<id>/ "
        f"and their keys to {keys}/<id>/ ({len(plan)} files)"
    )
    if made:
        summary += f"; a new course secret is kept in {keys / SECRET_FILE}: keep keys/ private"
    return summary + "."
