"""What a course hands the command line (issue 23): special, huge, nested and mistyped
files, bad arguments, closed pipes, Ctrl-C and training that runs away.

Every command ends with 0 (success), 1 (a finding: a wrong answer, a number that differs,
training that diverged), 2 (bad input) or 130 (interrupted), and says what went wrong in
one line on stderr, never a traceback. Each case is run as a user meets it: a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd.files import MAX_INPUT_BYTES, UnusableFile
from chainrule.grading import grade_file
from chainrule.toml_files import read_toml_file
from chainrule.variants import write_variants

ROOT = Path(__file__).resolve().parent.parent

# Fuzzing in-process, a second or two per test (tmp_path is shared by the examples).
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def chainrule(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m chainrule ARGS` (what the `chainrule` script runs), its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=_environment(),
    )


def _environment() -> dict[str, str]:
    # The checkout under test first, also when a test runs in another folder.
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def assert_error(result: subprocess.CompletedProcess[str], status: int, *parts: str) -> str:
    """The exit status, one line `chainrule: error: ...` holding every part, no traceback;
    returns the line."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0]
    return lines[0]


def assert_usage_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    """argparse's form: the usage, then one line naming the argument; exit status 2."""
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("usage: chainrule") and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    for part in parts:
        assert part in last


@pytest.fixture(scope="module")
def variant_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A variant of xyz (seed 1): x = 7, y = -2, z = 1, as `chainrule variant` writes it."""
    folder = tmp_path_factory.mktemp("variant")
    write_variants("xyz", folder, seed=1, pictures=False)
    return folder


@pytest.fixture
def answers(variant_folder: Path, tmp_path: Path) -> Path:
    """A fresh copy of the variant's folder; the answers.toml in it."""
    folder = tmp_path / "handed-in"
    shutil.copytree(variant_folder, folder)
    return folder / "answers.toml"


def line_of(path: Path, start: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start)
    )


# -- special files: refused at once, never read -------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("command", ["check", "example", "grade"])
def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path, command):
    # Before: check ran until killed, grade used up all memory.
    link = tmp_path / "z.toml"
    link.symlink_to("/dev/zero")
    result = chainrule(command, str(link), timeout=20)
    assert_error(result, 2, f"{link} is not", "a character device, not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this system has no FIFOs")
@pytest.mark.parametrize("command", ["check", "example", "grade"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, command):
    # Before: opening the FIFO waited for a writer forever (the timeout fails the test).
    fifo = tmp_path / "answers.toml" if command == "grade" else tmp_path / "f.toml"
    os.mkfifo(fifo)
    result = chainrule(command, str(fifo if command != "grade" else tmp_path), timeout=20)
    assert_error(result, 2, f"{fifo} is not", "a FIFO (named pipe), not a regular file")


def test_a_folder_given_as_an_example_file_is_refused(tmp_path):
    folder = tmp_path / "not-a-file.toml"
    folder.mkdir()
    assert_error(chainrule("example", str(folder)), 2, "it is a folder, not a regular file")


def test_a_file_larger_than_any_example_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as file:  # sparse: no disk space used
        file.truncate(MAX_INPUT_BYTES + 1)
    result = chainrule("check", str(huge))
    assert_error(result, 2, f"{huge} is not an example file: it is over the 4,194,304 bytes")


@pytest.mark.parametrize("kind", ["arrays", "tables"])
def test_a_file_nested_2000_deep_is_refused_in_one_line(tmp_path, kind):
    # Before: "chainrule: error: maximum recursion depth exceeded", exit status 1.
    deep = tmp_path / "deep.toml"
    if kind == "arrays":
        deep.write_text("a = " + "[" * 2000 + "]" * 2000 + "\n")
    else:
        deep.write_text("a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n")
    assert_error(chainrule("check", str(deep)), 2, f"{deep}: not an example file", "nested")


def test_nesting_past_the_limit_is_refused_even_when_the_parser_manages_it(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 40 + "]" * 40 + "\n")  # 40 levels: the limit is 32
    message = assert_error(chainrule("example", str(deep)), 2, f"{deep}: a")
    assert "nested more than 32 levels deep" in message


# -- answers files of the wrong types: file, line, key and the fix -------------------------


def test_an_exercise_that_is_a_string_names_the_file_and_line(answers):
    # Before: an AttributeError traceback.
    text = answers.read_text().replace("[exercise]", "[was_exercise]")
    text = text.replace("[exercise.given]", "[was_exercise.given]")
    answers.write_text('exercise = "xyz"\n' + text)
    result = chainrule("grade", str(answers.parent))
    assert_error(result, 2, f"{answers}, line 1: exercise must be a table")


def test_decimals_that_are_text_name_the_file_line_and_range(answers):
    # Before: a TypeError traceback.
    answers.write_text(answers.read_text().replace("decimals = 0", 'decimals = "a"'))
    line = line_of(answers, "decimals =")
    result = chainrule("grade", str(answers.parent))
    assert_error(
        result,
        2,
        f"{answers}, line {line}: exercise.decimals must be a whole number from 0 to 15, "
        'got the text "a"',
    )


def test_an_answer_written_with_a_decimal_comma_names_the_file_and_line(answers):
    # Before: "forward.q: expected a number, got the text '0,6'" (no file, no line).
    answers.write_text(answers.read_text().replace('q = ""', 'q = "0,6"'))
    line = line_of(answers, "q = ")
    result = chainrule("grade", str(answers.parent))
    assert_error(result, 2, f'{answers}, line {line}: forward.q is "0,6"', '"0.6"')


def test_given_numbers_that_overflow_are_bad_input_not_a_wrong_answer(answers):
    # x + y = 2e308 is no float. Before: exit status 1, which means "a wrong answer".
    text = answers.read_text().replace("x = 7", "x = 1e308").replace("y = -2", "y = 1e308")
    answers.write_text(text)
    assert_error(chainrule("grade", str(answers.parent)), 2, f"{answers}, [exercise]", "inf")


def test_an_example_whose_given_numbers_overflow_exits_2(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text('title = "big"\n[given]\nx = 1e308\ny = 1e308\n[define]\nq = "x + y"\n')
    assert_error(chainrule("check", str(path)), 2, f"{path}, line 6: q = x + y", "inf")


@pytest.mark.parametrize(
    "option, value, limit", [("--rel-tol", "inf", "0.5"), ("--abs-tol", "1e308", "1")]
)
def test_a_tolerance_that_would_pass_anything_is_refused_with_its_range(
    variant_folder, option, value, limit
):
    # Before: 12345 was marked right everywhere.
    result = chainrule("grade", str(variant_folder), option, value)
    assert_usage_error(result, f"argument {option}", f"above 0 and at most {limit}", repr(value))


# -- fuzzing the reader: any bytes, any data, only one-line UnusableFile errors ------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_any_bytes_read_as_toml_give_data_or_one_line_naming_the_file(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        read_toml_file(path)
    except UnusableFile as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error).strip()


_toml_values = st.recursive(
    st.none().map(lambda _: "")
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["0,6", "1e400", "nan", " 0.5 ", "-inf"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
_sections = st.sampled_from(["exercise", "forward", "gradients", "updated", "given", "decimals"])


def _toml(value: object) -> str:
    """value written as TOML (inline tables and arrays; json's strings are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).replace("nan", "nan").replace("inf", "inf")
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


_fields = st.sampled_from(
    ["example", "expr", "seed", "decimals", "abs_tol", "rel_tol", "lr", "given", "q", "f", "x"]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        _sections, _toml_values | st.dictionaries(_fields, _toml_values, max_size=4), max_size=4
    )
)
def test_answers_of_any_types_are_graded_or_refused_never_a_crash(tmp_path, data):
    # Any table, list, number or text where the answers file expects another: the grader
    # reports it (a ValueError, exit status 2), never a TypeError or AttributeError.
    path = tmp_path / "answers.toml"
    path.write_text("\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in data.items()) + "\n")
    try:
        grade_file(path, "xyz")
        grade_file(path)
    except (ValueError, ArithmeticError) as error:
        assert str(error)


# -- text a file supplies, escaped for where it goes ---------------------------------------

HOSTILE_TITLE = "<img src=x onerror=alert(1)> \u200fשלום σ & 50% `x` [a](javascript:b)"


@pytest.fixture
def hostile_example(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(
        f"title = {json.dumps(HOSTILE_TITLE)}\n"
        '[source]\nauthor = "<b>me</b>"\ntitle = "T"\nurl = "javascript:alert(1)"\n'
        'checked = "x"\n'
        '[given]\nx = 2\ny = 3\n[define]\nf = "x * y"\n'
        '[explain]\nx = """y\n| evil | row |\n<script>"""\ny = "x"\n',
        encoding="utf-8",
    )
    return path


def test_markdown_shows_a_files_html_as_text_and_keeps_the_table_whole(hostile_example):
    # Before: the <img> tag went out as it was (live in Jupyter), and the newline in the
    # [explain] entry broke the gradient table into three.
    result = chainrule("example", str(hostile_example), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "<img" not in text and "<script>" not in text and "<b>" not in text
    heading, _, source = text.splitlines()[:3]
    assert heading.startswith("# hostile: &lt;img src=x onerror=alert(1)&gt; ")
    assert heading.endswith(r"σ &amp; 50% \`x\` \[a\](javascript:b)")  # no code, no link
    assert "\u200f" not in heading
    assert source == "Source: &lt;b&gt;me&lt;/b&gt;, T."  # a javascript: url is no link
    table = text.split("## Backward pass: gradients of f\n\n")[1].split("\n\n")[0].splitlines()
    # header, rule, df/dx, df/dy: the newline became a space, the bars are escaped
    assert len(table) == 4
    assert table[2] == "| df/dx | y \\| evil \\| row \\| &lt;script&gt; | 3.0000 |"


@pytest.mark.parametrize("fmt", [(), ("--format", "text")])
def test_terminal_output_drops_a_files_control_characters(tmp_path, fmt):
    # An escape sequence in a title or a note would clear the screen or retitle the
    # terminal; a newline in an [explain] entry would break the table's columns.
    path = tmp_path / "terminal.toml"
    path.write_text(
        'title = "Clear\\u001b[2J screen"\nsummary = "Clear\\u001b[2J screen"\n'
        'notes = ["a note\\u0007 that rings"]\n'
        '[given]\nx = 2\ny = 3\n[define]\nf = "x * y"\n'
        '[explain]\nx = "y\\nbroken"\ny = "x"\n'
    )
    result = chainrule("example", str(path), *fmt)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "terminal: Clear[2J screen" in result.stdout.splitlines()[0]
    assert any(
        line.split() == ["df/dx", "y", "broken", "3.0000"] for line in result.stdout.splitlines()
    )


def test_latex_of_a_title_with_a_right_to_left_mark_compiles(hostile_example, pdflatex):
    # Before: pdflatex stopped at U+200F ("not set up for use with LaTeX").
    result = chainrule("example", str(hostile_example), "--format", "latex")
    assert result.returncode == 0, result.stderr
    assert "\u200f" not in result.stdout and r"\ensuremath{\sigma}" in result.stdout
    compiled = pdflatex(result.stdout)
    assert compiled.returncode == 0, compiled.stdout[-1500:]


# -- variant: only into the folder it is given ---------------------------------------------


def test_variant_into_an_empty_name_is_refused_and_writes_nothing(tmp_path):
    # Before: --out '' wrote student.md, key.md, ... into the current folder.
    result = chainrule("variant", "xyz", "--seed", "1", "--out", "", cwd=tmp_path)
    assert_usage_error(result, "argument --out: needs a folder name, got an empty one")
    assert list(tmp_path.iterdir()) == []


def test_variant_out_that_is_a_file_is_a_usage_error(tmp_path):
    # Before: exit status 1 and a raw "[Errno 17] File exists".
    taken = tmp_path / "taken"
    taken.write_text("mine\n")
    result = chainrule("variant", "xyz", "--seed", "1", "--out", str(taken))
    assert_usage_error(result, "argument --out:", "is a file, not a folder")
    assert taken.read_text() == "mine\n"


def test_variant_keep_of_an_unknown_name_exits_2_naming_the_given_numbers(tmp_path):
    result = chainrule("variant", "xyz", "--seed", "1", "--keep", "nope", "--out", str(tmp_path))
    assert_error(result, 2, "keep: nope", "its given numbers are x, y, z")


def test_variant_keeping_every_given_number_says_so(tmp_path):
    # Before: "found only 0 of 1 usable variants ...; ask for fewer, or fewer decimals".
    result = chainrule("variant", "xyz", "--seed", "1", "--keep", "x,y,z", "--out", str(tmp_path))
    assert_error(result, 2, "x, y, z are all the given numbers of xyz", "keep fewer")
    assert list(tmp_path.iterdir()) == []


# -- closed pipes and Ctrl-C ----------------------------------------------------------------


def run_into_a_closed_pipe(*args: str) -> tuple[int, str]:
    """Run the command with its stdout a pipe closed before anything is written (as
    `| head -1` closes it early); its exit status and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    return process.wait(timeout=60), err


@pytest.mark.parametrize(
    "args, status",
    [
        (("check", "xyz"), 1),  # the source prints a number that differs: a finding
        (("check", "2-2-2"), 0),
        (("example", "xyz"), 0),
        (("examples",), 0),
    ],
)
def test_output_into_a_closed_pipe_ends_quietly_with_the_commands_status(args, status):
    # Before: "chainrule: error: [Errno 32] Broken pipe" and exit status 1.
    assert run_into_a_closed_pipe(*args) == (status, "")


def interrupt(args: list[str], when: str, python: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Start `python PYTHON -m chainrule ARGS`, send it Ctrl-C (SIGINT) as soon as a line of
    its stderr contains `when`; its exit status and the lines of its stderr."""
    process = subprocess.Popen(
        [sys.executable, *python, "-m", "chainrule", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    assert process.stderr is not None
    seen = []
    while not seen or when not in seen[-1]:
        line = process.stderr.readline()
        assert line, f"it ended before printing {when!r}: {seen[-5:]}"
        seen.append(line)
    process.send_signal(signal.SIGINT)
    seen += process.stderr.readlines()
    return process.wait(timeout=60), [line.rstrip("\n") for line in seen]


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_while_the_packages_load_exits_130_in_one_line():
    # Before: a traceback, and the status of a process killed by SIGINT. `-X importtime`
    # prints a line as each module is imported: Ctrl-C once autograd's engine is in,
    # while the command line is still loading.
    status, lines = interrupt(["train", "line"], "autograd.engine", ("-X", "importtime"))
    lines = [line for line in lines if not line.startswith("import time:")]
    assert (status, lines) == (130, ["chainrule: interrupted"])


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_while_training_exits_130_in_one_line():
    status, lines = interrupt(["train", "line", "--epochs", "30"], "training: epoch 3/30")
    assert status == 130 and lines[-1] == "chainrule: interrupted"
    assert all(line.startswith("training: epoch ") for line in lines[:-1])  # no traceback


# -- training that runs away -----------------------------------------------------------------


def test_training_whose_loss_explodes_exits_1_naming_the_epoch_and_the_fix():
    # Before: exit status 0 after "Abs error: 7136519534949214652989440".
    result = chainrule("train", "line", "--optimizer", "sgd", "--lr", "1", "--epochs", "20")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Abs error" not in result.stdout
    line = result.stderr.splitlines()[-1]
    assert line.startswith("chainrule: error: training diverged in epoch 1: the loss grew")
    assert "try a lower learning rate (it is 1.0 now)" in line


def test_training_progress_is_lines_when_the_output_is_a_file():
    # Before: nothing while training (11 s of the demo) when the output was not a terminal.
    result = chainrule("train", "line", "--epochs", "10")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"training: epoch {e}/10, train {train}, val {val}"
        for e, train, val in _progress(result.stderr)
    ]
    assert [e for e, _, _ in _progress(result.stderr)] == list(range(1, 11))  # a tenth each


def _progress(stderr: str) -> list[tuple[int, str, str]]:
    rows = []
    for line in stderr.splitlines():
        epoch, train, val = line.removeprefix("training: epoch ").split(", ")
        rows.append((int(epoch.split("/")[0]), train.split()[1], val.split()[1]))
    return rows


# -- arguments that cannot work ---------------------------------------------------------------


def test_plot_into_an_existing_folder_is_refused_before_training(tmp_path):
    # Before: it trained, wrote adir.png beside the folder and reported "Wrote: adir".
    folder = tmp_path / "adir"
    folder.mkdir()
    result = chainrule("train", "line", "--plot", str(folder))
    assert_usage_error(result, "argument --plot:", "is a folder; give a file name in it")
    assert list(tmp_path.iterdir()) == [folder]


def test_a_network_picture_of_an_example_without_a_network_exits_2(tmp_path):
    # Before: exit status 1, which means a finding.
    result = chainrule("example", "xyz", "--network", str(tmp_path / "n.png"))
    assert_error(result, 2, "example xyz is not a network")
    assert result.stdout == ""  # refused before anything was printed


def test_dpi_without_a_picture_is_a_usage_error():
    # Before: --dpi 200 was silently ignored.
    result = chainrule("example", "xyz", "--dpi", "200")
    assert_usage_error(result, "--dpi sets the size of a PNG picture", "--graph")


def test_an_unknown_name_in_expr_is_not_offered_the_name_being_defined():
    # Before: "known names: x, f", though f is what the line defines.
    result = chainrule("expr", "f = x * y", "x=2")
    line = assert_error(result, 2, "uses the unknown name 'y'")
    assert line.endswith("known names: x")


def test_an_overflow_names_the_operation_the_user_wrote():
    # Before: "1e-10 ** -31.0 overflows", the derivative's own power, which nobody wrote.
    result = chainrule("expr", "f = x ** -30", "x=1e-10")
    line = assert_error(result, 2, "f = 1e-10 ** -30.0", "local derivative df/dx is -inf")
    assert "-31" not in line


# -- installing: the first `make` shows no boxed setuptools warning --------------------------


def test_the_editable_install_is_a_plain_path_entry_without_a_warning(monkeypatch):
    # `make` installs with `pip install -e .`; setuptools' import-finder strategy ends
    # with a boxed "Please be careful with folders ... same name as your package".
    editable = pytest.importorskip("setuptools.command.editable_wheel")
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    monkeypatch.chdir(ROOT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
        command = editable.editable_wheel(dist)
        command.project_dir, command.mode = str(ROOT), None
        command.package_dir = dist.package_dir or {}
        strategy = command._select_strategy("chainrule", "py3-none-any", str(ROOT / "build"))
        with strategy:
            pass
    assert type(strategy).__name__ == "_StaticPth"  # a .pth line: no finder, no box
    assert [str(w.message) for w in caught] == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this system has no FIFOs")
def test_a_fifo_roster_is_refused_without_waiting_for_a_writer(tmp_path):
    # Before: the roster was read with read_text, which waits for a FIFO's writer forever.
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    result = chainrule("variant", "xyz", "--roster", str(fifo), "--out", str(tmp_path / "o"))
    assert_error(result, 2, f"{fifo} is not a roster file", "a FIFO (named pipe)")
    assert not (tmp_path / "o").exists()


def test_variant_never_writes_through_a_link_inside_its_folder(tmp_path):
    # Before: an answers.toml left in --out as a symlink had the sheet written to its target,
    # outside the folder the command was given.
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("# someone else's file\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "answers.toml").symlink_to(outside)
    result = chainrule("variant", "xyz", "--seed", "1", "--out", str(out), "--no-pictures")
    assert_error(result, 2, f"{out / 'answers.toml'} is a symlink", "writes only inside")
    assert outside.read_text(encoding="utf-8") == "# someone else's file\n"
    assert sorted(p.name for p in out.iterdir()) == ["answers.toml"]  # nothing else written
