"""The chain-rule column of a worked example: how each named value's gradient follows.

A value's gradient is the sum, over the named values it feeds, of d root / d consumer x
d consumer / d value. The unnamed nodes between two named values (the square and the half
inside a loss) fold into one link, whose factor named_inputs reads off the op table.
"""

from __future__ import annotations

from autograd import Value, topological_order
from autograd.backward import local_derivatives
from autograd.record import derived_chain_rules

from .worked import WorkedExample


def named_inputs(value: Value, example: WorkedExample) -> dict[str, float]:
    """The named values just below `value` (reached through unnamed nodes only), each with
    d value / d it along those unnamed nodes: the factor of one link in a path."""
    names = {id(v): name for name, v in example.values.items()}
    if not value.inputs:
        return {}
    adjoint = {id(value): 1.0}
    found: dict[str, float] = {}
    # Reversed topological order: a node's adjoint is complete before it is passed on.
    for node in reversed(topological_order(value, leaves=False)):
        if id(node) not in adjoint:
            continue  # reached only through a named value: that value's own link
        upstream = adjoint[id(node)]
        for x, local in zip(node.inputs, local_derivatives(node)):
            if id(x) in names:
                found[names[id(x)]] = found.get(names[id(x)], 0.0) + local * upstream
            elif x.inputs:
                adjoint[id(x)] = adjoint.get(id(x), 0.0) + local * upstream
    return found


def automatic_gradients(example: WorkedExample) -> dict[str, str]:
    """The chain-rule column when a file gives none: for each named value that is not a
    constant, in the order the backward pass completes its gradient, the chain rule read
    off the graph (autograd.record.derived_chain_rules): "dE/dnet_h * x1", a sum over the
    named values it feeds when it feeds several."""
    rules = derived_chain_rules(example.root, example.values, constants=example.constant_values())
    return {name: rule for name, rule in rules.items() if not example.is_constant(name)}
