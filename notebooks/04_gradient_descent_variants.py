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
# # 04 · Gradient descent: batch sizes, learning rates, optimizers
#
# **Builds on:** notebook 03 (the training loop, `fit`) and the course tables:
#
# | variant | examples per update |
# | --- | --- |
# | batch gradient descent | all N |
# | stochastic gradient descent | 1 |
# | mini-batch gradient descent | a subset, typically 32-256 |
#
# To see the optimizers rather than the network, the model here is the smallest one that
# can learn y = 2x + 1 exactly: one linear neuron, ŷ = w·x + b (`MLP(1, [1])`). Every
# run starts from the same weights (`seed=0`) and sees the same data.
#
# **You will see:** the three variants, a learning rate that is too small, one that is
# right and one that is too large (training diverges and `fit` says so), and SGD,
# momentum, RMSprop and Adam on one plot.

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

import matplotlib.pyplot as plt

from chainrule import MLP, SGD, Adam, RMSprop, TrainingDiverged, fit, line_data, train_val_split
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers

# %%
xs, ys = line_data(n_points=200, low=-10.0, high=10.0)
x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=0)
N = len(x_train)


def weights(model):
    neuron = model.layers[0].neurons[0]
    return f"w = {neuron.w[0].data:+.4f}, b = {neuron.b.data:+.4f}"


print(f"N = {N} training points; starting weights: {weights(MLP(1, [1], seed=0))}")

# %% [markdown]
# ## 1. Batch, stochastic and mini-batch
#
# Same learning rate (0.005), same number of epochs (20); only the batch size changes.
# An epoch is one pass over the training set, so a smaller batch means more updates per
# epoch.

# %%
variants = {"batch (N)": N, "stochastic (1)": 1, "mini-batch (32)": 32}
histories = {}
for name, batch_size in variants.items():
    model = MLP(1, [1], seed=0)
    histories[name] = fit(
        model, SGD(model.parameters(), lr=0.005), x_train, y_train, x_val, y_val,
        epochs=20, batch_size=batch_size, progress=False,
    )
    updates = 20 * math.ceil(N / batch_size)
    val_loss = histories[name].val_loss[-1]
    print(f"{name:<16} {updates:>5} updates   val loss {val_loss:9.5f}   {weights(model)}")

# %%
for name, history in histories.items():
    plt.plot(range(1, 21), history.val_loss, marker=".", label=name)
plt.yscale("log")
plt.ylim(1e-8, 1e3)
plt.xlabel("epoch")
plt.ylabel("validation MSE")
plt.title("Batch size, SGD lr = 0.005")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# Batch gradient descent makes one smooth update per epoch and is still far from the
# answer after 20 of them. Stochastic gradient descent makes 160 updates per epoch and
# gets closest per epoch (off the bottom of the plot): these points lie exactly on a
# line, so every single point's gradient leads to the same answer (w = 2, b = 1); with
# noisy data it would keep jittering around the minimum instead. Mini-batches sit in
# between, and on real hardware they are the usual choice because a whole batch is
# computed in one go.
#
# ## 2. The learning rate
#
# Mini-batches of 32, lr = 0.0002 (too small), 0.01 (about right) and 0.05 (too large).
# For this model the loss is a bowl that is about 33 times steeper in w than in b, and
# any lr above about 2 / 67 ≈ 0.03 overshoots in w a little more on every update. The
# too-large run is stopped after 4 epochs so that its rising loss can be plotted.

# %%
rates = {  # name: (learning rate, epochs)
    "too small (0.0002)": (0.0002, 20),
    "right (0.01)": (0.01, 20),
    "too large (0.05)": (0.05, 4),
}
for name, (lr, epochs) in rates.items():
    model = MLP(1, [1], seed=0)
    history = fit(
        model, SGD(model.parameters(), lr=lr), x_train, y_train, x_val, y_val,
        epochs=epochs, batch_size=32, progress=False,
    )
    plt.plot(range(1, epochs + 1), history.val_loss, marker=".", label=name)
    print(f"{name:<19} val loss after {epochs:>2} epochs: {history.val_loss[-1]:.4g}")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("validation MSE")
plt.title("Learning rate, mini-batches of 32")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# Left to run, the too-large learning rate drives the weights and the loss beyond what a
# float can hold. `fit` stops with `TrainingDiverged` (an `ArithmeticError`) rather than
# carrying on with infinities or NaN:

# %%
model = MLP(1, [1], seed=0)
try:
    optimizer = SGD(model.parameters(), lr=0.05)
    fit(model, optimizer, x_train, y_train, epochs=300, batch_size=32, progress=False)
except TrainingDiverged as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# ## 3. SGD, momentum, RMSprop and Adam
#
# All use mini-batches of 32 for 20 epochs. Each has a learning rate that suits it
# (plain SGD cannot go above about 0.03 here without diverging, while Adam and RMSprop
# scale their steps per weight):
#
# * **SGD**: w ← w - η g.
# * **momentum** (0.9): keeps a running velocity of past gradients, so it speeds up
#   along the shallow direction (b) and damps the zigzag along the steep one (w).
# * **RMSprop**: divides each step by a running root-mean-square of that weight's
#   gradients, so steep and shallow directions get similar step sizes.
# * **Adam**: momentum and RMSprop together, with a correction for their start at zero.

# %%
optimizers = {
    "SGD (lr 0.005)": lambda params: SGD(params, lr=0.005),
    "momentum 0.9 (lr 0.005)": lambda params: SGD(params, lr=0.005, momentum=0.9),
    "RMSprop (lr 0.05)": lambda params: RMSprop(params, lr=0.05),
    "Adam (lr 0.1)": lambda params: Adam(params, lr=0.1),
}
for name, make_optimizer in optimizers.items():
    model = MLP(1, [1], seed=0)
    history = fit(
        model, make_optimizer(model.parameters()), x_train, y_train, x_val, y_val,
        epochs=20, batch_size=32, progress=False,
    )
    plt.plot(range(1, 21), history.val_loss, marker=".", label=name)
    print(f"{name:<24} val loss {history.val_loss[-1]:.3g}   {weights(model)}")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("validation MSE")
plt.title("Optimizers, mini-batches of 32")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# ## Exercises
#
# 1. Find the largest learning rate at which batch gradient descent (batch size N)
#    still converges. How does it compare with 2 / 67?
# 2. Try momentum 0.5 and 0.99 with lr = 0.005. Which is faster here, and which
#    oscillates?
# 3. Run Adam with its default lr = 0.001. Why is it so slow on this problem? (Hint:
#    how far does Adam move a weight per update, and how far is b from 1?)
