"""The backward pass one chain-rule step at a time, for stepping through in class.

`backward_steps(root)` does exactly what `root.backward()` does, in the same order and with
the same arithmetic, but pauses after every single application of the chain rule and hands
back a record of it: which node passed its gradient to which input, the local derivative,
the upstream gradient and their product. Exhausting it leaves the same gradients, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator

from .backward import chain_rule, topological_order
from .floats import as_gradient
from .names import grouped, node_names
from .printing import format_number
from .tensor_probe import is_tensor

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from typing import NoReturn

    from .engine import Value


class Step:
    """One application of the chain rule: input.grad += local * upstream."""

    __slots__ = ("node", "input", "local", "upstream", "contribution", "index", "names")

    def __init__(
        self,
        node: Value,
        input: Value,
        local: float,
        upstream: float,
        contribution: float,
        index: int,
        names: tuple[str, str, str],
    ) -> None:
        self.node = node  # the Value whose gradient is being passed down
        self.input = input  # one of node.inputs, receiving a share of it
        self.local = local  # d node / d input, from the op table
        self.upstream = upstream  # node.grad: d root / d node, complete by now
        self.contribution = contribution  # local * upstream, already added to input.grad
        self.index = index  # 0, 1, 2, ... in the order the steps happen
        self.names = names  # (root, node, input) as printed

    @property
    def number(self) -> int:
        """The step's number as printed everywhere (captions, tables, frames, the command
        line): 1 for the first step, so the last of N steps is N. (index counts from 0.)"""
        return self.index + 1

    def __repr__(self) -> str:
        return f"Step({self.number}: {self})"

    def __str__(self) -> str:
        root, node, x = (grouped(name) for name in self.names)
        return (
            f"d{node}/d{x} = {format_number(self.local)} (local) x "
            f"d{root}/d{node} = {format_number(self.upstream)} (upstream) "
            f"-> {x}.grad += {format_number(self.contribution)}"
        )


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Run root.backward(gradient) one chain-rule step at a time, yielding each Step.

    Like backward(), it stops with an error naming the node when a gradient would not be a
    finite number. Only a complete pass counts: when it stops with an error, or is closed
    or dropped before its last step, it takes back what it added, so every .grad is as it
    was before the first step (except a grad someone else has changed since it was written).
    """
    if is_tensor(root):  # a graph of Tensors: one vector-Jacobian product per step
        from .tensor_steps import tensor_steps

        yield from tensor_steps(root, gradient)  # type: ignore[misc]  # TensorSteps
        return
    gradient = as_gradient(gradient)
    order = topological_order(root)
    names = node_names(root)
    for node in order:
        data = node.data
        if data - data != 0.0:  # Value() refuses these; only a hand-set .data can be one
            raise ValueError(
                f"backward from {names[root]}: {names[node]}.data is {data!r}, not a finite "
                "number (was it set by hand?); give it a finite value first. No gradient "
                "was changed."
            )
    saved = {node: node.grad for node in order}
    # What this pass last stored in each grad: only those are taken back, so a pass left
    # unfinished cannot undo work done after it, such as a later backward().
    # (Each number stored is a float object of this pass's own, so `is` tells them apart.)
    written: dict[Value, float] = {}
    zero = float("0")  # a new object, unlike the constant 0.0 other code may also store
    finished = False
    try:
        # The same bookkeeping as Value.backward: intermediate gradients restart every pass.
        for node in order:
            if node.inputs:
                node.grad = written[node] = zero
        if not root.inputs:  # a leaf: nothing to pass on, its own gradient just grows
            total = root.grad + gradient
            if total - total != 0.0:
                raise OverflowError(
                    f"backward from {names[root]}: {names[root]}.grad would become "
                    f"{root.grad!r} + {gradient!r} = {total!r}, not a finite number. {_UNCHANGED}"
                    f" Try zero_grad() first, or a smaller gradient."
                )
            root.grad = written[root] = total
            finished = True
            return
        root.grad = written[root] = gradient * 1.0  # the same number, a new object
        index = 0
        # The chain rule of backward(), paused at each step: this loop does its `+=`,
        # checking first that the sum is a finite number.
        nodes = [node for node in order if node.inputs]
        steps = chain_rule(nodes, pause=True)
        coming = reversed(nodes)  # the nodes in the order the chain rule reaches them
        current = None
        while True:
            try:
                step = next(steps, None)
            except (ArithmeticError, ValueError) as error:  # a local derivative failed
                if type(error) not in (ValueError, ZeroDivisionError, OverflowError):
                    raise  # (another type may not be built from a message alone)
                node = next(coming)  # the node after the last one that passed its gradient
                raise type(error)(
                    f"backward from {names[root]} stopped at {names[node]} = "
                    f"{_written_out(node)}: {error}. {_UNCHANGED}"
                ) from error
            if step is None:
                break
            node, x, local, upstream = step
            if node is not current:  # every node has at least one step
                current = next(coming)
            contribution = local * upstream
            total = x.grad + contribution  # x.grad += contribution, checked first
            if total - total != 0.0:
                raise _not_finite(names, root, node, x, local, upstream, contribution, total)
            x.grad = written[x] = total
            yield Step(
                node,
                x,
                local,
                upstream,
                contribution,
                index,
                (names[root], names[node], names[x]),
            )
            index += 1
        finished = True
    finally:
        # Closed (GeneratorExit at a yield), dropped (CPython closes a generator when it is
        # freed), or stopped by an error: take back this pass's grads.
        if not finished:
            for node, grad in written.items():
                if node.grad is grad:  # still what this pass stored: nobody changed it since
                    node.grad = saved[node]


_UNCHANGED = "Every .grad is as it was before the pass."


def _written_out(node: Value) -> str:
    """The operation that made node, with its operands' values: `1.0 / 1e-300`."""
    return node.op.describe([x.data for x in node.inputs], node.const)


def _not_finite(
    names: dict[Value, str],
    root: Value,
    node: Value,
    x: Value,
    local: float,
    upstream: float,
    contribution: float,
    total: float,
) -> OverflowError:
    """The error for a step whose gradient would not be finite, saying which number is not."""
    r, n, i = grouped(names[root]), grouped(names[node]), grouped(names[x])
    where = (
        f"backward from {names[root]} stopped at {names[node]} = {_written_out(node)} "
        f"(= {node.data!r}): "
    )
    if local - local != 0.0:
        what = (
            f"its local derivative d{n}/d{i} is {local!r}, not a finite number, at "
            f"{i} = {x.data!r}. Try keeping {i} away from where the derivative blows up."
        )
    elif contribution - contribution != 0.0:
        what = (
            f"d{n}/d{i} = {local!r} (local) x d{r}/d{n} = {upstream!r} (upstream) = "
            f"{contribution!r}, too large for a float. Try smaller inputs or weights, or a "
            f"smaller gradient for {r} (backward(gradient=...))."
        )
    else:
        what = (
            f"{i}.grad would become {x.grad!r} + {contribution!r} = {total!r}, too large "
            f"for a float. Try zero_grad() before backward() if {i}.grad has been adding up "
            "over many passes, or smaller inputs or weights."
        )
    return OverflowError(f"{where}{what} {_UNCHANGED}")


def explain_failure(root: Value, gradient: float, failure: BaseException) -> NoReturn:
    """Raise the error of a failed backward() from root, whose every grad is back as it was.

    The fast pass only knows that something went wrong; the same pass one step at a time
    (backward_steps, bit for bit the same arithmetic) finds the first step that goes wrong
    and raises an error naming that node and its numbers, then puts the grads back itself.
    """
    order = topological_order(root)
    saved = [node.grad for node in order]
    for _ in backward_steps(root, gradient):
        pass
    # Not reached while the two passes agree (tests check they do); if they ever did not,
    # the step-by-step pass finished: take it back and report what the fast pass met.
    for node, grad in zip(order, saved):
        node.grad = grad
    raise failure
