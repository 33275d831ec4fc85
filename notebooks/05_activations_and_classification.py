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
# # 05 · Activation functions and a two-class problem
#
# **Builds on:** the course table of activation functions (sigmoid, tanh, ReLU,
# softmax), the lesson on training (cross-entropy loss for classification), and
# notebooks 02-04.
#
# **You will see:** each activation and its derivative, with the derivative computed
# by chainrule's `backward()` rather than typed in; a two-class data set made with a
# fixed seed; a small MLP trained with cross entropy; and the decision boundary it
# learns.

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
import math
import random

import matplotlib.pyplot as plt

from chainrule import MLP, Adam, Value, cross_entropy, no_grad, sum_of
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers


# %% [markdown]
# ## 1. Activations and their derivatives
#
# For each x on a grid: make a leaf Value, apply the activation, call `backward()`;
# the leaf's `.grad` is then the derivative at x.

# %%
def value_and_slope(activation, grid):
    values, slopes = [], []
    for x0 in grid:
        x = Value(x0)
        out = activation(x)
        out.backward()
        values.append(out.data)
        slopes.append(x.grad)
    return values, slopes


grid = [k / 20 for k in range(-100, 101)]  # -5 to 5
activations = {"sigmoid": Value.sigmoid, "tanh": Value.tanh, "relu": Value.relu}
curves = {name: value_and_slope(fn, grid) for name, fn in activations.items()}

for name, fn in activations.items():
    slopes = [value_and_slope(fn, [x0])[1][0] for x0 in (-1.0, 0.0, 1.0)]
    print(f"{name:<8} derivative at -1, 0, 1: " + ", ".join(f"{s:.4f}" for s in slopes))


# %% [markdown]
# Softmax turns several scores (logits) into probabilities: p_i = e^(x_i) / Σ_j e^(x_j).
# To plot it against one variable, take three logits (x, 0, 1) and vary x; the
# derivative shown is ∂p_0/∂x, again from `backward()`.

# %%
def softmax(logits):
    exps = [v.exp() for v in logits]
    total = sum_of(exps)
    return [e / total for e in exps]


def first_probability(x):
    return softmax([x, Value(0.0), Value(1.0)])[0]


curves["softmax p_0 of (x, 0, 1)"] = value_and_slope(first_probability, grid)

fig, axes = plt.subplots(2, 2, figsize=(7, 5), sharex=True)
for ax, (name, (values, slopes)) in zip(axes.flat, curves.items()):
    ax.plot(grid, values, label="value")
    ax.plot(grid, slopes, "--", label="derivative")
    ax.set_title(name)
    ax.grid(True)
axes[0, 0].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# * **sigmoid**: squashes into (0, 1); its slope is at most 0.25 (at 0) and nearly 0 far
#   from 0, which is why deep sigmoid networks learn slowly (vanishing gradients).
# * **tanh**: squashes into (-1, 1), centred on 0; slope 1 at 0.
# * **ReLU**: max(0, x); slope 1 for x > 0 and 0 for x < 0 (chainrule uses 0 at
#   exactly 0). Cheap, and it does not saturate for positive inputs.
# * **softmax**: probabilities that sum to 1; with two classes it is a sigmoid of the
#   difference of the two logits.
#
# ## 2. A two-class data set
#
# Two interleaved half moons, 100 points with a little noise, made with
# `random.Random(0)` so the data are the same on every run.

# %%
rng = random.Random(0)
points, labels = [], []
for k in range(100):
    label = k % 2
    angle = rng.uniform(0.0, math.pi)
    if label == 0:
        x, y = math.cos(angle), math.sin(angle)
    else:
        x, y = 1.0 - math.cos(angle), 0.5 - math.sin(angle)
    points.append((x + rng.gauss(0.0, 0.1), y + rng.gauss(0.0, 0.1)))
    labels.append(label)

colors = ["tab:blue" if label == 0 else "tab:red" for label in labels]
plt.scatter([p[0] for p in points], [p[1] for p in points], c=colors, s=15)
plt.title("two moons: class 0 blue, class 1 red")
plt.gca().set_aspect("equal")
plt.show()

# %% [markdown]
# ## 3. A small MLP trained with cross entropy
#
# 2 inputs → 16 tanh → 16 tanh → 2 logits. `cross_entropy(logits, target_index)` is
# -log softmax(logits)[target], the course's L = -Σ y_i log ŷ_i with a one-hot y.
# Each update uses all 100 points (batch gradient descent) with Adam.

# %%
model = MLP(2, [16, 16, 2], activation="tanh", seed=0)
optimizer = Adam(model.parameters(), lr=0.05)


def accuracy(model):
    with no_grad():
        correct = 0
        for point, label in zip(points, labels):
            logits = model(point)
            correct += (logits[1].data > logits[0].data) == (label == 1)
    return correct / len(points)


loss_history = []
for _ in range(60):
    losses = [cross_entropy(model(point), label) for point, label in zip(points, labels)]
    loss = sum_of(losses) / len(losses)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    loss_history.append(loss.data)

print(f"cross entropy at the start:  {loss_history[0]:.4f}")
print(f"cross entropy after {len(loss_history)} updates: {loss_history[-1]:.4f}")
print(f"training accuracy: {accuracy(model):.0%}")

# %%
plt.plot(range(1, len(loss_history) + 1), loss_history)
plt.xlabel("update")
plt.ylabel("mean cross entropy")
plt.grid(True)
plt.show()

# %% [markdown]
# ## 4. The decision boundary
#
# The probability of class 1 (softmax of the two logits) on a grid over the plane; the
# boundary is where it crosses 0.5.

# %%
xs = [-1.5 + 4.0 * i / 49 for i in range(50)]
ys = [-1.0 + 2.5 * j / 49 for j in range(50)]
with no_grad():
    prob_class_1 = [[softmax(model((x, y)))[1].data for x in xs] for y in ys]

levels = [0.0, 0.25, 0.5, 0.75, 1.0]
plt.contourf(xs, ys, prob_class_1, levels=levels, cmap="RdBu_r", alpha=0.6)
plt.contour(xs, ys, prob_class_1, levels=[0.5], colors="k")
plt.scatter([p[0] for p in points], [p[1] for p in points], c=colors, s=15, edgecolors="k")
plt.title("P(class 1) and the decision boundary")
plt.gca().set_aspect("equal")
plt.show()

# %% [markdown]
# ## Exercises
#
# 1. Replace `activation="tanh"` by `"relu"`. How does the shape of the boundary change?
# 2. Use one output with `output_activation="sigmoid"` and `binary_cross_entropy`
#    instead of two logits and `cross_entropy`. Is the boundary the same?
# 3. Remove the hidden layers (`MLP(2, [2])`). What accuracy can a linear model reach on
#    the moons, and why?
