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
# # 02 · Backpropagation through the 2-2-2 sigmoid network
#
# **Builds on:** notebook 01 (the chain rule on one multiplication) and the slides'
# *More complicated example*: two inputs, two sigmoid hidden neurons, two sigmoid
# outputs, squared error.
#
# | given | values |
# | --- | --- |
# | inputs | i1 = 0.05, i2 = 0.10 |
# | input → hidden weights | w1 = 0.15, w2 = 0.20 (into h1), w3 = 0.25, w4 = 0.30 (into h2) |
# | hidden bias | b1 = 0.35, **one** bias shared by h1 and h2 |
# | hidden → output weights | w5 = 0.40, w6 = 0.45 (into o1), w7 = 0.50, w8 = 0.55 (into o2) |
# | output bias | b2 = 0.60, shared by o1 and o2 |
# | targets | 0.01 for o1, 0.99 for o2 |
#
# **You will see:** every number the slides print (to 9 decimals), the chain rule for
# w5 written out and checked against `backward()`, the same network built with
# `nn.Layer`, one gradient-descent update (learning rate 0.5), and the error falling
# as training repeats it.

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

from chainrule import SGD, Layer, Value, backward_steps, draw_dot, sum_squared_error, weighted_sum
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers

# %% [markdown]
# ## 1. Forward pass, from Values
#
# A neuron computes net = Σ w·i + b, then out = σ(net). `weighted_sum` makes that sum
# one node (`w1 * i1 + w2 * i2 + b1` gives the same number with more nodes). The error
# of an output is E = ½ (out - target)², and E_total = E_o1 + E_o2.

# %%
i1, i2 = Value(0.05, "i1"), Value(0.10, "i2")
w1, w2, w3, w4 = Value(0.15, "w1"), Value(0.20, "w2"), Value(0.25, "w3"), Value(0.30, "w4")
w5, w6, w7, w8 = Value(0.40, "w5"), Value(0.45, "w6"), Value(0.50, "w7"), Value(0.55, "w8")
b1, b2 = Value(0.35, "b1"), Value(0.60, "b2")
target_o1, target_o2 = 0.01, 0.99


def named(value, label):
    value.label = label
    return value


# %%
net_h1 = named(weighted_sum([w1, w2], [i1, i2], b1), "net_h1")
net_h2 = named(weighted_sum([w3, w4], [i1, i2], b1), "net_h2")
out_h1 = named(net_h1.sigmoid(), "out_h1")
out_h2 = named(net_h2.sigmoid(), "out_h2")

net_o1 = named(weighted_sum([w5, w6], [out_h1, out_h2], b2), "net_o1")
net_o2 = named(weighted_sum([w7, w8], [out_h1, out_h2], b2), "net_o2")
out_o1 = named(net_o1.sigmoid(), "out_o1")
out_o2 = named(net_o2.sigmoid(), "out_o2")

E_o1 = named(0.5 * (out_o1 - target_o1) ** 2, "E_o1")
E_o2 = named(0.5 * (out_o2 - target_o2) ** 2, "E_o2")
E_total = named(E_o1 + E_o2, "E_total")

for v in (net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2, out_o2):
    print(f"{v.label:>7} = {v.data:.9f}")
print()
for v in (E_o1, E_o2, E_total):
    print(f"{v.label:>7} = {v.data:.9f}")

# %% [markdown]
# These are the slides' numbers: net_h1 = 0.3775, out_h1 = 0.593269992,
# out_h2 = 0.596884378, net_o1 = 1.105905967, out_o1 = 0.75136507,
# out_o2 = 0.772928465, E_o1 = 0.274811083, E_o2 = 0.023560026 and
# E_total = 0.298371109.
#
# The whole computation as a graph (before backward):

# %%
draw_dot(E_total, show_grad=False)

# %% [markdown]
# ## 2. Backward, and the chain rule for w5
#
# The slides follow w5's influence along E_total → out_o1 → net_o1 → w5:
#
# ∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5
#
# | factor | formula | value |
# | --- | --- | --- |
# | ∂E_total/∂out_o1 | out_o1 - target_o1 | 0.74136507 |
# | ∂out_o1/∂net_o1 | out_o1 (1 - out_o1), the sigmoid's derivative | 0.186815602 |
# | ∂net_o1/∂w5 | out_h1 | 0.593269992 |
# | product | | 0.082167041 |
#
# First the slide's formulas by hand, then `backward()`:

# %%
d_E_d_out = out_o1.data - target_o1
d_out_d_net = out_o1.data * (1 - out_o1.data)
d_net_d_w5 = out_h1.data
by_hand = d_E_d_out * d_out_d_net * d_net_d_w5
print(f"dE_total/dout_o1 = {d_E_d_out:.9f}")
print(f"dout_o1/dnet_o1  = {d_out_d_net:.9f}")
print(f"dnet_o1/dw5      = {d_net_d_w5:.9f}")
print(f"dE_total/dw5     = {by_hand:.9f}  (product, by hand)")

# %%
E_total.backward()
print(f"w5.grad          = {w5.grad:.9f}  (backward)")
print("agree:", abs(w5.grad - by_hand) < 1e-12)

# %% [markdown]
# The three factors are in the backward pass too. After `backward()` every
# intermediate node holds dE_total/d(node), so `out_o1.grad` is the first factor; the
# local derivatives are in the steps of `backward_steps`. (Leaves are zeroed first:
# backward adds into them.)

# %%
leaves = (i1, i2, w1, w2, w3, w4, w5, w6, w7, w8, b1, b2)
for leaf in leaves:
    leaf.grad = 0.0
steps = {(step.node, step.input): step for step in backward_steps(E_total)}

print(steps[(out_o1, net_o1)])
print(steps[(net_o1, w5)])
print()
print(f"dE_total/dout_o1 = out_o1.grad = {out_o1.grad:.9f}")
print(f"dout_o1/dnet_o1  = local       = {steps[(out_o1, net_o1)].local:.9f}")
print(f"dnet_o1/dw5      = local       = {steps[(net_o1, w5)].local:.9f}")
print(f"dE_total/dw5     = w5.grad     = {w5.grad:.9f}")

# %% [markdown]
# Every gradient, for reference:

# %%
for leaf in (w1, w2, w3, w4, w5, w6, w7, w8, b1, b2):
    print(f"dE_total/d{leaf.label} = {leaf.grad:+.9f}")

# %% [markdown]
# b1 feeds both hidden neurons, so its gradient is the sum of the two shares, one
# through h1 and one through h2; the same holds for b2. This is the `+=` in the chain
# rule at work.
#
# The graph after backward: every box now shows its gradient, dE_total/d(box). Follow
# w5's path from E_total back through E_o1, out_o1 and net_o1.

# %%
draw_dot(E_total)

# %% [markdown]
# Or step through the whole pass, forward and then backward, one chain-rule step at a
# time: the slide's o1 branch comes first, and w5 gets its gradient at backward step 9 of
# 36 (Next, or drag the slider; "Fit" shrinks the graph to the view). The view runs in a trusted
# notebook; `.save("2-2-2.html")` writes it as a page for any browser.

# %%
from chainrule import step_through

step_through(E_total)

# %% [markdown]
# A page that runs no live view (a repository's notebook preview) shows the pass as
# pictures instead: here step 9 of 36 as a frame for a projected slide (`lecture=True`:
# three significant digits, each neuron's sum and activation as one node, the step's
# arithmetic as the caption; `chainrule example 2-2-2 --deck 2-2-2.pdf` writes every step
# as a PDF slide). The frames replay the pass from zero gradients and leave them as
# `backward()` did.

# %%
from chainrule import step_frames, topological_order

for node in topological_order(E_total):
    node.grad = 0.0
step_frames(E_total, lecture=True)[9]

# %% [markdown]
# ## 3. The same network with `nn.Layer`
#
# A `Layer` takes its starting weights as rows (row j feeds neuron j). To share one
# bias between both neurons, as the slides do, pass the **same Value** twice: a Value
# given to a layer is shared, not copied.

# %%
b1 = Value(0.35, "b1")
b2 = Value(0.60, "b2")
hidden = Layer(2, 2, "sigmoid", weights=[[0.15, 0.20], [0.25, 0.30]], biases=[b1, b1])
output = Layer(2, 2, "sigmoid", weights=[[0.40, 0.45], [0.50, 0.55]], biases=[b2, b2])

outputs = output(hidden([0.05, 0.10]))
E_total = sum_squared_error(outputs, [0.01, 0.99])

print(f"shared: {hidden.neurons[0].b is hidden.neurons[1].b}")
print(f"out_o1  = {outputs[0].data:.9f}")
print(f"out_o2  = {outputs[1].data:.9f}")
print(f"E_total = {E_total.data:.9f}")

# %%
E_total.backward()
w5 = output.neurons[0].w[0]
print(f"dE_total/dw5 = {w5.grad:.9f}")
print(f"dE_total/db1 = {b1.grad:.9f}")

# %% [markdown]
# The slides draw the network itself: neurons as circles, a weight on each edge.
# `draw_network` draws that picture from the layers; after backward it writes each
# weight's gradient under its value. The shared biases b1 and b2 have a box of their own,
# with a dashed edge to each neuron they feed.

# %%
from chainrule import draw_network

draw_network([hidden, output], input_names=["i1", "i2"])

# %% [markdown]
# ## 4. One gradient-descent update
#
# The slides' update rule is w5_new = w5 - α · ∂E_total/∂w5 with α = 0.5:
# 0.40 - 0.5 · 0.082167041 = 0.35891648. `SGD(params, lr=0.5).step()` applies that rule
# to every parameter at once, all using the gradients of the old weights.
#
# `parameters()` lists a shared Value once (b1 feeds two neurons but is one number
# to learn), so each bias is updated once: a layer has 4 weights and 1 bias here.

# %%
params = hidden.parameters() + output.parameters()
print(f"{len(hidden.parameters())} + {len(output.parameters())} = {len(params)} parameters")

optimizer = SGD(params, lr=0.5)
optimizer.step()

names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
weights = [w for neuron in hidden.neurons + output.neurons for w in neuron.w]
for name, w in zip(names, weights):
    print(f"{name} -> {w.data:.9f}")
print(f"b1 -> {b1.data:.9f}")
print(f"b2 -> {b2.data:.9f}")

# %%
before = E_total.data
after = sum_squared_error(output(hidden([0.05, 0.10])), [0.01, 0.99]).data
print(f"E_total before the update = {before:.9f}")
print(f"E_total after the update  = {after:.9f}")

# %% [markdown]
# ## 5. Training: repeat the update
#
# The five steps of every training loop: forward, loss, zero the gradients, backward,
# update, here 10,000 times on this one example (under a second). The error keeps
# falling towards zero and the outputs approach their targets.

# %%
error_history = []
for _ in range(10_000):
    outputs = output(hidden([0.05, 0.10]))  # 1. forward
    E_total = sum_squared_error(outputs, [0.01, 0.99])  # 2. loss
    optimizer.zero_grad()  # 3. clear old gradients
    E_total.backward()  # 4. backward
    optimizer.step()  # 5. update
    error_history.append(E_total.data)

outputs = output(hidden([0.05, 0.10]))
E_total = sum_squared_error(outputs, [0.01, 0.99])
print(f"E_total before these updates: {error_history[0]:.9f}")
print(f"E_total after 10000 updates:  {E_total.data:.9f}")
print(f"out_o1 = {outputs[0].data:.6f} (target 0.01)")
print(f"out_o2 = {outputs[1].data:.6f} (target 0.99)")

# %%
plt.plot(range(1, len(error_history) + 1), error_history)
plt.yscale("log")
plt.xlabel("update")
plt.ylabel("E_total")
plt.title("2-2-2 network, SGD lr = 0.5")
plt.grid(True)
plt.show()

# %% [markdown]
# ## 6. Check your own hand computation
#
# The slides end with "Check next calculations by yourselves!". `grade` marks a learner's
# numbers against the example, in the order the computation finds them, to the precision
# asked for, and says where the work first went wrong. Here a learner has worked the first
# values and w5's chain rule by hand, to 4 decimals, and lost a minus sign in the first
# factor (notebook 06, section 5):

# %%
from chainrule import grade

my_answers = {
    "forward": {"out_h1": 0.5933, "out_h2": 0.5969, "out_o1": 0.7514, "E_total": 0.2984},
    "gradients": {"out_o1": -0.7414, "net_o1": -0.1385, "w5": -0.0822},
}
print(grade("2-2-2", my_answers, decimals=4, require_all=False))

# %% [markdown]
# Only the sign slip costs a mark: the two gradients built on it were worked correctly
# from the learner's own number, and are marked "follows from your earlier error", as a
# careful human marker would. (`require_all=False` checks the answers given and leaves
# the rest; `chainrule variant 2-2-2 --seed N --out DIR` makes a version with other
# numbers and its answer key, and notebook 07 shows it.)

# %% [markdown]
# ## Exercises
#
# 1. Write out ∂E_total/∂w1 by the chain rule. w1 reaches the error through both
#    outputs (h1 → o1 and h1 → o2); check your number against `w1.grad` from part 2,
#    then with `grade`: `{"gradients": {"w1": ...}}`.
# 2. Give each hidden neuron its own bias (`biases=[0.35, 0.35]`). How do the two bias
#    gradients compare with the shared b1's gradient?
# 3. Train with lr = 0.1 and lr = 5. How does the curve change? Is there a learning
#    rate at which the error stops falling?
#
# From a terminal, `chainrule example 2-2-2` prints this example's values, gradients
# and updated weights.
