"""A graph picture in Jupyter: scaled to the notebook's width, and described in words.

Graph._repr_mimebundle_ gives JupyterLab an HTML <img> with alternative text (JupyterLab
draws a bare SVG output as an <img> without any, and not at all in an untrusted notebook),
and the SVG itself with the same words as its title and accessible name.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ElementTree

from autograd import Value, backward_steps, draw_dot
from nn import Layer, draw_network, sum_squared_error


def xyz() -> Value:
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def test_alt_text_reads_the_graph_before_and_after_backward() -> None:
    # The slide's f = (x + y) * z at (-2, 5, -4): q = 3, f = -12; after backward
    # df/dx = df/dy = z = -4, df/dz = q = 3, df/dq = -4.
    # The words give the numbers as the picture prints them (decimals=0 here: -2, not -2.0000).
    f = xyz()
    assert draw_dot(f, decimals=0, show_grad=False).alt == (
        "Computation graph of f (5 values, 2 operations), without gradients. "
        "Inputs: x = -2; y = 5; z = -4. "
        "Operations: q = x + y, so q = 3; f = q × z, so f = -12."
    )
    f.backward()
    assert draw_dot(f, decimals=0).alt == (
        "Computation graph of f (5 values, 2 operations), with its gradients. "
        "Inputs: x = -2, grad -4; y = 5, grad -4; z = -4, grad 3. "
        "Operations: q = x + y, so q = 3, grad -4; f = q × z, so f = -12, grad 1."
    )
    assert draw_dot(f).alt.startswith(  # the default: 4 decimals, as drawn
        "Computation graph of f (5 values, 2 operations), with its gradients. "
        "Inputs: x = -2.0000, grad -4.0000;"
    )


def test_numbers_written_into_an_operation_are_described_with_it() -> None:
    # E = 0.5 * (t - y)**2 at t = 0.01, y = 0.75: the 0.5 is drawn inside its × node ("× 0.5"),
    # as the words say it, and the square is named by its formula.
    y = Value(0.75, "y")
    error = 0.5 * (0.01 - y) ** 2
    error.label = "E"
    error.backward()
    assert draw_dot(error, decimals=4).alt == (
        "Computation graph of E (4 values, 3 operations), with its gradients. "
        "Inputs: y = 0.7500, grad 0.7400. "
        "Operations: 0.01 − y = -0.7400, grad -0.7400; (0.01 − y)² = 0.5476, grad 0.5000; "
        "E = (0.01 − y)² × 0.5, so E = 0.2738, grad 1.0000."
    )


def test_a_step_picture_is_described_by_its_caption_first() -> None:
    f = xyz()
    first = next(iter(backward_steps(f)))  # df/dq = z = -4 passed from f to q
    alt = draw_dot(f, step=first, decimals=0).alt
    assert alt.startswith("Step 1 of 4: q.grad += df/dq × df/df = -4 (local) × 1 (upstream) = -4.")
    assert "x = -2, grad ?" in alt  # not reached by the pass yet


def test_jupyter_gets_a_scaled_image_with_the_alt_text() -> None:
    f = xyz()
    f.backward()
    graph = draw_dot(f)
    bundle = graph._repr_mimebundle_()
    assert bundle["text/plain"] == graph.alt

    image = re.fullmatch(
        r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)" '
        r'style="max-width: 100%; height: auto">',
        bundle["text/html"],
    )
    assert image is not None
    assert image.group(2) == graph.alt  # no quote or < in it to escape
    assert base64.b64decode(image.group(1)).decode() == bundle["image/svg+xml"]

    svg = ElementTree.fromstring(bundle["image/svg+xml"].encode())
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == graph.alt
    assert svg.get("style") == "max-width: 100%; height: auto"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == graph.alt


def test_the_network_diagram_is_described_layer_by_layer_and_weight_by_weight() -> None:
    # The slides' 2-2-2 network: one bias per layer shared by its two neurons.
    b1, b2 = Value(0.35, "b1"), Value(0.60, "b2")
    hidden = Layer(2, 2, "sigmoid", weights=[[0.15, 0.20], [0.25, 0.30]], biases=[b1, b1])
    output = Layer(2, 2, "sigmoid", weights=[[0.40, 0.45], [0.50, 0.55]], biases=[b2, b2])
    alt = draw_network([hidden, output], input_names=["i1", "i2"]).alt
    assert alt.startswith(
        "Network diagram. Inputs: i1, i2. Hidden layer: 2 sigmoid neurons, h1, h2. "
        "Output layer: 2 sigmoid neurons, o1, o2. Weights and biases: "
        "b1 = 0.3500 (shared by h1, h2); w1 = 0.1500 (i1 to h1); w2 = 0.2000 (i2 to h1);"
    )
    sum_squared_error(output(hidden([0.05, 0.10])), [0.01, 0.99]).backward()
    after = draw_network([hidden, output], input_names=["i1", "i2"]).alt
    assert "w5 = 0.4000, grad 0.0822 (h1 to o1)" in after  # the slide's dE/dw5 = 0.082167041
