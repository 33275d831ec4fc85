"""Grading a class: every student against their own key, into a gradebook and feedback.

`chainrule grade SUBMISSIONS --keys course/keys --csv grades.csv` grades each submission
(SUBMISSIONS/<id>/answers.toml or SUBMISSIONS/<id>.toml) against course/keys/<id>/key.toml:
the key's problem, never the numbers in the student's own file. Answers that fit another
student's numbers better than their own are reported as copied. The gradebook has a row per
student (`id,score,possible,percent,status`, then a column per answer: 1 for credit, 0
for none), or the columns Canvas, Moodle or Gradescope import (`--lms`); each student gets a
feedback file to hand back. Every file is made before any is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer_files import read_answers_file
from .classroom import STUDENTS_FILE
from .grading import SECTIONS, GradeResult, Tolerance, grade_file
from .roster import RosterError
from .variants import write_planned

LMS = ("canvas", "moodle", "gradescope")
ALL_RIGHT, GRADED, BLANK, ABSENT = "all right", "graded", "blank", "no submission"


@dataclass(frozen=True)
class Key:
    """A student's key: key.toml's problem and its filled numbers."""

    id: str
    path: Path
    tolerance: Tolerance
    numbers: dict[tuple[str, str], float]  # (section, name) -> the key's number
    extra: dict[str, str]  # name, email, section from keys/students.csv


@dataclass(frozen=True)
class StudentGrade:
    """One row of the gradebook."""

    id: str
    result: GradeResult | None  # None: no submission
    status: str  # all right, graded, blank, no submission, or copied: fits <id>'s numbers
    submission: Path | None = None
    copied_from: str | None = None

    @property
    def score(self) -> int:
        """The marks earned; none for a copied submission (its marks against the student's
        own numbers are in the feedback, for the instructor to review)."""
        if self.result is None or self.copied_from is not None:
            return 0
        return self.result.earned

    def credit(self, label: str) -> int:
        """1 when the answer called label has credit, else 0."""
        if self.result is None or self.copied_from is not None:
            return 0
        return next((int(m.credit) for m in self.result.marks if m.label == label), 0)


# ---------------------------------------------------------------------------------------
# Reading keys and submissions
# ---------------------------------------------------------------------------------------


def read_keys(keys: Path) -> dict[str, Key]:
    """Every student's key in a keys folder (keys/<id>/key.toml), in the roster's order
    (keys/students.csv) where it is there. RosterError naming the file for a folder with
    no keys or a key that cannot be read."""
    if not keys.is_dir():
        raise RosterError(
            f"{keys}: no such keys folder; give the keys/ that chainrule variant --roster wrote"
        )
    found = sorted(p.parent.name for p in keys.glob("*/key.toml"))
    if not found:
        raise RosterError(
            f"{keys}: no <id>/key.toml inside; give the keys/ that chainrule variant --roster wrote"
        )
    extra: dict[str, dict[str, str]] = {}
    order = found
    students = keys / STUDENTS_FILE
    if students.is_file():
        with open(students, encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        extra = {row["id"]: {k: v for k, v in row.items() if k != "id" and v} for row in rows}
        order = [row["id"] for row in rows if row["id"] in found]
        order += [i for i in found if i not in order]
    return {i: _read_key(keys / i / "key.toml", i, extra.get(i, {})) for i in order}


def _read_key(path: Path, student: str, extra: dict[str, str]) -> Key:
    table = read_answers_file(path)  # UnusableFile names the file and the line
    exercise = table.get("exercise")
    if not isinstance(exercise, Mapping) or "given" not in exercise:
        raise RosterError(
            f"{path}, line 1: no [exercise] table with its given numbers; write the keys "
            "again with chainrule variant --roster"
        )
    decimals = exercise.get("decimals")
    if isinstance(decimals, int) and not isinstance(decimals, bool):
        tolerance = Tolerance(decimals)
    else:
        tolerance = Tolerance(
            abs_tol=float(exercise.get("abs_tol", 0.0)),
            rel_tol=float(exercise.get("rel_tol", 1e-9)),
        )
    return Key(student, path, tolerance, _answer_numbers(table), extra)


def find_submissions(folder: Path, keys: Mapping[str, Key]) -> dict[str, Path]:
    """Each student's answers file: folder/<id>/answers.toml or folder/<id>.toml.
    RosterError for a submission whose id has no key."""
    if not folder.is_dir():
        raise RosterError(f"{folder}: no such folder of submissions (one <id>/ or <id>.toml each)")
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() and (path / "answers.toml").is_file():
            student, answers = path.name, path / "answers.toml"
        elif path.is_file() and path.suffix == ".toml":
            student, answers = path.stem, path
        else:
            continue
        if student not in keys:
            raise RosterError(
                f"{answers}: no key for {student!r} among the keys; rename it to a roster id "
                "(<id>/answers.toml or <id>.toml), or move it away"
            )
        found[student] = answers
    return found


def _answer_numbers(answers: Mapping[str, Any]) -> dict[tuple[str, str], float]:
    """The numbers a student wrote (as numbers, or as text holding one), by (section,
    name); blanks left out."""
    numbers = {}
    for section in SECTIONS:
        for name, value in answers.get(section, {}).items():
            if isinstance(value, str):
                if not value.strip():
                    continue
                value = float(value)  # read_answers_file checked it holds a number
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers[(section, name)] = float(value)
    return numbers


# ---------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------


def fits(numbers: Mapping[tuple[str, str], float], key: Key) -> int:
    """How many of a student's numbers agree with a key's at its tolerance."""
    return sum(
        1
        for slot, x in numbers.items()
        if slot in key.numbers and key.tolerance.agrees(x, key.numbers[slot])
    )


def copied_from(
    student: str, numbers: Mapping[tuple[str, str], float], keys: Mapping[str, Key]
) -> str | None:
    """Another student whose numbers the answers fit: more of them than the student's own,
    and at least half the answers given (and two). None when no one's fit so."""
    if len(numbers) < 2:
        return None
    own = fits(numbers, keys[student])
    best, best_fit = None, own
    for other, key in keys.items():
        if other == student:
            continue
        fit = fits(numbers, key)
        if fit > best_fit and 2 * fit >= len(numbers):
            best, best_fit = other, fit
    return best


def grade_class(submissions: Path, keys: Mapping[str, Key]) -> list[StudentGrade]:
    """Grade every student with a key (read_keys): their submission against their own key.
    RosterError (naming the file and the line) for an answers file that cannot be used;
    nothing is graded then."""
    found = find_submissions(submissions, keys)
    grades = []
    for student, key in keys.items():
        path = found.get(student)
        if path is None:
            grades.append(StudentGrade(student, None, ABSENT))
            continue
        answers = read_answers_file(path)
        try:
            result = grade_file(path, key.path)  # the key's problem, not the file's
        except ValueError as error:  # names the file and the line (grade_file)
            raise RosterError(str(error)) from None
        numbers = _answer_numbers(answers)
        other = copied_from(student, numbers, keys)
        if not numbers:
            status = BLANK
        elif other is not None:
            status = f"copied: fits {other}'s numbers"
        else:
            status = ALL_RIGHT if result.all_right else GRADED
        grades.append(StudentGrade(student, result, status, path, other))
    return grades


# ---------------------------------------------------------------------------------------
# The gradebook, the feedback, the summary
# ---------------------------------------------------------------------------------------


def gradebook_csv(
    grades: Sequence[StudentGrade], keys: Mapping[str, Key], lms: str | None, assignment: str
) -> str:
    """The gradebook as CSV text: chainrule's own columns, or one LMS's import columns."""
    labels = _labels(grades)
    possible = max((g.result.possible for g in grades if g.result is not None), default=0)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    if lms is None:
        writer.writerow(["id", "score", "possible", "percent", "status", *labels])
        for g in grades:
            percent = f"{100 * g.score / possible:.1f}" if possible else "0.0"
            cells = [g.credit(label) for label in labels]
            writer.writerow([g.id, g.score, possible, percent, g.status, *cells])
    elif lms == "canvas":
        # Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then
        # one column per assignment (a new name makes a new assignment).
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        for g in grades:
            extra = keys[g.id].extra
            writer.writerow(
                [extra.get("name", ""), "", g.id, "", extra.get("section", ""), g.score]
            )
    elif lms == "moodle":
        # Moodle's CSV import maps a column to a user field (ID number or email) and a
        # column to the grade item; a third can be mapped to its feedback.
        writer.writerow(["ID number", "Email address", assignment, "Feedback"])
        for g in grades:
            extra = keys[g.id].extra
            writer.writerow([g.id, extra.get("email", ""), g.score, _one_line(g)])
    elif lms == "gradescope":
        # Gradescope's score upload matches students by email or SID, with the score.
        writer.writerow(["Name", "SID", "Email", "Total Score"])
        for g in grades:
            extra = keys[g.id].extra
            writer.writerow([extra.get("name", ""), g.id, extra.get("email", ""), g.score])
    else:
        raise ValueError(f"--lms: unknown system {lms!r}; choose one of {', '.join(LMS)}")
    return table.getvalue()


def _labels(grades: Sequence[StudentGrade]) -> list[str]:
    for g in grades:
        if g.result is not None:
            return [m.label for m in g.result.marks]
    return []


def _one_line(g: StudentGrade) -> str:
    if g.result is None:
        return "No submission."
    line = g.result.summary()
    if g.copied_from is not None:
        line += f" The answers fit {g.copied_from}'s numbers, not yours."
    return line


def feedback_text(g: StudentGrade, *, reveal: bool) -> str:
    """What a student gets back: the summary, the first wrong value with the kind of slip,
    every mark; the expected numbers only with reveal."""
    head = f"# Feedback for {g.id}\n\n"
    if g.result is None:
        return head + "No submission was found.\n"
    parts = [g.result.report(reveal=reveal)]
    if g.copied_from is not None:
        parts.insert(
            0,
            "Your answers fit another student's numbers better than your own, so they earn "
            "no marks: each sheet has numbers of its own. Below, your answers marked "
            "against your own numbers.",
        )
    return head + "```text\n" + "\n\n".join(parts) + "\n```\n"


def summary_line(grades: Sequence[StudentGrade], written: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    for g in grades:
        kind = "copied" if g.copied_from is not None else g.status
        counts[kind] = counts.get(kind, 0) + 1
    possible = max((g.result.possible for g in grades if g.result is not None), default=0)
    mean = sum(g.score for g in grades) / len(grades)
    order = [ALL_RIGHT, GRADED, "copied", BLANK, ABSENT]
    words = {GRADED: "with mistakes"}
    parts = [f"{counts[k]} {words.get(k, k)}" for k in order if counts.get(k)]
    line = f"Graded {len(grades)} students against their own keys: {', '.join(parts)}; "
    line += f"mean {mean:.1f} of {possible}"
    return line + (f". Wrote {', '.join(written)}." if written else ".")


def write_class_grades(
    submissions: Path,
    keys_folder: Path,
    *,
    csv_path: Path | None = None,
    lms: str | None = None,
    assignment: str | None = None,
    feedback: Path | None = None,
    reveal: bool = False,
) -> tuple[str, int]:
    """Grade a class (grade_class), then write the gradebook (csv_path, in chainrule's
    columns or lms's) and a feedback file per student (feedback: default keys/../feedback),
    all made before any is written. Returns the one-line summary and the exit status: 0
    when every student is all right, 1 otherwise."""
    if lms is not None and csv_path is None:
        raise ValueError("--lms chooses the columns of the --csv gradebook: give --csv FILE too")
    keys = read_keys(keys_folder)
    grades = grade_class(submissions, keys)
    plan: dict[Path, bytes] = {}
    written = []
    if csv_path is not None:
        text = gradebook_csv(grades, keys, lms, assignment or "Backprop by hand")
        plan[csv_path] = text.encode()
        written.append(str(csv_path))
    folder = feedback if feedback is not None else keys_folder.parent / "feedback"
    for g in grades:
        plan[folder / f"{g.id}.md"] = feedback_text(g, reveal=reveal).encode()
    written.append(f"feedback in {folder}/")
    write_planned(plan)
    status = 0 if all(g.status == ALL_RIGHT for g in grades) else 1
    return summary_line(grades, written), status
