"""The `chainrule` command line, driven as a user drives it: a subprocess, its output, its
exit status and the files it writes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule.examples import library_names

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def chainrule(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m nn ARGS` (what the `chainrule` script runs) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "nn", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_usage_error(result: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit status 2, the usage, and one line naming what was wrong (argparse's way)."""
    assert result.returncode == 2
    assert result.stderr.startswith("usage: chainrule")
    assert message in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def assert_runtime_error(result: subprocess.CompletedProcess[str]) -> None:
    """Exit status 2 (bad input: here a path that cannot be written, a request that cannot
    be met) and one line `chainrule: error: ...`, no traceback."""
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if not line.startswith("training: ")]
    assert len(errors) == 1 and errors[0].startswith("chainrule: error: ")
    assert "Traceback" not in result.stderr


# -- chainrule examples / example ---------------------------------------------------------


def test_examples_lists_each_worked_example_on_one_line():
    result = chainrule("examples")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    # The course's built-ins first, then the library in alphabetical order (the library's
    # names are listed literally in test_examples.py).
    assert [line.split()[0] for line in lines] == ["xyz", "2-2-2", *library_names()]
    assert lines[4].startswith("baydin-survey-forward-reverse ")
    assert lines[6].startswith("cs231n-max-circuit ")
    assert "Mazur" in lines[8] and "micrograd lecture" in lines[10]


def test_example_xyz_prints_minus_12_and_the_slides_gradients():
    result = chainrule("example", "xyz")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines() if line}
    assert rows["q"] == "3"  # q = x + y = -2 + 5
    assert rows["f"] == "-12"  # f = q * z = 3 * -4 (the slide's 12 is a typo)
    assert rows["df/dq"] == "-4"  # = z
    assert rows["df/dz"] == "3"  # = q
    assert rows["df/dx"] == "-4"  # = 1 * -4
    assert rows["df/dy"] == "-4"
    assert "sign typo" in result.stdout


def test_example_xyz_steps_prints_each_chain_rule_step():
    result = chainrule("example", "xyz", "--steps")
    assert result.returncode == 0, result.stderr
    # q = x + y passes df/dq = -4 down to x with local derivative dq/dx = 1.
    assert "dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4" in result.stdout
    assert "df/dz = 3 (local) x df/df = 1 (upstream) -> z.grad += 3" in result.stdout


def test_example_2_2_2_prints_the_slides_numbers_to_9_decimals():
    result = chainrule("example", "2-2-2")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line}
    # Forward pass and loss (slide).
    assert rows["net_h1"][-1] == "0.377500000"
    assert rows["out_h1"][-1] == "0.593269992"
    assert rows["out_h2"][-1] == "0.596884378"
    assert rows["net_o1"][-1] == "1.105905967"
    assert rows["out_o1"][-1] == "0.751365070"  # slide: 0.75136507
    assert rows["out_o2"][-1] == "0.772928465"
    assert rows["E_o1"][-1] == "0.274811083"
    assert rows["E_o2"][-1] == "0.023560026"
    assert rows["E_total"][-1] == "0.298371109"
    assert rows["dE_total/dw5"][-1] == "0.082167041"
    # One step at lr 0.5: parameter, old, gradient, new (slide: w5 = 0.35891648, ...).
    assert rows["w5"][1:] == ["0.400000000", "0.082167041", "0.358916480"]
    assert rows["w6"][-1] == "0.408666186"
    assert rows["w7"][-1] == "0.511301270"
    assert rows["w8"][-1] == "0.561370121"
    assert rows["w1"][-1] == "0.149780716"
    assert rows["w2"][-1] == "0.199561432"  # slide: 0.19956143
    assert rows["w3"][-1] == "0.249751144"  # slide: 0.24975114
    assert rows["w4"][-1] == "0.299502287"  # slide: 0.29950229


def test_example_graph_dot_writes_the_graph_with_the_slides_labels(tmp_path):
    path = tmp_path / "net.dot"
    result = chainrule("example", "2-2-2", "--graph", str(path))
    assert result.returncode == 0, result.stderr
    source = path.read_text()
    assert source.lstrip().startswith("digraph")
    for label in ("net_h1", "out_o2", "E_total", "w5", "b1"):
        assert label in source
    assert str(path) in result.stdout  # listed under "Wrote:"


def test_example_graph_svg_and_png(tmp_path):
    svg, png = tmp_path / "xyz.svg", tmp_path / "xyz.png"
    assert chainrule("example", "xyz", "--graph", str(svg)).returncode == 0
    assert chainrule("example", "xyz", "--graph", str(png)).returncode == 0
    assert "<svg" in svg.read_text()
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_example_frames_writes_one_picture_per_backward_step(tmp_path):
    frames = tmp_path / "frames"
    result = chainrule("example", "xyz", "--frames", str(frames))
    assert result.returncode == 0, result.stderr
    # (x + y) * z has four chain-rule steps: f -> q, f -> z, q -> x, q -> y; step_00 is the
    # graph before the pass, step_01 is step 1 of 4.
    pictures = sorted(p.name for p in frames.iterdir())
    assert pictures == ["step_00.png", "step_01.png", "step_02.png", "step_03.png", "step_04.png"]
    assert all((frames / name).read_bytes()[:8] == PNG_MAGIC for name in pictures)


def svg_texts_and_width(path: Path) -> tuple[dict[str, list[str]], float, list[float]]:
    """Each node's texts by its <title>, the viewBox width and every font size."""
    import xml.etree.ElementTree as ElementTree

    ns = "{http://www.w3.org/2000/svg}"
    root = ElementTree.parse(path).getroot()
    nodes = {
        g.find(f"{ns}title").text: [t.text for t in g.iter(f"{ns}text")]
        for g in root.iter(f"{ns}g")
        if g.get("class") in ("node", "edge")
    }
    sizes = [float(t.get("font-size")) for t in root.iter(f"{ns}text")]
    return nodes, float(root.get("viewBox").split()[2]), sizes


def test_example_2_2_2_graph_reads_on_a_1280_pixel_slide(tmp_path):
    path = tmp_path / "g.svg"
    result = chainrule("example", "2-2-2", "--graph", str(path))
    assert result.returncode == 0, result.stderr
    nodes, width, sizes = svg_texts_and_width(path)
    assert min(sizes) * 1280 / width >= 9  # text at least 9 pixels tall on the slide
    names = [texts[0] for texts in nodes.values() if texts]
    assert "0.5" not in names and "2" not in names  # the 1/2 and the exponent are folded
    assert ["w1", "data 0.150000000", "grad 0.000438568"] in nodes.values()  # 9 decimals


def test_example_rankdir_tb_puts_h1_left_of_h2_and_decimals_sets_the_precision(tmp_path):
    import xml.etree.ElementTree as ElementTree

    path = tmp_path / "g.svg"
    result = chainrule(
        "example", "2-2-2", "--graph", str(path), "--rankdir", "TB", "--decimals", "3"
    )
    assert result.returncode == 0, result.stderr
    ns = "{http://www.w3.org/2000/svg}"
    x = {}
    for text in ElementTree.parse(path).getroot().iter(f"{ns}text"):
        x.setdefault(text.text, float(text.get("x")))
    assert x["net_h1"] < x["net_h2"] and x["w1"] < x["w2"] < x["w3"]
    assert "grad 0.082" in x  # dE/dw5 = 0.082167041 at 3 decimals


def test_example_network_draws_the_slides_diagram_with_gradients(tmp_path):
    path = tmp_path / "n.svg"
    result = chainrule("example", "2-2-2", "--network", str(path), "--show-constants")
    assert result.returncode == 0, result.stderr
    nodes, _, _ = svg_texts_and_width(path)
    # Weights on the edges, named and with their gradients; the shared bias b1 a node.
    assert ["w5 0.400000000", "grad 0.082167041"] in nodes.values()
    assert ["b1", "0.350000000", "grad 0.018725609"] in nodes.values()
    assert ["h1", "σ"] in nodes.values() and ["i1"] in nodes.values()
    assert chainrule("example", "xyz", "--network", str(path)).returncode == 2  # no network


def test_example_steps_reach_dw5_before_the_o2_branch():
    result = chainrule("example", "2-2-2", "--steps")
    lines = [line.strip() for line in result.stdout.splitlines() if "(upstream)" in line]
    w5 = next(k for k, line in enumerate(lines) if "w5.grad +=" in line)
    o2 = next(k for k, line in enumerate(lines) if line.split(". ", 1)[1].startswith("dE_o2"))
    # Step 7: E_total's 2 steps, E_o1's into its square (none into its 1/2), the square's,
    # the subtraction's into out_o1 (none into the target), out_o1's, then net_o1's into w5.
    assert lines[w5].startswith("7. dnet_o1/dw5") and w5 < o2
    assert lines[w5].endswith("-> w5.grad += 0.082167041")  # 9 decimals, as the tables
    assert not any("target_o1.grad" in line or "0.5.grad" in line for line in lines)


def test_example_dpi_scales_the_png(tmp_path):
    small, large = tmp_path / "s.png", tmp_path / "l.png"
    assert chainrule("example", "xyz", "--graph", str(small), "--dpi", "72").returncode == 0
    assert chainrule("example", "xyz", "--graph", str(large), "--dpi", "144").returncode == 0
    width = [int.from_bytes(p.read_bytes()[16:20], "big") for p in (small, large)]
    assert abs(width[1] - 2 * width[0]) <= 2


@pytest.mark.parametrize(
    "path", ["/nonexistent-dir/x.png", "/nonexistent-dir/x.dot", "/proc/x.png"]
)
def test_example_graph_to_an_unwritable_path_exits_2_naming_it(path):
    result = chainrule("example", "xyz", "--graph", path)
    assert_runtime_error(result)
    assert f"cannot write {path}" in result.stderr
    assert result.stderr.count(path) == 1  # the path named once, not wrapped twice


def test_example_graph_with_an_unknown_suffix_exits_2(tmp_path):
    result = chainrule("example", "xyz", "--graph", str(tmp_path / "x.jpg"))
    assert_usage_error(result, ".svg, .png, .dot")


def test_unknown_example_exits_2_naming_the_choices():
    result = chainrule("example", "3-3-3")
    assert_usage_error(result, "invalid choice: '3-3-3'")


def test_no_command_exits_2():
    assert_usage_error(chainrule(), "required")


def test_example_xyz_steps_prints_exactly_what_the_readme_shows():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("$ chainrule example xyz --steps\n", 1)[1].split("```", 1)[0]
    assert chainrule("example", "xyz", "--steps").stdout == block


def test_example_reads_a_file_as_the_built_ins_are_read(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(XYZ_FILE)
    result = chainrule("example", str(path))
    assert result.returncode == 0, result.stderr
    builtin = chainrule("example", "xyz").stdout
    # The same forward table as the built-in xyz (the file has no [explain], so the
    # chain-rule column of its gradient table is written automatically).
    assert result.stdout.splitlines()[1:10] == builtin.splitlines()[1:10]
    assert result.stdout.startswith("mine: (x + y) * z from a file\n")
    assert "  df/dx     df/dq          -4" in result.stdout  # dq/dx = 1: q = x + y


def test_example_of_a_bad_file_exits_2_with_one_line_and_prints_nothing(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(XYZ_FILE.replace('f = "q * z"', 'f = "q * w"'))
    result = chainrule("example", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"chainrule: error: {path}, line 10: f = q * w uses the ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_example_format_writes_a_derivation(fmt):
    result = chainrule("example", "2-2-2", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert "0.741365070" in result.stdout and "0.082167041" in result.stdout  # w5's chain
    if fmt == "latex":
        assert "\\begin{tabular}" in result.stdout
    if fmt == "markdown":
        assert "| net_h1 | w1*i1 + w2*i2 + b1 | 0.377500000 |" in result.stdout


# -- chainrule check ----------------------------------------------------------------------


def test_check_xyz_exits_1_naming_f_12_and_minus_12():
    result = chainrule("check", "xyz")
    assert result.returncode == 1, result.stderr
    assert "DIFFERS f: printed 12, computed -12: a sign error" in result.stdout


def test_check_2_2_2_exits_0():
    result = chainrule("check", "2-2-2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("21 printed numbers checked: 21 agree, 0 differ.")


def test_check_several_exits_1_when_one_differs():
    result = chainrule("check", "2-2-2", "xyz", "ng-computation-graph")
    assert result.returncode == 1
    assert result.stdout.count("printed numbers checked") == 3


@pytest.mark.parametrize("bad", ["missing.toml", "bad"])
def test_check_of_a_file_it_cannot_read_exits_2_and_prints_nothing(tmp_path, bad):
    if bad == "bad":
        path = tmp_path / "bad.toml"
        path.write_text('title = "x"\n[given\n')
    else:
        path = tmp_path / bad
    result = chainrule("check", "xyz", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"chainrule: error: {path}")


def test_check_an_unknown_name_exits_2_with_the_usage():
    assert_usage_error(chainrule("check", "nope"), "invalid choice: 'nope'")


# -- chainrule expr -----------------------------------------------------------------------


def test_expr_reproduces_the_cs231n_numbers():
    result = chainrule("expr", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines() if line}
    # cs231n: q = 3, f = -12, df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = -4
    assert (rows["q"], rows["f"]) == ("3", "-12")
    assert (rows["df/dq"], rows["df/dz"], rows["df/dx"], rows["df/dy"]) == ("-4", "3", "-4", "-4")


def test_expr_steps_graph_and_format(tmp_path):
    dot = tmp_path / "e.dot"
    result = chainrule(
        "expr", "e = (a + b) * (b + 1)", "a=2", "b=1", "--steps", "--graph", str(dot)
    )
    assert result.returncode == 0, result.stderr
    assert "de/da = 2" not in result.stdout  # no derivation unless --format
    assert "Backward pass step by step" in result.stdout
    assert "digraph" in dot.read_text()
    derived = chainrule("expr", "e = (a + b) * (b + 1)", "a=2", "b=1", "--format", "text")
    assert "de/db = 5" in derived.stdout  # colah: 1*2 + 1*3


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {marker}')",
        "().__class__",
        "f = open('{marker}', 'w')",
        "f = x.__class__.__bases__",
        "import os",
    ],
)
def test_expr_refuses_hostile_input_with_exit_2_and_runs_nothing(tmp_path, text):
    marker = tmp_path / "pwned"
    result = chainrule("expr", text.format(marker=marker), "x=1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("chainrule: error: expression, line 1, column ")
    assert "found " in result.stderr and "allowed are numbers, names" in result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("f = x / y", "x=1", "y=0"), "division by zero in 1.0 / 0.0"),
        (("f = x * w", "x=1"), "uses the unknown name 'w'"),
        (("f = x * 2", "x=1", "y=2"), "y given but not used"),
        (("f = x * 2", "x=1", "x=2"), "x is given twice"),
    ],
)
def test_expr_bad_input_exits_2_with_one_line(args, message):
    result = chainrule("expr", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("value", "message"), [("x", "expected NAME=NUMBER"), ("x=abc", "not a number")]
)
def test_expr_a_bad_given_value_is_a_usage_error(value, message):
    assert_usage_error(chainrule("expr", "f = x * 2", value), message)


XYZ_FILE = """title = "(x + y) * z, my way"
summary = "(x + y) * z from a file"
decimals = 0
[given]
x = -2
y = 5
z = -4
[define]
q = "x + y"
f = "q * z"
[printed]
f = "-12"
"""


# -- chainrule train line -----------------------------------------------------------------


def test_train_line_prints_the_lessons_prediction_and_writes_plot_and_weights(tmp_path):
    plot, weights = tmp_path / "loss.png", tmp_path / "model.json"
    result = chainrule(
        "train", "line", "--epochs", "3", "--plot", str(plot), "--save", str(weights)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "x=12" in lines
    assert "True y: 25.000000" in lines  # 2 * 12 + 1
    for start in ("Predicted y: ", "Abs error: ", "% error: "):
        assert any(line.startswith(start) for line in lines), start
    assert "160 training points, 40 validation points" in lines  # 200 points, 80/20
    assert plot.read_bytes()[:8] == PNG_MAGIC
    state = json.loads(weights.read_text())
    assert len(state["layers.0.weight"]) == 16 and len(state["layers.0.weight"][0]) == 1
    assert len(state["layers.2.weight"]) == 1 and len(state["layers.2.weight"][0]) == 16
    # No bar when the output is not a terminal: a line per tenth of the epochs (3 here).
    assert [line.split(",")[0] for line in result.stderr.splitlines()] == [
        "training: epoch 1/3",
        "training: epoch 2/3",
        "training: epoch 3/3",
    ]


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop"])
def test_train_line_with_other_optimizers(optimizer):
    result = chainrule("train", "line", "--epochs", "1", "--optimizer", optimizer, "--lr", "0.001")
    assert result.returncode == 0, result.stderr
    assert f"{optimizer} lr 0.001" in result.stdout


def test_train_line_same_seed_same_prediction():
    args = ("train", "line", "--epochs", "2", "--seed", "3", "--batch-size", "50")
    first, second = chainrule(*args), chainrule(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--epochs", "0", "must be positive"),
        ("--epochs", "ten", "expected a positive whole number"),
        ("--batch-size", "-32", "must be positive"),
        ("--lr", "0", "must be a positive finite number"),
        ("--lr", "-0.1", "must be a positive finite number"),
        ("--lr", "nan", "must be a positive finite number"),
        ("--optimizer", "adagrad", "invalid choice: 'adagrad'"),
    ],
)
def test_train_line_rejects_bad_arguments_with_exit_2(option, value, message):
    assert_usage_error(chainrule("train", "line", option, value), message)


def test_train_unknown_task_exits_2():
    assert_usage_error(chainrule("train", "circle"), "invalid choice: 'circle'")


def test_train_line_that_diverges_exits_1_suggesting_a_lower_lr():
    result = chainrule("train", "line", "--epochs", "5", "--optimizer", "sgd", "--lr", "1e6")
    assert result.returncode == 1  # a finding, not bad input
    assert result.stderr.splitlines()[-1].startswith("chainrule: error: training diverged")
    assert "learning rate" in result.stderr and "Traceback" not in result.stderr


def test_train_line_plot_to_an_unwritable_path_exits_2():
    result = chainrule("train", "line", "--epochs", "1", "--plot", "/proc/loss.png")
    assert_runtime_error(result)
    assert "cannot write /proc/loss.png" in result.stderr


def test_train_line_save_into_a_missing_folder_exits_2_before_training():
    result = chainrule("train", "line", "--save", "/nonexistent-dir/model.json")
    assert_runtime_error(result)
    assert "the folder /nonexistent-dir does not exist" in result.stderr
    assert "Predicted y" not in result.stdout  # it stopped before 300 epochs of training


# -- chainrule demo -----------------------------------------------------------------------


def test_demo_writes_graphs_frames_plot_and_weights_and_lists_them(tmp_path):
    out = tmp_path / "demo"
    result = chainrule("demo", "--out", str(out), "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "0.298371109" in result.stdout  # E_total of the 2-2-2 network (slide)
    assert "-12" in result.stdout  # f of (x + y) * z
    assert "Predicted y: " in result.stdout
    for name in ("xyz.png", "2-2-2.png", "2-2-2-network.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
    for name in ("xyz.svg", "2-2-2.svg"):
        assert "<svg" in (out / name).read_text()
    assert (out / "xyz-steps" / "step_04.png").read_bytes()[:8] == PNG_MAGIC
    assert (out / "line-loss.png").read_bytes()[:8] == PNG_MAGIC
    assert "layers.0.weight" in json.loads((out / "line-model.json").read_text())
    listed = result.stdout.split("Wrote:")[-1].split()
    assert str(out / "xyz.svg") in listed and str(out / "line-loss.png") in listed
    assert str(out / "xyz-steps" / "step_00.png") in listed


def test_demo_into_an_unwritable_folder_exits_2():
    assert_runtime_error(chainrule("demo", "--out", "/proc/chainrule-demo", "--epochs", "1"))


# -- the console script -------------------------------------------------------------------


def test_console_script_runs_the_same_command_line():
    script = Path(sys.executable).with_name("chainrule")
    if not script.exists():
        pytest.skip("the chainrule script is not installed next to this Python")
    result = subprocess.run(
        [str(script), "examples"], capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert result.returncode == 0
    assert result.stdout == chainrule("examples").stdout


def test_example_graph_without_a_renderer_exits_2_saying_how_to_install_one(
    tmp_path, monkeypatch, capsys
):
    # In process, so the renderer lookup can be switched off; main() returns the status.
    from autograd import render
    from chainrule.cli import main

    monkeypatch.setattr(render, "find_renderer", lambda: None)
    status = main(["example", "xyz", "--graph", str(tmp_path / "xyz.png")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("chainrule: error: ") and "graphviz" in err.lower()
    assert not (tmp_path / "xyz.png").exists()
