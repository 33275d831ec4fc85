"""The chain-rule column of a worked example: how each named value's gradient follows.

A value's gradient is the sum, over the named values it feeds, of d root / d consumer x
d consumer / d value. The unnamed nodes between two named values (the square and the half
inside a loss) fold into one link, whose factor named_inputs reads off the op table.
"""

from __future__ import annotations

from autograd import Value, topological_order
from autograd.backward import local_derivatives

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
    """The chain-rule column when a file gives none: for each named value, in the order the
    backward pass reaches it, the sum over the named values it feeds of
    d root/d consumer * d consumer/d value."""
    root = example.root.label
    consumers: dict[str, list[str]] = {}
    for name, value in example.values.items():
        for lower in named_inputs(value, example):
            consumers.setdefault(lower, []).append(name)
    # A value's gradient is complete once the last node that uses it has passed its share
    # back: list the values in that order (ties in the order of that node's inputs).
    complete: dict[int, tuple[int, int]] = {}
    for k, node in enumerate(reversed(topological_order(example.root, leaves=False))):
        for j, x in enumerate(node.inputs):
            complete[id(x)] = (k, j)
    reached = [n for n, v in example.values.items() if id(v) in complete and n != root]
    order = [root, *sorted(reached, key=lambda n: complete[id(example.values[n])])]
    order += [n for n in example.values if n not in order]
    gradients = {}
    for name in order:
        if name == root:
            gradients[name] = "base case"
        else:
            gradients[name] = (
                " + ".join(
                    _local(example, upper, name)
                    if upper == root
                    else f"d{root}/d{upper} * d{upper}/d{name}"
                    for upper in consumers.get(name, [])
                )
                or "not used by the output"
            )
    return gradients


def _local(example: WorkedExample, upper: str, name: str) -> str:
    """The root's own local derivative, with the root's formula: "df/dq (f = q * z)"."""
    formula = example.formulas.get(upper)
    return f"d{upper}/d{name} ({upper} = {formula})" if formula else f"d{upper}/d{name}"
