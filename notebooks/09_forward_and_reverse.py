# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Forward and reverse
#
# **Builds on:** notebook 01, where `backward()` finds every gradient of (x + y) · z in one
# pass from the output. That is *reverse mode*. This notebook sets it beside *forward
# mode*, the other way to apply the chain rule, on the running example of Baydin et al.'s
# survey "Automatic differentiation in machine learning" (JMLR 2018):
#
# f(x1, x2) = ln x1 + x1 x2 − sin x2 at (x1, x2) = (2, 5).
#
# Both modes use the same local derivatives (the rows of the op table); they differ in the
# direction they multiply them in, and so in how many passes they need.

# %%
# Opened outside the project (Colab, a course server)? Then this cell says how to install chainrule.
import importlib.util
from pathlib import Path

if importlib.util.find_spec("chainrule") is None:
    pyproject = Path.cwd().parent / "pyproject.toml"  # in a clone, notebooks/ sits beside it
    wheels = sorted(Path.cwd().glob("chainrule-*.whl"))  # the package file `make dist` builds
    if pyproject.is_file() and 'name = "chainrule"' in pyproject.read_text():
        command = f"%pip install -e {pyproject.parent}"
    elif wheels:
        command = f"%pip install {wheels[-1].name}"
    else:
        command = "%pip install chainrule-0.1.0-py3-none-any.whl   (upload that file here first)"
    print("chainrule is not installed for this kernel. Run this, then restart the kernel:")
    print(command)

# %%
from autograd import Value, forward_steps
from autograd.forward import trace_table
from chainrule.examples import load, run_backward
from chainrule.forward_trace import forward_report

# %% [markdown]
# ## 1. The evaluation trace
# The survey writes the function as a list of elementary steps: v1 = ln x1, v2 = x1 x2,
# v3 = sin x2, v4 = v1 + v2, y = v5 = v4 − v3. With Values each step is one node.


# %%
def survey():
    """The survey's f at (2, 5), each step labelled as the survey names it."""
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    v1 = x1.log()
    v2 = x1 * x2
    v3 = x2.sin()
    v4 = v1 + v2
    v5 = v4 - v3
    for name, v in (("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4), ("v5", v5)):
        v.label = name
    return x1, x2, v5


x1, x2, y = survey()
print(f"y = {y.data:.3f}")  # the survey's 11.652

# %% [markdown]
# ## 2. Forward mode: the tangent trace
# Give each input a *tangent*: 1 for the input to differentiate by, 0 for the other. Each
# node's tangent is the sum, over its inputs, of local derivative × the input's tangent,
# found as the node's value is. `forward_steps(y, {x1: 1.0})` records both, node by node;
# the last tangent is dy/dx1.

# %%
steps = list(forward_steps(y, {x1: 1.0}))
print(trace_table(steps, decimals=3))

# %% [markdown]
# One pass gave dy/dx1 = 5.5 (and the derivative of every intermediate value by x1). For
# dy/dx2 it takes a second pass, with the tangents the other way round:

# %%
by_x2 = list(forward_steps(y, {x2: 1.0}))
print(f"dy/dx2 = {by_x2[-1].tangent:.3f}")  # 2 − cos 5: the survey's 1.716

# %% [markdown]
# ## 3. Reverse mode: the adjoint trace
# Reverse mode starts from the output (ȳ = 1) and passes each node's *adjoint* (its
# gradient) down to its inputs: input.grad += local derivative × the node's gradient. One
# backward pass gives both inputs' gradients.

# %%
y.backward()
print(f"x1.grad = {x1.grad:.3f}, x2.grad = {x2.grad:.3f}")  # the survey's 5.5 and 1.716

# %% [markdown]
# The library holds the survey's example as a file that records every number its traces
# print, so `chainrule check baydin-survey-forward-reverse` checks them all, and the command
# line prints both traces side by side (`--forward x1`), with reverse mode's answer after:

# %%
example = load("baydin-survey-forward-reverse")
run_backward(example)
print(forward_report(example, "x1"))

# %% [markdown]
# ## 4. Counting passes
# For a function of n inputs and one output, forward mode needs one pass per input to get
# the whole gradient; reverse mode needs one backward pass (after the forward pass that
# computes the values). Here is the count for f(x) = sum of sin(x_i) · x_(i+1) over n
# inputs, each pass a walk over every node:


# %%
def chain(n):
    xs = [Value(0.1 * (k + 1), f"x{k + 1}") for k in range(n)]
    terms = [xs[k].sin() * xs[(k + 1) % n] for k in range(n)]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return xs, total


for n in (2, 10, 100):
    xs, out = chain(n)
    forward_passes = [list(forward_steps(out, {x: 1.0}))[-1].tangent for x in xs]
    out.backward()
    same = all(abs(a - x.grad) < 1e-12 for a, x in zip(forward_passes, xs))
    print(f"n = {n:>3}: forward mode {n:>3} passes, reverse mode 1 pass; same gradient: {same}")

# %% [markdown]
# Neural networks have thousands or millions of inputs (the weights) and one output (the
# loss): that is why training uses reverse mode. Forward mode wins the other way round, for
# one input and many outputs, and it needs no memory of the pass to go back through.

# %% [markdown]
# ## Exercises
#
# 1. Write out the survey's adjoint trace by hand from the graph: which step adds x1 x2's
#    share to x̄2, and which adds sin's? Check each number with `--steps`
#    (`chainrule example baydin-survey-forward-reverse --steps`).
# 2. Run `forward_steps(y, {x1: 1.0, x2: 1.0})`. What does the last tangent equal, in
#    terms of the two gradients? (A tangent is a direction: this one is (1, 1).)
# 3. `chainrule expr "f = exp(sin(sin(x)))" x=2 --forward x` prints a chain with one input.
#    How many passes does each mode need for it, and which would you use?
