"""What transcribing classic sources needs of an example file and of `chainrule check`: a
[source] without an address, a one-output network's total error by its own name, and a
check that knows a source rounds as it goes."""

from pathlib import Path

import pytest

from chainrule import examples
from chainrule.check import check
from chainrule.cli import main
from chainrule.derive import derivation

SLIDE = """title = "A slide with no address"

[source]
author = "A lecturer"
title = "Lecture 4, slide 12"
{url}

[given]
x = 3
y = 4

[define]
f = "sqrt(x*x + y*y)"

[printed]
f = "5"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "slide.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["", 'url = ""'])
def test_a_source_needs_no_url(tmp_path, url):
    example = examples.load(write(tmp_path, SLIDE.format(url=url)))
    assert example.source is not None and example.source.url == ""
    assert str(example.source) == "A lecturer, 'Lecture 4, slide 12'"
    assert "Source: A lecturer, Lecture 4, slide 12." in derivation(example, "markdown")
    latex = derivation(example, "latex")
    assert r"\emph{Lecture 4, slide 12}." in latex and r"\texttt" not in latex.split("\n")[2]
    assert all(f.ok for f in check(example))


def test_a_source_url_that_is_not_text_is_an_error(tmp_path, capsys):
    path = write(tmp_path, SLIDE.format(url="url = 12"))
    assert main(["example", str(path)]) == 2
    assert "[source] url must be a string (or left out), got 12" in capsys.readouterr().err


NETWORK = """title = "One sigmoid output"

[given]
i1 = 0.05
w1 = 0.15
b1 = 0.35
t = 0.01

[network]
inputs = ["i1"]

[[network.layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [["w1"]]
bias = "b1"

[network.loss]
kind = "half_squared_error"
targets = ["t"]
{names}

[printed]
{printed}
"""


def test_a_one_output_network_keeps_its_total_beside_its_term(tmp_path):
    text = NETWORK.format(
        names='terms = ["E_o1"]\ntotal = "E"',
        # net = 0.15 x 0.05 + 0.35 = 0.3575, out = sigmoid(0.3575) = 0.588435,
        # E_o1 = E = 1/2 (0.01 - 0.588435)^2 = 0.167293
        printed='out_o1 = "0.588435"\nE_o1 = "0.167293"\nE = "0.167293"\n"dE/dE_o1" = "1"',
    )
    example = examples.load(write(tmp_path, text))
    assert example.root.label == "E" and example.formulas["E"] == "E_o1"
    findings = check(example)
    assert [f.printed.key for f in findings if f.ok] == ["out_o1", "E_o1", "E", "dE/dE_o1"]


def test_a_one_output_network_with_only_a_total_names_its_error_so(tmp_path):
    example = examples.load(write(tmp_path, NETWORK.format(names='total = "E"', printed="")))
    assert example.root.label == "E" and "E_o1" not in example.values  # one node, one name


# -- a source that rounds as it goes -------------------------------------------------------

ROUNDS = """title = "A sigmoid slide that rounds as it goes"

[source]
author = "A lecturer"
title = "Logistic regression, slide 7"

[given]
w = 0.5
x = 1.24

[define]
z = "w * x"
yhat = "sigmoid(z)"
slope = "yhat * (1 - yhat)"

[printed]
z = "0.62"
yhat = "0.65"
{printed}
"""


def test_a_derivative_from_the_sources_rounded_output_agrees_and_names_it(tmp_path, capsys):
    # yhat = sigmoid(0.62) = 0.650219: its slope yhat (1 - yhat) is 0.227432, but the slide
    # takes its own rounded 0.65 on: 0.65 x 0.35 = 0.2275.
    path = write(tmp_path, ROUNDS.format(printed='"dyhat/dz" = "0.2275"'))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ok*  dyhat/dz   0.2275    0.2274" in out
    assert (
        "ok* dyhat/dz: the source rounded and carried on its own yhat = 0.65 "
        "(unrounded 0.650219): from that, this step gives 0.2275"
    ) in out
    assert out.endswith("3 printed numbers checked: 3 agree, 0 differ.\n")


def test_a_value_from_the_sources_rounded_numbers_agrees(tmp_path):
    path = write(tmp_path, ROUNDS.format(printed='slope = "0.2275"'))
    (finding,) = [f for f in check(examples.load(path)) if f.printed.key == "slope"]
    assert (finding.verdict, finding.computed_text) == ("carried", "0.2274")
    assert "its own yhat = 0.65" in finding.diagnosis


def test_a_real_slip_still_differs_with_its_diagnosis(tmp_path, capsys):
    # 0.2247 lies outside what any yhat from 0.645 to 0.655 gives (0.2260 to 0.2290)
    path = write(tmp_path, ROUNDS.format(printed='"dyhat/dz" = "0.2247"'))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS dyhat/dz: printed 0.2247, computed 0.2274: a digit slip: the digits 74" in out


def test_a_slip_from_the_sources_own_rounded_number_is_named_against_it(tmp_path):
    # the slide's own 0.65 x 0.35 = 0.2275, printed with two digits swapped
    path = write(tmp_path, ROUNDS.format(printed='"dyhat/dz" = "0.2257"'))
    (finding,) = [f for f in check(examples.load(path)) if not f.ok]
    assert finding.diagnosis == (
        "a digit slip: the digits 75 are swapped (0.2275 from the source's own rounded "
        "numbers, 0.2274 unrounded)"
    )


def test_a_multiplier_carries_a_rounded_factor_further(tmp_path):
    # b = 1.0558 / 3 = 0.351933 is printed "0.352"; 2.28 x 0.352 = 0.80256 prints 0.8026,
    # where 2.28 x 0.351933 = 0.802408 gives 0.8024
    text = (
        'title = "t"\n\n[given]\na = 2.28\nx = 1.0558\n\n[define]\nb = "x / 3"\nc = "a * b"\n\n'
        '[printed]\nb = "0.352"\nc = "0.8026"\n'
    )
    findings = check(examples.load(write(tmp_path, text)))
    assert [(f.printed.key, f.verdict) for f in findings] == [("b", "agrees"), ("c", "carried")]
    assert "its own b = 0.352 (unrounded 0.351933)" in findings[1].diagnosis
