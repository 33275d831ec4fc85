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
