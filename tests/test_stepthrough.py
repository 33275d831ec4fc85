"""Tests for autograd/stepthrough.py: what the step-through page records and holds.

The page itself is driven in a real browser by tests/test_stepthrough_browser.py; these
tests check the record it is built from against backward_steps, the page's contents, and
that stepping through leaves every gradient as it was.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from autograd import Value, backward_steps, draw_dot, step_through, topological_order
from autograd import render as render_module
from autograd.graph import Graph
from autograd.stepthrough import StepThrough
from chainrule import examples
from nn import MLP, draw_network
from nn.losses import sum_squared_error


def xyz() -> Value:
    """The first backprop slide: f = (x + y) * z at x = -2, y = 5, z = -4."""
    return examples.build("xyz").root


class DrawnNetwork:
    """Stands in for nn's network diagram, handed to step_through(root, network=...): a
    call returns a Graph whose `parameters` maps each parameter Value to the drawn element
    that shows it, a node's name or an edge's "tail->head", with its gradient on a line
    that begins "grad ", as nn's network diagram does."""

    def __init__(self, weight: Value, bias: Value) -> None:
        self.weight, self.bias = weight, bias

    def __call__(self) -> Graph:
        w, b = f"{self.weight.grad:.4f}", f"{self.bias.grad:.4f}"
        source = (
            "digraph { rankdir=LR; "
            f'in -> out [label="w\\ngrad {w}"]; out [label="out\\nb\\ngrad {b}"] }}'
        )
        graph = Graph(source, 2, 1)
        graph.parameters = {self.weight: "in->out", self.bias: "out"}  # type: ignore[attr-defined]
        return graph


# -- the record --------------------------------------------------------------------------


def test_forward_sentences_follow_the_reading_order_inputs_first():
    page = step_through(xyz(), digits=10)
    # x, y, q, z, f: each given number just before the layer that uses it (z feeds f);
    # the numbers are the slide's (3 * -4 = -12), at the precision asked for.
    assert [entry["text"] for entry in page.record["forward"]] == [
        "Forward 1 of 5: x = -2 (given)",
        "Forward 2 of 5: y = 5 (given)",
        "Forward 3 of 5: q = x + y = -2 + 5 = 3",
        "Forward 4 of 5: z = -4 (given)",
        "Forward 5 of 5: f = q * z = 3 * -4 = -12",
    ]


def test_backward_entries_are_the_steps_of_backward_steps_numbered_from_one():
    root = xyz()
    page = step_through(root, digits=10)  # str(step)'s precision: its text, as it writes it
    place = {node: k for k, node in enumerate(topological_order(root))}
    steps = list(backward_steps(root))
    assert [entry["text"] for entry in page.record["backward"]] == [
        f"Backward step {k} of {len(steps)}: {step}" for k, step in enumerate(steps, start=1)
    ]
    for entry, step in zip(page.record["backward"], steps):
        assert (entry["node"], entry["input"]) == (place[step.node], place[step.input])
        assert (entry["local"], entry["upstream"], entry["contribution"]) == (
            step.local,
            step.upstream,
            step.contribution,
        )
    # The slide: df/dq = z = -4 first, then df/dz = q = 3, then x and y get 1 * -4 each.
    assert page.record["backward"][0]["text"] == (
        "Backward step 1 of 4: df/dq = -4 (local) x df/df = 1 (upstream) -> q.grad += -4"
    )
    assert [entry["exact"] for entry in page.record["backward"]] == ["-4", "3", "-4", "-4"]
    assert [entry["grad"] for entry in page.record["backward"]] == ["-4", "3", "-4", "-4"]
    # Without a precision, every number as the drawing writes it: 4 decimals.
    plain = step_through(xyz()).record["backward"][0]
    assert plain["text"] == (
        "Backward step 1 of 4: df/dq = -4.0000 (local) x df/df = 1.0000 (upstream) "
        "-> q.grad += -4.0000"
    )
    assert (plain["grad"], plain["exact"]) == ("-4.0000", "-4.0000")


def test_2_2_2_records_36_steps_and_the_slides_gradients():
    example = examples.build("2-2-2")
    page = step_through(example.root, decimals=9)
    # 8 weights, 2 shared biases, 4 inputs... : every input of every operation is one step
    # (36 in all), but the two into the 1/2s written into 1/2 (target - out)^2, constants.
    assert page.n_steps == 34
    assert page.n_values == 31
    last = {}
    for entry in page.record["backward"]:
        last[page.record["values"][entry["input"]]["name"]] = entry["grad"]
    assert last["w5"] == "0.082167041"  # the slide: dE_total/dw5 = 0.082167041
    assert last["w1"] == "0.000438568"  # the slide: dE_total/dw1 = 0.000438568
    # b1 feeds both hidden neurons, so its gradient is the sum of two shares.
    b1 = next(k for k, v in enumerate(page.record["values"]) if v["name"] == "b1")
    assert page.record["parts"][b1] == 2


def test_a_value_used_twice_gets_a_step_per_edge():
    a = Value(3.0, "a")
    square = a * a
    square.label = "square"
    page = step_through(square, decimals=0)
    # d(a*a)/da = a = 3 along each of the two edges: two steps, edges 0 and 1.
    assert [(e["input"], e["edge"], e["exact"]) for e in page.record["backward"]] == [
        (0, 0, "3"),
        (0, 1, "6"),
    ]
    assert page.record["parts"] == [2, 0]


def half_error() -> tuple[Value, Value, Value]:
    """e = (t - x) * 0.5 at t = 3 (a target), x = 1: d = 2, e = 1."""
    t, x = Value(3.0, "t"), Value(1.0, "x")
    d = t - x
    d.label = "d"
    e = d * 0.5
    e.label = "e"
    return e, t, x


def listed(page: StepThrough) -> list[str]:
    """The names in the page's table of gradients, in its order."""
    return [page.record["values"][k]["name"] for k in page.record["found"]]


def test_constants_and_folded_numbers_have_no_step_and_no_row():
    e, t, x = half_error()
    d = e.inputs[0]
    page = step_through(e, constants=[t], digits=10)
    place = {node: k for k, node in enumerate(topological_order(e))}
    half = next(node for node in place if node.data == 0.5 and not node.inputs)
    # backward_steps has four steps: e -> d, e -> 0.5, d -> t, d -> x; the page shows the
    # two that are not into a constant (the 0.5 written into "× 0.5", the target t).
    steps = list(backward_steps(half_error()[0]))
    assert [entry["text"] for entry in page.record["backward"]] == [
        f"Backward step 1 of 2: {steps[0]}",
        f"Backward step 2 of 2: {steps[3]}",
    ]
    assert [entry["exact"] for entry in page.record["backward"]] == ["0.5", "-0.5"]
    # The drawing has no box for t ("t − x") nor for the 0.5 ("× 0.5"): no row for them.
    assert listed(page) == ["e", "d", "x"]
    assert page.record["rootPlace"] == place[e]
    # Each is shown by the operation node it is written into.
    values = page.record["values"]
    assert values[place[t]]["foldedInto"] == [place[d]]
    assert values[place[half]]["foldedInto"] == [place[e]]
    assert values[place[x]]["foldedInto"] == []


def test_numbers_drawn_with_show_constants_are_listed_and_a_boxed_constant_is_not():
    e, t, _ = half_error()
    # show_constants=True draws the 0.5 as a box with its gradient; t stays a constant (a
    # dashed box with no gradient), so the table has no row for t.
    page = step_through(e, show_constants=True, constants=[t])
    assert listed(page) == ["e", "d", "0.5", "x"]
    assert all(value["foldedInto"] == [] for value in page.record["values"])
    assert listed(step_through(e, show_constants=True)) == ["e", "d", "0.5", "t", "x"]


def test_gradient_scales_the_pass():
    page = step_through(xyz(), gradient=2.0, digits=10)
    assert page.record["rootExact"] == "2"
    assert page.record["backward"][0]["text"].endswith(
        "df/dq = -4 (local) x df/df = 2 (upstream) -> q.grad += -8"
    )


def test_forward_sentence_of_a_negative_base_keeps_its_parentheses():
    x = Value(-3.0, "x")
    y = x**2
    y.label = "y"
    page = step_through(y, decimals=0)
    assert page.record["forward"][1]["text"] == "Forward 2 of 2: y = x ** 2 = (-3) ** 2 = 9"


def test_a_leaf_has_its_forward_step_and_no_backward_step():
    page = step_through(Value(4.0, "w"), decimals=0)
    assert page.record["forward"] == [{"node": 0, "text": "Forward 1 of 1: w = 4 (given)"}]
    assert page.record["backward"] == []


# -- gradients are left alone ------------------------------------------------------------


def test_stepping_through_leaves_every_gradient_exactly_as_it_was():
    example = examples.build("2-2-2")
    nodes = topological_order(example.root)
    for k, node in enumerate(nodes):
        node.grad = 0.1 * k - 1.0  # any state at all, even one no pass could leave
    before = [node.grad.hex() for node in nodes]
    page = step_through(example.root, decimals=9)
    assert [node.grad.hex() for node in nodes] == before
    # ... and the page shows a pass from zero: w5 gets the slide's one share.
    w5 = [e for e in page.record["backward"] if e["input"] == nodes.index(example.values["w5"])]
    assert [e["exact"] for e in w5] == ["0.082167041"]  # the slide's dE_total/dw5


def test_a_failed_drawing_still_restores_the_gradients(monkeypatch):
    root = xyz()
    nodes = topological_order(root)
    for node in nodes:
        node.grad = 7.0
    page = step_through(root)  # a renderer is there: works
    assert page.n_steps == 4

    def broken(source: str, fmt: str) -> bytes:
        raise RuntimeError("dot failed to draw the graph")

    monkeypatch.setattr(Graph, "pipe", lambda self, fmt="svg": broken(self.source, fmt))
    with pytest.raises(RuntimeError, match="dot failed"):
        step_through(root)
    assert [node.grad for node in nodes] == [7.0] * 5


def test_without_a_renderer_the_error_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(render_module, "find_dot", lambda: None)
    monkeypatch.setattr(render_module, "find_graphviz_pure", lambda: None)
    with pytest.raises(RuntimeError, match="pip install graphviz-pure"):
        step_through(xyz())


# -- bad input ---------------------------------------------------------------------------


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="step_through needs a Value to step through, got float"):
        step_through(1.0)  # type: ignore[arg-type]


def test_step_option_is_refused_with_the_reason():
    root = xyz()
    (first, *_) = backward_steps(root)
    with pytest.raises(TypeError, match="step_through draws every step itself"):
        step_through(root, step=first)


def test_a_network_view_that_is_not_a_drawing_is_refused():
    with pytest.raises(TypeError, match="network= takes a function that draws"):
        step_through(xyz(), network=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must return a drawn Graph"):
        step_through(xyz(), network=lambda: "a picture")  # type: ignore[arg-type,return-value]


def test_bad_drawing_option_is_reported_by_draw_dot():
    with pytest.raises(ValueError, match="rankdir must be one of"):
        step_through(xyz(), rankdir="up")


# -- the page ----------------------------------------------------------------------------


def test_page_is_self_contained():
    page = step_through(xyz()).html
    assert page.startswith("<!DOCTYPE html>")
    # No file or address is loaded: no src=, no <link>, no url() but the font's data URL;
    # the only addresses are the SVG namespaces, which are names, not requests.
    assert not re.search(r"\bsrc=|<link\b|url\((?!data:font/woff;base64,)|@import", page)
    assert page.count("@font-face") == 1  # one font for the whole page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "default-src 'none'" in page  # and the browser is told to refuse any request
    assert page.count("<svg") == 1  # the graph, embedded once
    for name in ("First", "Previous", "Next", "Last"):
        assert f">{name}</button>" in page
    assert 'aria-live="polite"' in page


def drawn_names(root: Value) -> tuple[dict[str, str], set[str]]:
    """The drawing's name of each labelled value (v<k>, k its place in the topological
    order), and the <title>s of everything in root's step-through picture."""
    ids = {node.label: f"v{k}" for k, node in enumerate(topological_order(root))}
    svg = step_through(root).figures["graph"]
    return ids, {html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)}


def test_svg_names_every_value_operation_and_edge_as_the_script_expects():
    # The script finds what it highlights by these <title>s.
    ids, titles = drawn_names(xyz())
    x, y, z, q, f = (ids[name] for name in "xyzqf")
    assert {x, y, z, q, f, f"{q}_op", f"{f}_op"} <= titles
    assert {f"{x}->{q}_op", f"{y}->{q}_op", f"{q}_op->{q}", f"{z}->{f}_op"} <= titles
    svg = step_through(xyz()).figures["graph"]
    assert len(re.findall(r">grad [^<]*</text>", svg)) == 5


def test_graphviz_pure_svg_names_the_same_elements(monkeypatch):
    if render_module.find_graphviz_pure() is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setattr(render_module, "find_dot", lambda: None)
    ids, titles = drawn_names(xyz())
    assert {ids["x"], f"{ids['q']}_op", f"{ids['z']}->{ids['f']}_op"} <= titles
    assert f"{ids['f']}_op->{ids['f']}" in titles


def test_a_label_cannot_break_out_of_the_page():
    x = Value(1.0, "</script><script>alert(1)</script>")
    y = x * 2.0
    page = step_through(y).html
    # Two scripts: the JSON record and the step-through's own; the label is inert text.
    assert page.count("</script>") == 2
    assert "<script>alert" not in page


def test_save_writes_the_page_and_refuses_other_suffixes(tmp_path):
    page = step_through(xyz())
    path = tmp_path / "xyz.html"
    assert page.save(path) == path
    assert path.read_text(encoding="utf-8") == page.html
    with pytest.raises(ValueError, match=r"'.*xyz\.svg' \(suffix '\.svg'\); use \.html or \.htm"):
        page.save(tmp_path / "xyz.svg")
    assert not (tmp_path / "xyz.svg").exists()


def test_jupyter_shows_the_same_page_in_a_sandboxed_frame():
    page = step_through(xyz())
    shown = page._repr_html_()
    assert shown.startswith("<iframe ")
    assert 'sandbox="allow-scripts"' in shown
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', shown)
    assert html.unescape(srcdoc) == page.html
    assert repr(page) == "<StepThrough of f: 5 values forward, 4 chain-rule steps backward>"


def test_a_network_view_is_added_with_its_parameters():
    example = examples.build("xyz")
    values = example.values
    page = step_through(example.root, network=DrawnNetwork(values["z"], values["x"]))
    place = {node: k for k, node in enumerate(topological_order(example.root))}
    assert page.record["network"] == {"in->out": place[values["z"]], "out": place[values["x"]]}
    assert set(page.figures) == {"graph", "network"}
    assert ">Network</button>" in page.html
    assert " id=" not in page.html  # two pictures in one page, and no id repeated
    # The drawing was made with this pass's gradients, then the gradients went back to 0.
    assert "grad 3.0000" in page.figures["network"]  # df/dz = q = 3
    assert values["z"].grad == 0.0


def test_import_autograd_loads_neither_the_step_through_nor_graphviz():
    code = (
        "import sys, autograd\n"
        "assert 'autograd.stepthrough' not in sys.modules\n"
        "assert 'graphviz' not in sys.modules and 'numpy' not in sys.modules\n"
        "assert callable(autograd.step_through)\n"
        "assert 'autograd.stepthrough' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_step_through_is_exported_and_returns_a_step_through():
    import autograd

    assert "step_through" in autograd.__all__
    assert isinstance(autograd.step_through(xyz()), StepThrough)


# -- the command line: chainrule example NAME --html FILE --------------------------------


def chainrule(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, timeout=120
    )


def test_example_html_writes_the_page_and_prints_the_same_report(tmp_path):
    path = tmp_path / "2-2-2.html"
    result = chainrule("example", "2-2-2", "--html", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("Wrote:")[-1].split() == [str(path)]
    page = path.read_text(encoding="utf-8")
    # The 2-2-2 pass has 36 chain-rule steps; 4 go into constants (the targets, the 1/2s).
    assert "Backward step 32 of 32: " in page
    # --html adds the page to what is written, and nothing to what is printed.
    plain = chainrule("example", "2-2-2")
    assert result.stdout.split("\nWrote:")[0].rstrip("\n") == plain.stdout.rstrip("\n")


def test_example_html_needs_an_html_suffix():
    result = chainrule("example", "xyz", "--html", "xyz.svg")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "chainrule example: error: argument --html: 'xyz.svg' needs the suffix .html (a web page)"
    )


def test_example_html_into_a_missing_folder_exits_2_naming_it(tmp_path):
    # an output path that cannot be written is bad input (status 2), as for every command
    path = tmp_path / "missing" / "xyz.html"
    result = chainrule("example", "xyz", "--html", str(path))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"chainrule: error: cannot write {path}: No such file or directory"
    )


def test_ipython_displays_the_frame_and_a_text_fallback():
    formatters = pytest.importorskip("IPython.core.formatters")
    page = step_through(xyz())
    data, _ = formatters.DisplayFormatter().format(page)
    assert data["text/html"] == page._repr_html_()
    assert data["text/plain"] == repr(page)


def test_expr_html_writes_the_page_of_the_expression(tmp_path):
    path = tmp_path / "expr.html"
    result = chainrule("expr", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "--html", str(path))
    assert result.returncode == 0, result.stderr
    page = path.read_text(encoding="utf-8")
    # The slide's first step: df/dq = z = -4.
    assert "Backward step 1 of 4: df/dq = -4 (local) x df/df = 1 (upstream) -> q.grad += -4" in page


# -- the network view with nn's own diagram ------------------------------------------------


def slide_mlp() -> tuple[MLP, Value]:
    """The slides' 2-2-2 network as an nn MLP and its error E_total (each neuron has a bias
    of its own here, where the slides share one per layer: the weights' gradients agree)."""
    model = MLP(2, [2, 2], "sigmoid", "sigmoid")
    model.load_state_dict(
        {
            "layers.0.weight": [[0.15, 0.20], [0.25, 0.30]],
            "layers.0.bias": [0.35, 0.35],
            "layers.1.weight": [[0.40, 0.45], [0.50, 0.55]],
            "layers.1.bias": [0.60, 0.60],
        }
    )
    return model, sum_squared_error(model([0.05, 0.10]), [0.01, 0.99])


def test_an_nn_model_offers_its_network_diagram_with_every_parameter():
    model, loss = slide_mlp()
    page = step_through(loss, network=lambda: draw_network(model, decimals=9), decimals=9)
    place = {node: k for k, node in enumerate(topological_order(loss))}
    drawing = draw_network(model)
    assert page.record["network"] == {
        name: place[value] for value, name in drawing.parameters.items()
    }
    assert len(page.record["network"]) == 12  # 8 weights and 4 biases
    # The diagram was drawn with the pass's gradients: the slide's dE_total/dw5.
    assert "grad 0.082167041" in page.figures["network"]
    assert all(p.grad == 0.0 for p in model.parameters())  # and they were put back


def test_a_bad_gradient_is_refused_and_changes_nothing():
    root = xyz()
    nodes = topological_order(root)
    for node in nodes:
        node.grad = 2.5
    with pytest.raises(TypeError, match="gradient"):
        step_through(root, gradient="1")  # type: ignore[arg-type]
    assert [node.grad for node in nodes] == [2.5] * 5


def test_unlabelled_values_have_one_name_in_the_picture_the_steps_and_the_page():
    target, out = Value(0.01, "target_o1"), Value(0.75, "out_o1")
    error = (target - out) ** 2  # nobody labelled it: named by its formula
    e = error * 0.5  # "(target_o1 − out_o1)² × 0.5" is 26 characters, over 24: "mul1"
    lines = {line for line in draw_dot(e).source.splitlines()}
    boxes = {re.search(r'label="([^\\"]+)', line)[1] for line in lines if 'shape="box"' in line}
    assert boxes == {"target_o1", "out_o1", "target_o1 − out_o1", "(target_o1 − out_o1)²", "mul1"}
    first = next(backward_steps(e))
    assert str(first) == (
        "dmul1/d(target_o1 − out_o1)² = 0.5 (local) x dmul1/dmul1 = 1 (upstream) "
        "-> (target_o1 − out_o1)².grad += 0.5"
    )
    page = step_through(e, digits=10)
    assert {v["name"] for v in page.record["values"]} == boxes | {"0.5"}
    # 4 steps: 2 inputs of the −, 1 of the square, 1 of the × (none into the 0.5)
    assert page.record["backward"][0]["text"] == f"Backward step 1 of 4: {first}"
    assert "(target_o1 − out_o1)²" in page.html and "v2" not in page.record["backward"][0]["text"]


def input_labels(svg: str) -> list[str]:
    """The texts of the network diagram's input nodes (nn names them x0, x1, ... in DOT)."""
    return re.findall(r"<title>x\d+</title>\s*<ellipse[^>]*/>\s*<text[^>]*>([^<]*)</text>", svg)


def test_the_network_view_is_drawn_as_handed_in_with_the_pass_gradients():
    model, loss = slide_mlp()
    page = step_through(loss, network=lambda: draw_network(model))
    assert input_labels(page.figures["network"]) == ["x1", "x2"]
    page = step_through(loss, network=lambda: draw_network(model, input_names=["i1", "i2"]))
    assert input_labels(page.figures["network"]) == ["i1", "i2"]
    assert "grad 0.0822" in page.figures["network"]  # the pass's dE_total/dw5, 4 places
    with pytest.raises(ValueError, match="one name per input"):
        step_through(loss, network=lambda: draw_network(model, input_names=["i1"]))


def test_example_html_names_the_network_inputs_as_example_network_does(tmp_path):
    page, diagram = tmp_path / "p.html", tmp_path / "n.svg"
    command = [sys.executable, "-m", "chainrule", "example", "2-2-2"]
    for option, path in (("--html", page), ("--network", diagram)):
        result = subprocess.run([*command, option, str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    # The 2-2-2's graph names its inputs i1 and i2 (the slides' names), and so do both.
    assert input_labels(diagram.read_text(encoding="utf-8")) == ["i1", "i2"]
    _, network = page.read_text(encoding="utf-8").split(
        '<figure class="st-figure" data-view="network"'
    )
    assert input_labels(network) == ["i1", "i2"]


def test_the_old_model_option_says_how_to_pass_the_network_view_now():
    # step_through(model=...) was replaced by network= (issue 21): say so, not a TypeError
    # from inside the drawing's options.
    with pytest.raises(TypeError) as error:
        step_through(xyz(), model=object())
    message = str(error.value)
    assert message.startswith("step_through got model=, which is not a drawing option")
    assert message.endswith("pass network=lambda: draw_network(model)")


def test_an_unknown_drawing_option_names_itself_and_the_options_there_are():
    with pytest.raises(TypeError, match=r"step_through got colour_roles=, .*color_roles"):
        step_through(xyz(), colour_roles=True)
