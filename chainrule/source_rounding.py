"""A source that rounds as it goes: which of its own rounded numbers a printed one follows from.

A slide prints yhat = 0.65, then computes yhat * (1 - yhat) from that 0.65 and prints
0.2275, where the unrounded yhat gives 0.2274. The slide is not wrong: it carried its own
rounded number on. So before `chainrule check` calls a printed number different, it
redoes the number's step from the numbers the source printed before it, each taken
anywhere within its printed precision (0.65 stands for 0.645 to 0.655: chainrule.carried's
intervals). When the printed number lies in what the step gives, it agrees, and the check
says which rounded numbers the source carried on. A real slip lies far outside and is
still reported.

The step of a value is its computation from the named values below it (carry_forward over
that part of the graph). The step of a derivative dA/dB is the chain rule at B: the sum
over the values C that use B of dA/dC (as printed, when it was) times dC/dB, the local
derivative of C's operation at its printed inputs and its printed output, as a source
that writes yhat * (1 - yhat) for sigmoid's slope computes it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence

from autograd import evaluate_op, topological_order

from .carried import Interval, carry_forward
from .derive import named_inputs
from .worked import Printed, WorkedExample, printed_names, run_backward, zero_gradients

LARGEST_BOX = 6  # a step with more carried numbers than this tries each one alone only


Step = Callable[[Mapping[str, Interval]], "Interval | None"]


def carried_on(
    example: WorkedExample, item: Printed, earlier: Sequence[Printed]
) -> list[Printed] | None:
    """The earlier printed numbers whose rounding the printed `item` carries on, when taking
    them anywhere within their printed precision reproduces it; None when that does not.

    earlier are the numbers the source printed before item that agree with the engine at
    their own precision (a number that was a slip is not carried). Call with the
    example's backward pass run from its root; the gradients are left so.
    """
    if item.stage != "forward":
        return None
    shown = Interval.printed(item.text)
    used, step = _step(example, item, earlier)
    if not used:
        return None
    # The fewest: each carried number alone, then all of them together.
    tries = [[key] for key in used]
    if len(used) > 1 and len(used) <= LARGEST_BOX:
        tries.append(list(used))
    for keys in tries:
        reached = step({key: used[key] for key in keys})
        if reached is not None and _overlap(reached, shown):
            return [next(p for p in earlier if p.key == key) for key in keys]
    return None


def as_printed(example: WorkedExample, item: Printed, earlier: Sequence[Printed]) -> float | None:
    """item's step from the earlier printed numbers exactly as printed (0.65 as 0.65): the
    number a source that carries its rounding on would print; None when item's step uses
    no rounded number of the source's."""
    if item.stage != "forward":
        return None
    used, step = _step(example, item, earlier)
    if not used:
        return None
    reached = step({key: Interval.point(interval.mid) for key, interval in used.items()})
    return None if reached is None else reached.mid


def _step(
    example: WorkedExample, item: Printed, earlier: Sequence[Printed]
) -> tuple[dict[str, Interval], Step]:
    """The rounded earlier numbers item's step uses (by key), and the step itself: a
    function from some of them to the Interval item then lies in."""
    name, lower = printed_names(item.key, example)
    rounded = _rounded(example, [p for p in earlier if p.stage == "forward"])
    if lower is None:
        return _below(example, name, rounded), lambda chosen: _value_step(example, name, chosen)
    exact = _gradients_of(example, name)
    used = _near(example, name, lower, rounded)
    return used, lambda chosen: _derivative_step(example, name, lower, chosen, exact)


def _rounded(example: WorkedExample, earlier: Sequence[Printed]) -> dict[str, Interval]:
    """The earlier printed numbers that are not the exact value, by key, as intervals."""
    found = {}
    for p in earlier:
        name, lower = printed_names(p.key, example)
        exact = example.values[name].data if lower is None else _derivative(example, p.key)
        if exact is not None and float(p.text) != exact:
            found[p.key] = Interval.printed(p.text)
    return found


def _derivative(example: WorkedExample, key: str) -> float | None:
    name, lower = printed_names(key, example)
    assert lower is not None
    if name != example.root.label:
        return _gradients_of(example, name).get(lower)
    return example.values[lower].grad


def _gradients_of(example: WorkedExample, name: str) -> dict[str, float]:
    """d name / d every named value (a backward pass from name; the root's pass after)."""
    if name == example.root.label:
        return {n: v.grad for n, v in example.values.items()}
    zero_gradients(example)
    example.values[name].backward()
    grads = {n: v.grad for n, v in example.values.items()}
    run_backward(example)
    return grads


def _below(example: WorkedExample, name: str, rounded: Mapping[str, Interval]) -> dict:
    """The rounded values (not derivatives) that name is computed from."""
    below = set(topological_order(example.values[name]))
    return {
        key: interval
        for key, interval in rounded.items()
        if "/" not in key and key != name and example.values[key] in below
    }


def _value_step(
    example: WorkedExample, name: str, chosen: Mapping[str, Interval]
) -> Interval | None:
    node = example.values[name]
    known = {example.values[key]: interval for key, interval in chosen.items()}
    return carry_forward(node, known).get(node)


def _near(example: WorkedExample, upper: str, lower: str, rounded: Mapping[str, Interval]) -> dict:
    """The rounded numbers the chain rule at lower uses: the printed d upper / d C of each
    C that uses lower, and the printed values of C and of C's operation's inputs."""
    keys = []
    for consumer in _consumers(example, lower):
        keys.append(f"d{upper}/d{consumer}")
        node = example.values[consumer]
        keys += [consumer, *(x.label for x in node.inputs if x.label in example.values)]
    return {key: rounded[key] for key in dict.fromkeys(keys) if key in rounded}


def _consumers(example: WorkedExample, lower: str) -> list[str]:
    return [n for n, v in example.values.items() if lower in named_inputs(v, example)]


def _derivative_step(
    example: WorkedExample,
    upper: str,
    lower: str,
    chosen: Mapping[str, Interval],
    exact: Mapping[str, float],
) -> Interval | None:
    """d upper / d lower as the sum over the values C that use lower of d upper / d C x
    d C / d lower, with the chosen printed numbers in place of the exact ones."""
    total = Interval.point(0.0)
    for consumer in _consumers(example, lower):
        if consumer == upper:
            upstream = Interval.point(1.0)
        else:
            upstream = chosen.get(f"d{upper}/d{consumer}", Interval.point(exact[consumer]))
        link = _link(example, consumer, lower, chosen)
        if link is None:
            return None
        total = total + upstream * link
    return total


def _link(
    example: WorkedExample, consumer: str, lower: str, chosen: Mapping[str, Interval]
) -> Interval | None:
    """d consumer / d lower over the chosen numbers: the local derivative of consumer's
    operation at its inputs and its output as printed, when lower is one of its inputs;
    else (unnamed steps between them) the exact factor."""
    node = example.values[consumer]
    position = [k for k, x in enumerate(node.inputs) if x is example.values[lower]]
    if not position:
        return Interval.point(named_inputs(node, example)[lower])
    inputs = [chosen.get(x.label, Interval.point(x.data)) for x in node.inputs]
    out = chosen.get(consumer)
    boxes = [*inputs, out] if out is not None else inputs
    slopes = []
    for corner in itertools.product(*[(b.low, b.mid, b.high) for b in boxes]):
        numbers = list(corner[: len(inputs)])
        at = corner[-1] if out is not None else None
        try:
            _, local = evaluate_op(node.op, numbers, node.const, out=at)
        except (ArithmeticError, ValueError):
            continue
        slope = sum(local[k] for k in position)  # an input used twice: both of its edges
        if math.isfinite(slope):
            slopes.append(slope)
    return Interval(min(slopes), max(slopes)) if slopes else None


def _overlap(a: Interval, b: Interval) -> bool:
    return a.low <= b.high and b.low <= a.high
