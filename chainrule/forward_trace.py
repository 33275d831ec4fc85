"""`--forward NAME`: a worked example in forward mode, beside the reverse mode it shows.

Forward mode gives every value's derivative by one input (NAME) in one pass from the
inputs up: the evaluation trace and the tangent trace, side by side, as in Baydin et al.'s
survey. The last line sets it against reverse mode: one forward pass per input against one
backward pass for all of them.
"""

from __future__ import annotations

from autograd.forward import dotted, forward_steps, trace_table
from autograd.printing import format_number

from .worked import ExampleError, WorkedExample, run_backward


def forward_report(example: WorkedExample, name: str, decimals: int | None = None) -> str:
    """The example's forward-mode pass for d/d name: both traces, then the derivative of
    the output it gives and what reverse mode gives for every input in one pass."""
    inputs = [n for n, v in example.values.items() if not v.inputs and n not in example.constants]
    if name not in inputs:
        raise ExampleError(
            f"--forward {name}: not an input of {example.name}; choose one of: {', '.join(inputs)}"
        )
    decimals = example.decimals if decimals is None else decimals

    def number(x: float) -> str:
        return format_number(x, decimals=decimals, fixed=True)

    steps = list(forward_steps(example.root, {example.values[name]: 1.0}))
    root = example.root.label or "the output"
    seeds = ", ".join(f"{dotted(n)} = {1 if n == name else 0}" for n in inputs)
    title = f"Forward mode: the tangent of every value along d/d{name} ({seeds})"
    tangent = next(s.tangent for s in steps if s.node is example.root)
    run_backward(example)
    reverse = ", ".join(f"d{root}/d{n} = {number(example.values[n].grad)}" for n in inputs)
    summary = (
        f"d{root}/d{name} = {dotted(root)} = {number(tangent)}: one forward pass "
        f"per input ({_passes(len(inputs))}).\nReverse mode finds every "
        f"input's gradient in one backward pass: {reverse}."
    )
    return "\n".join([title, "", trace_table(steps, decimals), "", summary])


def _passes(n: int) -> str:
    """The count of passes: 1 pass for 1 input, 2 passes for 2 inputs."""
    return f"{n} pass for 1 input" if n == 1 else f"{n} passes for {n} inputs"
