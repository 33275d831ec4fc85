"""A class from a roster (chainrule/classroom.py, roster.py) graded into a gradebook
(chainrule/gradebook.py): two commands, each student against their own key."""

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule.cli import main
from chainrule.example_files import read_toml
from chainrule.roster import student_seed

ROSTER = "id,name,email\nalice,Alice A,alice@example.org\nbob,Bob B,bob@example.org\n"
ROSTER += "carol,Carol C,carol@example.org\ndan,Dan D,dan@example.org\n"


def answers_from_key(key: Path, sheet: Path, change=None) -> str:
    """The student's own answers.toml with the [forward], ... sections of a key, rounded to
    the sheet's 4 decimals (as a student writes them)."""
    head = sheet.read_text(encoding="utf-8").split("[forward]")[0]
    body = "[forward]" + key.read_text(encoding="utf-8").split("[forward]")[1]
    body = re.sub(r"= (-?\d+\.\d+)", lambda m: f"= {float(m.group(1)):.4f}", body)
    return head + (change(body) if change else body)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = folder / "course"
    status = main(["variant", "xyz", "--roster", str(folder / "roster.csv"), "--out", str(out)])
    assert status == 0
    return folder


def test_a_roster_makes_a_handout_and_a_key_per_student(course, capsys):
    out = course / "course"
    handout = sorted(p.name for p in (out / "handout" / "alice").iterdir())
    assert handout == ["answers.toml", "graph.svg", "student.md", "test_answers.py"]
    keys = sorted(p.name for p in (out / "keys" / "alice").iterdir())
    assert keys == ["key.md", "key.toml", "key_graph.svg"]
    assert (out / "keys" / "secret.txt").is_file()
    # Nothing in the handout holds the answers or the seed that would make them.
    sheet = read_toml(out / "handout" / "alice" / "answers.toml")
    assert set(sheet["exercise"]) == {"example", "student", "decimals", "check", "given"}
    assert all(v == "" for section in ("forward", "gradients") for v in sheet[section].values())
    # The numbers follow from the example, the id and the secret.
    secret = (out / "keys" / "secret.txt").read_text(encoding="utf-8").strip()
    from chainrule.variants import make_variants

    [variant] = make_variants("xyz", student_seed("xyz", "alice", secret))
    assert sheet["exercise"]["given"] == {k: int(v) for k, v in variant.given.items()}


def test_right_slip_copied_and_blank_are_each_scored_as_they_deserve(course, capsys):
    out, submissions = course / "course", course / "submissions"
    for student in ("alice", "bob", "carol", "dan"):
        (submissions / student).mkdir(parents=True)
    sheet = lambda s: out / "handout" / s / "answers.toml"  # noqa: E731
    key = lambda s: out / "keys" / s / "key.toml"  # noqa: E731
    (submissions / "alice" / "answers.toml").write_text(
        answers_from_key(key("alice"), sheet("alice"))
    )

    def sign_slip(body: str) -> str:  # bob writes df/dx with the wrong sign
        return re.sub(r"^x = (-?\d+)", lambda m: f"x = {-int(m.group(1))}", body, flags=re.M)

    bob = answers_from_key(key("bob"), sheet("bob"), sign_slip)
    (submissions / "bob" / "answers.toml").write_text(bob)
    # carol hands in alice's numbers under her own [exercise] table
    (submissions / "carol" / "answers.toml").write_text(
        answers_from_key(key("alice"), sheet("carol"))
    )
    (submissions / "dan" / "answers.toml").write_text(sheet("dan").read_text())
    gradebook = course / "grades.csv"
    capsys.readouterr()
    status = main(["grade", str(submissions), "--keys", str(out / "keys"), "--csv", str(gradebook)])
    assert status == 1  # not everyone is right
    summary = capsys.readouterr().out.strip()
    assert summary.startswith(
        "Graded 4 students against their own keys: 1 all right, 1 with mistakes, 1 copied, "
        "1 blank; mean 2.8 of 6"  # (6 + 5 + 0 + 0) / 4 = 2.75
    )
    rows = list(csv.reader(gradebook.open(encoding="utf-8")))
    assert rows[0] == [
        "id", "score", "possible", "percent", "status", "q", "f", "df/dq", "df/dz", "df/dx", "df/dy"
    ]  # fmt: skip
    assert rows[1] == ["alice", "6", "6", "100.0", "all right", "1", "1", "1", "1", "1", "1"]
    assert rows[2] == ["bob", "5", "6", "83.3", "graded", "1", "1", "1", "1", "0", "1"]
    assert rows[3][:5] == ["carol", "0", "6", "0.0", "copied: fits alice's numbers"]
    assert rows[4] == ["dan", "0", "6", "0.0", "blank", "0", "0", "0", "0", "0", "0"]
    feedback = (out / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "First wrong value: df/dx (backward pass, gradient 3 of 4): wrong" in feedback
    assert "it looks like a sign slip" in feedback
    assert "expected" not in feedback  # without --reveal, no answer is given away


def test_lms_gradebooks_have_the_columns_each_system_imports(course, capsys):
    out, submissions = course / "course", course / "submissions"
    if not submissions.exists():
        pytest.skip("runs after the grading test, which writes the submissions")
    wanted = {
        "canvas": ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW 3"],
        "moodle": ["ID number", "Email address", "HW 3", "Feedback"],
        "gradescope": ["Name", "SID", "Email", "Total Score"],
    }
    for lms, header in wanted.items():
        path = course / f"{lms}.csv"
        args = ["grade", str(submissions), "--keys", str(out / "keys"), "--csv", str(path)]
        main([*args, "--lms", lms, "--assignment", "HW 3"])
        rows = list(csv.reader(path.open(encoding="utf-8")))
        assert rows[0] == header
        assert len(rows) == 5
    canvas = list(csv.reader((course / "canvas.csv").open(encoding="utf-8")))
    assert canvas[1] == ["Alice A", "", "alice", "", "", "6"]
    gradescope = list(csv.reader((course / "gradescope.csv").open(encoding="utf-8")))
    assert gradescope[2] == ["Bob B", "bob", "bob@example.org", "5"]


def test_a_bad_roster_is_one_line_naming_the_file_and_line_and_writes_nothing(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    cases = {
        "name\nalice\n": "line 1: no column named id (the columns are name); add one",
        "id\nalice\nalice\n": "line 3: the id 'alice' is already on line 2",
        "id\nalice\n../x\n": "line 3: the id '../x' cannot name a folder",
        "id,name\n,Bob\n": "line 2: the id is empty",
    }
    for text, message in cases.items():
        roster.write_text(text, encoding="utf-8")
        status = main(["variant", "xyz", "--roster", str(roster), "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert status == 2
        assert err.count("\n") == 1 and f"{roster}, {message}" in err
        assert not (tmp_path / "o").exists()


def test_the_course_secret_is_kept_and_reused(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("id\nann\n", encoding="utf-8")
    args = ["variant", "xyz", "--roster", str(tmp_path / "r.csv"), "--no-pictures"]
    assert main([*args, "--out", str(tmp_path / "a"), "--secret", "s3cret"]) == 0
    assert not (tmp_path / "a" / "keys" / "secret.txt").exists()  # given, so not kept
    assert main([*args, "--out", str(tmp_path / "b"), "--secret", "s3cret"]) == 0
    key_a = (tmp_path / "a" / "keys" / "ann" / "key.toml").read_bytes()
    assert key_a == (tmp_path / "b" / "keys" / "ann" / "key.toml").read_bytes()
    assert main([*args, "--out", str(tmp_path / "c"), "--secret", "other"]) == 0
    assert key_a != (tmp_path / "c" / "keys" / "ann" / "key.toml").read_bytes()


def test_a_submission_without_a_key_is_refused(course, tmp_path, capsys):
    (tmp_path / "eve.toml").write_text("[forward]\nq = 3\n", encoding="utf-8")
    keys = course / "course" / "keys"
    status = main(["grade", str(tmp_path), "--keys", str(keys), "--csv", str(tmp_path / "g.csv")])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{tmp_path / 'eve.toml'}: no key for 'eve' among the keys" in err
    assert not (tmp_path / "g.csv").exists()


def test_the_handed_out_self_check_passes_nothing_when_the_given_numbers_are_edited(tmp_path):
    # The case: variant xyz --seed 3, then x, y, z and every answer set to 0.
    folder = tmp_path / "d"
    assert main(["variant", "xyz", "--seed", "3", "--out", str(folder), "--no-pictures"]) == 0
    text = (folder / "answers.toml").read_text(encoding="utf-8")
    text = re.sub(r"^([xyz]) = -?\d+$", r"\1 = 0", text, flags=re.M)
    text = text.replace('""', "0")
    (folder / "answers.toml").write_text(text, encoding="utf-8")
    graded = subprocess.run(
        [sys.executable, "-m", "chainrule", "grade", str(folder)], capture_output=True, text=True
    )
    assert graded.returncode == 1
    assert "the [exercise] table is not the one handed out" in graded.stderr
    assert "6 of 6" not in graded.stdout
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 1
    assert "nothing is graded" in tests.stdout
    # Removing the check line does not help: test_answers.py carries its own copy.
    text = re.sub(r"^check = .*\n", "", text, flags=re.M)
    (folder / "answers.toml").write_text(text, encoding="utf-8")
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 1 and "nothing is graded" in tests.stdout


def test_a_bad_answers_or_key_file_is_one_line_naming_the_file_and_line(course, tmp_path, capsys):
    keys = course / "course" / "keys"
    sheet = (course / "course" / "handout" / "alice" / "answers.toml").read_text("utf-8")
    (tmp_path / "alice.toml").write_text(sheet.replace('f = ""', 'f = "twelve"'), "utf-8")
    args = ["grade", str(tmp_path), "--keys", str(keys), "--csv", str(tmp_path / "g.csv")]
    assert main(args) == 2
    err = capsys.readouterr().err
    line = sheet.splitlines().index('f = ""  # q * z') + 1
    assert err == (
        f'chainrule: error: {tmp_path / "alice.toml"}, line {line}: forward.f is "twelve", '
        'not a number: write a number such as "0.5"\n'
    )
    (tmp_path / "alice.toml").write_text("[forward\n", "utf-8")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'alice.toml'}: not valid TOML" in err and "line 1" in err
    assert not (tmp_path / "g.csv").exists()
    broken = tmp_path / "keys"
    shutil.copytree(keys, broken)
    (broken / "bob" / "key.toml").write_text("[forward]\nq = 3\n", "utf-8")
    (tmp_path / "alice.toml").unlink()
    assert main(["grade", str(tmp_path), "--keys", str(broken)]) == 2
    assert f"{broken / 'bob' / 'key.toml'}, line 1: no [exercise] table" in capsys.readouterr().err
