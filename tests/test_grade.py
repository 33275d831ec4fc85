"""Grading hand-computed answers (chainrule/grading.py): right and wrong at a printed
precision, the first wrong value with what it is built from, and error carried forward."""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule import Tolerance, grade, grade_file
from chainrule.example_files import read_toml
from chainrule.examples import build, from_expr, load
from chainrule.grading import EditedExercise, set_given
from chainrule.worked import WorkedExample

# The 2-2-2 numbers to the slides' 9 decimals, as `chainrule example 2-2-2` prints them.
SLIDE_2_2_2 = {
    "forward": {
        "net_h1": 0.3775,
        "out_h1": 0.593269992,
        "net_h2": 0.3925,
        "out_h2": 0.596884378,
        "net_o1": 1.105905967,
        "out_o1": 0.75136507,
        "net_o2": 1.224921404,
        "out_o2": 0.772928465,
        "E_o1": 0.274811083,
        "E_o2": 0.023560026,
        "E_total": 0.298371109,
    },
    "gradients": {
        "E_o1": 1.0,
        "E_o2": 1.0,
        "out_o1": 0.74136507,
        "out_o2": -0.217071535,
        "net_o1": 0.138498562,
        "net_o2": -0.038098237,
        "w5": 0.082167041,
        "w6": 0.082667628,
        "w7": -0.02260254,
        "w8": -0.022740242,
        "b2": 0.100400325,
        "out_h1": 0.036350306,
        "out_h2": 0.041370323,
        "net_h1": 0.008771355,
        "net_h2": 0.009954255,
        "w1": 0.000438568,
        "w2": 0.000877135,
        "w3": 0.000497713,
        "w4": 0.000995425,
        "b1": 0.018725609,
    },
    "updated": {
        "w1": 0.149780716,
        "w2": 0.199561432,
        "w3": 0.249751144,
        "w4": 0.299502287,
        "w5": 0.35891648,
        "w6": 0.408666186,
        "w7": 0.51130127,
        "w8": 0.561370121,
        "b1": 0.340637195,
        "b2": 0.549799837,
    },
}

XYZ_RIGHT = {"forward": {"q": 3, "f": -12}, "gradients": {"q": -4, "z": 3, "x": -4, "y": -4}}


def rounded(answers: dict, decimals: int) -> dict:
    return {s: {n: round(x, decimals) for n, x in v.items()} for s, v in answers.items()}


def test_xyz_right_answers_are_all_right():
    result = grade("xyz", XYZ_RIGHT)
    assert result.all_right
    assert (result.earned, result.possible) == (6, 6)  # q, f and four gradients
    assert result.first_wrong is None
    assert str(result).startswith("xyz (to 0 decimals): 6 of 6 marks. All right.")


def test_xyz_wrong_gradient_is_named_with_its_local_and_upstream():
    answers = {"forward": {"q": 3, "f": -12}, "gradients": {"q": -4, "z": 3, "x": -4, "y": 4}}
    result = grade("xyz", answers)
    assert not result.all_right
    mark = result.first_wrong
    assert mark is not None and mark.label == "df/dy"
    assert (mark.expected, mark.answer, mark.status) == (-4.0, 4.0, "wrong")
    # df/dy = dq/dy (local, 1: q = x + y) x df/dq (upstream, z = -4)
    [term] = mark.built_from
    assert (term.local_name, term.local, term.upstream_name, term.upstream) == (
        "dq/dy",
        1.0,
        "df/dq",
        -4.0,
    )
    report = str(result)
    assert "First wrong value: df/dy (backward pass, gradient 4 of 4): wrong" in report
    assert "it looks like a sign slip: the size is right, the sign is not" in report
    assert "expected -4, you gave 4" in report
    assert "dq/dy = 1 (local) x df/dq = -4 (upstream)" in report


def test_xyz_error_carried_forward_from_a_wrong_q():
    # q = x + y = -2 + 5 = 3; the learner wrote 2, then used it correctly: f = 2 * -4 = -8
    # and df/dz = q = 2. Their df/dx = -5 is a new mistake (it is z = -4 whatever q is).
    answers = {"forward": {"q": 2, "f": -8}, "gradients": {"q": -4, "z": 2, "x": -5, "y": -4}}
    result = grade("xyz", answers)
    assert [m.status for m in result.marks] == [
        "wrong",  # q
        "carried",  # f = q * z with their q
        "right",  # df/dq = z
        "carried",  # df/dz = q
        "wrong",  # df/dx
        "right",  # df/dy
    ]
    assert result["f"].causes == ("q",)
    assert result["f"].from_yours == -8.0
    assert result["df/dz"].causes == ("q",)
    assert result.first_wrong is result["q"]
    assert (result.earned, result.possible) == (4, 6)  # ECF keeps the credit
    assert "follows from your earlier error in q" in str(result)


def test_2_2_2_slide_numbers_are_right_at_the_slides_9_decimals():
    result = grade("2-2-2", SLIDE_2_2_2)
    assert str(result.tolerance) == "to 9 decimals"
    assert result.all_right, str(result)
    assert result.possible == 41  # 11 forward values, 20 gradients, 10 updated parameters


def test_tolerance_is_half_a_unit_of_the_printed_precision():
    four = Tolerance(decimals=4)
    assert four.agrees(0.0822, 0.082167041)  # the slide's dE/dw5 rounded to 4 decimals
    assert four.agrees(0.08217, 0.082167041)  # more digits than asked are fine
    assert not four.agrees(0.0821, 0.082167041)  # off by 0.000067 > 0.00005
    assert Tolerance(decimals=3).agrees(0.082, 0.082167041)
    assert Tolerance(decimals=2).agrees(0.125, 0.12)  # exactly half a unit: either rounding
    assert not Tolerance(decimals=2).agrees(0.126, 0.12)
    assert Tolerance(abs_tol=0.001).agrees(0.0831, 0.0822)
    assert not Tolerance(rel_tol=0.01).agrees(0.0831, 0.0822)  # 1.1 % off


def test_2_2_2_graded_to_4_decimals():
    answers = rounded(SLIDE_2_2_2, 4)
    assert grade("2-2-2", answers, decimals=4).all_right
    answers["gradients"]["w5"] = 0.0821  # the slide's 0.082167041 misrounded
    result = grade("2-2-2", answers, decimals=4)
    # w5 after the step: 0.4 - 0.5 * 0.0821 = 0.35895 is still 0.358916480 to 4 decimals
    assert [m.label for m in result.marks if m.status != "right"] == ["dE_total/dw5"]
    # dE/dw5 = dnet_o1/dw5 = out_h1 (0.593269992, local) x dE/dnet_o1 (0.138498562)
    [term] = result["dE_total/dw5"].built_from
    assert term.local_name == "dnet_o1/dw5" and round(term.local, 9) == 0.593269992
    assert term.upstream_name == "dE_total/dnet_o1" and round(term.upstream, 9) == 0.138498562
    assert result.failure_message().startswith(
        "First wrong value: dE_total/dw5 (backward pass, gradient 7 of 20): wrong\n"
        "  expected 0.0822, you gave 0.0821\n"
        "  dE_total/dw5 = dE_total/dnet_o1 * out_h1\n"
        "    dnet_o1/dw5 = 0.5933 (local) x dE_total/dnet_o1 = 0.1385 (upstream)\n"
    )
    answers["gradients"]["w5"] = 0.08  # and then w5 = 0.4 - 0.5 * 0.08 = 0.36 (not 0.3589)
    answers["updated"]["w5"] = 0.36
    result = grade("2-2-2", answers, decimals=4)
    assert result["w5 after the step"].status == "carried"
    assert result["w5 after the step"].causes == ("dE_total/dw5",)


def test_2_2_2_error_carried_forward_from_a_wrong_out_h1():
    # The learner computes sigmoid(0.3775) as 0.6 (it is 0.5933) and goes on correctly
    # with their own numbers, rounding to 4 decimals:
    #   net_o1 = 0.4 * 0.6 + 0.45 * 0.5969 + 0.6 = 1.1086, out_o1 = sigmoid(1.1086) = 0.7519
    #   dE/dnet_o1 = (0.7519 - 0.01) * 0.7519 * (1 - 0.7519) = 0.1384
    #   dE/dw5 = 0.1384 * 0.6 = 0.0830 (the exact one is 0.0822)
    answers = {
        "forward": {"net_h1": 0.3775, "out_h1": 0.6, "out_h2": 0.5969, "net_o1": 1.1086},
        "gradients": {"net_o1": 0.1384, "w5": 0.0830, "w6": 0.0826},
    }
    answers["forward"]["out_o1"] = 0.7519
    result = grade("2-2-2", answers, decimals=4, require_all=False)
    status = {m.label: (m.status, m.causes) for m in result.marks}
    assert status == {
        "net_h1": ("right", ()),
        "out_h1": ("wrong", ()),
        "out_h2": ("right", ()),
        "net_o1": ("carried", ("out_h1",)),
        "out_o1": ("carried", ("net_o1",)),
        "dE_total/dnet_o1": ("carried", ("out_o1",)),
        # w5's local derivative is out_h1, its upstream dE/dnet_o1: both theirs.
        "dE_total/dw5": ("carried", ("out_h1", "dE_total/dnet_o1")),
        # 0.1384 * 0.596884378 = 0.0826, the exact 0.082667628 is 0.0827: follows too.
        "dE_total/dw6": ("carried", ("dE_total/dnet_o1",)),
    }
    assert result.first_wrong is not None and result.first_wrong.label == "out_h1"
    report = str(result)
    assert "  net_o1  1.1086  follows from your earlier error in out_h1\n" in report


NEURON = "s = w0*x0 + w1*x1 + w2; f = 1 / (1 + exp(-s))"
NEURON_GIVEN = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def expression_example() -> WorkedExample:
    """f = sigmoid(w0*x0 + w1*x1 + w2) at w0=2, x0=-1, w1=-3, x1=-2, w2=-3, written out as
    1 / (1 + exp(-s)): the sigmoid neuron of the CS231n backprop notes, as `chainrule expr`
    takes it."""
    return from_expr(NEURON, NEURON_GIVEN)


def test_expression_example_graded_through_unnamed_nodes():
    # CS231n prints f = 0.73 and the gradients w0 -0.20, x0 0.39, w1 -0.39, x1 -0.59,
    # w2 0.20 (df/ds = 0.73 * 0.27 = 0.20).
    answers = {
        "forward": {"s": 1.0, "f": 0.73},
        "gradients": {"s": 0.2, "w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2},
    }
    assert grade(expression_example(), answers, decimals=2).all_right
    answers["gradients"]["s"] = 0.25  # the learner's df/ds, carried into the others
    answers["gradients"].update(w0=-0.25, x0=0.5, w1=-0.5, x1=-0.75, w2=0.25)
    result = grade(expression_example(), answers, decimals=2)
    assert result["df/ds"].status == "wrong"
    # df/ds is built from f through the 1 / (1 + exp(-s)) nodes, which have no names:
    # one term whose local derivative is f(1 - f) = 0.1966
    [term] = result["df/ds"].built_from
    assert term.local_name == "df/ds" and round(term.local, 4) == 0.1966
    assert {m.label: m.status for m in result.marks if m.section == "gradients"} == {
        "df/ds": "wrong",
        "df/dw0": "carried",  # x0 * 0.25 = -0.25
        "df/dx0": "carried",
        "df/dw1": "carried",
        "df/dx1": "carried",
        "df/dw2": "carried",
    }


def test_rounded_earlier_numbers_carried_forward_are_right():
    # The learner rounds df/ds = 0.1966 to 0.20 (right, to 2 decimals) and goes on with it:
    # df/dx1 = w1 * df/ds = -3 * 0.20 = -0.60, while the exact -3 * 0.1966 = -0.5898 is
    # -0.59. Only their rounding differs, so -0.60 is right, with a note.
    answers = {"gradients": {"s": 0.2, "x1": -0.6}}
    result = grade(expression_example(), answers, decimals=2, require_all=False)
    assert result["df/ds"].status == "right" and result["df/ds"].note == ""
    assert result["df/dx1"].status == "right"
    assert result["df/dx1"].note == "from your rounded earlier numbers"
    answers = {"gradients": {"s": 0.2, "x1": -0.61}}  # not from their numbers either
    assert (
        grade(expression_example(), answers, decimals=2, require_all=False)["df/dx1"].status
        == "wrong"
    )


def test_blank_unknown_and_non_numbers():
    result = grade("xyz", {"forward": {"q": 3, "f": ""}})
    assert result["f"].status == "missing"
    assert result.first_wrong is result["f"]
    assert "blank (expected -12)" in str(result)
    assert grade("xyz", {"forward": {"q": "3"}}, require_all=False).all_right  # text number
    with pytest.raises(ValueError, match=r"forward\.p: xyz asks for no such answer.*q, f"):
        grade("xyz", {"forward": {"p": 1}})
    with pytest.raises(ValueError, match=r"unknown section 'backward'"):
        grade("xyz", {"backward": {"q": 1}})
    with pytest.raises(ValueError, match=r"gradients\.x: expected a number, got the text 'abc'"):
        grade("xyz", {"gradients": {"x": "abc"}})
    with pytest.raises(ValueError, match="expected a finite number"):
        grade("xyz", {"gradients": {"x": float("nan")}})
    with pytest.raises(ValueError, match="either as decimals or as abs_tol"):
        grade("xyz", XYZ_RIGHT, decimals=2, abs_tol=0.1)


def test_result_as_data_for_autograders():
    answers = {"forward": {"q": 2, "f": -8}, "gradients": {"q": -4, "z": 2, "x": -4, "y": -4}}
    data = json.loads(grade("xyz", answers).to_json())
    assert (data["earned"], data["possible"], data["all_right"]) == (5, 6, False)
    assert data["first_wrong"] == "q"
    f = data["marks"][1]
    assert (f["label"], f["status"], f["causes"], f["expected"]) == ("f", "carried", ["q"], -12.0)


def test_set_given_recomputes_the_graph_forward():
    example = set_given(build("xyz"), {"x": 1, "y": 2, "z": 3})
    assert (example.values["q"].data, example.values["f"].data) == (3.0, 9.0)  # (1+2)*3
    with pytest.raises(ValueError, match="'q' is not a given number of xyz"):
        set_given(build("xyz"), {"q": 1})


def write_answers(folder: Path, body: str) -> Path:
    path = folder / "answers.toml"
    path.write_text('[exercise]\nexample = "xyz"\n\n' + body, encoding="utf-8")
    return path


def chainrule(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, timeout=120
    )


def test_grade_file_and_command_line(tmp_path):
    write_answers(tmp_path, "[forward]\nq = 3\nf = -12\n")
    result = grade_file(tmp_path)
    assert [m.status for m in result.marks] == ["right", "right"] + ["missing"] * 4
    done = chainrule("grade", str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.startswith("xyz (to 0 decimals): 2 of 6 marks, 4 blank")
    assert "First blank answer: df/dq" in done.stdout
    write_answers(tmp_path, "[forward]\nq = 3\nf = -12\n[gradients]\nq=-4\nz=3\nx=-4\ny=-4\n")
    done = chainrule("grade", str(tmp_path / "answers.toml"))
    assert done.returncode == 0, done.stdout
    assert json.loads(chainrule("grade", str(tmp_path), "--json").stdout)["all_right"]


def test_grade_command_line_errors(tmp_path):
    (tmp_path / "answers.toml").write_text("[forward\nq = 3\n", encoding="utf-8")
    done = chainrule("grade", str(tmp_path))
    assert done.returncode == 2
    assert "answers.toml: not valid TOML" in done.stderr
    (tmp_path / "answers.toml").write_text("[forward]\nq = 3\n", encoding="utf-8")
    done = chainrule("grade", str(tmp_path))
    assert done.returncode == 2
    assert "has no [exercise] table" in done.stderr
    done = chainrule("grade", str(tmp_path), "--example", "xyz")
    assert done.returncode == 1  # graded now; f and the gradients are blank
    assert done.stdout.startswith("xyz (to 0 decimals): 1 of 6 marks")


def test_report_for_students_hides_the_exact_numbers():
    # q = x + y = 3 and f = q * z = -12 exactly; the learner wrote q = 2 and f = 2 * -4 = -8
    result = grade("xyz", {"forward": {"q": 2, "f": -8}, "gradients": {"x": -4}})
    hidden = result.report(reveal=False)
    assert "expected" not in hidden and "-12" not in hidden
    assert (
        "First wrong value: q (forward pass, value 1 of 2): wrong\n  you gave 2\n  q = x + y"
        in hidden
    )
    assert "  df/dq          blank\n" in hidden
    assert result.explain(
        "f"
    ) == "f (forward pass, value 2 of 2): follows from your earlier error in q\n" + (
        "  expected -12, you gave -8\n  f = q * z\n  from your own earlier numbers it is -8"
    )


def test_docs_grading_example_prints_what_the_page_shows():
    page = (Path(__file__).resolve().parent.parent / "docs" / "grading.md").read_text("utf-8")
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    first, report = page.split("```text\n")[1:3]
    printed = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(printed):
        exec(code, namespace)
    assert printed.getvalue() == first.split("```", 1)[0]
    assert str(namespace["result"]) + "\n" == report.split("```", 1)[0]


def test_grading_against_the_teachers_key(tmp_path):
    from chainrule import write_variants

    write_variants("xyz", tmp_path, seed=4, pictures=False)
    key = read_toml(tmp_path / "key.toml")
    answers = (tmp_path / "key.toml").read_text(encoding="utf-8")
    # A student who edits the problem to match their answers gains nothing when graded
    # against the teacher's key.toml: every number is checked against the key's problem.
    given = key["exercise"]["given"]
    edited = answers.replace(f"x = {given['x']}\n", f"x = {given['x'] + 1}\n", 1)
    (tmp_path / "answers.toml").write_text(edited, encoding="utf-8")
    # Graded on its own, the edited problem is refused: its check no longer matches.
    with pytest.raises(EditedExercise, match="is not the one handed out"):
        grade_file(tmp_path)
    assert grade_file(tmp_path, tmp_path / "key.toml").all_right  # the answers are the key's
    assert grade_file(tmp_path, "xyz").all_right is False  # xyz with the edited numbers
    with pytest.raises(ValueError, match="has no \\[exercise\\] table"):
        (tmp_path / "plain.toml").write_text("a = 1\n", encoding="utf-8")
        grade_file(tmp_path, str(tmp_path / "plain.toml"))


def test_answers_file_for_an_expression(tmp_path):
    # The [exercise] table can hold the expression itself, as `chainrule expr` takes it.
    (tmp_path / "answers.toml").write_text(
        "[exercise]\n"
        f'expr = "{NEURON}"\n'
        "decimals = 2\n"
        "[exercise.given]\n"
        "w0 = 2\nx0 = -1\nw1 = -3\nx1 = -2\nw2 = -3\n"
        "[forward]\ns = 1\nf = 0.73\n"
        "[gradients]\ns = 0.2\nw0 = -0.2\nx0 = 0.39\nw1 = -0.39\nx1 = -0.59\nw2 = 0.3\n",
        encoding="utf-8",
    )
    result = grade_file(tmp_path)
    assert str(result.tolerance) == "to 2 decimals"
    assert [m.label for m in result.marks if m.status != "right"] == ["df/dw2"]  # it is 0.20


# The case (tests/data/hidden-unit.toml): out_h = sigmoid(1.901) = 0.8700, written as
# 0.8800 and carried on at full precision, every answer rounded to 4 decimals; x1 = 5 and
# x2 = 8 multiply the rounding of dE/dnet_h (0.019923... written 0.0199) past 0.00005.
HIDDEN_UNIT = Path(__file__).parent / "data" / "hidden-unit.toml"
CARRIED_0_88 = {
    "forward": {"net_h": 1.901, "out_h": 0.88, "net_o": 0.92, "out_o": 0.715, "E": 0.1891},
    "gradients": {
        "out_o": 0.615,
        "net_o": 0.1253,
        "b2": 0.1253,
        "w3": 0.1103,
        "out_h": 0.188,
        "net_h": 0.0199,
        "b1": 0.0199,
        "w1": 0.0993,  # 5 x 0.019865... ; 5 x 0.0199 = 0.0995
        "x1": -0.002,  # a sign slip of its own: 0.1 x 0.0199 = +0.0020
        "w2": 0.1588,  # 8 x 0.019865... ; 8 x 0.0199 = 0.1592
        "x2": 0.0035,
    },
    "updated": {"w1": 0.0504, "w2": 0.0956, "w3": 1.4449, "b2": -0.4627},
}


def test_carried_forward_answers_survive_the_learners_rounding():
    example = load(HIDDEN_UNIT)
    result = grade(example, CARRIED_0_88)
    # 20 answers: 5 forward, 11 gradients (t is a constant, never asked), 4 updated.
    # Lost: out_h (0.88 for 0.87) and dE/dx1 (its sign); the rest follows from them.
    assert (result.earned, result.possible) == (18, 20)
    assert [m.label for m in result.marks if not m.credit] == ["out_h", "dE/dx1"]
    # 8 x 0.0199 = 0.1592, but 0.1588 = 8 x 0.019865 is what their unrounded number gives;
    # any number that rounds to 0.0199 (0.01985 to 0.01995) times 8 is 0.1588 to 0.1596.
    assert result["dE/dw2"].status == "carried"
    assert result["dE/dw1"].status == "carried"
    assert result["dE/dw2"].causes == ("dE/dnet_h",)


def test_a_thousandfold_multiplier_still_credits_carried_rounding():
    # s = x * y = 0.25 x 0.49367 = 0.1234175; the learner's s is 0.12437 (a slip), written
    # 0.1244 and carried unrounded: f = 1000 * s = 124.37. 1000 x 0.1244 = 124.40, yet
    # 1000 x [0.12435, 0.12445] = [124.35, 124.45] holds 124.37: it follows from 0.1244.
    example = from_expr("s = x * y; f = 1000 * s", {"x": 0.25, "y": 0.49367})
    answers = {"forward": {"s": 0.1244, "f": 124.37}}
    result = grade(example, answers, decimals=4, require_all=False)
    assert [m.status for m in result.marks] == ["wrong", "carried"]
    answers = {"forward": {"s": 0.1244, "f": 124.46}}  # past 124.45: not from 0.1244
    assert grade(example, answers, decimals=4, require_all=False)["f"].status == "wrong"


def slips_of(answers: dict) -> dict[str, str]:
    result = grade("2-2-2", answers, decimals=4)
    return {m.label: m.slip for m in result.marks if m.status == "wrong"}


def test_each_kind_of_slip_is_named_without_the_answer():
    answers = rounded(SLIDE_2_2_2, 4)
    answers["forward"]["out_h1"] = 0.5393  # 0.5933 with 9 and 3 swapped
    answers["gradients"]["w6"] = -0.0827  # 0.0827 with the wrong sign
    answers["gradients"]["w7"] = -0.0286  # -0.0226: an 8 for a 2
    # dE/dw3 = i1 x dE/dnet_h2 = 0.0005; 0.0010 is i2 x dE/dnet_h2 (i1 = 0.05, i2 = 0.10)
    answers["gradients"]["w3"] = 0.0010
    # w5 after a step up the gradient: 0.4 + 0.5 x 0.082167041 = 0.4411
    answers["updated"]["w5"] = 0.4411
    found = slips_of(answers)
    assert found["out_h1"] == "a digit swap: two neighbouring digits are the wrong way round"
    assert found["dE_total/dw6"] == "a sign slip: the size is right, the sign is not"
    assert found["dE_total/dw7"] == "a digit slip: one digit is off"
    assert found["w5 after the step"].startswith("an update with the wrong sign")
    assert found["dE_total/dw3"] == "an input mixed up: it is what you get with i1 and i2 swapped"
    report = grade("2-2-2", answers, decimals=4).report(reveal=False)
    assert "0.5933" not in report and "expected" not in report


def test_swapped_inputs_are_named():
    # f = (x + y) * z at x = -2, y = 5, z = -4; with y and z swapped: (x + z) * y = -30
    answers = {"forward": {"q": 3, "f": -30}}
    result = grade("xyz", answers, require_all=False)
    assert result["f"].slip == "an input mixed up: it is what you get with y and z swapped"


def test_an_update_up_the_learners_own_gradient_is_named():
    # dE/dw5 written 0.0900 (wrong; it is 0.0822), then w5 = 0.4 + 0.5 x 0.09 = 0.445
    answers = rounded(SLIDE_2_2_2, 4)
    answers["gradients"]["w5"] = 0.09
    answers["updated"]["w5"] = 0.445
    mark = grade("2-2-2", answers, decimals=4)["w5 after the step"]
    assert mark.status == "wrong"
    assert mark.slip.startswith("an update with the wrong sign: a step up the gradient")
