"""Every view of a worked pass agrees (issue 21): the slides' 2-2-2 and an instructor's own
file (tests/fixtures/instructor-2-1-1.toml: a 2-1-1 tanh network, half squared error,
constants = ["target"], [update]) show no constant's gradient or step anywhere, one
precision, a chain rule derived from the graph on every gradient row, the update in every
derivation, and the page's forward pass inputs first, layer by layer."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from autograd import backward_steps
from autograd.themes import THEMES
from chainrule.examples import load
from chainrule.worked import WorkedExample

INSTRUCTOR = Path(__file__).with_name("fixtures") / "instructor-2-1-1.toml"
BOTH = ["2-2-2", str(INSTRUCTOR)]


def chainrule(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def constants_of(example: WorkedExample) -> list[str]:
    """The given names that are constants: the 2-2-2's targets, the instructor's target."""
    return list(example.constants)


def numbers_in(text: str) -> list[str]:
    """Every number written with a point in text (names such as w5 or o1 left out)."""
    return re.findall(r"(?<![\w.])-?\d+\.\d+(?![\w.])", text)


def page_record(tmp_path: Path, name: str) -> dict:
    path = tmp_path / "page.html"
    chainrule("example", name, "--html", str(path))
    text = path.read_text(encoding="utf-8")
    (data,) = re.findall(r'<script type="application/json" class="st-data">(.*?)</script>', text)
    return json.loads(html.unescape(data))


# -- the instructor's own file reads as the built-ins do ----------------------------------


def test_the_instructors_file_computes_its_slide():
    example = load(INSTRUCTOR)
    assert example.constants == ["target"]
    steps = list(backward_steps(example.root))
    # net_h = 0.8*0.5 + 0.2*(-1) + 0.1 = 0.3; out_h = tanh(0.3) = 0.2913126;
    # out_y = 1.5*0.2913126 - 0.3 = 0.1369689; E = 1/2 (1 - 0.1369689)^2 = 0.3724113
    assert round(example.values["out_h"].data, 7) == 0.2913126
    assert round(example.root.data, 7) == 0.3724113
    # dE/dw1 = -(1 - out_y) * v * (1 - out_h^2) * x1 = -0.8630311 * 1.5 * 0.9151370 * 0.5
    #        = -0.5923437
    assert round(example.values["w1"].grad, 7) == -0.5923437
    assert len(steps) == 14  # 12 shown and 2 into constants (the 1/2 and the target)


# -- no constant's gradient or step, in any view -----------------------------------------


@pytest.mark.parametrize("name", BOTH)
def test_no_view_shows_a_constants_gradient_or_step(name, tmp_path):
    example = load(INSTRUCTOR if name.endswith(".toml") else name)
    constants = constants_of(example)
    table = chainrule("example", name, "--steps")
    derivations = [chainrule("example", name, "--format", f) for f in ("text", "markdown")]
    latex = chainrule("example", name, "--format", "latex", "--steps")
    for text in [table, *derivations, latex]:
        for constant in constants:
            assert f"/d{constant} " not in text and f"/d{constant}\n" not in text
            assert f"{constant}.grad" not in text
        assert "0.5.grad" not in text  # the 1/2 of 1/2 (t - y)^2
    # LaTeX writes target_o1 as \mathrm{target}_{\mathrm{o1}}
    assert "\\partial \\mathrm{target}" not in latex
    record = page_record(tmp_path, name)
    values = record["values"]
    received = {values[entry["input"]]["name"] for entry in record["backward"]}
    assert not received & {*constants, "0.5"}
    assert not {values[k]["name"] for k in record["found"]} & {*constants, "0.5"}


@pytest.mark.parametrize("name", BOTH)
def test_variants_ask_for_no_constants_gradient(name, tmp_path):
    example = load(INSTRUCTOR if name.endswith(".toml") else name)
    chainrule("variant", name, "--seed", "3", "--out", str(tmp_path), "--no-pictures")
    for answers in ("answers.toml", "key.toml"):
        with open(tmp_path / answers, "rb") as file:
            gradients = tomllib.load(file)["gradients"]
        assert gradients and not set(gradients) & set(constants_of(example))
    for sheet in ("student.md", "key.md"):
        text = (tmp_path / sheet).read_text(encoding="utf-8")
        assert not any(f"/d{c}" in text for c in constants_of(example))


# -- one precision ---------------------------------------------------------------------


@pytest.mark.parametrize("name, decimals", [("2-2-2", 9), (str(INSTRUCTOR), 4)])
def test_every_view_writes_every_number_at_the_examples_precision(name, decimals, tmp_path):
    views = {
        "tables": chainrule("example", name, "--steps"),
        "text": chainrule("example", name, "--format", "text", "--steps"),
        "markdown": chainrule("example", name, "--format", "markdown", "--steps"),
    }
    record = page_record(tmp_path, name)
    views["page"] = "\n".join(
        [entry["text"] for entry in record["forward"] + record["backward"]]
        + [entry["grad"] for entry in record["backward"]]
        + [entry["exact"] for entry in record["backward"]]
    )
    for view, text in views.items():
        lines = [line for line in text.splitlines() if not line.startswith("Source:")]
        found = numbers_in("\n".join(lines))
        wrong = [n for n in found if len(n.split(".")[1]) != decimals]
        # The update's learning rate (0.5, 0.1) is a setting, not a computed number.
        wrong = [n for n in wrong if n not in ("0.5", "0.1")]
        assert found and wrong == [], (view, wrong[:5])


def test_decimals_zero_never_writes_fewer_digits_than_a_given_number(tmp_path):
    path = tmp_path / "half.toml"
    path.write_text(
        'title = "half"\ndecimals = 0\n[given]\nx = 4.5\n[define]\ny = "x * x"\nf = "y / 9"\n',
        encoding="utf-8",
    )
    example = load(path)
    assert example.precision == 1  # the given 4.5 is written with one decimal
    out = chainrule("example", str(path))
    assert "4.5" in out and "5e-01" not in out  # df/dx = 2x/9 = 1.0; df/dy = 1/9 = 0.1
    graph = tmp_path / "g.dot"
    chainrule("example", str(path), "--graph", str(graph))
    assert "data 4.5" in graph.read_text(encoding="utf-8")


# -- the chain rule of every gradient, derived from the graph -----------------------------


def test_the_instructors_gradient_rows_read_the_chain_rule_off_the_graph():
    out = chainrule("example", str(INSTRUCTOR))
    rows = {}
    for line in out.split("Backward pass: gradients of E")[1].split("\n\n")[0].splitlines()[3:]:
        gradient, rest = line.strip().split(None, 1)
        rows[gradient] = rest.rsplit(None, 1)[0].strip()
    assert rows == {
        "dE/dE": "base case",
        "dE/dout_y": "-(target − out_y)",  # 1/2 x 2 (target - out_y) x (-1)
        "dE/dv": "dE/dout_y * out_h",
        "dE/dout_h": "dE/dout_y * v",
        "dE/dc": "dE/dout_y",
        "dE/dnet_h": "dE/dout_h * (1 - out_h^2)",  # tanh' = 1 - tanh^2
        "dE/dw1": "dE/dnet_h * x1",
        "dE/dx1": "dE/dnet_h * w1",
        "dE/dw2": "dE/dnet_h * x2",
        "dE/dx2": "dE/dnet_h * w2",
        "dE/db": "dE/dnet_h",
    }


def test_a_shared_node_sums_its_paths_and_explain_still_overrides(tmp_path):
    path = tmp_path / "shared.toml"
    path.write_text(
        'title = "shared"\n[given]\na = 2.0\nb = 3.0\n[define]\nc = "a * b"\nd = "c + a"\n'
        'f = "d * c"\n[explain]\nf = "the output"\n',
        encoding="utf-8",
    )
    assert load(path).gradients == {"f": "the output"}  # the file's own words win
    path.write_text(path.read_text().split("[explain]")[0], encoding="utf-8")
    rules = load(path).gradients
    assert rules["c"] == "d + df/dd"  # f = d * c and d = c + a both use c
    assert rules["a"] == "df/dd + df/dc * b"  # d = c + a, then c = a * b


# -- the update in every derivation; the page reads inputs first ---------------------------


@pytest.mark.parametrize("name, lr", [("2-2-2", "0.5"), (str(INSTRUCTOR), "0.1")])
def test_every_derivation_ends_with_the_update(name, lr):
    for fmt in ("text", "markdown", "latex"):
        out = chainrule("example", name, "--format", fmt)
        assert f"One gradient-descent step, learning rate {lr}" in out, fmt


def test_the_2_2_2_latex_derivation_has_the_slides_update():
    out = chainrule("example", "2-2-2", "--format", "latex")
    # w5+ = 0.4 - 0.5 x 0.082167041 = 0.358916480 (the slide's 0.35891648)
    assert "= 0.400000000 - 0.5 \\times 0.082167041 = 0.358916480" in out


@pytest.mark.parametrize(
    "name, first, network",
    [
        ("2-2-2", ["i1", "i2", "w1"], [">h1<", ">o1<"]),
        (str(INSTRUCTOR), ["x1", "x2", "w1"], [">h<", ">y<"]),
    ],
)
def test_the_pages_forward_pass_starts_with_the_inputs(name, first, network, tmp_path):
    record = page_record(tmp_path, name)
    names = [record["values"][entry["node"]]["name"] for entry in record["forward"]]
    assert names[:3] == first
    computed = [n for n in names if not n[0].isdigit()]
    assert computed.index("out_h" if "instructor" in name else "out_h1") < names.index(
        "target" if "instructor" in name else "target_o1"
    )
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    start = page.index('<figure class="st-figure" data-view="network"')
    svg = page[start : page.index("</figure>", start)]
    assert all(text in svg for text in network)  # the file's own neuron names


# -- one name per node, the same in every view ----------------------------------------------


def test_the_partial_sums_of_a_running_sum_are_named_alike():
    from autograd import Value
    from autograd.names import node_names

    terms = [Value(float(k), name) for k, name in enumerate("abcde", start=1)]
    short = sum(terms[1:], terms[0])  # a + b + c + d + e: every partial sum is short
    names = sorted(node_names(short)[n] for n in node_names(short) if n.inputs)
    assert names == ["a + b", "a + b + c", "a + b + c + d", "a + b + c + d + e"]
    many = [Value(1.0, f"x{k}") for k in range(1, 9)]
    long = sum(many[1:], many[0])  # x1 + x2 + ... + x8 is too long for a box: all counted
    counted = [name for node, name in node_names(long).items() if node.inputs]
    assert sorted(counted) == [f"add{k}" for k in range(1, 8)]  # never "x1 + x2" beside add3


# -- the record itself ---------------------------------------------------------------------


def test_the_record_of_the_2_2_2_pass_holds_what_every_view_shows():
    example = load("2-2-2")
    record = example.worked_pass()
    names = [record.names[value] for value in record.forward]
    # The inputs and the first layer's weights, the first layer, the second layer's
    # weights, the second layer, then the targets and the loss.
    assert names[:11] == ["i1", "i2", "w1", "w2", "w3", "w4", "b1", "net_h1", "net_h2"] + [
        "out_h1",
        "out_h2",
    ]
    assert names.index("w5") > names.index("out_h2") and names[-1] == "E_total"
    assert len(record.steps) == 36 and len(record.shown_steps) == 32  # 2 targets, 2 halves
    assert {record.names[v] for v in record.constants} == {"target_o1", "target_o2", "0.5"}
    assert record.chain_rules["w1"] == "dE_total/dnet_h1 * i1"  # the file's [explain]
    w5 = next(row for row in record.update_rows() if row.name == "w5")
    # w5+ = 0.4 - 0.5 x 0.082167041 = 0.35891648 (the slide)
    assert (record.number(w5.gradient), record.number(w5.new)) == ("0.082167041", "0.358916480")
    (step,) = [s for s in record.shown_steps if record.names[s.input] == "w5"]
    assert record.step_text(step) == (
        "dnet_o1/dw5 = 0.593269992 (local) x dE_total/dnet_o1 = 0.138498562 (upstream) "
        "-> w5.grad += 0.082167041"
    )


def test_the_instructors_parameters_are_drawn_as_parameters_whatever_their_names(tmp_path):
    graph = tmp_path / "g.dot"
    chainrule("example", str(INSTRUCTOR), "--graph", str(graph))
    roles = {
        name: fill
        for fill, name in re.findall(
            r'fillcolor="(#[0-9a-f]+)" label="([^\\"]+)', graph.read_text("utf-8")
        )
    }
    # [update] parameters = [w1, w2, b, v, c]: yellow, as parameters; x1, x2 green inputs.
    light = THEMES["light"]
    assert {roles[name] for name in ("w1", "w2", "b", "v", "c")} == {light.parameter}
    assert {roles[name] for name in ("x1", "x2")} == {light.input}
