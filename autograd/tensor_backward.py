"""The backward pass over Tensors: the topological order, the chain rule, the end.

Tensor.backward() and backward_steps on a Tensor run the same three pieces: the tensors
that need a gradient in topological order (an iterative search, no recursion), the chain
rule applied edge by edge in one loop (each input's share is its operation's
vector-Jacobian product of the upstream gradient, from tensor_ops.py; broadcasting undone
in one place, `_unbroadcast`), and `finish_pass`, which checks the leaves' totals and only
then writes every .grad: all or nothing. This file knows Tensors only by their attributes
(data, op, inputs, const, requires_grad, _grad); it imports NumPy and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor
    from .tensor_ops import VjpInto

Array = np.ndarray


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors below root that need a gradient (root last), each after its inputs.

    A depth-first search without recursion (a long chain of operations works): each tensor
    on the stack keeps an iterator over its inputs, so when the iterator runs out, every
    input is in order and the tensor goes after them. Only inputs that require grad are
    searched: a batch of data gets no gradient computed for it. The first operand's branch
    is searched first.
    """
    order: list[Tensor] = []
    seen = {root}
    stack = [(root, iter(root.inputs))]
    while stack:
        node, inputs = stack[-1]
        for x in inputs:
            if x.requires_grad and x not in seen:
                seen.add(x)
                stack.append((x, iter(x.inputs)))
                break
        else:  # all its inputs are in order
            stack.pop()
            order.append(node)
    return order


def chain_rule(
    order: list[Tensor], grads: dict[Tensor, Array], *, homes: bool = False
) -> Iterator[tuple[Any, ...]]:
    """The chain rule over `order` (from topological_order), output first.

    grads holds the root's gradient; each edge node -> input adds the input's share,
    vjp(upstream), into grads[input] (`+=`: an input used twice gets both shares). Yields
    (node, input number, input, upstream, share) after each edge.

    homes=True (backward() itself): a parameter's first share, when its gradient starts
    from zero and it has a home in an optimizer's buffer, is written there by the vjps that
    can (TensorOp.writes_into). Until the pass has been checked nobody reads it there: the
    parameter's grad stays None, which reads as zeros. (backward_steps keeps each share it
    shows, so it never passes homes: a later pass would write over them.)
    """
    for node in reversed(order):
        inputs = node.inputs
        if not inputs:
            continue
        upstream = grads[node]  # complete: every use of node has reported
        op = node.op
        vjps = op.vjps
        into = op.writes_into if homes else ()
        out = node.data
        a = inputs[0].data
        b = inputs[1].data if len(inputs) > 1 else node.const  # (linear's bias: its vjp needs g)
        for k, x in enumerate(inputs):
            if not x.requires_grad:
                continue
            if k in into and x._home is not None and x._grad is None and x not in grads:
                write = cast("VjpInto", vjps[k])
                grads[x] = share = write(upstream, out, a, b, x._home)
                yield node, k, x, upstream, share
                continue
            share = vjps[k](upstream, out, a, b)
            if share.shape != x.data.shape:
                share = _unbroadcast(share, x.data.shape)
            total = grads.get(x)
            grads[x] = share if total is None else total + share
            yield node, k, x, upstream, share


def _unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """grad summed back to `shape`: where the forward pass broadcast an input (b of shape
    (16,) added to every row of a (32, 16) batch), each of its entries was used many times,
    so its gradient is the sum of all those uses."""
    extra = grad.ndim - len(shape)
    if extra > 0:  # axes broadcasting put in front
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:  # axes of length 1 that broadcasting stretched
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.broadcast_to(grad, shape) if grad.shape != shape else grad


def store_grads(
    order: list[Tensor], grads: dict[Tensor, Array], totals: dict[Tensor, tuple[Array, Array]]
) -> None:
    """Write a pass's gradients: an intermediate tensor gets this pass's gradient. A leaf (a
    parameter) with a gradient from earlier passes has `totals` hold that array and its sum
    with this pass's, worked out and checked by finish_pass: the sum is written into the
    same array, so two passes add up and an optimizer that laid the gradients out in one
    buffer finds them there. A leaf with none yet (zero) gets a copy, written into its
    home in that buffer when it has one."""
    for node in order:
        grad = grads.get(node)
        if grad is None:
            continue
        if node.inputs:
            node._grad = grad
        elif node in totals:
            earlier, total = totals[node]
            np.copyto(earlier, total)
        elif node._home is not None:
            if grad is not node._home:  # (else its vjp wrote it there already)
                np.copyto(node._home, grad)
            node._grad = node._home
        else:
            node._grad = np.array(grad, dtype=node.data.dtype)


def finish_pass(root: Tensor, order: list[Tensor], grads: dict[Tensor, Array], seed: Array) -> None:
    """The end of a pass: check, then write. A NaN or an infinity anywhere in the pass
    reaches the leaves below it (inf * 0 is nan, nan * 0 is nan), so checking the leaves'
    totals catches every one; only when all are finite is anything written."""
    totals: dict[Tensor, tuple[Array, Array]] = {}
    with np.errstate(over="ignore", invalid="ignore"):  # (for finite_quietly)
        for node in order:
            if not node.inputs:
                grad = grads[node]
                if not finite_quietly(grad):
                    _explain_failure(root, order, seed)
                earlier = node._grad
                if earlier is not None:  # a gradient from earlier passes: it adds up
                    total = earlier + grad
                    totals[node] = (earlier, total)
                    if not finite_quietly(total):
                        _explain_total(node, earlier, grad, total)
    store_grads(order, grads, totals)


def _explain_total(leaf: Tensor, earlier: Array, grad: Array, total: Array) -> None:
    """Raise the error of a pass whose gradients are finite but would not be once added to
    what a leaf's .grad holds from earlier passes. Nothing has been written."""
    index = first_bad(total)
    name = f"{leaf.label!r}" if leaf.label else f"a tensor of shape {leaf.shape}"
    raise OverflowError(
        f"backward: the .grad of {name} would become {float(earlier[index])!r} + "
        f"{float(grad[index])!r} = {float(total[index])!r} at index {index}, not a finite "
        "number; no .grad was changed. Call zero_grad() before backward() if the gradients "
        "have been adding up over many passes, or make the inputs or weights smaller."
    )


def _explain_failure(root: Tensor, order: list[Tensor], seed: Array) -> None:
    """Raise the error of a failed pass: run it again, checking every edge, and name the
    first operation whose vector-Jacobian product is not finite. Nothing has been written."""
    grads = {root: seed}
    with np.errstate(all="ignore"):
        for node, k, x, _upstream, share in chain_rule(order, grads):
            for what, array in (("its share", share), ("the running total", grads[x])):
                if not all_finite(array):
                    index = first_bad(array)
                    name = f" {x.label!r}" if x.label else ""
                    written = node.op.template.format(a="a", b="b", c="c")
                    raise OverflowError(
                        f"backward through {node.op!r} ({written}, shape {node.shape}): the "
                        f"gradient of input {k + 1}{name} (shape {x.shape}) is "
                        f"{float(array[index])!r} at index {index} ({what}), not a finite "
                        "number; no .grad was changed. The upstream gradient or the values "
                        "are too large: try a smaller learning rate, or scale the loss down."
                    )
    raise OverflowError(f"backward from {root!r} met a gradient that is not finite")


def all_finite(array: Array) -> bool:
    """Whether every entry is finite, without a NumPy warning whatever the numbers.

    A small array is looked at entry by entry. A large one is first summed up as its sum of
    squares, a dot product that BLAS computes three times as fast as NumPy's isfinite: it
    is finite only when every entry is (a NaN or an infinity stays one when squared, and
    squares never cancel), so it answers nearly always; it overflows, and the entries are
    looked at one by one after all, only when one is beyond about 1e154 (1e19 in float32).
    """
    if array.size < _DOT_FROM:
        return bool(_all_true(_isfinite(array), None))
    with np.errstate(over="ignore"):  # an overflow only means: look at each entry
        return finite_quietly(array)


def finite_quietly(array: Array) -> bool:
    """all_finite(array), for a caller that has NumPy's overflow warning off already (as
    the end of a backward pass has): then the sum of squares is the faster at any size."""
    flat = array.ravel("K")  # a view of any array laid out in one piece, in memory order
    if math.isfinite(np.dot(flat, flat)):
        return True
    return bool(_all_true(_isfinite(array), None))


_isfinite = np.isfinite
_all_true = np.logical_and.reduce  # the ufunc itself: .all() goes through Python first
# From this many entries the dot product, with an errstate around it, is the faster.
_DOT_FROM = 16384


def first_bad(array: Array) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
