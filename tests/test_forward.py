"""Forward mode (autograd.forward_steps, `--forward NAME`) on the AD survey's example,
f(x1, x2) = ln x1 + x1 x2 - sin x2 at (2, 5) (Baydin et al., "Automatic differentiation in
machine learning: a survey", Tables 2 and 3), and the classics that need sin, cos and sqrt,
from the command line and from files."""

import math
import unicodedata

import pytest

from autograd import Value, forward_steps
from chainrule import examples
from chainrule.cli import main
from chainrule.derive import derivation, latex_formula


def same(text: str) -> str:
    """text with its dots composed where Unicode can (x + combining dot above is ẋ)."""
    return unicodedata.normalize("NFC", text)


SURVEY = "v1 = log(x1); v2 = x1 * x2; v3 = sin(x2); v4 = v1 + v2; v5 = v4 - v3"


def survey():
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    v1 = x1.log()
    v2 = x1 * x2
    v3 = x2.sin()
    v4 = v1 + v2
    v5 = v4 - v3
    for name, v in (("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4), ("v5", v5)):
        v.label = name
    return x1, x2, v5


def test_forward_steps_give_the_surveys_primal_and_tangent_traces():
    x1, x2, y = survey()
    steps = list(forward_steps(y, {x1: 1.0}))
    # Table 2, level by level: v-1 = x1, v0 = x2, then v1, v2, v3, then v4, then v5.
    assert [s.name for s in steps] == ["x1", "x2", "v1", "v2", "v3", "v4", "v5"]
    values = [round(s.value, 3) for s in steps]
    assert values == [2.0, 5.0, 0.693, 10.0, -0.959, 10.693, 11.652]  # ln 2, 2 x 5, sin 5, ...
    tangents = [round(s.tangent, 3) for s in steps]
    assert tangents == [1.0, 0.0, 0.5, 5.0, 0.0, 5.5, 5.5]  # 1/2, 1 x 5 + 0 x 2, 0 x cos 5
    assert steps[-1].tangent == 5.5  # y-dot = dy/dx1
    assert x1.grad == 0.0 and y.grad == 0.0  # forward mode leaves .grad alone


def test_a_step_reads_like_the_surveys_trace():
    x1, x2, y = survey()
    steps = {s.name: s for s in forward_steps(y, {x1: 1.0})}
    assert same(str(steps["x1"])) == same("x1 = 2    ẋ1 = 1")
    assert steps["v2"].evaluation() == "v2 = x1 * x2 = 2 * 5 = 10"
    assert same(steps["v2"].tangent_line()) == same("v̇2 = 5 × ẋ1 + 2 × ẋ2 = 5 × 1 + 2 × 0 = 5")
    assert same(steps["v1"].tangent_line(3)) == same("v̇1 = 0.500 × ẋ1 = 0.500 × 1.000 = 0.500")


def test_one_forward_pass_per_input_matches_one_backward_pass():
    x1, x2, y = survey()
    by_x1 = list(forward_steps(y, {x1: 1.0}))[-1].tangent
    by_x2 = list(forward_steps(y, {x2: 1.0}))[-1].tangent
    y.backward()
    assert (by_x1, by_x2) == (x1.grad, x2.grad)
    assert round(x2.grad, 3) == 1.716  # Table 3: x2-bar = x1 - cos 5 = 2 - 0.284


def test_tangents_must_be_inputs_of_the_graph_and_finite_numbers():
    x1, x2, y = survey()
    with pytest.raises(ValueError, match="does not depend on"):
        list(forward_steps(y, {Value(1.0): 1.0}))
    with pytest.raises(ValueError, match="give tangents to inputs"):
        list(forward_steps(y, {y.inputs[0]: 1.0}))
    with pytest.raises(ValueError, match="finite"):
        list(forward_steps(y, {x1: math.inf}))
    with pytest.raises(TypeError, match="keys must be Values"):
        list(forward_steps(y, {"x1": 1.0}))


def test_forward_on_the_command_line_prints_both_traces_side_by_side(capsys):
    assert main(["expr", SURVEY, "x1=2", "x2=5", "--forward", "x1", "--decimals", "3"]) == 0
    out = same(capsys.readouterr().out)
    assert "Evaluation trace                             Tangent trace" in out
    assert same("  v3 = sin(x2) = sin(5.000) = -0.959           v̇3 = 0.284 × ẋ2") in out
    assert "v5 = v4 - v3 = 10.693 - (-0.959) = 11.652" in out
    assert same("v̇5 = 1.000 × v̇4 + (-1.000) × v̇3 = 1.000 × 5.500 + (-1.000) × 0.000 = 5.500") in out
    assert same("dv5/dx1 = v̇5 = 5.500: one forward pass per input (2 passes for 2 inputs).") in out
    assert "dv5/dx1 = 5.500, dv5/dx2 = 1.716." in out


def test_forward_on_the_library_example_and_a_name_that_is_no_input(capsys):
    assert main(["example", "baydin-survey-forward-reverse", "--forward", "x2"]) == 0
    out = same(capsys.readouterr().out)
    # the second pass: x2' = 1 gives v2' = 2, v3' = cos 5 = 0.284, y' = 2 - 0.284 = 1.716
    assert same("v̇3 = 0.284 × ẋ2 = 0.284 × 1.000 = 0.284") in out
    assert same("dv5/dx2 = v̇5 = 1.716") in out
    assert main(["example", "baydin-survey-forward-reverse", "--forward", "v3"]) == 2
    assert "--forward v3: not an input" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        # exp(sin(sin 2)) = exp(sin 0.909297) = exp(0.789072) = 2.201412
        ("f = exp(sin(sin(x)))", ["x=2"], {"f": "2.2014", "df/dx": "-0.5628"}),
        # sqrt(9 + 16) = 5; d/dx = x / 5, d/dy = y / 5
        ("f = sqrt(x*x + y*y)", ["x=3", "y=4"], {"f": "5.0000", "df/dx": "0.6000"}),
        # cos(0) = 1, d/dx cos x = -sin x = 0 at 0; plus x: 1 + 1
        ("f = cos(x) + x", ["x=0"], {"f": "1", "df/dx": "1"}),
    ],
)
def test_the_classics_run_from_expr(capsys, text, given, expected):
    assert main(["expr", text, *given]) == 0
    rows = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines()
            if line.strip()}  # fmt: skip
    for name, number in expected.items():
        assert rows[name] == number


def test_the_classics_run_from_files(tmp_path, capsys):
    path = tmp_path / "classics.toml"
    path.write_text(
        'title = "t"\n\n[given]\nx = 2\ny = 4\n\n[define]\n'
        'e = "exp(sin(sin(x)))"\nr = "sqrt(x*x + y*y)"\nf = "e + r"\n'
    )
    assert main(["example", str(path), "--forward", "y"]) == 0
    out = same(capsys.readouterr().out)
    # r = sqrt(4 + 16) = 4.4721; dr/dy = y / r = 0.8944
    assert "r     sqrt(x*x + y*y)   4.4721" in out
    assert same("df/dy = ḟ = 0.8944") in out


def test_latex_writes_the_functions_as_mathematics():
    example = examples.from_expr(SURVEY, {"x1": 2, "x2": 5})
    latex = derivation(example, "latex")
    assert r"$v_{3}$ & $\sin(x_{2})$ & $-0.9589$" in latex
    assert r"$v_{1}$ & $\log(x_{1})$ & $0.6931$" in latex
    assert latex_formula("sqrt(a*a + b*b)") == r"\sqrt{a \cdot a + b \cdot b}"
    assert latex_formula("exp(sin(x)) / (y - 1)") == r"\frac{\exp(\sin(x))}{y - 1}"
    assert latex_formula("a - (b + c)") == r"a - \left(b + c\right)"
    assert latex_formula("1/2 (t - y)^2") is None  # not the language: shown as typed
    assert latex_formula("given") is None  # a word stays text
