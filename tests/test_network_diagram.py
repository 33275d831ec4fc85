"""nn.draw_network: the slides' network diagram, read back from the rendered SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from autograd import render as render_module
from chainrule import examples
from chainrule.worked import WorkedExample
from nn import MLP, Layer, draw_network

SVG = "{http://www.w3.org/2000/svg}"


def two_two_two() -> tuple[WorkedExample, list[Layer]]:
    """The slides' 2-2-2 network as Layers sharing the example's Values (b1, b2 shared)."""
    example = examples.build("2-2-2")
    v = example.values
    layers = [
        Layer(2, 2, "sigmoid", weights=[[v["w1"], v["w2"]], [v["w3"], v["w4"]]],
              biases=[v["b1"], v["b1"]]),
        Layer(2, 2, "sigmoid", weights=[[v["w5"], v["w6"]], [v["w7"], v["w8"]]],
              biases=[v["b2"], v["b2"]]),
    ]  # fmt: skip
    return example, layers


def elements(svg: bytes) -> dict[str, tuple[list[str], tuple[float, float] | None]]:
    """Each node's and edge's texts by <title>, with its first text's position."""
    root = ElementTree.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") in ("node", "edge"):
            texts = list(group.iter(f"{SVG}text"))
            where = (float(texts[0].get("x")), float(texts[0].get("y"))) if texts else None
            found[group.find(f"{SVG}title").text] = ([t.text for t in texts], where)
    return found


@pytest.fixture(params=["dot", "graphviz-pure"])
def renderer(request, monkeypatch) -> str:
    if request.param == "dot" and render_module.find_dot() is None:
        pytest.skip("system Graphviz dot is not installed")
    if request.param == "graphviz-pure":
        if render_module.find_graphviz_pure() is None:
            pytest.skip("graphviz-pure is not installed")
        monkeypatch.setattr(render_module, "find_dot", lambda: None)
    return request.param


def test_2_2_2_diagram_shows_weights_biases_activations_and_gradients(renderer):
    example, layers = two_two_two()
    example.root.backward()
    graph = draw_network(layers, input_names=["i1", "i2"], decimals=9)
    found = elements(graph.pipe("svg"))
    # Every parameter points at the element that shows it; a weight's gradient is the line
    # under its value (dE_total/dw5 = 0.082167041, dE_total/db1 = 0.018725609: slides).
    v = example.values
    assert found[graph.parameters[v["w5"]]][0] == ["w5 0.400000000", "grad 0.082167041"]
    assert found[graph.parameters[v["w1"]]][0] == ["w1 0.150000000", "grad 0.000438568"]
    assert found[graph.parameters[v["b1"]]][0] == ["b1", "0.350000000", "grad 0.018725609"]
    assert len(graph.parameters) == 10  # 8 weights and the two shared biases
    # One bias node per shared bias, with an edge to each neuron it feeds.
    b1 = graph.parameters[v["b1"]]
    assert sorted(t for t in found if t.startswith(b1 + "->")) == [f"{b1}->L0n0", f"{b1}->L0n1"]
    # Neurons as circles in columns, top to bottom in order, the activation inside.
    assert found["L0n0"][0] == ["h1", "σ"] and found["L1n1"][0] == ["o2", "σ"]
    (x_i1, y_i1), (x_i2, y_i2) = found["x0"][1], found["x1"][1]
    (x_h1, y_h1), (x_h2, y_h2) = found["L0n0"][1], found["L0n1"][1]
    (x_o1, y_o1), (x_o2, y_o2) = found["L1n0"][1], found["L1n1"][1]
    assert x_i1 == x_i2 < x_h1 == x_h2 < x_o1 == x_o2
    assert y_i1 < y_i2 and y_h1 < y_h2 and y_o1 < y_o2


def test_before_backward_the_diagram_leaves_gradients_out():
    _, layers = two_two_two()
    graph = draw_network(layers)
    assert "grad" not in graph.source and 'label="x1"' in graph.source


def test_the_lessons_1_16_16_1_network_drops_edge_labels_and_says_so(renderer):
    model = MLP(1, [16, 16, 1], seed=0)
    graph = model.network_drawing()  # the Module method hands over to draw_network
    found = elements(graph.pipe("svg"))
    edges = [title for title in found if "->" in title]
    assert len([t for t in edges if found[t][0]]) == 0  # no edge labels
    assert len(graph.parameters) == (16 + 256 + 16) + (16 + 16 + 1)  # weights, biases
    text = " ".join(" ".join(texts) for texts, _ in found.values())
    assert "h1_1" in text and "h2_16" in text and "o1" in text
    note = ElementTree.fromstring(graph.pipe("svg")).find(f"{SVG}g/{SVG}text")
    assert note is not None and note.text.startswith("288 weights: too many to label")


def test_a_neurons_own_bias_is_written_in_its_circle():
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.label = "b"
    graph = draw_network(model, decimals=2)
    (line,) = [s for s in graph.source.splitlines() if s.startswith("L0n0 [")]
    bias = model.layers[0].neurons[0].b.data
    assert f"o1\\nlinear\\nb {bias:.2f}" in line
    assert graph.parameters[model.layers[0].neurons[0].b] == "L0n0"


@pytest.mark.parametrize(
    ("model", "error", "message"),
    [
        ("net", TypeError, r"needs an MLP or a list of Layers \(applied in order\), got str"),
        ([Layer(2, 3), Layer(2, 1)], ValueError, "do not chain"),
    ],
)
def test_bad_models_raise_naming_the_problem(model, error, message):
    with pytest.raises(error, match=message):
        draw_network(model)


def test_input_names_must_match_the_inputs():
    with pytest.raises(ValueError, match=r"one name per input \(2\), got 1"):
        draw_network(MLP(2, [1], seed=0), input_names=["x"])


def test_importing_nn_loads_no_drawing_code_until_draw_network_is_asked_for():
    import subprocess
    import sys

    code = (
        "import sys, nn, chainrule\n"
        "print('graphviz' in sys.modules, 'autograd.graph' in sys.modules)\n"
        "nn.draw_network\n"
        "print('autograd.graph' in sys.modules, chainrule.draw_network is nn.draw_network)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "True"]


def test_draw_network_of_a_tensor_model_says_what_draws_it():
    from nn.tensor_layers import Linear, Sequential

    for model in (Sequential(Linear(2, 3, seed=1)), Linear(2, 3, seed=1)):
        with pytest.raises(TypeError, match=r"got (Sequential|Linear); .*draw_dot\(loss\)"):
            draw_network(model)
    with pytest.raises(TypeError, match=r"got int$"):
        draw_network(3)
