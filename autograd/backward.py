"""The backward pass: the chain rule, applied from the output back to the inputs.

Walk the graph once to put every node after its inputs (`topological_order`), then go
through that order backwards. At each node, every input's gradient grows by the local
derivative (d node / d input, read off the op table in ops.py) times the upstream gradient
(d output / d node, complete by then): `input.grad += local * upstream`. That loop,
`chain_rule`, is the whole of backpropagation; `Value.backward`, `Value._backward` and
`backward_steps` all run it. engine.py holds the Value it runs on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .ops import WSUM, Op

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from .engine import Value

# One edge of the pass, as chain_rule(pause=True) yields it: (node, input, local, upstream).
Edge = tuple["Value", "Value", float, float]


def chain_rule(order: Sequence[Value], *, pause: bool = False) -> Iterator[Edge]:
    """Apply the chain rule at every node of `order` (each node after its inputs), last
    node first: each input's grad += d node / d input (local) x node.grad (upstream).
    Written plainly, the loop below is

        for node in reversed(order):
            upstream = node.grad
            for x, local in zip(node.inputs, local_derivatives(node)):
                x.grad += local * upstream

    and its last branch is exactly that; the others do the same for the nodes most graphs
    are made of, without the list and the inner loop.

    The topological order guarantees that a node's gradient is complete (every use of it
    has reported) before it is passed on. With pause=True the generator stops at every
    edge and yields it, (node, input, local, upstream), before the `+=`, and leaves that
    `+=` to its caller (backward_steps checks each sum before storing it); without, it
    yields nothing and applies every step itself, as backward() needs.
    """
    for node in reversed(order):
        upstream = node.grad
        inputs = node.inputs
        op = node.op
        # `+=` because an input used in several places receives one share from each.
        # One- and two-input nodes (most of any graph) are unpacked without a loop; the
        # arithmetic is that of the generic loop at the end (tests compare them bit for bit).
        if len(inputs) == 2:
            a, b = inputs
            local_a, local_b = op.local(a.data, b.data, out=node.data)
            if pause:
                yield node, a, local_a, upstream
                yield node, b, local_b, upstream
                continue
            a.grad += local_a * upstream
            b.grad += local_b * upstream
        elif len(inputs) == 1:
            a = inputs[0]
            const = node.const
            if const is None:
                (local,) = op.local(a.data, out=node.data)
            else:
                (local,) = op.local(a.data, out=node.data, c=const)
            if pause:
                yield node, a, local, upstream
                continue
            a.grad += local * upstream
        elif op is WSUM and not pause:
            # A neuron's weighted sum holds most of a network's edges: its row's local
            # derivatives (d/dw_i = x_i, d/dx_i = w_i, d/db = 1) are applied pair by pair,
            # without building the list of them.
            pairs = iter(inputs)
            for w, x in zip(pairs, pairs):
                w.grad += x.data * upstream
                x.grad += w.data * upstream
            inputs[-1].grad += upstream  # the bias
        else:
            for x, local in zip(inputs, local_derivatives(node)):
                if pause:
                    yield node, x, local, upstream
                else:
                    x.grad += local * upstream


def backpropagate(root: Value, gradient: float) -> None:
    """root.backward(gradient), all or nothing: d root / d leaf x gradient added into every
    leaf's grad below root, and every intermediate node's grad set to this pass's
    d root / d node x gradient. When the pass meets a local derivative it cannot compute or
    a gradient that is not a finite number, every grad is put back as it was, then the
    error is raised (an OverflowError for a number that is not finite).
    """
    # The nodes to pass gradients through (root last), and the leaves below them. The walk
    # keeps every node's grad as it was, to put back if the pass fails part-way, and sets
    # it to 0: intermediate grads are this pass's values, while leaves (parameters) keep
    # accumulating until someone calls zero_grad().
    saved: list[float] = []
    leaves: list[Value] = []
    nodes = _walk(root, leaves, saved)
    leaf_grads = [leaf.grad for leaf in leaves]
    if nodes:
        root.grad = gradient
    else:  # root is a leaf: d(root)/d(root) = 1
        root.grad += gradient
    try:
        for _ in chain_rule(nodes):
            pass  # (without pause it yields nothing: the loop runs the whole pass)
        # A NaN or an infinity anywhere in the pass reaches a leaf (x + inf, x * inf and
        # 0 * inf are all inf or nan), so checking the leaves at the end catches it.
        for leaf in leaves:
            grad = leaf.grad
            data = leaf.data  # a NaN set by hand would be hidden by relu (0 * nan is 0)
            if grad - grad != 0.0 or data - data != 0.0:
                raise OverflowError(f"backward from {root!r} met a number that is not finite")
    except BaseException:  # a local derivative failed, or KeyboardInterrupt: undo, then stop
        for node, grad in zip(nodes, saved):
            node.grad = grad
        for leaf, grad in zip(leaves, leaf_grads):
            leaf.grad = grad
        raise


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d node / d input for each of node.inputs, in order, read off the table (none for a
    leaf: nothing made it)."""
    if not node.inputs:
        return ()
    return evaluate_op(node.op, [x.data for x in node.inputs], node.const, out=node.data)[1]


def evaluate_op(
    op: Op,
    inputs: Sequence[float],
    const: object = None,
    *,
    out: float | None = None,
    derivatives: bool = True,
) -> tuple[float, tuple[float, ...]]:
    """An operation on plain numbers, through its row of the op table: its output, and its
    local derivatives (d out / d input for each input) there.

    op and const are a node's `.op` and `.const`; inputs are numbers, one per input. With
    `out` given, the forward rule is not run: the local derivatives are taken at that
    output (a learner's own number, say). derivatives=False returns () for them, so an
    output whose slope does not exist (x ** 0.5 at 0) can still be computed.
    Raises what the row raises on a math error (ValueError, ZeroDivisionError,
    OverflowError).

        >>> from autograd import ops
        >>> evaluate_op(ops.MUL, [3.0, -4.0])
        (-12.0, (-4.0, 3.0))
    """
    if const is None:
        if out is None:
            out = op.forward(*inputs)
        local = op.local(*inputs, out=out) if derivatives else ()
    else:
        if out is None:
            out = op.forward(*inputs, c=const)
        local = op.local(*inputs, out=out, c=const) if derivatives else ()
    return float(out), tuple(map(float, local))


def topological_order(root: Value, *, leaves: bool = True) -> list[Value]:
    """Every node below root (root included), each one after all of its inputs.

    Iterative depth-first search, so a chain of a million operations needs no recursion.
    Inputs are visited last operand first (so the backward pass, which walks this order in
    reverse, takes the first operand's branch first) and nothing depends on object ids, so
    the same graph always gives the same order: (x + y) * z gives [z, y, x, x + y, f].
    With leaves=False only nodes with inputs are listed
    (what the backward pass needs: a leaf has nothing to pass its gradient on to).
    """
    return _walk(root, None if leaves else [], None)


def _walk(root: Value, leaves: list[Value] | None, saved: list[float] | None) -> list[Value]:
    """The graph walk: the nodes below root in topological order, root last. The leaves go
    into `leaves` when it is a list (the order then holds only nodes with inputs), else into
    the order itself. With `saved` a list, each node with inputs has its grad appended to
    it and set to 0.0 as it is listed (what backward() does before its pass)."""
    # Each walk uses two fresh marks, so no mark left by an earlier walk can match.
    entered, done = object(), object()
    order: list[Value] = []
    leaf_list = order if leaves is None else leaves
    stack = [root]
    # (stack.append is left as written: Python specialises it, an alias would be slower.)
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark is entered:  # back from its inputs: all of them are in order now
            node._mark = done
            order.append(node)
            if saved is not None:
                saved.append(node.grad)
                node.grad = 0.0
        elif mark is not done:
            inputs = node.inputs
            if not inputs:  # a leaf is finished the moment it is reached
                node._mark = done
                leaf_list.append(node)
                continue
            node._mark = entered
            stack.append(node)  # to be finished after its inputs, which go on top of it
            # Inputs are pushed first-first, so the last operand is searched first and the
            # first operand's branch is finished last. The backward pass walks the order in
            # reverse, so it reaches the first operand's branch first: for E = E_o1 + E_o2
            # it works through o1 (and dE/dw5) before o2, as the slides do.
            if len(inputs) == 2:  # most nodes: unpacked, without a loop
                a, b = inputs
                if a._mark is not done:
                    stack.append(a)
                if b._mark is not done:
                    stack.append(b)
            else:
                for x in inputs:
                    if x._mark is not done:
                        stack.append(x)
    return order
