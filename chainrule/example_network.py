"""The [network] section of an example file: inputs, layers of neurons and the loss.

Each layer names its weights and biases from [given]; the neurons' sums and activations
get the file's names (net_h1, out_h1 by default), the loss terms and their total too. The
layers are also kept as nn Layers sharing the same Values, for the network diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from autograd import Value, sum_of, weighted_sum

# nn through chainrule's own finder, which works even beside a learner's nn.py.
from ._packages import nn
from .example_text import ExampleText, is_name

ACTIVATIONS = nn.layers.ACTIVATIONS


def read_network(file: ExampleText, spec: object, leaves: dict[str, Value]) -> Network:
    where = "network"
    if not isinstance(spec, dict):
        raise file.error("[network] must be a table with inputs, layers and loss", where)
    for key in spec:
        if key not in ("inputs", "layers", "loss"):
            raise file.error(
                f"[network] has an unknown field {key!r}; the fields are: inputs, layers, loss",
                where,
                key,
            )
    inputs = spec.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise file.error(
            '[network] inputs must be a list of given names, e.g. ["i1", "i2"]', where, "inputs"
        )
    xs = [_leaf(file, leaves, n, where, "inputs") for n in inputs]
    layers = spec.get("layers")
    if not isinstance(layers, list) or not layers:
        raise file.error("[network] needs at least one [[network.layers]]", where)
    built = Network({}, {}, [], [], [], [])
    outputs: list[str] = []
    for k, layer in enumerate(layers, start=1):
        xs, outputs = _layer(file, k, layer, xs, leaves, built)
    loss = spec.get("loss")
    if loss is not None:
        _loss(file, loss, xs, outputs, leaves, built)
    return built


def _leaf(
    file: ExampleText, leaves: dict[str, Value], name: object, section: str, key: str
) -> Value:
    if not isinstance(name, str) or name not in leaves:
        raise file.error(
            f"{key} names {name!r}, which is not in [given]; add it there with its number",
            section,
            key,
        )
    return leaves[name]


def _layer(
    file: ExampleText,
    k: int,
    spec: object,
    xs: list[Value],
    leaves: dict[str, Value],
    built: Network,
) -> tuple[list[Value], list[str]]:
    where = "network.layers"
    what = f"[[network.layers]] number {k}"
    if not isinstance(spec, dict):
        raise file.error(f"{what} must be a table", where)
    allowed = ("neurons", "activation", "weights", "bias", "biases", "nets", "outputs")
    for key in spec:
        if key not in allowed:
            raise file.error(
                f"{what} has an unknown field {key!r}; the fields are: {', '.join(allowed)}",
                where,
                key,
            )
    neurons = spec.get("neurons")
    if not isinstance(neurons, list) or not neurons or not all(map(is_name, neurons)):
        raise file.error(f'{what} needs neurons = ["h1", "h2", ...]', where, "neurons")
    activation = spec.get("activation", "linear")
    if activation not in ACTIVATIONS:
        raise file.error(
            f"{what} activation {activation!r} is unknown; choose one of {', '.join(ACTIVATIONS)}",
            where,
            "activation",
        )
    rows = spec.get("weights")
    if not isinstance(rows, list) or len(rows) != len(neurons):
        raise file.error(
            f"{what} weights must have one row per neuron ({len(neurons)} rows of given names)",
            where,
            "weights",
        )
    weights = []
    for j, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(xs):
            raise file.error(
                f"{what} weights row {j + 1} must name one weight per input ({len(xs)})",
                where,
                "weights",
            )
        weights.append([_leaf(file, leaves, n, where, "weights") for n in row])
    if "bias" in spec and "biases" in spec:
        raise file.error(
            f"{what} has both bias (shared) and biases (one per neuron); keep one",
            where,
            "bias",
        )
    if "bias" in spec:
        bias_names = [spec["bias"]] * len(neurons)
    elif "biases" in spec:
        bias_names = spec["biases"]
        if not isinstance(bias_names, list) or len(bias_names) != len(neurons):
            raise file.error(f"{what} biases must name one bias per neuron", where, "biases")
    else:
        bias_names = []
    biases = [_leaf(file, leaves, n, where, "bias") for n in bias_names]
    built.biases = list(dict.fromkeys([*built.biases, *bias_names]))
    names = [w.label for row in weights for w in row] + [b.label for b in biases]
    built.layers.append(list(dict.fromkeys(names)))
    built.neurons.append(list(neurons))
    built.model.append(
        nn.Layer(
            len(xs),
            len(neurons),
            activation,
            weights=weights,
            biases=biases or None,
            bias=bool(biases),
        )
    )
    linear = activation == "linear"
    nets = _names(file, spec, "nets", [f"net_{n}" for n in neurons], what)
    outs = _names(file, spec, "outputs", [f"out_{n}" for n in neurons], what)
    activate = ACTIVATIONS[activation]
    results = []
    for j in range(len(neurons)):
        # A bias-free neuron adds a constant 0 (a leaf with no name) as its bias.
        net = weighted_sum(weights[j], xs, biases[j] if biases else 0.0)
        out = net if activate is None else activate(net)
        inputs = " + ".join(f"{w.label}*{x.label}" for w, x in zip(weights[j], xs))
        if biases:
            inputs += f" + {biases[j].label}"
        if linear:
            _name_node(file, built, out, outs[j], inputs, what, leaves)
        else:
            _name_node(file, built, net, nets[j], inputs, what, leaves)
            _name_node(file, built, out, outs[j], f"{activation}({nets[j]})", what, leaves)
        results.append(out)
    return results, outs


def _names(
    file: ExampleText, spec: dict[str, Any], key: str, default: list[str], what: str
) -> list[str]:
    names = spec.get(key, default)
    if not isinstance(names, list) or len(names) != len(default) or not all(map(is_name, names)):
        raise file.error(f"{what} {key} must be {len(default)} names", "network.layers", key)
    return names


def _name_node(
    file: ExampleText,
    built: Network,
    node: Value,
    name: str,
    formula: str,
    what: str,
    leaves: dict[str, Value],
) -> None:
    if name in built.values or name in leaves:
        raise file.error(
            f"{what}: the name {name!r} is used twice; rename one (nets = [...], outputs = [...])",
            "network.layers",
        )
    node.label = name
    built.values[name] = node
    built.formulas[name] = formula


def _loss(
    file: ExampleText,
    spec: object,
    outputs: list[Value],
    names: list[str],
    leaves: dict[str, Value],
    built: Network,
) -> None:
    where = "network.loss"
    if not isinstance(spec, dict):
        raise file.error("[network.loss] must be a table: kind, targets, total", where)
    for key in spec:
        if key not in ("kind", "targets", "terms", "total"):
            raise file.error(
                f"[network.loss] has an unknown field {key!r}; the fields "
                "are: kind, targets, terms, total",
                where,
                key,
            )
    kind = spec.get("kind")
    if kind != "half_squared_error":
        raise file.error(
            f"[network.loss] kind {kind!r} is unknown; the one kind is "
            '"half_squared_error" (E = sum 1/2 (target - out)^2)',
            where,
            "kind",
        )
    targets = spec.get("targets")
    if not isinstance(targets, list) or len(targets) != len(outputs):
        raise file.error(
            f"[network.loss] targets must name one given target per output ({len(outputs)})",
            where,
            "targets",
        )
    target_values = [_leaf(file, leaves, n, where, "targets") for n in targets]
    built.constants = list(targets)
    total = spec.get("total", "E")
    default_terms = [total] if len(outputs) == 1 else [f"E_{n}" for n in names]
    terms = spec.get("terms", default_terms)
    if not isinstance(terms, list) or len(terms) != len(outputs):
        raise file.error("[network.loss] terms must name one error per output", where, "terms")
    errors = []
    for out, target, name, target_name, out_name in zip(
        outputs, target_values, terms, targets, names
    ):
        error = nn.sum_squared_error([out], [target])  # 1/2 (target - out)^2
        _name_node(
            file,
            built,
            error,
            name,
            f"1/2 ({target_name} - {out_name})^2",
            "[network.loss]",
            leaves,
        )
        errors.append(error)
    if len(errors) > 1:
        error_total = reduce(lambda a, b: a + b, errors)
        _name_node(file, built, error_total, total, " + ".join(terms), "[network.loss]", leaves)
    elif total != terms[0]:  # one output, its error and the total named apart: E = E_o1
        _name_node(file, built, sum_of(errors), total, terms[0], "[network.loss]", leaves)


@dataclass
class Network:
    """What a [network] table builds: the named values, their formulas, the bias names."""

    values: dict[str, Value]
    formulas: dict[str, str]
    biases: list[str]
    layers: list[list[str]]  # each layer's weights and biases, input side first
    constants: list[str]  # the loss's targets: given numbers, not inputs
    model: list[nn.Layer]  # the layers as nn Layers sharing the given Values (for diagrams)
    neurons: list[list[str]] = field(default_factory=list)  # each layer's neuron names
