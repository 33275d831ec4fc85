"""Pictures of computation graphs: `draw_dot(root)`.

`draw_dot(root)` writes the graph below root in Graphviz's DOT language: one box per Value
(its name, data and grad, stacked) and one small node per operation, so you can see that
f = q * z is a `×` fed by q and z. The graph is drawn in layers: a Value's column follows
its depth, and each column keeps the order the values are read in (w1 before w2, h1 above
h2). A number mixed into an expression is written into its operation ("× 0.5") instead of
being drawn as an input. Node ids come from the topological order, so the same graph always
gives the same text. The picture's structure is worked out in autograd/drawing.py; the
frames of a backward pass are drawn by autograd/frames.py. Pictures are rendered by
autograd/render.py (system `dot` or the pip-installed graphviz-pure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .drawing import Drawing, DrawingOptions
from .engine import Value
from .graph import Graph
from .render import find_renderer
from .steps import Step
from .tensor_probe import is_tensor


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    *,
    decimals: int | None = None,
    digits: int | None = None,
    show_grad: bool = True,
    color_roles: bool = False,
    grad_sign: bool = False,
    group_by: Mapping[Value, Sequence[str]] | None = None,
    step: Step | None = None,
    show_constants: bool = False,
    max_nodes: int = 2000,
    constants: Sequence[Value] = (),
    lecture: bool = False,
    theme: str | None = None,
) -> Graph:
    """The computation graph below root, as a Graph (`.source`, `.save(path)`, Jupyter).

    rankdir:     "LR" (inputs on the left, the default) or "TB" (inputs at the top), or
                 "RL", "BT". Values stand in columns (rows for TB) by their depth.
    decimals:    digits after the point for data and grad (4 unless digits is given).
    digits:      significant digits instead (digits=3: 0.0822, 1.23e-05).
    show_grad:   False leaves grads out (for pictures drawn before backward()).
    color_roles: fill each Value by its role: output (the root, blue), intermediate (grey),
                 parameter (yellow) and input (green). A leaf is a parameter when it is one
                 of group_by's parameters; without group_by, when its label starts
                 with "w" or "b" (w1, b, bias); every other leaf is an input.
    grad_sign:   a red border on a negative gradient, blue on a positive one.
    group_by:    a mapping from each parameter to the boxes it sits in and its name,
                 outermost first: {w: ("layer 0", "neuron 1", "w.0"), ...}; an nn model
                 gives one (model.parameter_groups()). Each box holds its parameters and
                 the weighted sum and activation they feed, inside the boxes around it;
                 an unlabeled parameter is called by the name given ("w.0", "b").
    step:        a Step from backward_steps(root): highlights the node passing its gradient,
                 the input receiving it and the edge between, writes the chain-rule
                 product in the caption, and shows "?" for gradients not complete yet.
    show_constants: draw the numbers mixed into the expression (the 0.5 of x * 0.5) as
                 leaves of their own, with their gradients. By default an unlabeled leaf
                 that meets a drawn operand in +, -, *, / or ** is written into the
                 operation's node instead ("× 0.5"); label a Value to always draw it.
    max_nodes:   more Values than this raises ValueError: such a picture cannot be read.
    constants:   leaf Values that are given numbers, not inputs (a loss's targets): each is
                 written into its operation's node, named, its value under the name
                 ("target_o1 − x" over "(0.01)"); where it cannot be, it is a dashed box
                 with no gradient. Never coloured as an input.
    lecture:     draw for a projected 16:9 slide: three significant digits unless decimals
                 or digits say otherwise, and a neuron's weighted sum and activation as
                 one node ("σ(Σ w·x + b)"), one column less per layer; frames write the
                 step's arithmetic larger than anything else.
    theme:       the colours: "light" (the default), "dark" or "contrast"; every role
                 keeps its meaning and text its contrast (autograd/themes.py).

    A Tensor root draws a box per tensor and a node per operation (autograd/tensor_view.py)
    and takes rankdir, decimals, digits, show_grad, color_roles (a leaf that requires grad
    is a parameter, any other an input), max_nodes, lecture (a layer per row, to fit a
    slide) and theme; a Value graph's other options raise TypeError.
    """
    options = DrawingOptions(
        rankdir, decimals, digits, show_grad, color_roles, grad_sign, group_by, show_constants,
        max_nodes, constants, lecture, theme,
    )  # fmt: skip
    if is_tensor(root):  # a graph of Tensors: drawn by autograd/tensor_view.py
        scalar_only = {"grad_sign": grad_sign, "group_by": group_by, "step": step,
                       "show_constants": show_constants, "constants": constants}  # fmt: skip
        given = [name for name, value in scalar_only.items() if value or name == "step" and
                 value is not None]  # fmt: skip
        if given:
            raise TypeError(
                f"draw_dot of a Tensor graph does not take {given[0]}= (a Value graph's "
                "option); it takes rankdir, decimals, digits, show_grad, color_roles, "
                "max_nodes, lecture and theme. step_through(root) shows each step of its pass"
            )
        return _tensor_view().draw_tensor(root, options)
    structure = Drawing.of(root, options)
    scene = None if step is None else structure.scene_of(step, options)
    if options.lecture and find_renderer() is not None:  # laid out for a 16:9 slide
        return structure.graph(options, scene, structure.layout(options, [scene] if scene else []))
    return structure.graph(options, scene)


def _tensor_view() -> Any:
    from . import tensor_view  # NumPy: loaded only when a Tensor is drawn

    return tensor_view
