"""Neuron, Layer and MLP: forward values, graph shape, starting weights, seeds, arguments."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value
from nn import MLP, Layer, Neuron


@pytest.mark.parametrize(
    "activation, expected",
    [
        # net = 0.5 * 2 + (-1.0) * 3 + 0.5 = -1.5
        ("linear", -1.5),
        ("relu", 0.0),  # max(0, -1.5)
        ("tanh", math.tanh(-1.5)),
        ("sigmoid", 1 / (1 + math.exp(1.5))),
    ],
)
def test_neuron_computes_activation_of_weighted_sum(activation, expected):
    neuron = Neuron(2, activation, weights=[0.5, -1.0], bias=0.5)
    assert neuron([2.0, 3.0]).data == pytest.approx(expected, abs=1e-15)


def test_neuron_is_one_wsum_node_then_one_activation_node():
    w, x = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)]
    b = Value(0.5)
    out = Neuron(2, "tanh", weights=w, bias=b)(x)
    assert out.op == "tanh"
    (net,) = out.inputs
    assert net.op == "wsum"
    assert net.inputs == (w[0], x[0], w[1], x[1], b)


def test_linear_neuron_adds_no_activation_node():
    out = Neuron(2, "linear", weights=[1.0, 1.0], bias=0.0)([1.0, 2.0])
    assert out.op == "wsum"
    assert out.data == 3.0


def test_given_values_are_shared_not_copied():
    w = Value(0.3)
    neuron = Neuron(1, weights=[w], bias=0.1)
    assert neuron.w[0] is w
    w.data = 2.0  # the neuron sees the change: relu(2 * 1 + 0.1) = 2.1
    assert neuron([1.0]).data == 2.1


def test_neuron_gradients_flow_to_weights_and_bias():
    neuron = Neuron(2, "linear", weights=[2.0, -3.0], bias=1.0)
    neuron([5.0, 7.0]).backward()
    # d/dw_i (w . x + b) = x_i, d/db = 1
    assert [w.grad for w in neuron.w] + [neuron.b.grad] == [5.0, 7.0, 1.0]


def test_layer_returns_a_list_with_one_value_per_neuron():
    layer = Layer(2, 3, "linear", weights=[[1, 0], [0, 1], [1, 1]], biases=[0, 0, 10])
    outs = layer([2.0, 3.0])
    assert isinstance(outs, list)
    assert [o.data for o in outs] == [2.0, 3.0, 15.0]  # x1, x2, x1 + x2 + 10


def test_layer_with_one_neuron_still_returns_a_list():
    assert len(Layer(2, 1, seed=0)([1.0, 2.0])) == 1


def test_layer_turns_number_inputs_into_values_once_for_all_neurons():
    outs = Layer(2, 3, "linear", seed=0)([1.0, 2.0])
    first_inputs = [out.inputs[1::2] for out in outs]  # x1, x2 of each wsum node
    assert all(inputs[0] is first_inputs[0][0] for inputs in first_inputs)
    assert all(inputs[1] is first_inputs[0][1] for inputs in first_inputs)


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    outs = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(outs, list) and len(outs) == 2


def test_mlp_uses_hidden_and_output_activations():
    mlp = MLP(1, [2, 2, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in mlp.layers] == ["tanh", "tanh", "sigmoid"]
    assert mlp([0.3]).op == "sigmoid"
    assert MLP(1, [2, 1], seed=0)([0.3]).op == "wsum"  # default output is linear


def test_mlp_forward_is_the_layers_in_a_row():
    mlp = MLP(2, [3, 1], seed=5)
    hidden = mlp.layers[0]([0.5, -0.25])
    assert mlp([0.5, -0.25]).data == mlp.layers[1](hidden)[0].data


def test_starting_weights_are_uniform_within_one_over_root_nin():
    # PyTorch's nn.Linear default: U(-1/sqrt(nin), 1/sqrt(nin)) for weights and biases.
    mlp = MLP(16, [64, 4], seed=0)
    for layer, nin in zip(mlp.layers, [16, 64], strict=True):
        values = [p.data for p in layer.parameters()]
        bound = 1 / math.sqrt(nin)
        assert all(-bound <= v <= bound for v in values)
        assert max(values) > 0.9 * bound and min(values) < -0.9 * bound  # spread over it
        assert len(set(values)) == len(values)


def test_same_seed_gives_the_same_network_and_different_seeds_differ():
    def weights(seed):
        return [p.data for p in MLP(2, [4, 4, 1], seed=seed).parameters()]

    assert weights(7) == weights(7)
    assert weights(7) != weights(8)


def test_each_layer_and_neuron_gets_its_own_starting_weights():
    mlp = MLP(3, [3, 3], seed=0)
    rows = [[w.data for w in n.w] for layer in mlp.layers for n in layer.neurons]
    assert len({tuple(row) for row in rows}) == 6


def test_no_seed_gives_a_fresh_network_each_time():
    assert Neuron(4).state_dict() != Neuron(4).state_dict()


def test_a_seed_leaves_the_global_random_state_alone():
    random.seed(123)
    state = random.getstate()
    MLP(2, [8, 1], seed=3)
    Neuron(3, seed=4)
    assert random.getstate() == state


def test_without_a_seed_the_start_comes_from_the_random_module():
    # micrograd's habit: random.seed(...) before building the network repeats it.
    random.seed(1337)
    first = MLP(2, [4, 1]).state_dict()
    random.seed(1337)
    assert MLP(2, [4, 1]).state_dict() == first
    assert MLP(2, [4, 1]).state_dict() != first  # the generator has moved on


def test_given_weights_override_the_random_start_and_the_other_part_is_random():
    neuron = Neuron(2, weights=[1.0, 2.0], seed=0)
    assert [w.data for w in neuron.w] == [1.0, 2.0]
    assert -1 / math.sqrt(2) <= neuron.b.data <= 1 / math.sqrt(2)
    assert Neuron(2, bias=4.0, seed=0).b.data == 4.0


def test_layer_accepts_rows_mixing_numbers_and_values():
    shared = Value(0.35)
    layer = Layer(2, 2, weights=[[0.1, Value(0.2)], [0.3, 0.4]], biases=[shared, shared])
    assert layer.neurons[0].b is layer.neurons[1].b is shared
    assert [[w.data for w in n.w] for n in layer.neurons] == [[0.1, 0.2], [0.3, 0.4]]


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Neuron(0), ValueError, "nin must be a positive int, got 0"),
        (lambda: Neuron(2.0), ValueError, "nin must be a positive int"),
        (lambda: Neuron(2, "softmax"), ValueError, "unknown activation 'softmax'"),
        (lambda: Neuron(2, weights=[1.0]), ValueError, "one entry per input"),
        (lambda: Neuron(2, weights=[1.0, "x"]), TypeError, r"weights\[1\] must be a number"),
        (lambda: Neuron(2, weights=5.0), TypeError, "weights must be a list"),
        (lambda: Neuron(2, bias=None, seed=1.5), TypeError, "seed must be an int"),
        (lambda: Neuron(1, bias="b"), TypeError, "bias must be a number or a Value"),
        (lambda: Layer(2, 0), ValueError, "nout must be a positive int"),
        (lambda: Layer(2, 2, weights=[[1.0, 2.0]]), ValueError, "one row per neuron"),
        (lambda: Layer(2, 1, weights=[[1.0]]), ValueError, "row 0 must have nin=2"),
        (lambda: Layer(2, 2, biases=[1.0]), ValueError, "one entry per neuron"),
        (lambda: MLP(2, []), ValueError, "nouts must be a non-empty list"),
        (lambda: MLP(2, 3), ValueError, "nouts must be a non-empty list"),
        (lambda: MLP(2, [3, 0]), ValueError, "each layer size in nouts"),
        (lambda: MLP(2, [3], output_activation="step"), ValueError, "unknown activation"),
    ],
)
def test_bad_constructor_arguments_raise_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("model", [Neuron(2), Layer(2, 2), MLP(2, [2, 1])])
def test_wrong_number_of_inputs_raises_value_error(model):
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])


@pytest.mark.parametrize("model", [Neuron(1), Layer(1, 2), MLP(1, [2, 1])])
def test_a_single_number_input_says_to_wrap_it_in_a_list(model):
    with pytest.raises(TypeError, match=r"wrap it in a list: model\(\[x\]\)"):
        model(3.0)


def test_inputs_may_be_any_iterable_of_numbers():
    mlp = MLP(2, [2, 1], seed=0)
    assert mlp((1.0, 2.0)).data == mlp(iter([1.0, 2.0])).data == mlp([1.0, 2.0]).data


# -- neurons without a bias ------------------------------------------------------------


def test_a_neuron_without_a_bias_computes_w_dot_x_and_learns_only_its_weights():
    neuron = Neuron(2, "linear", weights=[0.5, -2.0], bias=False)
    out = neuron([3.0, 1.0])  # 0.5*3 - 2*1 = -0.5, with no bias added
    assert out.data == -0.5
    assert neuron.b is None
    assert neuron.parameters() == neuron.w
    out.backward()
    assert [w.grad for w in neuron.w] == [3.0, 1.0]
    assert neuron.state_dict() == {"weight": [0.5, -2.0]}
    assert repr(neuron) == "Neuron(2, activation='linear', bias=False)"


def test_bias_false_reaches_every_neuron_of_a_layer_and_an_mlp():
    layer = Layer(3, 2, bias=False, seed=0)
    assert all(n.b is None for n in layer.neurons)
    assert list(layer.state_dict()) == ["weight"]
    mlp = MLP(3, [4, 1], bias=False, seed=0)
    assert mlp.n_parameters() == 3 * 4 + 4 * 1  # weights only
    assert list(mlp.state_dict()) == ["layers.0.weight", "layers.1.weight"]
    # Same seed, same weights as with biases: the bias draws come after the weights.
    with_bias = MLP(3, [4, 1], seed=0).state_dict()
    assert mlp.state_dict()["layers.0.weight"] == with_bias["layers.0.weight"]


def test_a_bias_free_mlp_saves_and_loads(tmp_path):
    mlp = MLP(2, [3, 1], bias=False, seed=1)
    path = mlp.save(tmp_path / "weights.json")
    other = MLP(2, [3, 1], bias=False, seed=2)
    other.load(path)
    assert other.state_dict() == mlp.state_dict()
    with pytest.raises(ValueError, match="unexpected key 'layers.0.bias'"):
        other.load_state_dict(MLP(2, [3, 1], seed=0).state_dict())


def test_bias_flag_is_checked():
    with pytest.raises(ValueError, match="biases were given with bias=False"):
        Layer(2, 2, biases=[0.0, 0.0], bias=False)
    with pytest.raises(TypeError, match="bias must be True or False, got NoneType"):
        MLP(2, [1], bias=None)  # type: ignore[arg-type]
    assert Neuron(2, bias=True, seed=0).b is not None


def test_a_bias_free_network_draws_without_biases():
    from nn import draw_network

    mlp = MLP(2, [3, 1], activation="tanh", bias=False, seed=0)
    mlp([1.0, 2.0]).backward()
    source = draw_network(mlp).source
    assert "w9 " in source and "b1" not in source  # 2*3 + 3*1 weights, no bias
    assert "grad" in source  # the weights' gradients, now that backward has run


def test_mlp_from_layers_shares_the_layers_values_and_checks_they_chain():
    w = [[Value(0.5, "w1"), Value(-1.0, "w2")]]
    b = [Value(0.25, "b")]
    mlp = MLP.from_layers([Layer(2, 1, "linear", weights=w, biases=b)])
    assert mlp.parameters() == [w[0][0], w[0][1], b[0]]  # the same Values, not copies
    assert mlp([2.0, 1.0]).data == 0.25  # 0.5*2 - 1*1 + 0.25
    with pytest.raises(ValueError, match="do not chain"):
        MLP.from_layers([Layer(2, 3), Layer(2, 1)])


def test_a_layer_follows_another_only_when_it_takes_as_many_inputs_as_that_has_neurons():
    Layer(3, 1).check_follows(Layer(2, 3))  # 3 neurons feed a layer of 3 inputs
    with pytest.raises(ValueError, match="a layer of 2 neurons is followed by one taking 3"):
        Layer(3, 1).check_follows(Layer(4, 2))
