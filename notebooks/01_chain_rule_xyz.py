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
# # 01 · The chain rule on f = (x + y) · z
#
# **Builds on:** the slides' *Backpropagation: a simple example*:
# f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4, with the intermediate
# q = x + y. Here chainrule's `Value` does the same arithmetic, records the graph,
# and runs the backward pass, first all at once and then one chain-rule step at a time.
#
# **You will see:** the forward values, the graph before and after `backward()`,
# every step as *upstream × local = downstream*, a picture of each step, a numerical
# check of the gradients, and why the slide's f = 12 should read f = -12.

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
from IPython.display import display

from chainrule import (
    Value,
    backward_steps,
    draw_dot,
    gradcheck,
    numerical_grad,
    step_frames,
    step_through,
)

# %% [markdown]
# ## 1. Forward pass
#
# Every arithmetic operation on Values makes a new Value that remembers the operation
# (`op`) and its operands (`inputs`). That record is the graph backward walks later.

# %%
x = Value(-2.0, label="x")
y = Value(5.0, label="y")
z = Value(-4.0, label="z")

q = x + y
q.label = "q"
f = q * z
f.label = "f"

print(f"q = x + y = {x.data:g} + {y.data:g} = {q.data:g}")
print(f"f = q * z = {q.data:g} * {z.data:g} = {f.data:g}")
print(f"f.op = {str(f.op)!r}, f.inputs = {[v.label for v in f.inputs]}")

# %% [markdown]
# ## 2. The graph before backward
#
# Each box is a Value (its label and data); each oval is the operation that produced
# the Value to its right. `show_grad=False` leaves the gradients out: none has been
# computed yet.

# %%
draw_dot(f, show_grad=False)

# %% [markdown]
# ## 3. Backward
#
# `f.backward()` sets df/df = 1 and walks the graph from f back to the leaves. The
# slides do the same by hand:
#
# * f = q · z, so df/dz = q = 3 and df/dq = z = -4 (the *base case*);
# * q = x + y, so dq/dx = dq/dy = 1, and by the chain rule
#   df/dx = df/dq · dq/dx = -4 · 1 = -4, and likewise df/dy = -4.

# %%
f.backward()
for v in (f, q, x, y, z):
    print(f"{v.label}.grad = {v.grad:g}   (df/d{v.label})")

# %% [markdown]
# The same graph with the gradients filled in:

# %%
draw_dot(f)

# %% [markdown]
# ## 4. One chain-rule step at a time
#
# `backward_steps(f)` performs the same pass as `f.backward()` but pauses after every
# application of the chain rule. Each step passes a node's gradient (*upstream*) to one
# of its inputs, multiplied by the derivative of the node with respect to that input
# (*local*); the product (*downstream*) is added to the input's `.grad`.
#
# `backward()` **adds** into the leaves' gradients (that is how a Value used twice gets
# both shares), so the leaves are zeroed first; otherwise this second pass would double
# them.

# %%
for leaf in (x, y, z):
    leaf.grad = 0.0

header = ("step", "node", "input", "upstream", "local")
print("{:>4}  {:>4} -> {:<5} {:>8} x {:>5} = downstream".format(*header))
for step in backward_steps(f):
    root, node, input_name = step.names
    print(
        f"{step.number:>4}  {node:>4} -> {input_name:<5} {step.upstream:>8g} x "
        f"{step.local:>5g} = {step.contribution:g}"
    )
print()
print(f"after the steps: x.grad = {x.grad:g}, y.grad = {y.grad:g}, z.grad = {z.grad:g}")

# %% [markdown]
# Each step also prints itself the way the slides write it:

# %%
for leaf in (x, y, z):
    leaf.grad = 0.0
for step in backward_steps(f):
    print(step)

# %% [markdown]
# ## 5. A picture of each step
#
# `step_frames(f)` runs the same pass and draws it: frame 0 before it starts (every
# gradient "?"), then one frame per step, which highlights the edge the gradient flows
# along and writes local × upstream in the caption. All frames share one layout, so
# nothing moves from one to the next, and the gradients fill in from f back to x and y.
# (`save_step_frames(f, "frames/")` writes them as files, step_00.png to step_04.png.)

# %%
for leaf in (x, y, z):
    leaf.grad = 0.0
for frame in step_frames(f):
    display(frame)

# %% [markdown]
# ### Step through it yourself
#
# `step_through(f)` puts the whole pass into one view you click through: first the
# forward pass, value by value, then the backward pass step by step, with buttons
# (First, Previous, Next, Last), a slider and the arrow keys, and a table of the
# gradients found so far. It needs no kernel once drawn. It runs in a trusted notebook
# (`make lab` trusts these); where a notebook viewer will not run it (GitHub's preview),
# `step_through(f).save("xyz.html")` writes it as a page that opens in any browser, and
# the frames above show the same pass as pictures. Stepping through changes no gradient.

# %%
step_through(f)


# %% [markdown]
# ## 6. A numerical check
#
# A derivative is the limit of (f(x + ε) - f(x - ε)) / 2ε. `numerical_grad`
# computes that for each input with a small ε; `gradcheck` compares it with
# `backward()` and raises an error naming any input that disagrees.

# %%
def f_of(x, y, z):
    return (x + y) * z


numeric = numerical_grad(f_of, [x, y, z])
print("central differences:", [round(g, 6) for g in numeric])
print("backward():         ", [x.grad, y.grad, z.grad])
print("gradcheck:", gradcheck(f_of, [x, y, z]))

# %% [markdown]
# What the gradient means: nudging x up by 0.001 changes f by about
# df/dx · 0.001 = -0.004.

# %%
nudged = f_of(Value(-2.0 + 0.001), Value(5.0), Value(-4.0))
print(f"f(x + 0.001) - f(x) = {nudged.data - f.data:.6f}")

# %% [markdown]
# ## 7. The slide's sign typo
#
# The slide writes *f = q.z = 3 * -4 = 12*. A positive number times a negative number
# is negative: **f = -12**. Only the printed value of f lost its minus sign; the
# gradients on the following slides (df/dq = -4, df/dz = 3, df/dx = df/dy = -4) do not
# depend on f's value and are right, as the checks above confirm.

# %%
print("3 * -4 =", 3 * -4)
print(f"f.data = {f.data:g}")

# %% [markdown]
# ## Exercises
#
# 1. Change z to +4. Before running anything, predict every gradient; then check with
#    `backward()`.
# 2. Build g = x * y + y * z, where y is used twice. Use `backward_steps` to find the
#    two steps that add into `y.grad`, and check that y.grad is their sum (x + z).
# 3. Replace `+` by `-` in q. Which gradients change sign? Confirm with `gradcheck`.
#
# From a terminal, `chainrule example xyz --steps` prints this example's values and
# backward steps.
