"""chainrule's engine: scalar reverse-mode automatic differentiation.

    >>> from autograd import Value
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

Drawing (draw_dot), the live step-through (step_through) and Tensor, the same engine over
NumPy arrays, are loaded on first use, so importing the engine starts no process and imports
neither graphviz nor numpy.
"""

from __future__ import annotations

from .backward import evaluate_op, topological_order
from .check import gradcheck, numerical_grad
from .define import define_op
from .engine import (
    Value,
    enable_grad,
    is_grad_enabled,
    no_grad,
    sum_of,
    weighted_sum,
)
from .forward import ForwardStep, forward_steps
from .steps import Step, backward_steps

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from typing import Any

    from .tensor import Tensor

__all__ = [
    "ForwardStep",
    "Step",
    "Tensor",
    "Value",
    "backward_steps",
    "define_op",
    "draw_dot",
    "enable_grad",
    "evaluate_op",
    "forward_steps",
    "frames_to_gif",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "numerical_grad",
    "save_step_frames",
    "step_through",
    "step_frames",
    "sum_of",
    "topological_order",
    "weighted_sum",
]


def __getattr__(name: str) -> Any:
    # Drawing lives in autograd.draw and autograd.frames, which import graphviz; load
    # them only when asked.
    if name == "draw_dot":
        from .draw import draw_dot

        return draw_dot
    if name in ("save_step_frames", "step_frames", "frames_to_gif"):
        from . import frames

        return getattr(frames, name)
    if name == "Tensor":  # the vectorized engine imports numpy: loaded on first use
        from .tensor import Tensor

        return Tensor
    if name == "step_through":  # the live step-through draws too: loaded on first use
        from .stepthrough import step_through

        return step_through
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
