"""Derivations (chainrule/derive.py): each parameter's chain rule along every path, in
symbols and numbers, as text, Markdown and a LaTeX fragment that compiles."""

import math

import pytest

from chainrule.derive import chain_rules, derivation, latex_name, named_inputs, plain_rule
from chainrule.examples import build, from_expr, library_names
from chainrule.worked import run_backward


def rules_by_name(name: str) -> dict[str, list[str]]:
    example = build(name)
    return {rule.name: plain_rule(example, rule) for rule in chain_rules(example)}


def test_w5_is_written_out_as_the_slide_writes_it():
    # The slide (Mazur): 0.74136507 x 0.186815602 x 0.593269992 = 0.082167041
    assert rules_by_name("2-2-2")["w5"] == [
        "dE_total/dw5 = dE_total/dout_o1 x dout_o1/dnet_o1 x dnet_o1/dw5"
        " = 0.741365070 x 0.186815602 x 0.593269992 = 0.082167041"
    ]


def test_a_hidden_weight_sums_two_paths_one_per_output():
    lines = rules_by_name("2-2-2")["w1"]
    assert lines[0] == (
        "dE_total/dw1 = dE_total/dout_o1 x dout_o1/dnet_o1 x dnet_o1/dout_h1 x dout_h1/dnet_h1"
        " x dnet_h1/dw1"
    )
    assert lines[1].strip().startswith("+ dE_total/dout_o2 x dout_o2/dnet_o2 x dnet_o2/dout_h1")
    # The numbers: dnet_o1/dout_h1 = w5 = 0.40, dout_h1/dnet_h1 = 0.241300709, dnet_h1/dw1 = i1
    assert lines[2].strip() == (
        "= 0.741365070 x 0.186815602 x 0.400000000 x 0.241300709 x 0.050000000"
    )
    assert lines[3].strip().startswith("+ (-0.217071535) x 0.175510053 x 0.500000000")
    assert lines[-1].strip() == "= 0.000438568"  # the slide's dE_total/dw1


def test_xyz_rules_read_like_the_slide():
    rules = rules_by_name("xyz")
    assert rules["x"] == ["df/dx = df/dq x dq/dx = -4 x 1 = -4"]
    assert rules["z"] == ["df/dz = 3"]  # one factor: the local derivative is the answer


def test_colah_sums_over_both_paths_from_b():
    # colah: de/db = 1*2 + 1*3
    assert rules_by_name("colah-sum-over-paths")["b"] == [
        "de/db = de/dc x dc/db",
        "      + de/dd x dd/db",
        "      = 2 x 1",
        "      + 3 x 1",
        "      = 5",
    ]


def test_named_inputs_fold_the_unnamed_nodes_of_a_loss_into_one_factor():
    example = build("2-2-2")
    # E_o1 = 1/2 (target_o1 - out_o1)^2 is three unnamed nodes; dE_o1/dout_o1 = out - target
    factors = named_inputs(example.values["E_o1"], example)
    assert set(factors) == {"out_o1", "target_o1"}
    assert factors["out_o1"] == pytest.approx(0.75136507 - 0.01)


@pytest.mark.parametrize("name", ["xyz", "2-2-2", *library_names()])
def test_the_paths_add_up_to_the_engines_gradient(name):
    example = build(name)
    for rule in chain_rules(example):
        total = sum(math.prod(f.value for f in path) for path in rule.paths)
        assert total == pytest.approx(rule.gradient, rel=1e-12, abs=1e-15), rule.name


def test_an_expression_gets_a_derivation_of_every_given_value():
    example = from_expr("e = (a + b) * (b + 1)", {"a": 2, "b": 1})
    run_backward(example)
    text = derivation(example, "text")
    assert "de/db = de/d" not in text  # e has no named intermediates: one factor each
    assert "de/da = 2" in text and "de/db = 5" in text  # colah's values


def test_markdown_has_tables_and_the_rules():
    text = derivation(build("xyz"), "markdown")
    assert "| name | formula | value |\n| --- | --- | ---: |\n| x | given | -2 |" in text
    assert "| df/dq | z (f = q * z) | -4 |" in text
    assert "```text\ndf/dx = df/dq x dq/dx = -4 x 1 = -4\n```" in text


def test_latex_names_and_escapes():
    assert latex_name("w5") == "w_{5}"
    assert latex_name("E_total") == r"E_{\mathrm{total}}"
    assert latex_name("out_o1") == r"\mathrm{out}_{\mathrm{o1}}"
    assert latex_name("minus_one") == r"\mathrm{minus}_{\mathrm{one}}"
    text = derivation(build("2-2-2"), "latex")
    assert r"\texttt{1/2 (target\_o1 - out\_o1)\^{}2}" in text
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} & = " in text


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="choose one of text, markdown, latex"):
        derivation(build("xyz"), "html")


@pytest.mark.parametrize("name", ["xyz", "2-2-2", "micrograd-neuron-exp", "cs231n-sigmoid-circuit"])
def test_the_latex_fragment_compiles(tmp_path, pdflatex, name):
    result = pdflatex(derivation(build(name), "latex"))
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "doc.pdf").read_bytes()[:5] == b"%PDF-"


def test_steps_are_listed_after_the_rules_in_every_format():
    example = build("xyz")
    steps = run_backward(example, steps=True)
    line = "dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4"  # the slide's step
    for fmt in ("text", "markdown", "latex"):
        text = derivation(example, fmt, steps=steps)
        assert f" 3. {line}" in text
        assert text.index(line) > text.index("The chain rule along every path")
