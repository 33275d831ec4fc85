"""Module: parameter discovery, zero_grad, state_dict checks, JSON save/load, repr."""

from __future__ import annotations

import json
import os
import threading

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron
from nn.module import MAX_LOAD_BYTES


class Affine(Module):
    """A user-written module: a Value attribute, a list of Values and a part."""

    def __init__(self) -> None:
        self.scale = Value(2.0)
        self.shifts = [Value(1.0), Value(-1.0)]
        self.inner = Neuron(1, "linear", weights=[0.5], bias=0.0)
        self.note = "not a parameter"

    def forward(self, x):
        return self.inner([x]) * self.scale + self.shifts[0] + self.shifts[1]


def test_calling_a_module_runs_its_forward():
    # inner: 0.5 * 3 + 0 = 1.5; then 1.5 * 2 + 1 - 1 = 3.0
    assert Affine()(3.0).data == 3.0


def test_named_parameters_of_a_custom_module_use_dotted_attribute_names():
    names = [name for name, _ in Affine().named_parameters()]
    assert names == ["scale", "shifts.0", "shifts.1", "inner.w.0", "inner.b"]


def test_named_parameters_of_an_mlp_follow_the_contract():
    names = [name for name, _ in MLP(2, [2, 1], seed=0).named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
        "layers.0.neurons.1.w.1",
        "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.w.1",
        "layers.1.neurons.0.b",
    ]


def test_named_parameters_of_a_layer_and_a_neuron():
    layer = Layer(1, 2, seed=0)
    assert [n for n, _ in layer.named_parameters()] == [
        "neurons.0.w.0",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.b",
    ]
    assert [n for n, _ in Neuron(2, seed=0).named_parameters()] == ["w.0", "w.1", "b"]


def test_parameters_are_the_named_values_in_the_same_order():
    mlp = MLP(3, [4, 2], seed=1)
    assert mlp.parameters() == [p for _, p in mlp.named_parameters()]
    assert len(mlp.parameters()) == 3 * 4 + 4 + 4 * 2 + 2  # 26


def test_a_shared_value_is_one_parameter_under_its_first_name():
    b = Value(0.35, "b1")
    layer = Layer(2, 2, "sigmoid", weights=[[0.1, 0.2], [0.3, 0.4]], biases=[b, b])
    named = layer.named_parameters()
    assert [n for n, _ in named] == ["neurons.0.w.0", "neurons.0.w.1", "neurons.0.b"] + [
        "neurons.1.w.0",
        "neurons.1.w.1",
    ]
    assert named[2][1] is b


def test_zero_grad_sets_every_parameter_grad_to_zero():
    mlp = MLP(2, [3, 1], seed=0)
    mlp([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_state_dict_of_an_mlp_has_torch_linear_shapes():
    mlp = MLP(3, [2, 1], seed=0)
    state = mlp.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [len(row) for row in state["layers.0.weight"]] == [3, 3]  # 2 rows of 3
    assert len(state["layers.0.bias"]) == 2
    assert [len(row) for row in state["layers.1.weight"]] == [2]
    # Row j of a layer's weight is neuron j's weights.
    assert state["layers.0.weight"][1] == [w.data for w in mlp.layers[0].neurons[1].w]
    assert all(type(x) is float for row in state["layers.0.weight"] for x in row)


def test_state_dict_of_a_neuron_and_of_a_custom_module():
    assert Neuron(2, weights=[1.0, 2.0], bias=3.0).state_dict() == {
        "weight": [1.0, 2.0],
        "bias": 3.0,
    }
    assert Affine().state_dict() == {
        "scale": 2.0,
        "shifts.0": 1.0,
        "shifts.1": -1.0,
        "inner.weight": [0.5],
        "inner.bias": 0.0,
    }


def test_load_state_dict_round_trips_between_two_mlps():
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    assert source.state_dict() != target.state_dict()
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.5, -1.5]).data == source([0.5, -1.5]).data


def test_load_state_dict_accepts_ints():
    neuron = Neuron(2)
    neuron.load_state_dict({"weight": [1, 2], "bias": 0})
    assert neuron.state_dict() == {"weight": [1.0, 2.0], "bias": 0.0}


def _bad_states():
    good = MLP(2, [2, 1], seed=0).state_dict()

    def changed(**entries):
        state = json.loads(json.dumps(good))
        for key, value in entries.items():
            key = key.replace("__", ".")
            if value is _DELETE:
                del state[key]
            else:
                state[key] = value
        return state

    # (state, the key the message must name)
    return [
        (changed(layers__1__bias=_DELETE), "layers.1.bias"),  # missing key
        ({**good, "layers.2.weight": [[1.0]]}, "layers.2.weight"),  # extra key
        (changed(layers__0__weight=[[1.0, 2.0]]), "layers.0.weight"),  # one row, not two
        (changed(layers__0__weight=[[1.0], [2.0]]), "layers.0.weight"),  # rows too short
        (changed(layers__0__bias=[1.0, "2"]), "layers.0.bias"),  # a string
        (changed(layers__0__bias=[1.0, None]), "layers.0.bias"),  # None
        (changed(layers__0__bias=[1.0, True]), "layers.0.bias"),  # a bool is not a weight
        (changed(layers__0__bias=[1.0, [2.0]]), "layers.0.bias"),  # a list for a number
        (changed(layers__0__bias=1.0), "layers.0.bias"),  # a number for a list
        (changed(layers__1__bias=[float("nan")]), "layers.1.bias"),  # not finite
        (changed(layers__1__bias=[float("inf")]), "layers.1.bias"),
    ]


_DELETE = object()


@pytest.mark.parametrize("state, key", _bad_states())
def test_load_state_dict_rejects_a_bad_entry_naming_the_key_and_changes_nothing(state, key):
    mlp = MLP(2, [2, 1], seed=0)
    # Change an early key too, so a half-done load would show.
    state["layers.0.weight"] = [[9.0, 9.0], [9.0, 9.0]] if key != "layers.0.weight" else state[key]
    before = mlp.state_dict()
    with pytest.raises(ValueError, match=repr(key).replace(".", r"\.")):
        mlp.load_state_dict(state)
    assert mlp.state_dict() == before


def test_load_state_dict_rejects_something_that_is_not_a_dict():
    with pytest.raises(ValueError, match="needs a dict"):
        Neuron(1).load_state_dict([1.0, 2.0])  # type: ignore[arg-type]


def test_load_state_dict_rejects_two_values_for_one_shared_parameter():
    b = Value(0.35)
    layer = Layer(1, 2, weights=[[0.1], [0.2]], biases=[b, b])
    with pytest.raises(ValueError, match="shared parameter"):
        layer.load_state_dict({"weight": [[1.0], [2.0]], "bias": [0.5, 0.6]})
    assert (b.data, layer.neurons[0].w[0].data) == (0.35, 0.1)
    layer.load_state_dict({"weight": [[1.0], [2.0]], "bias": [0.5, 0.5]})
    assert b.data == 0.5


def test_save_writes_json_and_load_restores_the_weights(tmp_path):
    path = tmp_path / "model.json"
    source = MLP(1, [4, 1], seed=3)
    assert source.save(path) == path
    assert json.loads(path.read_text()) == source.state_dict()  # plain JSON, no pickle
    target = MLP(1, [4, 1], seed=4)
    target.load(str(path))
    assert target.state_dict() == source.state_dict()


def test_save_leaves_no_temporary_file_behind(tmp_path):
    MLP(1, [2, 1], seed=0).save(tmp_path / "model.json")
    assert os.listdir(tmp_path) == ["model.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_crash_during_save_keeps_the_previous_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "model.json"
    MLP(1, [2, 1], seed=0).save(path)
    before = path.read_text()

    def crash(*args):
        raise OSError("disk unplugged")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="disk unplugged"):
        MLP(1, [2, 1], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["model.json"]  # the temporary file was removed


def test_save_refuses_non_finite_weights(tmp_path):
    neuron = Neuron(1, weights=[1.0], bias=0.0)
    neuron.b.data = float("nan")
    with pytest.raises(ValueError, match="'bias' is not finite"):
        neuron.save(tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not a valid weights file"),
        ('{"weight": [NaN], "bias": 0.0}', r"key 'weight'\[0\] is NaN, not a finite number"),
        ('{"weight": [1.0, 2.0], "bias": 0.0}', "'weight'"),  # wrong shape
        ('{"weight": [1.0]}', "'bias'"),  # missing key
        ("[1.0, 2.0]", "needs a dict"),
    ],
)
def test_load_rejects_a_bad_file_and_leaves_the_module_unchanged(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    neuron = Neuron(1, weights=[0.5], bias=0.25)
    with pytest.raises(ValueError, match=message):
        neuron.load(path)
    assert neuron.state_dict() == {"weight": [0.5], "bias": 0.25}


def test_repr_of_each_module_is_readable():
    assert repr(Neuron(3, "tanh", seed=0)) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 2, "sigmoid", seed=0)) == "Layer(3, 2, activation='sigmoid')"
    assert repr(MLP(1, [16, 16, 1], seed=0)) == (
        "MLP(1, [16, 16, 1], activation='relu', output_activation='linear') "
        "with 321 parameters:\n"
        "  (layers.0): Layer(1, 16, activation='relu')\n"
        "  (layers.1): Layer(16, 16, activation='relu')\n"
        "  (layers.2): Layer(16, 1, activation='linear')"
    )
    assert repr(Affine()) == "Affine(5 parameters)"


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        Module()()


# -- load() of files a careful user could hand it --------------------------------------------

BAD_NUMBER_FILES = [
    # (file text, what the error says): each names the path and the key at fault.
    ('{"weight": [1e400], "bias": 0.0}', r"'weight'\[0\] is 1e400, too large for a float"),
    ('{"weight": [-1e400], "bias": 0.0}', r"'weight'\[0\] is -1e400, too large for a float"),
    (
        '{"weight": [0.5], "bias": 1' + "0" * 400 + "}",  # 10**400 written as an int
        r"'bias' is 100000000000\.\.\.000000 \(401 characters\), too large for a float",
    ),
    ('{"weight": [Infinity], "bias": 0.0}', r"'weight'\[0\] is Infinity, not a finite number"),
    ('{"weight": [[[0.5]]], "bias": 0.0}', r"'weight'\[0\] should be a number, got a list of 1"),
]


@pytest.mark.parametrize("text, message", BAD_NUMBER_FILES)
def test_load_names_the_path_and_key_of_a_number_no_float_can_hold(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    neuron = Neuron(1, weights=[0.5], bias=0.25)
    with pytest.raises(ValueError, match=message) as caught:
        neuron.load(path)
    assert str(caught.value).startswith(f"{path} does not fit this Neuron: state_dict key")
    assert neuron.state_dict() == {"weight": [0.5], "bias": 0.25}


def test_load_of_deeply_nested_json_is_a_value_error_naming_the_path(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)  # far past Python's recursion limit
    neuron = Neuron(1, weights=[0.5], bias=0.25)
    with pytest.raises(ValueError, match=f"^{path} is not a valid weights file: .*nested too"):
        neuron.load(path)
    assert neuron.state_dict() == {"weight": [0.5], "bias": 0.25}


def test_load_of_binary_junk_is_a_value_error_naming_the_path(tmp_path):
    path = tmp_path / "junk.json"
    path.write_bytes(b'{"weight": [0.5], \xff\xfe\x00 "bias": 0}')
    with pytest.raises(ValueError, match=rf"^{path} .*not UTF-8 text \(byte 0xff at position 18\)"):
        Neuron(1, weights=[0.5], bias=0.25).load(path)


def test_load_of_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("this system has no FIFOs")
    fifo = tmp_path / "weights.json"
    os.mkfifo(fifo)
    # Opening a FIFO to read waits for a writer: run load in a thread, so a hang fails the
    # test instead of stopping the suite.
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            Neuron(1, weights=[0.5], bias=0.25).load(fifo)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():  # let it finish, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("load() of a FIFO waited for a writer")
    assert len(outcome) == 1 and isinstance(outcome[0], ValueError)
    assert str(outcome[0]) == (
        f"{fifo} is not a weights file: it is a FIFO (named pipe), not a regular file"
    )


def test_load_of_a_folder_or_a_device_is_refused(tmp_path):
    neuron = Neuron(1, weights=[0.5], bias=0.25)
    with pytest.raises(ValueError, match=f"^{tmp_path} is not a weights file: it is a folder"):
        neuron.load(tmp_path)
    if os.path.exists("/dev/zero"):  # endless: reading it would fill the memory
        with pytest.raises(ValueError, match="it is a character device, not a regular file"):
            neuron.load("/dev/zero")


def test_load_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:  # a sparse file: no disk space is used
        file.truncate(MAX_LOAD_BYTES + 1)
    with pytest.raises(ValueError, match=rf"^{path} .*over the 67,108,864 bytes"):
        Neuron(1, weights=[0.5], bias=0.25).load(path)


def test_save_and_load_through_a_symlink(tmp_path):
    target = tmp_path / "weights-v1.json"
    link = tmp_path / "latest.json"
    Neuron(1, weights=[0.5], bias=0.25).save(target)
    link.symlink_to(target.name)
    Neuron(1, weights=[-3.0], bias=2.0).save(link)  # updates the file the link points to
    assert link.is_symlink() and json.loads(target.read_text()) == {"weight": [-3.0], "bias": 2.0}
    neuron = Neuron(1, weights=[0.0], bias=0.0)
    neuron.load(link)
    assert neuron.state_dict() == {"weight": [-3.0], "bias": 2.0}
