"""The network diagram of the slides: neurons as circles in columns, weights on the edges.

`draw_network(model)` draws an MLP (or a list of Layers) the way lectures draw one: the
inputs, then each layer's neurons top to bottom, an edge for every weight labelled with its
name and value (and its gradient after backward()), the activation in each neuron, and the
biases: a bias two neurons share (the slides' b1, b2) is a node of its own with an edge to
each, a neuron's own bias is written in its circle. It returns the same Graph as draw_dot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autograd import Value
from autograd.graph import FONT, Graph, dot_attributes, escape_label
from autograd.printing import check_precision, format_number
from autograd.themes import theme_named

if TYPE_CHECKING:
    from .layers import MLP, Layer

# Past this many weights an edge label per weight is unreadable: the edges are drawn
# without labels, and a note under the diagram says so.
MAX_EDGE_LABELS = 40
ACTIVATION_SYMBOLS = {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "linear": "linear"}
# Each kind of node takes the fill of its role in the theme (autograd/themes.py).
ROLES = {"input": "input", "neuron": "intermediate", "output": "output", "bias": "parameter"}
LECTURE_DIGITS = 3  # as draw_dot(lecture=True) writes numbers


def draw_network(
    model: MLP | Sequence[Layer],
    *,
    input_names: Sequence[str] | None = None,
    neuron_names: Sequence[Sequence[str]] | None = None,
    show_grad: bool | None = None,
    decimals: int | None = None,
    digits: int | None = None,
    max_edge_labels: int = MAX_EDGE_LABELS,
    lecture: bool = False,
    theme: str | None = None,
) -> Graph:
    """The diagram of model (an MLP, or Layers in the order they are applied).

    input_names: the inputs' names (default x1, x2, ...).
    neuron_names: each layer's neurons' names, as a worked example names them (default
                 h1, h2, ... for hidden layers, o1, o2, ... for the output layer).
    show_grad:   write each weight's gradient under its value; by default, when some
                 parameter has a gradient (after backward()).
    decimals, digits: the numbers' precision, as in draw_dot (4 decimals by default).
    max_edge_labels: with more weights than this, edges carry no labels (a note says so).
    lecture:     for a projected 16:9 slide: three significant digits (unless decimals or
                 digits are given) and the layers closer together.
    theme:       "light" (the default), "dark" or "contrast", as for draw_dot.

    The Graph's `parameters` maps each weight and bias to the element showing it: the
    edge's title "tail->head" for a weight, the bias's node or its neuron's node.
    """
    layers = _layers(model)
    check_precision(decimals, digits)
    colors = theme_named(theme)
    fills = {kind: getattr(colors, role) for kind, role in ROLES.items()}
    if decimals is None and digits is None:
        if lecture:
            digits = LECTURE_DIGITS
        else:
            decimals = 4

    def number(x: float) -> str:
        return format_number(x, decimals=decimals, digits=digits)

    n_inputs = len(layers[0].neurons[0].w)
    if input_names is None:
        input_names = [f"x{k}" for k in range(1, n_inputs + 1)]
    if len(input_names) != n_inputs:
        raise ValueError(
            f"input_names needs one name per input ({n_inputs}), got {len(input_names)}"
        )
    if neuron_names is not None and [len(names) for names in neuron_names] != [
        len(layer.neurons) for layer in layers
    ]:
        raise ValueError(
            "neuron_names needs one list of names per layer, one name per neuron "
            f"({[len(layer.neurons) for layer in layers]}), got {neuron_names!r}"
        )
    parameters_all = [p for layer in layers for n in layer.neurons for p in n.parameters()]
    if show_grad is None:
        show_grad = any(p.grad != 0.0 for p in parameters_all)
    n_weights = sum(len(n.w) for layer in layers for n in layer.neurons)
    labelled = n_weights <= max_edge_labels

    ink = {"fontname": FONT, "fontcolor": colors.text, "color": colors.line}
    lines = [
        "digraph {",
        "graph "
        + dot_attributes(
            {
                "rankdir": "LR",
                "fontname": FONT,
                "ranksep": "0.9" if lecture else "1.2",
                "nodesep": "0.25",
                "bgcolor": colors.background,
                "fontcolor": colors.text,
            }
        ),  # fmt: skip
        "node " + dot_attributes({**ink, "fontsize": "14", "style": "filled"}),
        "edge " + dot_attributes({**ink, "fontsize": "14", "arrowsize": "0.7"}),
    ]
    edges: list[str] = []
    columns: list[list[str]] = [[]]
    parameters: dict[Value, str] = {}
    previous = []
    for k, name in enumerate(input_names):
        node = f"x{k}"
        lines.append(
            f"{node} "
            + dot_attributes(
                {"shape": "circle", "fillcolor": fills["input"], "label": escape_label(name)}
            )
        )
        columns[0].append(node)
        previous.append(node)
    weight_count = bias_count = 0
    # The diagram in words (its alternative text): the layers, then each weight and bias.
    words = [f"Network diagram. Inputs: {', '.join(input_names)}."]
    parameter_words: list[str] = []
    previous_names = list(input_names)

    def said(name: str, p: Value) -> str:
        return f"{name} = {number(p.data)}" + (f", grad {number(p.grad)}" if show_grad else "")

    for i, layer in enumerate(layers):
        last = i == len(layers) - 1
        names_here = [_neuron_name(i, j, len(layers), last) for j in range(len(layer.neurons))]
        if neuron_names is not None:
            names_here = list(neuron_names[i])
        kinds = sorted({neuron.activation for neuron in layer.neurons})
        words.append(
            f"{'Output' if last else 'Hidden'} layer: {len(layer.neurons)} {'/'.join(kinds)} "
            f"neuron{'s' if len(layer.neurons) > 1 else ''}, {', '.join(names_here)}."
        )
        uses: dict[Value, int] = {}
        for neuron in layer.neurons:
            if neuron.b is not None:  # None: a neuron made with bias=False
                uses[neuron.b] = uses.get(neuron.b, 0) + 1
        current: list[str] = []
        columns.append([])
        shared_nodes: dict[Value, str] = {}
        for j, neuron in enumerate(layer.neurons):
            node = f"L{i}n{j}"
            name = names_here[j]
            label = [name, ACTIVATION_SYMBOLS.get(neuron.activation, neuron.activation)]
            if neuron.b is None:  # bias=False: no bias to show
                pass
            elif uses[neuron.b] == 1:  # its own bias: written in its circle
                bias_count += 1
                parameters[neuron.b] = node
                parameter_words.append(
                    f"{said(_name(neuron.b, f'b{bias_count}'), neuron.b)} ({name})"
                )
                if labelled:
                    label.append(f"{_name(neuron.b, f'b{bias_count}')} {number(neuron.b.data)}")
                    if show_grad:
                        label.append(f"grad {number(neuron.b.grad)}")
            elif neuron.b not in shared_nodes:  # a shared bias: a node of its own
                bias_count += 1
                bias = shared_nodes[neuron.b] = f"L{i}b{len(shared_nodes)}"
                parameters[neuron.b] = bias
                sharing = [n for n, m in zip(names_here, layer.neurons) if m.b is neuron.b]
                parameter_words.append(
                    f"{said(_name(neuron.b, f'b{bias_count}'), neuron.b)} "
                    f"(shared by {', '.join(sharing)})"
                )
                text = [f"{_name(neuron.b, f'b{bias_count}')}", number(neuron.b.data)]
                if show_grad:
                    text.append(f"grad {number(neuron.b.grad)}")
                lines.append(
                    f"{bias} "
                    + dot_attributes(
                        {
                            "shape": "box",
                            "style": "rounded,filled",
                            "fillcolor": fills["bias"],
                            "label": "\\n".join(escape_label(t) for t in text),
                        }
                    )
                )
                columns[i].insert(0, bias)  # beside the layer before, above its neurons
            color = fills["output"] if last else fills["neuron"]
            lines.append(
                f"{node} "
                + dot_attributes(
                    {
                        "shape": "circle",
                        "fillcolor": color,
                        "label": "\\n".join(escape_label(t) for t in label),
                    }
                )
            )
            current.append(node)
            columns[i + 1].append(node)
            for x, x_name, w in zip(previous, previous_names, neuron.w):
                weight_count += 1
                parameter_words.append(
                    f"{said(_name(w, f'w{weight_count}'), w)} ({x_name} to {name})"
                )
                attributes = {}
                if labelled:
                    text = [f"{_name(w, f'w{weight_count}')} {number(w.data)}"]
                    if show_grad:
                        text.append(f"grad {number(w.grad)}")
                    attributes["label"] = "\\n".join(escape_label(t) for t in text)
                parameters[w] = f"{x}->{node}"
                suffix = " " + dot_attributes(attributes) if attributes else ""
                edges.append(f"{x} -> {node}{suffix}")
            if neuron.b in shared_nodes:
                edges.append(
                    f"{shared_nodes[neuron.b]} -> {node} " + dot_attributes({"style": "dashed"})
                )
        previous, previous_names = current, names_here
    for column in columns:  # each column top to bottom in order, held by invisible edges
        lines.append("{ rank=same; " + "; ".join(column) + " }")
        edges.extend(
            f"{upper} -> {lower} " + dot_attributes({"style": "invis"})
            for upper, lower in zip(column, column[1:])
        )
    if not labelled:
        note = (
            f"{n_weights} weights: too many to label each edge (more than {max_edge_labels}); "
            "model.state_dict() lists them"
        )
        lines.append("graph " + dot_attributes({"label": escape_label(note), "labelloc": "b"}))
    lines.extend(edges)
    lines.append("}")
    if labelled:
        words.append(f"Weights and biases: {'; '.join(parameter_words)}.")
    else:
        words.append(f"{n_weights} weights, too many to list; model.state_dict() lists them.")
    alt = " ".join(words)
    return Graph("\n".join(lines) + "\n", len(parameters_all), 0, parameters=parameters, alt=alt)


def _layers(model: Any) -> list[Layer]:
    """model's layers in the order they are applied: an MLP's, a Layer alone, or a list of
    Layers that chain. (They are told apart by what they hold, not by their class: a model
    draws itself through this module, with network_drawing(), so this module cannot
    import theirs.)"""
    layers = getattr(model, "layers", None)  # an MLP's
    if layers is None:
        layers = [model] if hasattr(model, "neurons") else model  # a Layer, or a list
    if not (isinstance(layers, Sequence) and layers and all(_is_layer(m) for m in layers)):
        hint = ""
        if type(model).__name__ in ("Sequential", "Linear"):  # a vectorized model
            hint = (
                "; it draws a neuron per circle and a weight per edge, which a Tensor model "
                "does not have: draw_dot(loss) draws its graph, an operation per layer"
            )
        raise TypeError(
            "draw_network needs an MLP or a list of Layers (applied in order), "
            f"got {type(model).__name__}{hint}"
        )
    for before, after in zip(layers, layers[1:]):
        after.check_follows(before)
    return list(layers)


def _is_layer(candidate: object) -> bool:
    return hasattr(candidate, "neurons") and hasattr(candidate, "check_follows")


def _neuron_name(i: int, j: int, n_layers: int, last: bool) -> str:
    """o1, o2 for the output layer; h1, h2 for a single hidden layer; h2_3 otherwise."""
    if last:
        return f"o{j + 1}"
    return f"h{j + 1}" if n_layers == 2 else f"h{i + 1}_{j + 1}"


def _name(value: Value, default: str) -> str:
    return value.label or default
