"""Gradient descent on a worked example: new = old - lr * gradient, as the slides write it.

One step on the example's parameters (the textbook rule, with the gradients of one
backward pass), the layer-by-layer variant some sources print, and recomputing the forward
pass after the given numbers changed, so `train_steps` can repeat the round.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import evaluate_op, topological_order
from autograd.record import UpdateRow

# nn through chainrule's own finder, which works even beside a learner's nn.py.
from ._packages import nn
from .worked import WorkedExample, run_backward

# One parameter before and after a step (name, old, gradient, new), as every view lists it.
Update = UpdateRow


def gradient_descent_step(
    example: WorkedExample, lr: float | None = None, parameters: Sequence[str] | None = None
) -> list[Update]:
    """One step new = old - lr * gradient on the example's parameters (or the ones named).

    lr defaults to the example's own. Uses the gradients already in the graph (call
    run_backward first). A positive lr is an nn.SGD step; a negative one (a source that
    nudges along the gradient, as micrograd's lecture does) the same arithmetic by hand.
    The parameters change in place, so the values computed from them are stale afterwards:
    call recompute(example), or build a fresh example.
    """
    lr = learning_rate(example, lr)
    names = list(example.parameters if parameters is None else parameters)
    chosen = [example.values[name] for name in names]
    old = [(p.data, p.grad) for p in chosen]
    if lr > 0:
        nn.SGD(chosen, lr=lr).step()
    else:
        for p in chosen:
            p.data -= lr * p.grad
    return [Update(name, data, grad, p.data) for name, p, (data, grad) in zip(names, chosen, old)]


def learning_rate(example: WorkedExample, lr: float | None) -> float:
    """lr, or the example's own, or 0.5 when it has none."""
    if lr is None:
        lr = 0.5 if example.lr is None else example.lr
    return lr


def recompute(example: WorkedExample) -> None:
    """Run the forward pass again through the example's graph, in place, after its given
    numbers changed (after an update): each node's data from its inputs, by the op table."""
    done: set[int] = set()
    for value in example.values.values():
        for node in topological_order(value, leaves=False):
            if id(node) in done:
                continue
            done.add(id(node))
            inputs = [x.data for x in node.inputs]
            node.data, _ = evaluate_op(node.op, inputs, node.const, derivatives=False)


def layer_by_layer_step(
    example: WorkedExample, lr: float | None = None, parameters: Sequence[str] | None = None
) -> None:
    """A network's update as code that updates while it backpropagates makes it: the output
    layer first, then each layer below with gradients computed again through the weights
    above it that were just changed (the forward values stay those of the pass before).
    Not the textbook step (gradient_descent_step uses the old weights throughout), but what
    some sources print. Needs an example with layers (a [network])."""
    names = set(example.parameters if parameters is None else parameters)
    for layer in reversed(example.layers):
        run_backward(example)
        gradient_descent_step(example, lr, [n for n in layer if n in names])


UPDATE_RULES = ("simultaneous", "layer_by_layer")


def train_steps(
    example: WorkedExample,
    steps: int,
    parameters: Sequence[str],
    rule: str = "simultaneous",
) -> None:
    """`steps` rounds of backward, update (by the rule named) and forward, in place."""
    for _ in range(steps):
        if rule == "layer_by_layer":
            layer_by_layer_step(example, parameters=parameters)
        else:
            run_backward(example)
            gradient_descent_step(example, parameters=parameters)
        recompute(example)
