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
# # 06 · The usual mistakes
#
# **Builds on:** notebooks 01-04: `backward()`, the chain rule one step at a time,
# the training loop and its five steps, learning rates.
#
# The same few confusions come up again and again when people write or use a backprop
# engine (they fill the question threads of micrograd and of the lecture it comes from).
# Each section below shows one going wrong, says why, and puts it right with chainrule:
#
# 1. gradients pile up when `zero_grad()` is forgotten;
# 2. `=` instead of `+=` when a value is used twice, as in `a + a`;
# 3. why backward walks a topological order and not a plain recursion;
# 4. a picture drawn before `backward()` shows only zeros;
# 5. the sign of a subtraction's gradient;
# 6. a learning rate too high: the loss blows up, and `fit` says so;
# 7. a dead ReLU, which no longer learns.

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
import matplotlib.pyplot as plt

from chainrule import MLP, SGD, Value, draw_dot, fit, line_data, mse_loss, train_val_split
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers

# %% [markdown]
# ## 1. Gradients pile up when `zero_grad()` is forgotten
#
# `backward()` **adds** into each leaf's `.grad`; it never clears it. That is what makes a
# value used in two places get both shares (section 2), and it is also why a second
# `backward()` without clearing counts the first one again. Here y = x², so dy/dx = 2x = 6:

# %%
x = Value(3.0, "x")
for attempt in range(1, 4):
    y = x * x
    y.backward()
    print(f"backward() number {attempt}: x.grad = {x.grad:g}   (dy/dx is 6)")

# %% [markdown]
# In a training loop the same thing happens between batches: each update then uses the sum
# of every gradient so far instead of the current one, and the loss jumps around instead
# of falling. One linear neuron learning y = 2x + 1, 10 updates on the same 32 points, once
# without `optimizer.zero_grad()` and once with it:

# %%
xs, ys = line_data(200, -10.0, 10.0)
x_train, y_train, x_val, y_val = train_val_split(xs, ys, seed=0)
xb, yb = x_train[:32], y_train[:32]

for clear in (False, True):
    model = MLP(1, [1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.005)
    losses = []
    for _ in range(10):
        loss = mse_loss([model([x]) for x in xb], yb)
        if clear:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    name = "with zero_grad()   " if clear else "without zero_grad()"
    print(name, " ".join(f"{value:5.3g}" for value in losses))
    plt.plot(range(1, 11), losses, marker=".", label=name.strip())
plt.yscale("log")
plt.xlabel("update")
plt.ylabel("loss (MSE)")
plt.title("Forgetting zero_grad()")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# **Put right:** clear the gradients once per update, before `backward()`:
# `optimizer.zero_grad()` (or `model.zero_grad()`), exactly as in PyTorch. With it the loss
# falls at every update.
#
# ## 2. `=` instead of `+=` when a value is used twice
#
# In s = a + a the same Value is both operands: `s.inputs` is `(a, a)`, two edges into the
# `+`. Each edge carries a share of the gradient, ds/da = 1 + 1 = 2. A hand-written
# backward for `+` that **sets** each input's gradient keeps only the last share:

# %%
a = Value(3.0, "a")
s = a + a
print("s.inputs are (a, a):", s.inputs == (a, a))

s.grad = 1.0
for operand in s.inputs:  # a hand-written backward for +: each operand gets 1 * s.grad
    operand.grad = 1.0 * s.grad  # wrong: the second use overwrites the first
print(f"with  = : a.grad = {a.grad:g}")

a.grad = 0.0
for operand in s.inputs:
    operand.grad += 1.0 * s.grad  # right: each use adds its share
print(f"with += : a.grad = {a.grad:g}")

# %% [markdown]
# **Put right:** chainrule's backward adds every share (that is the `+=` in `Value.backward`),
# and `backward_steps` shows the two steps that add into `a.grad`. `gradcheck` compares with
# the numerical derivative:

# %%
from chainrule import backward_steps, gradcheck

a = Value(3.0, "a")
s = a + a
s.label = "s"
for step in backward_steps(s):
    print(step)
print(f"a.grad = {a.grad:g}")
print("gradcheck:", gradcheck(lambda a: a + a, [Value(3.0)]))

# %% [markdown]
# ## 3. Why a topological order, and not a plain recursion
#
# The first backward people write is recursive: give each input its share, then recurse
# into it straight away. It looks right, and it is right for a tree. Here q = 2x is used
# twice, in f = q · q, so f = 4x² and df/dx = 8x = 24 at x = 3. The hand-written `push`
# knows the local derivatives of `*` and `+` only, which is all this graph needs:

# %%
def local_derivatives(node):
    first, second = node.inputs
    return [second.data, first.data] if node.op == "*" else [1.0, 1.0]


def push(node):  # the plain recursion: pass the gradient on, then recurse at once
    if not node.inputs:
        return
    for operand, local in zip(node.inputs, local_derivatives(node)):
        operand.grad += local * node.grad
        push(operand)


x = Value(3.0, "x")
q = x * 2.0
q.label = "q"
f = q * q
f.label = "f"
f.grad = 1.0
push(f)
print(f"plain recursion: x.grad = {x.grad:g}, q.grad = {q.grad:g}   (df/dx is 24)")

# %% [markdown]
# q.grad ends right (6 + 6 = 12), but q passed its gradient down twice: once when it held
# only the first share (6, so x got 2 · 6) and again when it held both (12, so x got
# 2 · 12 more): 12 + 24 = 36. A node may pass its gradient on only when **every** node that
# uses it has passed its share to it. A topological order lists each node after all of its
# inputs; walking it backwards from f guarantees exactly that.

# %%
from chainrule import topological_order

x.grad = q.grad = 0.0
print("topological order:", [node.label or f"{node.data:g}" for node in topological_order(f)])
f.backward()
print(f"backward():      x.grad = {x.grad:g}, q.grad = {q.grad:g}")

# %% [markdown]
# The recursion has a second problem: Python stops it after about 1,000 nested calls, and a
# `sum()` of a few thousand terms is that deep. chainrule's backward uses no recursion (its
# topological search keeps its own stack), so a chain of a million operations works.

# %%
first = Value(0.0, "first")
total = first
for _ in range(5000):  # a chain 5000 operations deep
    total = total + 1.0
total.grad = 1.0
try:
    push(total)
except RecursionError as error:
    print("plain recursion:", type(error).__name__)

first.grad = 0.0
total.backward()
print(f"backward(): d(total)/d(first) = {first.grad:g}")

# %% [markdown]
# ## 4. A picture drawn before `backward()` shows only zeros
#
# Every `.grad` starts at 0.0 and stays there until `backward()` runs. A graph drawn right
# after the forward pass therefore shows "grad 0.0000" everywhere, which reads as "nothing
# depends on anything":

# %%
x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
draw_dot(f)

# %% [markdown]
# **Put right:** draw after `f.backward()` to see the gradients, or before it with
# `show_grad=False`, which leaves them out instead of showing zeros:

# %%
draw_dot(f, show_grad=False)

# %%
f.backward()
draw_dot(f)

# %% [markdown]
# ## 5. The sign of a subtraction's gradient
#
# For d = a - b, dd/da = +1 but dd/db = **-1**. Losing that minus sign is the commonest slip
# in a hand derivation. The slides' error E = ½ (target - out)² is the classic place: its
# derivative is dE/dout = -(target - out) = out - target. With the 2-2-2 network's
# out_o1 = 0.75136507 and target 0.01:

# %%
out = Value(0.75136507, "out_o1")
target = 0.01
E = 0.5 * (target - out) ** 2
E.backward()

wrong = target - out.data  # the minus sign of "- out" forgotten
right = out.data - target  # -(target - out)
print(f"by hand, sign lost: dE/dout = {wrong:+.8f}")
print(f"by hand, right:     dE/dout = {right:+.8f}")
print(f"backward():         dE/dout = {out.grad:+.8f}")

# %% [markdown]
# With the sign lost, gradient descent climbs instead of descending. One update of out
# (learning rate 0.5) with each gradient:

# %%
for name, grad in (("sign lost", wrong), ("right", right)):
    new_out = out.data - 0.5 * grad
    print(f"{name:<9}: out {out.data:.4f} -> {new_out:.4f}, E {E.data:.4f} -> "
          f"{0.5 * (target - new_out) ** 2:.4f}")

# %% [markdown]
# **Put right:** let `backward()` find the sign, and check a hand derivation against it (or
# against `gradcheck`, which compares with central differences), as notebook 02 does for
# the slide's ∂E_total/∂out_o1 = 0.74136507.
#
# ## 6. A learning rate too high
#
# Each update moves a weight by lr · gradient. When that step overshoots the minimum by
# more than it started from, every update makes things worse, and after a few hundred
# updates the numbers are larger than a float can hold. For one linear neuron on
# y = 2x + 1 with mini-batches of 32 (notebook 04), lr = 0.05 is too high:

# %%
model = MLP(1, [1], seed=0)
history = fit(model, SGD(model.parameters(), lr=0.05), x_train, y_train, x_val, y_val,
              epochs=4, batch_size=32, progress=False)
print("val loss per epoch at lr 0.05:", [f"{loss:.3g}" for loss in history.val_loss])

# %% [markdown]
# Left to run, the loss overflows. chainrule does not carry on with infinities or NaN:
# `fit` stops with `TrainingDiverged`, naming the epoch and suggesting a lower rate.

# %%
from chainrule import TrainingDiverged

model = MLP(1, [1], seed=0)
try:
    fit(model, SGD(model.parameters(), lr=0.05), x_train, y_train, epochs=300,
        batch_size=32, progress=False)
except TrainingDiverged as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# **Put right:** lower the learning rate (here 0.01 converges), or use an optimizer that
# scales its steps, such as Adam.

# %%
model = MLP(1, [1], seed=0)
history = fit(model, SGD(model.parameters(), lr=0.01), x_train, y_train, x_val, y_val,
              epochs=20, batch_size=32, progress=False)
print(f"val loss after 20 epochs at lr 0.01: {history.val_loss[-1]:.2g}")

# %% [markdown]
# ## 7. A dead ReLU
#
# relu(net) is 0 for every net < 0, and so is its derivative. A ReLU neuron whose net input
# is negative for every example passes back a gradient of exactly 0 to its weights and
# bias: no optimizer can move them, and the neuron never recovers. A big update is the
# usual way in. One ReLU neuron learning y = 2x + 1 on six points, with lr = 0.5:

# %%
from chainrule import Neuron

points = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
targets = [2 * x + 1 for x in points]


def train_relu_neuron(lr, updates=5):
    neuron = Neuron(1, "relu", weights=[0.5], bias=0.5)
    optimizer = SGD(neuron.parameters(), lr=lr)
    for update in range(1, updates + 1):
        loss = mse_loss([neuron([x]) for x in points], targets)
        optimizer.zero_grad()
        loss.backward()
        w, b = neuron.w[0], neuron.b
        print(f"update {update}: loss {loss.data:7.3f}   w = {w.data:+8.3f}  b = {b.data:+8.3f}"
              f"   grads {w.grad:+7.3f} {b.grad:+7.3f}")
        optimizer.step()


train_relu_neuron(lr=0.5)

# %% [markdown]
# The second update overshot so far that w·x + b < 0 for every point: from then on the
# output is 0, both gradients are exactly 0, and the loss is stuck.
#
# **Put right:** a smaller learning rate keeps the neuron's net input positive where the
# data are, so it keeps learning (other remedies: starting biases slightly positive, or an
# activation without a flat side, such as tanh):

# %%
train_relu_neuron(lr=0.01)

# %% [markdown]
# ## Exercises
#
# 1. In section 1, clear the gradients with `model.zero_grad()` instead of
#    `optimizer.zero_grad()`. Is there any difference? When could there be one?
# 2. Write the plain recursion of section 3 for f = q · q · q (q used three times). By
#    how much is x.grad wrong now? Predict it before you run it.
# 3. For d = a / b, write dd/db by hand, including its sign, and check it with
#    `backward()` at a = 3, b = -2.
# 4. Find the largest learning rate at which the ReLU neuron of section 7 survives its
#    first five updates.
