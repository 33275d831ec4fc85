"""draw_dot, backward_steps and step_through on a Tensor graph: one node per operation
with its shape, one step per edge with its vector-Jacobian product written out."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_stepthrough_browser import browser  # noqa: F401  (the fixture: Debian chromium)

from autograd import backward_steps, draw_dot, step_through
from autograd.tensor import Tensor
from nn import MLP, mse_loss
from nn.tensor_layers import Linear, ReLU, Sequential


def small_network():
    # 1 input, 2 hidden ReLU units, 1 output; 3 samples of y = 2x + 1
    model = Sequential(
        Linear.of([[1.0], [-1.0]], [0.5, 0.5]), ReLU(), Linear.of([[2.0, 1.0]], [0.0])
    )
    x = Tensor([[1.0], [2.0], [3.0]], "x")
    y = Tensor([[3.0], [5.0], [7.0]], "y")
    return model, mse_loss(model(x), y)


def test_draw_dot_draws_one_node_per_operation_with_shapes_and_small_values():
    _, loss = small_network()
    graph = draw_dot(loss)
    source = graph.source
    # x, y, 0.weight, 0.bias, 2.weight, 2.bias, and 6 results (2 linear, relu, -, **, mean)
    assert graph.n_values == 12 and graph.n_operations == 6
    assert source.count("_op [shape=ellipse") == 6
    assert "x\\nshape (3, 1)\\ndata [[1], [2], [3]]" in source
    assert 'label="linear"' in source and 'label="** 2"' in source
    # relu1 = relu([[1.5, -0.5], [2.5, -1.5], [3.5, -2.5]]) = [[1.5, 0], [2.5, 0], [3.5, 0]]
    assert "relu1\\nshape (3, 2)\\ndata [[1.5, 0], [2.5, 0], [3.5, 0]]" in source
    assert graph.alt.startswith("Computation graph of L (12 tensors, 6 operations): ")
    # a layer's z = x @ W.T + b is one operation, named z as the lesson writes a = f(z)
    assert "z1 = x @ 0.weight.T + 0.bias, shape (3, 2);" in graph.alt
    assert graph.alt.endswith("L = mean(pow1, axis=None), shape ().")


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_a_tensor_graph_renders_with_each_renderer(renderer, monkeypatch):
    # the DOT text must be valid for both programs: the font's name has a space in it
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("the system Graphviz (dot) is not installed")
    monkeypatch.setenv("CHAINRULE_RENDERER", renderer)
    _, loss = small_network()
    svg = draw_dot(loss).pipe("svg").decode("utf-8")
    assert svg.count('class="node"') == 18  # 12 tensors and 6 operations
    assert ">relu1</text>" in svg


def course_network_loss():
    # The lesson's 1-16-16-1 network, vectorized, on a batch of 32 points of y = 2x + 1
    model = MLP(1, [16, 16, 1], seed=0).vectorized()
    x = Tensor(np.linspace(-1.0, 1.0, 32).reshape(-1, 1))
    loss = mse_loss(model(x), 2 * x.data + 1)
    loss.backward()
    return loss


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_a_lecture_picture_of_a_tensor_graph_has_a_row_per_layer_and_fits_a_slide(
    renderer, monkeypatch
):
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("the system Graphviz (dot) is not installed")
    monkeypatch.setenv("CHAINRULE_RENDERER", renderer)
    loss = course_network_loss()
    graph = draw_dot(loss, lecture=True, color_roles=True)
    source = graph.source
    assert 'rankdir="TB"' in source and 'fontsize="14"' in source
    rows = re.findall(r"\{ rank=same; ([^}]*) \}", source)
    # rows of operations and their results: linear, relu twice; the last layer's linear
    # and the error's "-"; then "** 2" and the mean, where the row would outgrow a slide
    name = dict(re.findall(r'(v\d+) \[shape=box, [^\]]*label="(\S+)  ', source))
    assert [[name[v] for v in row.split()[1::2]] for row in rows] == [
        ["z1", "relu1"], ["z2", "relu2"], ["z3", "sub1"], ["pow1", "L"]
    ]  # fmt: skip
    assert "z1  shape (32, 16)\\ndata |max| 1.76\\ngrad |max| 0.0106" in source  # 3 digits
    assert "numbers" not in source  # the shape is on the name's line: no count
    assert 'fillcolor="#fbe7a1"' in source  # a parameter, as in the Value pictures
    width, height = (
        float(n)
        for n in re.search(
            r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', graph.pipe("svg").decode()
        ).groups()
    )
    assert width <= 960 and height <= 540  # 1280 x 720 pixels: a 16:9 slide at full size
    plain = draw_dot(loss).source  # outside a lecture: one long row, the counts, 11 points
    assert "rank=same" not in plain and "512 numbers, |max|" in plain


def test_a_tensor_graph_refuses_the_options_of_a_value_graph():
    loss = course_network_loss()
    for option in ({"step": object()}, {"group_by": {"w": ("layer",)}}, {"grad_sign": True}):
        with pytest.raises(TypeError, match=r"draw_dot of a Tensor graph does not take \w+="):
            draw_dot(loss, **option)
    with pytest.raises(ValueError, match="theme must be one of light, dark, contrast"):
        draw_dot(loss, theme="neon")
    with pytest.raises(ValueError, match="has 16 tensors, more than max_nodes=10"):
        draw_dot(loss, max_nodes=10)
    with pytest.raises(TypeError, match="step_through of a Tensor graph got show_constants="):
        step_through(loss, show_constants=True)
    with pytest.raises(ValueError, match="theme must be one of"):
        step_through(loss, theme="neon")


def test_a_lecture_page_of_a_tensor_pass_writes_its_gradients_as_its_picture(tmp_path):
    loss = course_network_loss()
    page = step_through(loss, lecture=True, theme="dark")
    assert 'data-theme="dark"' in page.html
    assert "grad |max| 0.0106" in page.html and "512 numbers" not in page.html.split("st-data")[0]


def test_backward_steps_write_out_each_vector_jacobian_product():
    model, loss = small_network()
    steps = list(backward_steps(loss))
    # one step per edge into a tensor that needs a gradient: 9 (x and y need none)
    assert len(steps) == 9
    texts = [str(step) for step in steps]
    # pred = [[3], [5], [7]] + 0 = y exactly? 2*1.5 + 0 = 3, 2*2.5 = 5, 2*3.5 = 7: L = 0
    assert loss.item() == 0.0
    # the lesson's dL/dW = dL/dz^T x, for a batch of rows; dL/db sums dL/dz over the batch
    assert "dL/d0.weight += dL/dz1^T @ x = [[0], [0]] (shape (2, 1))" in texts
    assert "dL/d2.bias += dL/dz2 summed over the batch = [0] (shape (1,))" in texts
    assert "dL/drelu1 += dL/dz2 @ 2.weight = [[0, 0], [0, 0], [0, 0]] (shape (3, 2))" in texts


def test_exhausting_the_steps_leaves_the_gradients_of_backward():
    model, loss = small_network()
    loss = mse_loss(model(Tensor([[1.0], [-2.0]])), np.array([[0.0], [1.0]]))
    for _ in backward_steps(loss):
        pass
    stepped = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    loss.backward()
    for a, p in zip(stepped, model.parameters(), strict=True):
        np.testing.assert_array_equal(a, p.grad)
    assert any(np.abs(g).sum() > 0 for g in stepped)


def test_steps_stopped_early_change_no_gradient():
    model, loss = small_network()
    steps = backward_steps(loss)
    next(steps)
    steps.close()
    assert all(p._grad is None for p in model.parameters())


def test_step_through_plays_the_tensor_pass(tmp_path):
    model, loss = small_network()
    page = step_through(loss)
    assert page.n_values == 12 and page.n_steps == 9
    html = Path(page.save(tmp_path / "page.html")).read_text(encoding="utf-8")
    for button in ("First", "Previous", "Next", "Last"):
        assert f">{button}</button>" in html
    assert 'aria-live="polite"' in html
    assert page.record["backward"][0]["text"].startswith("Backward step 1 of 9: dL/dpow1 += ")
    # the side table's figure: 4 significant digits, a matrix one row per line
    assert page.record["rootExact"] == "1"
    assert page.record["backward"][0]["exact"] == "[0.3333]\n[0.3333]\n[0.3333]"
    assert page.record["backward"][3]["exact"] == "[0, 0]\n[0, 0]\n[0, 0]"  # dL/drelu1
    assert all(p._grad is None for p in model.parameters())  # stepping through changes nothing


def test_a_value_graph_is_drawn_as_before():
    from autograd import Value

    graph = draw_dot(Value(2.0, "a") * Value(3.0, "b"))
    assert "shape (" not in graph.source and graph.n_values == 3


def test_a_tensor_graph_too_large_for_numbers_shows_sizes():
    W = Tensor(np.ones((4, 5)), "W", requires_grad=True)
    out = (W * 2.0).sum()
    assert "W\\nshape (4, 5)\\ndata 20 numbers, |max| 1" in draw_dot(out).source


def test_step_through_needs_a_one_element_root_or_a_gradient():
    W = Tensor(np.ones(2), "W", requires_grad=True)
    with pytest.raises(ValueError, match="only a one-element tensor"):
        step_through(W * 2.0)


def test_frames_and_decks_of_a_tensor_pass_say_where_to_look_instead(tmp_path):
    # One picture per step is drawn for Values; a Tensor's pass is in step_through and
    # draw_dot, and the error says so before anything runs (no gradient changes).
    from autograd import save_step_frames
    from autograd.deck import save_deck

    layer = Sequential(Linear(2, 2, seed=1))
    loss = mse_loss(layer(np.ones((1, 2))), np.zeros((1, 2)))
    for save in (save_step_frames, save_deck):
        with pytest.raises(TypeError, match=r"got a Tensor; .*step_through\(root\)"):
            save(loss, tmp_path / "pass.pdf")
    assert layer[0].weight._grad is None and list(tmp_path.iterdir()) == []


def test_the_tensor_page_steps_through_in_a_browser(tmp_path, browser):  # noqa: F811
    model, loss = small_network()
    path = step_through(loss).save(tmp_path / "page.html")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(path).resolve().as_uri())
    for _ in range(12 + 6):  # the 12 tensors forward, then 6 steps back
        page.click("text=Next")
    assert page.inner_text(".st-text").startswith(
        "Backward step 6 of 9: dL/d2.bias += dL/dz2 summed over the batch"
    )
    # 2.bias receives its gradient, z2 passes it: both are marked in the picture
    assert page.locator("g.node.st-receiving").count() == 1
    # L, pow1, sub1, z2, relu1, 2.weight, 2.bias
    assert page.locator(".st-found tbody tr:not([hidden])").count() == 7
    # the table of gradients fits its column: nothing to scroll sideways to
    width = page.evaluate(
        "(() => { const s = document.querySelector('.st-found .st-scroll');"
        " return s.scrollWidth - s.clientWidth; })()"
    )
    assert width <= 0
    assert errors == []
    page.close()
