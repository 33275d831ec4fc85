"""Checking gradients against finite differences.

backward() is only trustworthy if it agrees with the definition of a derivative:
(f(x + eps) - f(x - eps)) / 2eps for a small eps. `numerical_grad` computes that for each
input, and `gradcheck` compares it with what backward() gives, naming every input that
disagrees and by how much.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value, no_grad


def _check_inputs(inputs: Sequence[Value]) -> None:
    """A TypeError naming the first input that is not a Value (both checks need Values:
    they move each input's .data and read its .grad)."""
    if isinstance(inputs, (Value, str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a list of Values, got {type(inputs).__name__}")
    for k, x in enumerate(inputs):
        if not isinstance(x, Value):
            hint = f"; wrap it: Value({x!r})" if isinstance(x, (int, float)) else ""
            raise TypeError(f"inputs[{k}] is a {type(x).__name__}, not a Value{hint}")


def _evaluate(f: Callable[..., Value | float], inputs: Sequence[Value]) -> float:
    out = f(*inputs)
    return out.data if isinstance(out, Value) else float(out)


def numerical_grad(
    f: Callable[..., Value | float], inputs: Sequence[Value], eps: float = 1e-6
) -> list[float]:
    """Central differences of the scalar f(*inputs) with respect to each input's data."""
    _check_inputs(inputs)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    grads = []
    with no_grad():  # only the numbers are needed, not a graph
        for x in inputs:
            original = x.data
            try:
                x.data = original + eps
                above = _evaluate(f, inputs)
                x.data = original - eps
                below = _evaluate(f, inputs)
            finally:
                x.data = original
            grads.append((above - below) / (2 * eps))
    return grads


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> bool:
    """True when backward() matches central differences for every input.

    Otherwise raises AssertionError listing each input that disagrees with both figures.
    The inputs' .grad are left as they were found.
    """
    _check_inputs(inputs)
    saved = [x.grad for x in inputs]
    try:
        for x in inputs:
            x.grad = 0.0
        out = f(*inputs)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck needs f to return a Value, got {type(out).__name__}")
        out.backward()
        analytic = [x.grad for x in inputs]
    finally:
        for x, grad in zip(inputs, saved):
            x.grad = grad
    numeric = numerical_grad(f, inputs, eps)
    problems = []
    for k, (x, a, n) in enumerate(zip(inputs, analytic, numeric)):
        allowed = atol + rtol * abs(n)
        if not abs(a - n) <= allowed:
            name = f" ({x.label})" if x.label else ""
            problems.append(
                f"  input {k}{name} at {x.data!r}: backward gave {a!r}, central differences "
                f"gave {n!r} (difference {abs(a - n):.3g}, allowed {allowed:.3g})"
            )
    if problems:
        raise AssertionError(
            "gradcheck failed: backward() disagrees with central differences for "
            f"{len(problems)} of {len(inputs)} inputs:\n" + "\n".join(problems)
        )
    return True
