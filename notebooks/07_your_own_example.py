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
# # 07 · Your own example
#
# **Builds on:** notebooks 01 and 02, which take the course's two worked examples apart.
# This one is for the example on *your* slide: how to type it in, check the numbers the
# slide prints, and step through it.
#
# The example here is the sigmoid neuron from the Stanford CS231n notes on backpropagation:
# f(w, x) = 1 / (1 + e^-(w0·x0 + w1·x1 + w2)) at w = (2, -3, -3), x = (-1, -2). Its
# circuit diagram prints every value and gradient to 2 decimals.

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
from chainrule import Value, backward_steps, draw_dot, gradcheck

# %% [markdown]
# ## 1. Type it in
#
# One Value per given number, with the name the slide uses; one line per gate of the
# circuit, so every intermediate value the diagram shows has a node of its own.

# %%
w0, x0, w1, x1, w2 = (Value(v, name) for v, name in
                      [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
dot = w0 * x0 + w1 * x1 + w2
dot.label = "dot"
f = 1 / (1 + (-dot).exp())
f.label = "f"
f.backward()
print(f"dot = {dot.data:g}, f = {f.data:.4f}")
for v in (w0, x0, w1, x1, w2):
    print(f"df/d{v.label} = {v.grad:+.4f}")

# %% [markdown]
# ## 2. Check the slide's numbers
#
# Write each number as the slide prints it, as text, so that its precision is known: "0.73"
# is right for anything that rounds to 0.73. The diagram's gradients sit under the inputs.

# %%
printed = {"f": "0.73", "w0": "-0.20", "x0": "0.39", "w1": "-0.39", "x1": "-0.59", "w2": "0.20"}
computed = {"f": f.data, **{v.label: v.grad for v in (w0, x0, w1, x1, w2)}}

for name, text in printed.items():
    decimals = len(text.partition(".")[2])
    verdict = "ok" if f"{computed[name]:.{decimals}f}" == text else "DIFFERS"
    print(f"{name:>3}: slide {text:>5}, computed {computed[name]:+.6f}  {verdict}")

# %% [markdown]
# `gradcheck` confirms the gradients against central differences, independently of the
# chain rule:

# %%
def neuron(w0, x0, w1, x1, w2):
    return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())


print("gradcheck:", gradcheck(neuron, [Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0),
                                      Value(-3.0)]))

# %% [markdown]
# ## 3. Step through it
#
# The backward pass one chain-rule step at a time, as in notebook 01. Unnamed
# intermediate values are called v1, v2, ... by their place in the graph.

# %%
for leaf in (w0, x0, w1, x1, w2):
    leaf.grad = 0.0
for step in backward_steps(f):
    print(step)

# %% [markdown]
# ## 4. Draw it

# %%
draw_dot(f, decimals=2)

# %% [markdown]
# ## Exercises
#
# 1. Replace the gates 1 / (1 + e^-dot) by `dot.sigmoid()`. Which numbers stay the same,
#    and how many steps does the backward pass take now?
# 2. Type in the example from your own course's slides and check every number it prints.
#    If one differs, is it a typo, a rounding, or a different formula?
# 3. Change w2 so that f = 0.5 exactly. What are the gradients then, and why is df/dw2
#    the largest it can be?
