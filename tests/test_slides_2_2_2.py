"""The slides' 2-2-2 network, number by number: forward pass, error, every gradient, update.

Two inputs i1 = .05, i2 = .10; hidden neurons h1, h2 and output neurons o1, o2, all sigmoid.
Weights w1 = .15, w2 = .20 (i1, i2 -> h1), w3 = .25, w4 = .30 (i1, i2 -> h2),
w5 = .40, w6 = .45 (h1, h2 -> o1), w7 = .50, w8 = .55 (h1, h2 -> o2). One hidden bias
b1 = .35 shared by h1 and h2, one output bias b2 = .60 shared by o1 and o2. Targets
o1 = .01, o2 = .99, error E = sum 1/2 (target - out)^2. Each value is asserted to the
precision printed on the slide.
"""

from __future__ import annotations

import pytest

from autograd import Value
from nn import SGD, Layer, sum_squared_error

WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "b1": 0.35}
WEIGHTS |= {"w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55, "b2": 0.60}
I1, I2 = 0.05, 0.10
T1, T2 = 0.01, 0.99


def raw_network() -> dict[str, Value]:
    """The network written with Values and operators only, as on the slides."""
    p = {name: Value(data, name) for name, data in WEIGHTS.items()}
    i1, i2 = Value(I1, "i1"), Value(I2, "i2")
    v = dict(p)
    v["net_h1"] = p["w1"] * i1 + p["w2"] * i2 + p["b1"]
    v["net_h2"] = p["w3"] * i1 + p["w4"] * i2 + p["b1"]
    v["out_h1"] = v["net_h1"].sigmoid()
    v["out_h2"] = v["net_h2"].sigmoid()
    v["net_o1"] = p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"]
    v["net_o2"] = p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]
    v["out_o1"] = v["net_o1"].sigmoid()
    v["out_o2"] = v["net_o2"].sigmoid()
    v["E_o1"] = 0.5 * (T1 - v["out_o1"]) ** 2
    v["E_o2"] = 0.5 * (T2 - v["out_o2"]) ** 2
    v["E_total"] = v["E_o1"] + v["E_o2"]
    return v


def nn_network() -> dict[str, Value]:
    """The same network from nn.Layer with explicit weights; b1 and b2 are shared Values."""
    p = {name: Value(data, name) for name, data in WEIGHTS.items()}
    hidden = Layer(
        2,
        2,
        "sigmoid",
        weights=[[p["w1"], p["w2"]], [p["w3"], p["w4"]]],
        biases=[p["b1"], p["b1"]],
    )
    output = Layer(
        2,
        2,
        "sigmoid",
        weights=[[p["w5"], p["w6"]], [p["w7"], p["w8"]]],
        biases=[p["b2"], p["b2"]],
    )
    out_h1, out_h2 = hidden([I1, I2])
    out_o1, out_o2 = output([out_h1, out_h2])
    v = dict(p)
    v |= {"out_h1": out_h1, "out_h2": out_h2, "out_o1": out_o1, "out_o2": out_o2}
    v["net_h1"], v["net_h2"] = out_h1.inputs[0], out_h2.inputs[0]  # the wsum under sigmoid
    v["net_o1"], v["net_o2"] = out_o1.inputs[0], out_o2.inputs[0]
    v["E_o1"] = sum_squared_error([out_o1], [T1])
    v["E_o2"] = sum_squared_error([out_o2], [T2])
    v["E_total"] = sum_squared_error([out_o1, out_o2], [T1, T2])
    v["parameters"] = hidden.parameters() + output.parameters()  # type: ignore[assignment]
    return v


BUILDERS = [raw_network, nn_network]


@pytest.mark.parametrize("build", BUILDERS)
def test_forward_pass_matches_every_number_on_the_slide(build):
    v = build()
    # net_h1 = w1*i1 + w2*i2 + b1 = .15*.05 + .20*.10 + .35 = 0.3775
    assert round(v["net_h1"].data, 4) == 0.3775
    # out_h1 = sigmoid(0.3775); out_h2 = sigmoid(.25*.05 + .30*.10 + .35 = 0.3925)
    assert round(v["out_h1"].data, 9) == 0.593269992
    assert round(v["out_h2"].data, 9) == 0.596884378
    # net_o1 = .40*0.593269992 + .45*0.596884378 + .60 = 1.105905967
    assert round(v["net_o1"].data, 9) == 1.105905967
    assert round(v["out_o1"].data, 8) == 0.75136507
    assert round(v["out_o2"].data, 9) == 0.772928465
    # E_o1 = 1/2 (0.01 - 0.75136507)^2 = 1/2 * 0.549622167 = 0.274811083
    assert round(v["E_o1"].data, 9) == 0.274811083
    assert round(v["E_o2"].data, 9) == 0.023560026
    # E_total = 0.274811083 + 0.023560026 = 0.298371109
    assert round(v["E_total"].data, 9) == 0.298371109


# The gradients by hand, with the chain rule (sigmoid' = out * (1 - out), dE/dout = out - t):
#
# Output layer. For o1:
#   dE/dout_o1   = out_o1 - t1 = 0.75136507 - 0.01               = 0.74136507
#   dout/dnet_o1 = out_o1 (1 - out_o1) = 0.75136507 * 0.24863493 = 0.186815602
#   delta_o1     = dE/dnet_o1 = 0.74136507 * 0.186815602         = 0.138498562
#   dE/dw5 = delta_o1 * out_h1 = 0.138498562 * 0.593269992       = 0.082167041
#   dE/dw6 = delta_o1 * out_h2 = 0.138498562 * 0.596884378       = 0.082667628
# For o2:
#   delta_o2 = (out_o2 - t2) out_o2 (1 - out_o2)
#            = (0.772928465 - 0.99) * 0.772928465 * 0.227071535  = -0.038098237
#   dE/dw7 = delta_o2 * out_h1 = -0.038098237 * 0.593269992      = -0.022602540
#   dE/dw8 = delta_o2 * out_h2 = -0.038098237 * 0.596884378      = -0.022740242
#
# Hidden layer. out_h1 reaches E through both o1 (via w5) and o2 (via w7), so both add up:
#   dE/dout_h1 = delta_o1 * w5 + delta_o2 * w7
#              = 0.138498562 * .40 + (-0.038098237) * .50       = 0.036350306
#   delta_h1   = 0.036350306 * out_h1 (1 - out_h1)
#              = 0.036350306 * 0.593269992 * 0.406730008         = 0.0087713547
#   dE/dw1 = delta_h1 * i1 = 0.0087713547 * .05                  = 0.000438568
#   dE/dw2 = delta_h1 * i2 = 0.0087713547 * .10                  = 0.000877135
#   dE/dout_h2 = delta_o1 * w6 + delta_o2 * w8
#              = 0.138498562 * .45 + (-0.038098237) * .55       = 0.041370323
#   delta_h2   = 0.041370323 * 0.596884378 * 0.403115622         = 0.0099542547
#   dE/dw3 = delta_h2 * i1 = 0.0099542547 * .05                  = 0.000497713
#   dE/dw4 = delta_h2 * i2 = 0.0099542547 * .10                  = 0.000995425
#
# Shared biases (not on the slide): a Value used twice gets the sum of both uses.
#   dE/db1 = delta_h1 + delta_h2 = 0.0087713547 + 0.0099542547   = 0.018725609
#   dE/db2 = delta_o1 + delta_o2 = 0.138498562 - 0.038098237     = 0.100400325
EXPECTED_GRADIENTS = {
    "w1": 0.000438568,
    "w2": 0.000877135,
    "w3": 0.000497713,
    "w4": 0.000995425,
    "w5": 0.082167041,
    "w6": 0.082667628,
    "w7": -0.022602540,
    "w8": -0.022740242,
    "b1": 0.018725609,
    "b2": 0.100400325,
}


@pytest.mark.parametrize("build", BUILDERS)
def test_backward_pass_gives_the_hand_derived_gradient_of_every_weight(build):
    v = build()
    v["E_total"].backward()
    got = {name: round(v[name].grad, 9) for name in EXPECTED_GRADIENTS}
    assert got == EXPECTED_GRADIENTS


# One gradient-descent step, w <- w - 0.5 * dE/dw, with the gradients above:
#   w5: .40 - 0.5 * 0.082167041  = 0.35891648      w1: .15 - 0.5 * 0.000438568 = 0.149780716
#   w6: .45 - 0.5 * 0.082667628  = 0.408666186     w2: .20 - 0.5 * 0.000877135 = 0.19956143
#   w7: .50 + 0.5 * 0.022602540  = 0.511301270     w3: .25 - 0.5 * 0.000497713 = 0.24975114
#   w8: .55 + 0.5 * 0.022740242  = 0.561370121     w4: .30 - 0.5 * 0.000995425 = 0.29950229
# (printed to 8 or 9 decimals on the slide; each is asserted to the digits printed)
UPDATED = {
    "w1": (0.149780716, 9),
    "w2": (0.19956143, 8),
    "w3": (0.24975114, 8),
    "w4": (0.29950229, 8),
    "w5": (0.35891648, 8),
    "w6": (0.408666186, 9),
    "w7": (0.511301270, 9),
    "w8": (0.561370121, 9),
}


@pytest.mark.parametrize("build", BUILDERS)
def test_one_sgd_step_at_learning_rate_half_gives_the_slide_weights(build):
    v = build()
    weights = [v[name] for name in UPDATED]  # the slide updates the eight weights only
    optimizer = SGD(weights, lr=0.5)
    optimizer.zero_grad()
    v["E_total"].backward()
    optimizer.step()
    assert {name: round(v[name].data, digits) for name, (_, digits) in UPDATED.items()} == {
        name: value for name, (value, _) in UPDATED.items()
    }
    assert (v["b1"].data, v["b2"].data) == (0.35, 0.60)  # not given to the optimizer


def test_nn_network_shares_each_bias_so_it_is_one_parameter():
    v = nn_network()
    names = [p.label for p in v["parameters"]]  # type: ignore[union-attr]
    # Each Layer lists its shared bias once: 4 weights + 1 bias per layer.
    assert names == ["w1", "w2", "b1", "w3", "w4", "w5", "w6", "b2", "w7", "w8"]
