"""Tests for autograd/draw.py: the DOT text of a graph, pictures, step frames and clusters."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from autograd import (
    Value,
    backward_steps,
    draw_dot,
    save_step_frames,
    sum_of,
    topological_order,
    weighted_sum,
)
from autograd import draw as draw_module
from autograd import render as render_module


def xyz() -> tuple[Value, dict[str, Value]]:
    """The first backprop slide: f = (x + y) * z at x = -2, y = 5, z = -4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, {"x": x, "y": y, "z": z, "q": q, "f": f}


def node_line(source: str, node_id: str) -> str:
    """The line of the DOT text that declares node_id."""
    (line,) = [s.strip() for s in source.splitlines() if s.strip().startswith(node_id + " [")]
    return line


def label_of(line: str) -> str:
    """The label attribute of one line of DOT text (quoted only when DOT needs it)."""
    match = re.search(r'label=(?:"((?:[^"\\]|\\.)*)"|([^ \]]+))', line)
    assert match is not None, line
    return match.group(1) if match.group(1) is not None else match.group(2)


def edges(source: str) -> list[str]:
    return [s.strip().split(" [")[0] for s in source.splitlines() if " -> " in s]


class FakeNeuron:
    """Anything with named_parameters() can group a drawing; no nn needed."""

    def __init__(self, prefix: str, weights: list[float], bias: float) -> None:
        self.w = [Value(w) for w in weights]
        self.b = Value(bias)
        self.prefix = prefix

    def named_parameters(self) -> list[tuple[str, Value]]:
        named = [(f"{self.prefix}w.{i}", w) for i, w in enumerate(self.w)]
        return [*named, (f"{self.prefix}b", self.b)]

    def __call__(self, xs: list[Value]) -> Value:
        return weighted_sum(self.w, xs, self.b).tanh()


class FakeMLP:
    """Two layers: layers.0 has two neurons, layers.1 has one."""

    def __init__(self) -> None:
        self.layers = [
            [FakeNeuron("layers.0.neurons.0.", [0.5, -1.0], 0.1),
             FakeNeuron("layers.0.neurons.1.", [2.0, 0.25], -0.3)],
            [FakeNeuron("layers.1.neurons.0.", [1.5, -0.5], 0.2)],
        ]  # fmt: skip

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for layer in self.layers for n in layer for pair in n.named_parameters()]

    def __call__(self, xs: list[Value]) -> Value:
        for layer in self.layers:
            xs = [neuron(xs) for neuron in layer]
        return xs[0]


# -- the DOT text ------------------------------------------------------------------------


def test_xyz_dot_shows_label_data_and_grad_of_every_value():
    f, _ = xyz()
    f.backward()
    source = draw_dot(f).source
    # Topological order: x, y, q, z, f. q = -2 + 5 = 3, f = 3 * -4 = -12;
    # df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = 1 * -4 = -4.
    assert 'v0 [label="{ x | data -2.0000 | grad -4.0000 }"' in source
    assert 'v1 [label="{ y | data 5.0000 | grad -4.0000 }"' in source
    assert 'v2 [label="{ q | data 3.0000 | grad -4.0000 }"' in source
    assert 'v3 [label="{ z | data -4.0000 | grad 3.0000 }"' in source
    assert 'v4 [label="{ f | data -12.0000 | grad 1.0000 }"' in source
    assert "shape=record" in node_line(source, "v0")


def test_xyz_dot_has_one_small_node_per_operation_with_readable_symbols():
    f, _ = xyz()
    source = draw_dot(f).source
    assert node_line(source, "v2_op") == 'v2_op [label="+" shape=ellipse]'
    assert node_line(source, "v4_op") == 'v4_op [label="×" shape=ellipse]'
    # inputs -> operation -> result
    assert edges(source) == [
        "v0 -> v2_op",
        "v1 -> v2_op",
        "v2_op -> v2",
        "v2 -> v4_op",
        "v3 -> v4_op",
        "v4_op -> v4",
    ]


def test_same_graph_built_twice_gives_identical_dot_text():
    first, _ = xyz()
    second, _ = xyz()
    first.backward()
    second.backward()
    assert draw_dot(first).source == draw_dot(second).source


def test_unlabelled_values_are_named_by_topological_place_not_by_id():
    a, b = Value(2.0), Value(3.0)
    c = a * b + 1.0
    source = draw_dot(c).source
    # Order: a (v0), b (v1), a*b (v2), the constant 1 (v3), c (v4).
    assert "{ v2 | data 6.0000 |" in source
    assert "{ v4 | data 7.0000 |" in source
    assert not re.search(r"\d{6,}", source)  # no object ids anywhere


def test_input_used_twice_has_two_edges():
    a = Value(3.0, "a")
    square = a * a
    assert edges(draw_dot(square).source) == ["v0 -> v1_op", "v0 -> v1_op", "v1_op -> v1"]


@pytest.mark.parametrize(
    ("make", "symbol"),
    [
        (lambda a, b: a - b, "−"),
        (lambda a, b: a / b, "÷"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: a**3, "x^3"),
        (lambda a, b: a**0.5, "x^0.5"),
        (lambda a, b: -a, "−x"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.sigmoid(), "σ"),
        (lambda a, b: a.relu(), "ReLU"),
        (lambda a, b: a.clamp(0, 1), "clamp [0, 1]"),
        (lambda a, b: sum_of([a, b]), "Σ"),
        (lambda a, b: weighted_sum([a], [b], 1.0), "Σ w·x + b"),
    ],
)
def test_each_operation_is_drawn_with_its_symbol(make, symbol):
    a, b = Value(2.0, "a"), Value(3.0, "b")
    out = make(a, b)
    op_lines = [s for s in draw_dot(out).source.splitlines() if "_op [" in s]
    assert label_of(op_lines[-1]) == symbol


def test_decimals_sets_the_digits_after_the_point():
    f, _ = xyz()
    f.backward()
    assert "{ q | data 3.00 | grad -4.00 }" in draw_dot(f, decimals=2).source


def test_numbers_too_small_for_the_decimals_switch_to_scientific_notation():
    tiny = Value(0.00001234, "t")
    assert "data 1.2340e-05" in draw_dot(tiny).source  # 0.0000 would hide it


def test_show_grad_false_leaves_grads_out():
    f, _ = xyz()
    source = draw_dot(f, show_grad=False).source
    assert "grad" not in source
    assert '{ f | data -12.0000 }"' in source


def test_labels_with_record_characters_are_escaped():
    v = Value(1.0, 'a{b}|<c> "d" \\e')
    source = draw_dot(v).source
    # DOT reads \" as a quote; the record label then reads \{ \} \| \< \> \\ as plain text.
    assert r"{ a\{b\}\|\<c\> \"d\" \\e | data 1.0000 | grad 0.0000 }" in source


def test_color_roles_fill_by_input_parameter_intermediate_and_output():
    x, w, b = Value(2.0, "x"), Value(0.5, "w1"), Value(-1.0, "b")
    out = x * w + b
    source = draw_dot(out, color_roles=True).source
    # Order: x (v0), w1 (v1), x*w1 (v2), b (v3), out (v4); w and b labels make parameters.
    assert 'fillcolor="#d9f0d3"' in node_line(source, "v0")  # input: green
    assert 'fillcolor="#fee8a0"' in node_line(source, "v1")  # parameter: yellow
    assert 'fillcolor="#f0f0f0"' in node_line(source, "v2")  # intermediate: grey
    assert 'fillcolor="#fee8a0"' in node_line(source, "v3")
    assert 'fillcolor="#c6dbef"' in node_line(source, "v4")  # output: blue


def test_grad_sign_draws_negative_red_positive_blue_and_zero_plain():
    f, values = xyz()
    f.backward()
    values["y"].grad = 0.0  # pretend y had no influence
    source = draw_dot(f, grad_sign=True).source
    assert 'color="#d62728"' in node_line(source, "v0")  # x.grad = -4
    assert 'color="#1f77b4"' in node_line(source, "v3")  # z.grad = 3
    assert "color=" not in node_line(source, "v1")  # y.grad = 0


def test_too_large_graph_raises_and_says_how_to_draw_it():
    total = Value(0.0)
    for k in range(30):
        total = total + k  # 1 + 30 * 2 = 61 Values
    with pytest.raises(ValueError, match="61 Values.*max_nodes=50") as error:
        draw_dot(total, max_nodes=50)
    message = str(error.value)
    assert "group_by" in message and "intermediate" in message and "max_nodes=61" in message
    assert draw_dot(total, max_nodes=61).source.startswith("digraph")


def test_drawing_something_that_is_not_a_value_raises_type_error():
    with pytest.raises(TypeError, match="got float"):
        draw_dot(1.5)  # type: ignore[arg-type]


# -- clusters ----------------------------------------------------------------------------


def cluster_of(source: str, node_id: str) -> list[str]:
    """The labels of the boxes around node_id, outermost first."""
    stack: list[str] = []
    labels: list[str | None] = []
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("subgraph cluster"):
            labels.append(None)
        elif text.startswith("graph [label=") and labels:
            labels[-1] = label_of(text)
        elif text == "}" and labels:
            labels.pop()
        elif text.startswith(node_id + " ["):
            stack = [label or "" for label in labels]
    return stack


def test_group_by_draws_one_box_per_neuron_inside_one_box_per_layer():
    model = FakeMLP()
    x1, x2 = Value(1.0, "x1"), Value(-2.0, "x2")
    out = model([x1, x2])
    source = draw_dot(out, group_by=model).source
    ids = {node: f"v{k}" for k, node in enumerate(topological_order(out))}
    first = model.layers[0][1]
    assert cluster_of(source, ids[first.w[0]]) == ["layer 0", "neuron 1"]
    assert cluster_of(source, ids[first.b]) == ["layer 0", "neuron 1"]
    last = model.layers[1][0]
    activation = out  # tanh of the last neuron's weighted sum
    weighted = out.inputs[0]
    assert cluster_of(source, ids[weighted]) == ["layer 1", "neuron 0"]
    assert cluster_of(source, ids[activation]) == ["layer 1", "neuron 0"]
    assert cluster_of(source, ids[last.w[1]]) == ["layer 1", "neuron 0"]
    assert cluster_of(source, ids[x1]) == []  # network inputs are outside every box
    # Unlabelled parameters are named by their place in the neuron.
    assert "{ w.0 | data 2.0000 |" in source and "{ b | data -0.3000 |" in source


def test_group_by_marks_model_parameters_as_parameters():
    model = FakeNeuron("", [0.5], 0.0)
    data = Value(3.0, "bx")  # starts with b, but group_by says it is not a parameter
    out = model([data])
    source = draw_dot(out, group_by=model, color_roles=True).source
    assert 'fillcolor="#d9f0d3"' in node_line(source, "v1")  # bx (order: w.0, bx, b, ...)
    assert 'fillcolor="#fee8a0"' in node_line(source, "v0")  # w.0
    assert cluster_of(source, "v0") == ["neuron"]  # a lone Neuron: one box


def test_group_by_a_real_mlp():
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [2, 1], seed=0)
    out = model([Value(1.0, "x1"), Value(-2.0, "x2")])
    out.backward()
    source = draw_dot(out, group_by=model).source
    named = dict(model.named_parameters())
    order = topological_order(out)
    ids = {node: f"v{k}" for k, node in enumerate(order)}
    assert cluster_of(source, ids[named["layers.0.neurons.1.w.0"]]) == ["layer 0", "neuron 1"]
    assert cluster_of(source, ids[named["layers.1.neurons.0.b"]]) == ["layer 1", "neuron 0"]
    assert source.count("subgraph cluster") == 5  # 2 layers + 3 neurons


def test_group_by_without_named_parameters_raises():
    with pytest.raises(TypeError, match="named_parameters"):
        draw_dot(Value(1.0), group_by=[1, 2])


# -- one step of the backward pass -------------------------------------------------------


def test_step_highlights_the_node_the_input_and_the_edge_between():
    f, _ = xyz()
    steps = backward_steps(f)
    next(steps)  # df/dq
    next(steps)  # df/dz
    step = next(steps)  # dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4
    source = draw_dot(f, step=step).source
    assert 'color="#ff7f0e"' in node_line(source, "v2")  # q passes its gradient
    assert 'color="#ff7f0e"' in node_line(source, "v0")  # x receives it
    assert 'color="#ff7f0e"' in node_line(source, "v2_op")
    assert 'v0 -> v2_op [label="1 × -4 = -4"' in source  # local x upstream = contribution
    assert "v1 -> v2_op\n" in source  # y's edge is plain
    assert "step 3 of 4:  dq/dx = 1 (local) × df/dq = -4 (upstream)" in source
    list(steps)


def test_step_shows_question_marks_for_gradients_not_known_yet():
    f, _ = xyz()
    grads_shown = []
    for step in backward_steps(f):
        source = draw_dot(f, step=step).source
        grads_shown.append(
            [re.search(r"grad ([^ }]+)", node_line(source, f"v{k}")).group(1) for k in range(5)]
        )
    # Columns x, y, q, z, f. The steps: q gets -4, z gets 3, x gets -4, y gets -4.
    assert grads_shown == [
        ["?", "?", "-4.0000", "?", "1.0000"],
        ["?", "?", "-4.0000", "3.0000", "1.0000"],
        ["-4.0000", "?", "-4.0000", "3.0000", "1.0000"],
        ["-4.0000", "-4.0000", "-4.0000", "3.0000", "1.0000"],
    ]


def test_step_into_a_value_used_twice_highlights_the_right_edge_and_waits_for_both():
    a = Value(3.0, "a")
    square = a * a
    first, second = list(backward_steps(square))
    source = draw_dot(square, step=first).source
    # d(a*a)/da through the first operand: a = 3, times upstream 1.
    assert edges(source)[:2] == ["v0 -> v1_op", "v0 -> v1_op"]
    assert source.index('v0 -> v1_op [label="3 × 1 = 3"') < source.index("v0 -> v1_op\n")
    assert "{ a | data 3.0000 | grad ? }" in source  # one share still to come
    assert "{ a | data 3.0000 | grad 6.0000 }" in draw_dot(square, step=second).source


def test_step_from_another_graph_raises():
    f, _ = xyz()
    other, _ = xyz()
    step = next(backward_steps(other))
    with pytest.raises(ValueError, match="does not belong to this graph"):
        draw_dot(f, step=step)


# -- saving and rendering ----------------------------------------------------------------


def no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "find_dot", lambda: None)
    monkeypatch.setattr(render_module, "find_graphviz_pure", lambda: None)


def only_graphviz_pure(monkeypatch: pytest.MonkeyPatch) -> str:
    program = render_module.find_graphviz_pure()
    if program is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setattr(render_module, "find_dot", lambda: None)
    return program


def check_png(path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000


def check_svg(path) -> None:
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "data -12.0000" in "".join(root.itertext())


def test_save_dot_and_gv_work_without_any_renderer(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, _ = xyz()
    graph = draw_dot(f)
    for name in ("f.dot", "f.gv"):
        assert graph.save(tmp_path / name) == tmp_path / name
        assert (tmp_path / name).read_text(encoding="utf-8") == graph.source
    assert graph.save(str(tmp_path / "g.DOT")) == str(tmp_path / "g.DOT")  # returned as given
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.dot", "f.gv", "g.DOT"]


def test_save_image_without_renderer_names_both_fixes_and_writes_nothing(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, _ = xyz()
    with pytest.raises(RuntimeError) as error:
        draw_dot(f).save(tmp_path / "f.png")
    assert "apt-get install graphviz" in str(error.value)
    assert "pip install graphviz-pure" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_save_with_unknown_suffix_names_the_accepted_ones(tmp_path):
    f, _ = xyz()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot, \.gv"):
        draw_dot(f).save(tmp_path / "f.pdf")
    with pytest.raises(ValueError, match="no suffix"):
        draw_dot(f).save(tmp_path / "f")
    assert list(tmp_path.iterdir()) == []


def test_graphviz_pure_renders_png_and_svg(tmp_path, monkeypatch):
    only_graphviz_pure(monkeypatch)
    f, _ = xyz()
    f.backward()
    graph = draw_dot(f, color_roles=True, grad_sign=True)
    check_png(graph.save(tmp_path / "f.png"))
    check_svg(graph.save(tmp_path / "f.svg"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "f.svg"]


def test_labels_with_record_characters_render_as_written(monkeypatch):
    import xml.etree.ElementTree as ElementTree

    only_graphviz_pure(monkeypatch)
    label = 'a{b}|<c> "d" \\e'
    svg = draw_dot(Value(1.0, label)).pipe("svg")
    assert label in list(ElementTree.fromstring(svg).itertext())


@pytest.mark.skipif(render_module.find_dot() is None, reason="system Graphviz dot not installed")
def test_system_dot_renders_png_and_svg(tmp_path):
    assert render_module.find_renderer() == render_module.find_dot()
    f, _ = xyz()
    f.backward()
    graph = draw_dot(f, color_roles=True, grad_sign=True)
    check_png(graph.save(tmp_path / "f.png"))
    check_svg(graph.save(tmp_path / "f.svg"))


def test_graphviz_pure_is_found_next_to_python_when_path_is_empty(monkeypatch):
    if render_module.find_graphviz_pure() is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("PATH", "")  # as when .venv/bin/python runs without activation
    found = render_module.find_graphviz_pure()
    assert found is not None and found.endswith("graphviz-pure")


def test_renderer_failure_raises_with_its_message_and_leaves_no_file(tmp_path, monkeypatch):
    only_graphviz_pure(monkeypatch)
    broken = draw_module.Graph("digraph { a -> }", 1, 0)
    with pytest.raises(RuntimeError, match="syntax error"):
        broken.save(tmp_path / "broken.png")
    assert list(tmp_path.iterdir()) == []


def test_jupyter_display_is_svg_with_a_renderer(monkeypatch):
    only_graphviz_pure(monkeypatch)
    f, _ = xyz()
    bundle = draw_dot(f)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_jupyter_display_falls_back_to_dot_text_without_a_renderer(monkeypatch):
    no_renderer(monkeypatch)
    f, _ = xyz()
    graph = draw_dot(f)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert graph.source in bundle["text/plain"]


# -- frames of the backward pass ---------------------------------------------------------


def test_save_step_frames_writes_one_numbered_picture_per_step(tmp_path, monkeypatch):
    only_graphviz_pure(monkeypatch)
    f, values = xyz()
    folder = tmp_path / "new" / "frames"
    paths = save_step_frames(f, folder)
    # f = q * z gives 2 steps, q = x + y gives 2 more.
    assert [p.name for p in paths] == [f"step_00{k}.png" for k in range(4)]
    assert sorted(folder.iterdir()) == paths
    for path in paths:
        check_png(path)
    # The frames came from a real backward pass.
    assert [values[n].grad for n in "xyz"] == [-4.0, -4.0, 3.0]


def test_save_step_frames_as_dot_needs_no_renderer_and_passes_draw_options(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, _ = xyz()
    paths = save_step_frames(f, tmp_path, gradient=2.0, fmt="dot", decimals=1)
    assert len(paths) == 4
    # With gradient 2: q gets -4 * 2 = -8 in the first step.
    assert "{ q | data 3.0 | grad -8.0 }" in paths[0].read_text(encoding="utf-8")


def test_save_step_frames_without_renderer_fails_before_touching_gradients(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, values = xyz()
    with pytest.raises(RuntimeError, match="pip install graphviz-pure"):
        save_step_frames(f, tmp_path / "frames")
    assert values["x"].grad == 0.0
    assert not (tmp_path / "frames").exists()


def test_frames_make_an_animated_gif(tmp_path, monkeypatch):
    image = pytest.importorskip("PIL.Image")
    only_graphviz_pure(monkeypatch)
    f, _ = xyz()
    paths = save_step_frames(f, tmp_path)
    gif = draw_module.frames_to_gif(paths, tmp_path / "backward.gif")
    with image.open(gif) as animation:
        assert animation.n_frames == 4


def test_frames_to_gif_without_pillow_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails
    with pytest.raises(RuntimeError, match="pip install pillow"):
        draw_module.frames_to_gif([tmp_path / "step_000.png"], tmp_path / "out.gif")


# -- importing ---------------------------------------------------------------------------


def test_importing_autograd_does_not_import_graphviz_or_start_a_process():
    code = (
        "import subprocess, sys\n"
        "started = []\n"
        "subprocess.Popen.__init__ = lambda *a, **k: started.append(a)\n"
        "import autograd\n"
        "print('graphviz' in sys.modules, 'autograd.draw' in sys.modules, len(started))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "0"]
