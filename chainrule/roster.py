"""A class list, a course secret, and each student's own numbers.

A roster is a CSV file with a column `id` (one row per student; `name`, `email` and
`section` are kept when present, for the gradebook). A student's numbers follow from the
example, their id and the course secret: `student_seed` mixes the three with HMAC-SHA256,
so the same roster and secret always give the same sheets, and nobody without the secret
can make another student's key. Errors name the file and the line, and say the fix.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from autograd.files import UnusableFile, read_text_file

from .worked import ExampleError

SECRET_FILE = "secret.txt"  # kept in DIR/keys/ when chainrule variant makes the secret
# An id becomes a folder name (handout/<id>/): letters, digits and . _ @ + - only.
ID_PATTERN = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*")
EXTRA_COLUMNS = ("name", "email", "section")


class RosterError(ExampleError):
    """A roster, key or answers file that cannot be used: the message names the file, the
    line and the fix. An ExampleError (a ValueError), so the command line exits 2."""


@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    id: str
    line: int  # where the row is in the file (1 is the header)
    extra: dict[str, str] = field(default_factory=dict)  # name, email, section if given


def read_roster(path: str | Path) -> list[Student]:
    """The students of a roster CSV, in its order. RosterError for a file that is missing
    or unreadable, has no `id` column, or an id that is empty, repeated or not usable as a
    folder name."""
    path = Path(path)
    try:  # the one reader: a regular file of sensible size, a spreadsheet's BOM dropped
        text = read_text_file(path, what="a roster file (a CSV with a column id)")
    except FileNotFoundError:
        raise RosterError(f"{path}: no such roster file") from None
    except UnusableFile as error:  # a folder, FIFO or device, too large, not UTF-8
        raise RosterError(str(error)) from None
    except OSError as error:
        raise RosterError(f"{path}: cannot read it: {error.strerror or error}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError(f"{path}, line 1: empty; the first line names the columns, e.g. id,name")
    header = [cell.strip().lower() for cell in rows[0]]
    if "id" not in header:
        raise RosterError(
            f"{path}, line 1: no column named id (the columns are {', '.join(rows[0])}); "
            "add one holding each student's id"
        )
    where = {name: header.index(name) for name in ("id", *EXTRA_COLUMNS) if name in header}
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        cells = {name: row[k].strip() if k < len(row) else "" for name, k in where.items()}
        student_id = cells.pop("id")
        if not student_id:
            raise RosterError(f"{path}, line {number}: the id is empty; give every student one")
        if not ID_PATTERN.fullmatch(student_id):
            raise RosterError(
                f"{path}, line {number}: the id {student_id!r} cannot name a folder; use "
                "letters, digits and . _ @ + - only"
            )
        if student_id in seen:
            raise RosterError(
                f"{path}, line {number}: the id {student_id!r} is already on line "
                f"{seen[student_id]}; each student needs an id of their own"
            )
        seen[student_id] = number
        students.append(Student(student_id, number, {k: v for k, v in cells.items() if v}))
    if not students:
        raise RosterError(f"{path}: no students; add one row per student under the header")
    return students


def make_secret() -> str:
    """A new course secret: 32 random hex digits."""
    return secrets.token_hex(16)


def kept_secret(keys: Path) -> str | None:
    """The secret chainrule variant made and kept in a keys folder, if there is one."""
    path = keys / SECRET_FILE
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise RosterError(f"{path}, line 1: empty; put the course secret back, or delete the file")
    return text


def student_seed(example: str, student_id: str, secret: str) -> int:
    """The seed of a student's numbers: HMAC-SHA256 of the example's name and the id under
    the course secret, as a whole number below 2**63. Without the secret it cannot be
    worked out, so a student cannot make their own key."""
    if not secret:
        raise ValueError("the course secret must not be empty")
    message = f"{example}\n{student_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1
