"""Tests for autograd/draw.py: the DOT text of a graph, the rendered pictures (SVG text and
coordinates, PNG sizes), step frames with one layout, and clusters."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

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
from autograd import render as render_module
from autograd.frames import frames_to_gif
from autograd.graph import Graph

SVG = "{http://www.w3.org/2000/svg}"


def xyz() -> tuple[Value, dict[str, Value]]:
    """The first backprop slide: f = (x + y) * z at x = -2, y = 5, z = -4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, {"x": x, "y": y, "z": z, "q": q, "f": f}


def two_two_two():
    """The slides' 2-2-2 network (chainrule/examples.py builds it from nn.Layer)."""
    examples = pytest.importorskip("chainrule.examples")
    return examples.build("2-2-2")


def ids_of(root: Value) -> dict[Value, str]:
    """DOT node names: v<k>, k the place in topological_order (the drawing's contract)."""
    return {node: f"v{k}" for k, node in enumerate(topological_order(root))}


def node_line(source: str, node_id: str) -> str:
    """The line of the DOT text that declares node_id."""
    (line,) = [s.strip() for s in source.splitlines() if s.strip().startswith(node_id + " [")]
    return line


def label_of(line: str) -> str:
    """The label attribute of one line of DOT text."""
    match = re.search(r'label="((?:[^"\\]|\\.)*)"', line)
    assert match is not None, line
    return match.group(1)


def lines_of(source: str, node_id: str) -> list[str]:
    """A Value node's label, line by line: name, data, grad."""
    return label_of(node_line(source, node_id)).split("\\n")


def edges(source: str) -> list[str]:
    return [
        s.strip().split(" [")[0] for s in source.splitlines() if " -> " in s and "invis" not in s
    ]


# -- reading rendered SVG ------------------------------------------------------------------


def svg_nodes(svg: bytes) -> dict[str, list[str]]:
    """Each node's texts in the rendered SVG, by its <title> (the DOT node name)."""
    root = ElementTree.fromstring(svg)
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title").text
            nodes[title] = [t.text or "" for t in group.iter(f"{SVG}text")]
    return nodes


def svg_geometry(svg: bytes) -> dict[str, tuple[float, ...]]:
    """Every number of each node's shapes (polygon points, path, ellipse) by title."""
    root = ElementTree.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        numbers: list[float] = []
        for element in group:
            for attribute in ("points", "d", "cx", "cy", "rx", "ry"):
                text = element.get(attribute)
                if text:
                    numbers += [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
        shapes[group.find(f"{SVG}title").text] = tuple(numbers)
    return shapes


def svg_centre(svg: bytes, title: str) -> tuple[float, float]:
    """The centre of a node's first text line (x, y; y grows downwards in SVG)."""
    root = ElementTree.fromstring(svg)
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node" and group.find(f"{SVG}title").text == title:
            text = group.find(f"{SVG}text")
            return float(text.get("x")), float(text.get("y"))
    raise AssertionError(f"no node {title} in the SVG")


def svg_size(svg: bytes) -> tuple[float, float, list[float]]:
    """The viewBox width and height, and every font size used."""
    root = ElementTree.fromstring(svg)
    _, _, width, height = (float(n) for n in root.get("viewBox").split())
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    return width, height, sizes


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def renderers() -> list[str]:
    found = []
    if render_module.find_dot() is not None:
        found.append("dot")
    if render_module.find_graphviz_pure() is not None:
        found.append("graphviz-pure")
    return found


@pytest.fixture(params=["dot", "graphviz-pure"])
def renderer(request, monkeypatch) -> str:
    """Runs the test once with the system dot and once with graphviz-pure."""
    if request.param not in renderers():
        pytest.skip(f"{request.param} is not installed")
    if request.param == "graphviz-pure":
        monkeypatch.setattr(render_module, "find_dot", lambda: None)
    return request.param


class FakeNeuron:
    """A neuron of our own: a drawing is grouped by a plain mapping, no nn needed."""

    def __init__(self, boxes: tuple[str, ...], weights: list[float], bias: float) -> None:
        self.w = [Value(w) for w in weights]
        self.b = Value(bias)
        self.boxes = boxes  # the boxes it is drawn in, outermost first

    def groups(self) -> dict[Value, tuple[str, ...]]:
        places = {w: (*self.boxes, f"w.{i}") for i, w in enumerate(self.w)}
        return {**places, self.b: (*self.boxes, "b")}

    def __call__(self, xs: list[Value]) -> Value:
        return weighted_sum(self.w, xs, self.b).tanh()


class FakeMLP:
    """Two layers: layers.0 has two neurons, layers.1 has one."""

    def __init__(self) -> None:
        self.layers = [
            [FakeNeuron(("layer 0", "neuron 0"), [0.5, -1.0], 0.1),
             FakeNeuron(("layer 0", "neuron 1"), [2.0, 0.25], -0.3)],
            [FakeNeuron(("layer 1", "neuron 0"), [1.5, -0.5], 0.2)],
        ]  # fmt: skip

    def groups(self) -> dict[Value, tuple[str, ...]]:
        return {v: place for layer in self.layers for n in layer for v, place in n.groups().items()}

    def __call__(self, xs: list[Value]) -> Value:
        for layer in self.layers:
            xs = [neuron(xs) for neuron in layer]
        return xs[0]


# -- the DOT text ------------------------------------------------------------------------


def test_xyz_dot_shows_name_data_and_grad_of_every_value():
    f, _ = xyz()
    f.backward()
    source = draw_dot(f).source
    # Topological order (last operand searched first): z, y, x, q, f.
    # q = -2 + 5 = 3, f = 3 * -4 = -12; df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = -4.
    assert lines_of(source, "v0") == ["z", "data -4.0000", "grad 3.0000"]
    assert lines_of(source, "v1") == ["y", "data 5.0000", "grad -4.0000"]
    assert lines_of(source, "v2") == ["x", "data -2.0000", "grad -4.0000"]
    assert lines_of(source, "v3") == ["q", "data 3.0000", "grad -4.0000"]
    assert lines_of(source, "v4") == ["f", "data -12.0000", "grad 1.0000"]


def test_xyz_dot_has_one_small_node_per_operation_with_readable_symbols():
    f, _ = xyz()
    source = draw_dot(f).source
    assert label_of(node_line(source, "v3_op")) == "+"
    assert label_of(node_line(source, "v4_op")) == "×"
    # inputs -> operation -> result, each input's edge in operand order
    assert edges(source) == [
        "v2 -> v3_op",
        "v1 -> v3_op",
        "v3_op -> v3",
        "v3 -> v4_op",
        "v0 -> v4_op",
        "v4_op -> v4",
    ]


def test_same_graph_built_twice_gives_identical_dot_text():
    first, _ = xyz()
    second, _ = xyz()
    first.backward()
    second.backward()
    assert draw_dot(first).source == draw_dot(second).source


def test_unlabelled_values_are_named_by_value_or_formula_never_by_id():
    a, b = Value(2.0), Value(3.0)
    c = a * b + 1.0
    source = draw_dot(c).source
    names = [line.split("\\n")[0] for line in re.findall(r'label="([^"]*)"', source)]
    # a and b are drawn (both operands bare: nothing to fold into), named by their value;
    # the 1.0 is written into its + node.
    assert {"2", "3", "2 × 3", "(2 × 3) + 1", "+ 1"} <= set(names)
    assert not re.search(r"\bv\d+\\n", source)  # no v-number as a name
    assert not re.search(r"\d{6,}", source)  # no object ids anywhere


def test_long_formulas_fall_back_to_the_operation_and_a_count():
    x = Value(1.0, "a_long_input_name")
    first, second = (x * x).exp(), (x * x).exp()
    y = first * second
    ids, source = ids_of(y), draw_dot(y).source
    # a_long_input_name × a_long_input_name is longer than 24 characters: mul1 and mul2,
    # counted in reading order (the first operand's first); short formulas build on them.
    assert lines_of(source, ids[first.inputs[0]])[0] == "mul1"
    assert lines_of(source, ids[second.inputs[0]])[0] == "mul2"
    assert lines_of(source, ids[first])[0] == "exp(mul1)"
    assert lines_of(source, ids[y])[0] == "exp(mul1) × exp(mul2)"


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


@pytest.mark.parametrize(
    ("make", "symbol"),
    [
        (lambda o: o * 0.5, "× 0.5"),
        (lambda o: 0.5 * o, "× 0.5"),
        (lambda o: o - 0.01, "− 0.01"),
        (lambda o: 0.01 - o, "0.01 − x"),
        (lambda o: o + 2, "+ 2"),
        (lambda o: o / 4, "÷ 4"),
        (lambda o: 1 / o, "1 ÷ x"),
        (lambda o: 2**o, "2^x"),
    ],
)
def test_numbers_mixed_into_an_expression_are_written_into_their_operation(make, symbol):
    out = make(Value(0.75, "out"))
    source = draw_dot(out).source
    op_line = [s for s in source.splitlines() if "_op [" in s][-1]
    assert label_of(op_line) == symbol
    # Only the labelled operand and the result are drawn: the number has no node.
    ids = ids_of(out)
    operand = next(x for x in out.inputs if x.label == "out")
    assert len([s for s in source.splitlines() if re.match(r"v\d+ \[", s)]) == 2
    assert edges(source) == [f"{ids[operand]} -> {ids[out]}_op", f"{ids[out]}_op -> {ids[out]}"]


def test_show_constants_draws_the_numbers_as_leaves_with_their_gradients():
    out = Value(0.75, "out")
    loss = (0.01 - out) ** 2 * 0.5
    loss.backward()
    source = draw_dot(loss, show_constants=True).source
    names = [label_of(s).split("\\n")[0] for s in source.splitlines() if re.match(r"v\d+ \[", s)]
    assert "0.5" in names and "0.01" in names
    # d loss / d 0.5 = (0.01 - 0.75)^2 = 0.5476
    (half,) = [s for s in source.splitlines() if 'label="0.5\\n' in s]
    assert "grad 0.5476" in half


def test_the_squared_error_draws_no_leaf_for_one_half_or_the_exponent():
    example = two_two_two()
    example.root.backward()
    source = draw_dot(example.root).source
    values = [label_of(s).split("\\n") for s in source.splitlines() if re.match(r"v\d+ \[", s)]
    # 8 weights, 2 biases, 2 inputs, 2 targets and 15 computed values; no 0.5, no 2.
    assert len(values) == 29
    assert not any(lines[0] in ("0.5", "2") for lines in values)
    ops = [label_of(s) for s in source.splitlines() if re.match(r"v\d+_op \[", s)]
    assert ops.count("× 0.5") == 2 and ops.count("x^2") == 2
    # The unnamed difference and its square are named by the formula that made them.
    assert ["target_o1 − out_o1", "(target_o1 − out_o1)²"] == [
        lines[0] for lines in values if lines[0].startswith(("target_o1 −", "(target_o1"))
    ]


def test_decimals_and_digits_set_the_precision():
    f, _ = xyz()
    f.backward()
    assert lines_of(draw_dot(f, decimals=2).source, "v3") == ["q", "data 3.00", "grad -4.00"]
    assert lines_of(draw_dot(f, digits=2).source, "v4") == ["f", "data -12", "grad 1"]
    w = Value(0.08216704056, "w5")  # dE_total/dw5
    assert lines_of(draw_dot(w, decimals=9).source, "v0")[1] == "data 0.082167041"
    assert lines_of(draw_dot(w, digits=3).source, "v0")[1] == "data 0.0822"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"decimals": 2, "digits": 3}, "not both"),
        ({"decimals": -1}, "decimals must be a whole number from 0 to 15"),
        ({"digits": 0}, "digits must be a whole number from 1 to 15"),
        ({"decimals": 2.5}, "got 2.5"),
        ({"rankdir": "XY"}, "rankdir must be one of LR, TB, RL, BT"),
    ],
)
def test_bad_drawing_options_raise_naming_the_option(options, message):
    f, _ = xyz()
    with pytest.raises(ValueError, match=message):
        draw_dot(f, **options)


def test_numbers_too_small_for_the_decimals_switch_to_scientific_notation():
    tiny = Value(0.00001234, "t")
    assert "data 1.2340e-05" in draw_dot(tiny).source  # 0.0000 would hide it


def test_show_grad_false_leaves_grads_out():
    f, _ = xyz()
    source = draw_dot(f, show_grad=False).source
    assert "grad" not in source
    assert lines_of(source, "v4") == ["f", "data -12.0000"]


def test_labels_with_special_characters_are_escaped():
    v = Value(1.0, 'a{b}|<c> "d" \\e')
    line = node_line(draw_dot(v).source, "v0")
    # DOT reads \" as a quote and the label reads \\ as one backslash; { } | < > are plain.
    assert r'label="a{b}|<c> \"d\" \\e\ndata 1.0000\ngrad 0.0000"' in line


def test_nul_control_characters_and_lone_surrogates_still_give_valid_dot(tmp_path):
    v = Value(1.0, "nul\x00 bell\x07 half\ud800 end\\")
    graph = draw_dot(v)
    assert "\x00" not in graph.source and "\ud800" not in graph.source
    # NUL and BEL are shown by their Unicode pictures, the surrogate by U+FFFD.
    assert "nul␀ bell␇ half\ufffd end\\\\" in graph.source
    path = graph.save(tmp_path / "odd.dot")
    assert path.read_text(encoding="utf-8") == graph.source  # .dot always saves


def test_odd_labels_render_as_written(renderer):
    label = 'a{b}|<c> "d" \\e'
    texts = svg_nodes(draw_dot(Value(1.0, label)).pipe("svg"))["v0"]
    assert texts[0] == label
    odd = svg_nodes(draw_dot(Value(1.0, "x\x00y\ud800 ends in \\")).pipe("svg"))["v0"]
    assert odd[0] == "x␀y\ufffd ends in \\"


def test_color_roles_fill_by_input_parameter_intermediate_and_output():
    x, w, b = Value(2.0, "x"), Value(0.5, "w1"), Value(-1.0, "b")
    out = x * w + b
    ids = ids_of(out)
    source = draw_dot(out, color_roles=True).source
    # the light theme's roles (autograd/themes.py)
    assert 'fillcolor="#cdeee2"' in node_line(source, ids[x])  # input: bluish green
    assert 'fillcolor="#fbe7a1"' in node_line(source, ids[w])  # parameter: yellow
    assert 'fillcolor="#eeeeee"' in node_line(source, ids[out.inputs[0]])  # x * w1: grey
    assert 'fillcolor="#fbe7a1"' in node_line(source, ids[b])
    assert 'fillcolor="#cce4f6"' in node_line(source, ids[out])  # output: sky blue


def test_grad_sign_draws_negative_red_positive_blue_and_zero_plain():
    f, values = xyz()
    f.backward()
    values["y"].grad = 0.0  # pretend y had no influence
    ids = ids_of(f)
    source = draw_dot(f, grad_sign=True).source
    assert 'color="#c24f00"' in node_line(source, ids[values["x"]])  # x.grad = -4: vermilion
    assert 'color="#0067a3"' in node_line(source, ids[values["z"]])  # z.grad = 3: blue
    assert "color=" not in node_line(source, ids[values["y"]])  # y.grad = 0


def test_too_large_graph_raises_and_says_how_to_draw_it():
    total = Value(0.0)
    for k in range(30):
        total = total + Value(k)  # 1 + 30 * 2 = 61 Values
    with pytest.raises(ValueError, match="61 Values.*max_nodes=50") as error:
        draw_dot(total, max_nodes=50)
    message = str(error.value)
    assert "group_by" in message and "intermediate" in message and "max_nodes=61" in message
    assert draw_dot(total, max_nodes=61).source.startswith("digraph")


@pytest.mark.parametrize(
    ("max_nodes", "error"),
    [(0, ValueError), (-5, ValueError), ("10", TypeError), (True, TypeError)],
)
def test_max_nodes_must_be_a_positive_whole_number(max_nodes, error):
    with pytest.raises(error, match="max_nodes must be"):
        draw_dot(Value(1.0), max_nodes=max_nodes)


def test_drawing_something_that_is_not_a_value_raises_type_error():
    with pytest.raises(TypeError, match="got float"):
        draw_dot(1.5)  # type: ignore[arg-type]


# -- layers: the 2-2-2 network in the slide's order, readable on a slide -----------------


def test_2_2_2_lr_keeps_the_slides_order_top_to_bottom(renderer):
    example = two_two_two()
    example.root.backward()
    ids = ids_of(example.root)
    svg = draw_dot(example.root, decimals=9).pipe("svg")

    def y(name: str) -> float:
        return svg_centre(svg, ids[example.values[name]])[1]

    def x(name: str) -> float:
        return svg_centre(svg, ids[example.values[name]])[0]

    assert y("w1") < y("w2") < y("w3") < y("w4")  # w1 above w2, ...
    assert y("w5") < y("w6") < y("w7") < y("w8")
    assert y("net_h1") < y("net_h2") and y("out_h1") < y("out_h2")
    assert y("out_o1") < y("out_o2") and y("E_o1") < y("E_o2")
    # Columns by depth: each layer lines up.
    assert x("net_h1") == x("net_h2") and x("out_o1") == x("out_o2") and x("w5") == x("w8")
    assert x("w1") < x("net_h1") < x("out_h1") < x("net_o1") < x("E_o1") < x("E_total")


def test_2_2_2_tb_puts_h1_left_of_h2_and_w1_before_w2(renderer):
    example = two_two_two()
    ids = ids_of(example.root)
    svg = draw_dot(example.root, "TB", decimals=9).pipe("svg")

    def x(name: str) -> float:
        return svg_centre(svg, ids[example.values[name]])[0]

    assert x("w1") < x("w2") < x("w3") < x("w4")
    assert x("net_h1") < x("net_h2") and x("out_h1") < x("out_h2")
    assert x("out_o1") < x("out_o2")


def test_2_2_2_text_is_at_least_9_pixels_on_a_1280_pixel_slide(renderer):
    example = two_two_two()
    example.root.backward()
    svg = draw_dot(example.root, decimals=9, color_roles=True).pipe("svg")
    width, _, font_sizes = svg_size(svg)
    # Scaled to 1280 pixels wide, a font of size s (in viewBox units) is s * 1280 / width.
    assert min(font_sizes) * 1280 / width >= 9.0, (width, min(font_sizes))
    # The slide's precision: w1's gradient 0.000438568 (not 0.0004).
    ids = ids_of(example.root)
    assert svg_nodes(svg)[ids[example.values["w1"]]] == [
        "w1",
        "data 0.150000000",
        "grad 0.000438568",
    ]


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
    source = draw_dot(out, group_by=model.groups()).source
    ids = ids_of(out)
    first = model.layers[0][1]
    assert cluster_of(source, ids[first.w[0]]) == ["layer 0", "neuron 1"]
    assert cluster_of(source, ids[first.b]) == ["layer 0", "neuron 1"]
    last = model.layers[1][0]
    weighted = out.inputs[0]
    assert cluster_of(source, ids[weighted]) == ["layer 1", "neuron 0"]
    assert cluster_of(source, ids[out]) == ["layer 1", "neuron 0"]  # its tanh
    assert cluster_of(source, ids[last.w[1]]) == ["layer 1", "neuron 0"]
    assert cluster_of(source, ids[x1]) == []  # network inputs are outside every box
    # Unlabelled parameters are named by their place in the neuron.
    assert lines_of(source, ids[first.w[0]])[:2] == ["w.0", "data 2.0000"]
    assert lines_of(source, ids[first.b])[:2] == ["b", "data -0.3000"]


def test_group_by_marks_model_parameters_as_parameters():
    model = FakeNeuron(("neuron",), [0.5], 0.0)
    data = Value(3.0, "bx")  # starts with b, but group_by says it is not a parameter
    out = model([data])
    ids = ids_of(out)
    graph = draw_dot(out, group_by=model.groups(), color_roles=True)
    assert 'fillcolor="#cdeee2"' in node_line(graph.source, ids[data])
    assert 'fillcolor="#fbe7a1"' in node_line(graph.source, ids[model.w[0]])
    assert cluster_of(graph.source, ids[model.w[0]]) == ["neuron"]  # a lone Neuron: one box
    assert graph.parameters == {model.w[0]: ids[model.w[0]], model.b: ids[model.b]}


def test_cluster_labels_are_escaped(renderer):
    model = FakeNeuron(('odd"box\\',), [0.5], 0.0)
    out = model([Value(3.0, "x")])
    graph = draw_dot(out, group_by=model.groups())
    # A backslash right before the closing quote would escape it: a space follows it.
    assert 'graph [label="odd\\"box\\\\ " style="rounded"]' in graph.source
    root = ElementTree.fromstring(graph.pipe("svg"))
    texts = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"
             for t in g.iter(f"{SVG}text")]  # fmt: skip
    assert [text.strip() for text in texts] == ['odd"box\\']


def test_group_by_a_real_mlp():
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [2, 1], seed=0)
    out = model([Value(1.0, "x1"), Value(-2.0, "x2")])
    out.backward()
    source = draw_dot(out, group_by=model.parameter_groups()).source
    named = dict(model.named_parameters())
    ids = ids_of(out)
    assert cluster_of(source, ids[named["layers.0.neurons.1.w.0"]]) == ["layer 0", "neuron 1"]
    assert cluster_of(source, ids[named["layers.1.neurons.0.b"]]) == ["layer 1", "neuron 0"]
    assert source.count("subgraph cluster") == 5  # 2 layers + 3 neurons


def test_group_by_takes_a_mapping_and_says_so_otherwise():
    with pytest.raises(TypeError, match=r"mapping .* model.parameter_groups\(\)"):
        draw_dot(Value(1.0), group_by=[1, 2])
    w = Value(1.0)
    with pytest.raises(TypeError, match="tuple of strings"):
        draw_dot(w * 2, group_by={w: "w.0"})  # a string is not a tuple of names


# -- one step of the backward pass -------------------------------------------------------


def test_step_highlights_the_node_the_input_and_the_edge_and_captions_the_product():
    f, values = xyz()
    ids = ids_of(f)
    steps = backward_steps(f)
    next(steps)  # df/dq
    next(steps)  # df/dz
    step = next(steps)  # dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4
    assert step.number == 3
    source = draw_dot(f, step=step).source
    q, x, y = ids[values["q"]], ids[values["x"]], ids[values["y"]]
    # as on the page: passing in vermilion, receiving in blue, thicker (themes.py)
    assert 'color="#c24f00"' in node_line(source, q)  # q passes its gradient
    assert 'color="#0067a3" penwidth="4"' in node_line(source, x)  # x receives it
    assert 'color="#c24f00"' in node_line(source, q + "_op")
    assert f'{x} -> {q}_op [color="#c24f00" penwidth="3"]' in source
    assert f"{y} -> {q}_op\n" in source  # y's edge is plain
    assert "label=" not in [s for s in source.splitlines() if s.startswith(f"{x} -> ")][0]
    # The product goes in the caption, which no edge crosses.
    assert 'label="step 3 of 4: x.grad += dq/dx × df/dq\\n= 1 (local) × -4 (upstream) = -4"' in (
        draw_dot(f, step=step, digits=3).source
    )
    list(steps)


def test_step_shows_question_marks_for_gradients_not_known_yet():
    f, values = xyz()
    ids = ids_of(f)
    grads_shown = []
    for step in backward_steps(f):
        source = draw_dot(f, step=step, digits=3).source
        grads_shown.append([lines_of(source, ids[values[n]])[2] for n in "xyqzf"])
    # The steps: q gets -4, z gets 3, x gets -4, y gets -4.
    assert grads_shown == [
        ["grad ?", "grad ?", "grad -4", "grad ?", "grad 1"],
        ["grad ?", "grad ?", "grad -4", "grad 3", "grad 1"],
        ["grad -4", "grad ?", "grad -4", "grad 3", "grad 1"],
        ["grad -4", "grad -4", "grad -4", "grad 3", "grad 1"],
    ]


def test_step_into_a_value_used_twice_highlights_the_right_edge_and_waits_for_both():
    a = Value(3.0, "a")
    square = a * a
    first, second = list(backward_steps(square))
    source = draw_dot(square, step=first).source
    # d(a*a)/da through the first operand: a = 3, times upstream 1.
    assert edges(source)[:2] == ["v0 -> v1_op", "v0 -> v1_op"]
    assert source.index('v0 -> v1_op [color="#c24f00"') < source.index("v0 -> v1_op\n")
    assert lines_of(source, "v0") == ["a", "data 3.0000", "grad ?"]  # one share to come
    assert lines_of(draw_dot(square, step=second).source, "v0")[2] == "grad 6.0000"


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


def check_png(path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000


def check_svg(path) -> None:
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
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


def test_renders_png_and_svg(tmp_path, renderer):
    f, _ = xyz()
    f.backward()
    graph = draw_dot(f, color_roles=True, grad_sign=True)
    check_png(graph.save(tmp_path / "f.png"))
    check_svg(graph.save(tmp_path / "f.svg"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "f.svg"]


def test_dpi_scales_a_png(tmp_path, renderer):
    f, _ = xyz()
    small = png_size(draw_dot(f).pipe("png", dpi=72))
    large = png_size(draw_dot(f).pipe("png", dpi=144))
    assert abs(large[0] - 2 * small[0]) <= 2 and abs(large[1] - 2 * small[1]) <= 2
    with pytest.raises(ValueError, match="dpi must be a number from 1 to 2400"):
        draw_dot(f).pipe("png", dpi=0)


def test_graphviz_pure_is_found_next_to_python_when_path_is_empty(monkeypatch):
    if render_module.find_graphviz_pure() is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("PATH", "")  # as when .venv/bin/python runs without activation
    found = render_module.find_graphviz_pure()
    assert found is not None and found.endswith("graphviz-pure")


def test_renderer_failure_raises_with_its_message_and_leaves_no_file(tmp_path, renderer):
    broken = Graph("digraph { a -> }", 1, 0)
    with pytest.raises(RuntimeError, match="failed to draw the graph"):
        broken.save(tmp_path / "broken.png")
    assert list(tmp_path.iterdir()) == []


def test_a_renderer_that_takes_too_long_is_stopped_with_a_clear_message(renderer, monkeypatch):
    f, _ = xyz()
    with pytest.raises(RuntimeError, match=r"stopped after 1e-06 s .*render.TIMEOUT_S = 4e-06"):
        render_module.render(draw_dot(f).source, "svg", timeout=1e-6)
    monkeypatch.setattr(render_module, "TIMEOUT_S", 1e-6)  # the default for every picture
    with pytest.raises(RuntimeError, match="stopped after 1e-06 s"):
        draw_dot(f).pipe("svg")
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        render_module.render(draw_dot(f).source, "svg", timeout=0)


def test_one_renderer_run_draws_several_graphs(renderer):
    sources = ["digraph { a -> b }", "digraph { c -> d -> e }"]
    svgs = render_module.render_many(sources, "svg")
    assert [sorted(svg_nodes(svg)) for svg in svgs] == [["a", "b"], ["c", "d", "e"]]
    pngs = render_module.render_many(sources, "png")
    assert [png_size(png)[1] > 0 for png in pngs] == [True, True]


def test_jupyter_display_is_svg_with_a_renderer(renderer):
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


# -- frames of the backward pass: one layout for the whole pass --------------------------


def test_save_step_frames_writes_a_frame_before_the_pass_and_one_per_step(tmp_path, renderer):
    f, values = xyz()
    folder = tmp_path / "new" / "frames"
    paths = save_step_frames(f, folder)
    # f = q * z gives 2 steps, q = x + y gives 2 more; step_00 is before the pass.
    assert [p.name for p in paths] == [f"step_0{k}.png" for k in range(5)]
    assert sorted(folder.iterdir()) == paths
    assert len({png_size(p.read_bytes()) for p in paths}) == 1  # one size for all
    # The frames came from a real backward pass.
    assert [values[n].grad for n in "xyz"] == [-4.0, -4.0, 3.0]


def test_2_2_2_frames_share_one_layout(tmp_path, renderer):
    example = two_two_two()
    paths = save_step_frames(example.root, tmp_path, fmt="svg", decimals=9, color_roles=True)
    # 36 chain-rule steps less the 2 into the 1/2s written into the loss (constants), and
    # the frame before the pass
    assert len(paths) == 34 + 1
    svgs = [p.read_bytes() for p in paths]
    sizes = {svg_size(svg)[:2] for svg in svgs}
    assert len(sizes) == 1  # every frame the same size
    geometry = svg_geometry(svgs[0])
    ids = ids_of(example.root)
    value_names = {ids[v] for v in topological_order(example.root)} & set(geometry)
    for svg in svgs[1:]:  # every node where it was, box and all
        shapes = svg_geometry(svg)
        for name in value_names:
            # to the hundredth of a point that SVG writes: graphviz-pure, drawing many
            # graphs in one run, sometimes rounds a box's corner the other way
            assert shapes[name] == pytest.approx(geometry[name], abs=0.011)
    w5 = ids[example.values["w5"]]
    texts = [svg_nodes(svg) for svg in svgs]
    assert all(lines[-1] == "grad ?" for name, lines in texts[0].items() if name in value_names)
    # Step 8 (file step_08) is dE_total/dw5: 0.593269992 (out_h1) x 0.138498562 = 0.082167041
    # (backward_steps' step 9: the step into E_o1's 1/2, a constant, has no frame).
    assert texts[8][w5] == ["w5", "data 0.400000000", "grad 0.082167041"]
    assert texts[7][w5][-1] == "grad ?"
    assert texts[8]["caption"] == [
        "step 8 of 34: w5.grad += dnet_o1/dw5 × dE_total/dnet_o1",
        "= 0.593269992 (local) × 0.138498562 (upstream) = 0.082167041",
    ]
    # Before the pass nothing is known; after the last step every gradient is the slide's.
    assert texts[0]["caption"][0].startswith("before the backward pass")
    assert texts[34][ids[example.values["w1"]]][-1] == "grad 0.000438568"


def test_2_2_2_backward_reaches_dw5_before_the_o2_branch():
    example = two_two_two()
    steps = list(backward_steps(example.root))
    o2_branch = {example.values[n] for n in ("E_o2", "out_o2", "net_o2")} | set(
        topological_order(example.values["E_o2"], leaves=False)
    )
    w5 = next(s.number for s in steps if s.input is example.values["w5"])
    first_o2 = min(s.number for s in steps if s.node in o2_branch)
    assert w5 == 9 and w5 < first_o2


def test_save_step_frames_as_dot_without_a_renderer_passes_draw_options(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, values = xyz()
    paths = save_step_frames(f, tmp_path, gradient=2.0, fmt="dot", decimals=1)
    assert len(paths) == 5
    # With gradient 2: q gets -4 * 2 = -8 in the first step.
    assert lines_of(paths[1].read_text(encoding="utf-8"), ids_of(f)[values["q"]]) == [
        "q",
        "data 3.0",
        "grad -8.0",
    ]


def test_save_step_frames_without_renderer_fails_before_touching_gradients(tmp_path, monkeypatch):
    no_renderer(monkeypatch)
    f, values = xyz()
    with pytest.raises(RuntimeError, match="pip install graphviz-pure"):
        save_step_frames(f, tmp_path / "frames")
    assert values["x"].grad == 0.0
    assert not (tmp_path / "frames").exists()


def test_frames_make_an_animated_gif_that_does_not_shake(tmp_path, renderer):
    image = pytest.importorskip("PIL.Image")
    f, _ = xyz()
    paths = save_step_frames(f, tmp_path)
    gif = frames_to_gif(paths, tmp_path / "backward.gif")
    with image.open(gif) as animation:
        assert animation.n_frames == 5
        assert animation.size == png_size(paths[0].read_bytes())


def test_frames_to_gif_without_pillow_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails
    with pytest.raises(RuntimeError, match="pip install pillow"):
        frames_to_gif([tmp_path / "step_00.png"], tmp_path / "out.gif")


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


def test_frames_grouped_by_a_model_keep_their_boxes_in_place(tmp_path, renderer):
    model = FakeMLP()
    out = model([Value(1.0, "x1"), Value(-2.0, "x2")])
    paths = save_step_frames(out, tmp_path, fmt="svg", group_by=model.groups())

    def boxes(path) -> dict[str, tuple[str, str]]:
        """Each box's label and outline, by its <title> (renderers may list them in any order)."""
        root = ElementTree.parse(path).getroot()
        found = {}
        for g in root.iter(f"{SVG}g"):
            if g.get("class") == "cluster":
                shape = g.find(f"{SVG}path")
                if shape is None:
                    shape = g.find(f"{SVG}polygon")
                outline = shape.get("d") or shape.get("points")
                found[g.find(f"{SVG}title").text] = (g.find(f"{SVG}text").text, outline)
        return found

    first = boxes(paths[0])
    assert sorted(label for label, _ in first.values()) == [
        "layer 0", "layer 1", "neuron 0", "neuron 0", "neuron 1",
    ]  # fmt: skip
    assert all(boxes(path) == first for path in paths[1:])


def test_a_long_sum_is_a_staircase_not_one_column_of_products():
    total = Value(0.0, "start")
    products = []
    for k in range(40):
        products.append(Value(float(k), f"x{k}") * Value(1.0, f"w{k}"))
        total = total + products[-1]
    source = draw_dot(total).source
    columns = [line for line in source.splitlines() if line.startswith("{ rank=same;")]
    ids = ids_of(total)
    # Each product sits just before the + that uses it, beside the running total, instead of
    # all 40 in the first computed column with edges across the whole picture.
    assert max(line.count(";") for line in columns) <= 4  # members: x_k, w_k, and the totals
    (column,) = [line for line in columns if f" {ids[products[20]]};" in line + ";"]
    assert ids[total.inputs[0].inputs[0].inputs[0]] not in column.split("; ")


def test_an_mlp_graph_is_drawn(renderer):
    nn = pytest.importorskip("nn")
    model = nn.MLP(1, [16, 16, 1], seed=0)
    out = model([Value(0.5, "x")])
    out.backward()
    nodes = svg_nodes(draw_dot(out).pipe("svg"))
    # 16 + 16 + 1 neurons: 33 weighted sums, 32 ReLUs; 1 input and 321 parameters
    # (16 * 1 + 16 * 16 + 1 * 16 weights, 33 biases): 387 Values.
    assert len([n for n in nodes if not n.endswith("_op")]) == 387


@pytest.mark.parametrize(
    ("x", "options", "text"),
    [
        (0.08216704056, {"decimals": 9}, "0.082167041"),  # dE_total/dw5 on the slide
        (0.08216704056, {"digits": 3}, "0.0822"),
        (-4.0, {}, "-4"),  # up to 10 significant digits, no trailing zeros
        (-0.0, {"decimals": 2}, "0.00"),  # no sign on zero
        (0.00001234, {"decimals": 4}, "1.2340e-05"),  # never a non-zero number as 0.0000
        (2.5e7, {"decimals": 1}, "2.5e+07"),
        (float("inf"), {"decimals": 3}, "inf"),
    ],
)
def test_format_number_writes_decimals_or_significant_digits(x, options, text):
    from autograd.printing import format_number

    assert format_number(x, **options) == text


def test_a_constant_leaf_is_written_into_its_operation_with_its_name_and_value():
    from autograd import Value

    target, out = Value(0.01, "target_o1"), Value(0.75, "out_o1")
    e = (target - out) ** 2 * 0.5
    e.backward()
    source = draw_dot(e, constants=[target], color_roles=True).source
    # no box of its own (no gradient, no green fill): its name, its value under it, in the −
    assert "target_o1\\ndata" not in source
    assert 'label="target_o1\\n(0.01) − x"' in source
    # the difference keeps its name; out_o1 is still an input, drawn green (#cdeee2)
    assert 'fillcolor="#cdeee2" label="out_o1\\ndata 0.7500\\ngrad 0.7400"' in source


def test_a_constant_that_cannot_be_folded_is_a_dashed_box_without_gradient():
    from autograd import Value

    a, b = Value(2.0, "a"), Value(3.0, "b")
    f = a * b  # both constants: neither can be written into the other's operation
    f.backward()
    source = draw_dot(f, constants=[a, b], color_roles=True).source
    assert lines_of(source, "v0") == ["b", "data 3.0000"]  # no "grad 2.0000" line
    assert 'v0 [shape="box" style="dashed"' in source


def test_constants_must_be_leaf_values():
    from autograd import Value

    a = Value(2.0, "a")
    with pytest.raises(TypeError, match="constants must be leaf Values"):
        draw_dot(a * 2, constants=[a * 2])


@pytest.mark.parametrize(
    "x, decimals, text",
    [
        (0.0821670406, 9, "0.082167041"),  # dE_total/dw5 as the slide rounds it
        (-1e-12, 4, "0.0000"),  # a slide prints a tiny number as zero, with no sign
        (-0.0, 2, "0.00"),
        (2.5e6, 1, "2500000.0"),  # a table keeps fixed notation for large numbers too
        (-4.0, 0, "-4"),
    ],
)
def test_format_number_fixed_writes_a_slides_fixed_notation(x, decimals, text):
    from autograd.printing import format_number

    assert format_number(x, decimals=decimals, fixed=True) == text


def test_format_number_fixed_needs_decimals():
    from autograd.printing import format_number

    with pytest.raises(ValueError, match="give decimals="):
        format_number(1.0, fixed=True)
