"""Tensor: the engine over arrays. Hand-worked values, every operation against PyTorch in
float64 and against central differences, broadcasting, grad mode, and its errors."""

from __future__ import annotations

import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

from autograd import Value, no_grad
from autograd.tensor import Tensor, linear, nll, topological_order
from autograd.tensor_ops import TABLE


def leaf(data, label=""):
    return Tensor(np.array(data, dtype=float), label, requires_grad=True)


# -- the basics, worked by hand --------------------------------------------------------


def test_a_layer_by_hand():
    # z = W x + b with W = [[1, 2], [3, 4]], x = [1, -1], b = [0.5, -0.5]:
    # z = [1 - 2 + 0.5, 3 - 4 - 0.5] = [-0.5, -1.5]; L = sum(z) = -2.
    # dL/dz = [1, 1]; dL/dW = dL/dz^T x = [[1, -1], [1, -1]]; dL/db = [1, 1];
    # dL/dx = W^T dL/dz = [4, 6].
    W, x, b = leaf([[1, 2], [3, 4]]), leaf([1, -1]), leaf([0.5, -0.5])
    L = (W @ x + b).sum()
    L.backward()
    assert L.data == -2.0
    assert W.grad.tolist() == [[1.0, -1.0], [1.0, -1.0]]
    assert b.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [4.0, 6.0]


def test_grad_is_zeros_until_a_backward_pass_and_has_the_data_shape():
    W = leaf([[1, 2, 3]])
    assert W.grad.tolist() == [[0.0, 0.0, 0.0]]
    assert W.grad.shape == W.shape == (1, 3)


def test_float64_by_default_float32_when_given():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([1.0], dtype=np.float32)).dtype == np.float32
    h = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    (h * 3.0 + 1.0).sum().backward()  # a number keeps the tensor's dtype
    assert h.grad.dtype == np.float32 and h.grad.tolist() == [3.0, 3.0]


def test_the_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = Tensor(array)
    array[0] = 100.0
    assert t.data.tolist() == [1.0, 2.0]


def test_broadcast_bias_gets_the_sum_over_the_batch():
    # out = x + b with x (3, 2) and b (2,): each b_j was added to 3 rows, so dL/db_j = 3
    # when L = sum(out); with L = sum(out * x), dL/db_j = sum of column j of x.
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = leaf([0.0, 0.0])
    (x + b).sum().backward()
    assert b.grad.tolist() == [3.0, 3.0]
    b2 = leaf([[0.0], [0.0], [0.0]])  # a column, stretched along axis 1
    ((x + b2) * x).sum().backward()
    assert b2.grad.tolist() == [[3.0], [7.0], [11.0]]


def test_an_input_used_twice_gets_both_shares():
    # L = sum(a * a) = 1 + 9 = 10, dL/da = 2a = [2, 6]
    a = leaf([1.0, 3.0])
    L = (a * a).sum()
    L.backward()
    assert L.item() == 10.0 and a.grad.tolist() == [2.0, 6.0]


def test_two_passes_add_up_and_intermediates_hold_this_pass():
    a = leaf([1.0, 2.0])
    h = a * 2.0
    L = h.sum()
    L.backward()
    L.backward()
    assert a.grad.tolist() == [4.0, 4.0]  # 2 + 2 for each entry
    assert h.grad.tolist() == [1.0, 1.0]  # this pass's dL/dh, not a running total


def test_a_one_element_root_needs_no_gradient_and_a_larger_one_does():
    a = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match=r"gradient for a tensor of shape \(2,\)"):
        (a * 2.0).backward()
    (a * 2.0).backward(np.array([1.0, 10.0]))
    assert a.grad.tolist() == [2.0, 20.0]


def test_a_long_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(5000):
        y = y + 1.0
    y.backward()
    assert y.item() == 5001.0 and x.grad.tolist() == [1.0]
    assert len(topological_order(y)) == 5001  # x and the 5000 additions, no constants


def test_no_grad_records_nothing_and_is_per_thread():
    a = leaf([1.0])
    with no_grad():
        b = a * 2.0
        seen = {}
        # another thread, meanwhile, records as usual
        thread = threading.Thread(target=lambda: seen.update(rg=(a * 2.0).requires_grad))
        thread.start()
        thread.join()
    assert b.requires_grad is False and b.op == "" and b.inputs == ()
    assert seen == {"rg": True}


def test_data_without_requires_grad_gets_no_gradient_computed():
    x = Tensor([[1.0, 2.0]])
    W = leaf([[1.0], [1.0]])
    out = x @ W
    root = out.sum()
    assert out.inputs == (x, W) and topological_order(root) == [W, out, root]
    root.backward()
    assert x._grad is None  # the batch of data is never differentiated
    assert W.grad.tolist() == [[1.0], [2.0]]


def test_backward_without_a_parameter_says_what_is_missing():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor([1.0]).exp().backward()


def test_import_autograd_loads_neither_numpy_nor_graphviz():
    code = (
        "import sys, autograd; assert 'numpy' not in sys.modules and 'graphviz' not in "
        "sys.modules; autograd.Tensor; print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "True\n"  # numpy comes with the first use of Tensor, not before


# -- every operation against PyTorch in float64 ----------------------------------------

RNG = np.random.default_rng(25)
A = RNG.normal(size=(4, 3))
B = RNG.normal(size=(4, 3))
POSITIVE = RNG.uniform(0.5, 2.0, size=(4, 3))
M = RNG.normal(size=(3, 5))
ROW = RNG.normal(size=(3,))
LABELS = np.array([0, 2, 1, 2])

# name: (inputs, what chainrule computes, what PyTorch computes), each ending in a scalar.
CASES = {
    "add": ((A, B), lambda a, b: (a + b).sum(), lambda a, b: (a + b).sum()),
    "add broadcast": ((A, ROW), lambda a, b: ((a + b) * a).sum(), lambda a, b: ((a + b) * a).sum()),
    "sub": ((A, B), lambda a, b: ((a - b) * a).sum(), lambda a, b: ((a - b) * a).sum()),
    "rsub": ((A,), lambda a: (2.0 - a).sum() * 1.0, lambda a: (2.0 - a).sum()),
    "mul": ((A, B), lambda a, b: (a * b).sum(), lambda a, b: (a * b).sum()),
    "div": ((A, POSITIVE), lambda a, b: (a / b).sum(), lambda a, b: (a / b).sum()),
    "rdiv": ((POSITIVE,), lambda a: (1.0 / a).sum(), lambda a: (1.0 / a).sum()),
    "matmul": ((A, M), lambda a, b: ((a @ b) ** 2).sum(), lambda a, b: ((a @ b) ** 2).sum()),
    "matrix @ vector": ((A, ROW), lambda a, b: ((a @ b) ** 2).sum(), lambda a, b: ((a @ b) ** 2).sum()),  # noqa: E501
    "vector @ matrix": ((ROW, M), lambda a, b: ((a @ b) ** 2).sum(), lambda a, b: ((a @ b) ** 2).sum()),  # noqa: E501
    "neg": ((A,), lambda a: (-a * a).sum(), lambda a: (-a * a).sum()),
    "pow 3": ((A,), lambda a: (a**3).sum(), lambda a: (a**3).sum()),
    "pow 0.5": ((POSITIVE,), lambda a: (a**0.5).sum(), lambda a: (a**0.5).sum()),
    "exp": ((A,), lambda a: a.exp().sum(), lambda a: a.exp().sum()),
    "log": ((POSITIVE,), lambda a: (a.log() * a).sum(), lambda a: (a.log() * a).sum()),
    "tanh": ((A,), lambda a: (a.tanh() * a).sum(), lambda a: (a.tanh() * a).sum()),
    "sigmoid": ((A,), lambda a: (a.sigmoid() * a).sum(), lambda a: (a.sigmoid() * a).sum()),
    "relu": ((A,), lambda a: (a.relu() * a).sum(), lambda a: (a.relu() * a).sum()),
    "sum axis 0": ((A,), lambda a: (a.sum(axis=0) ** 2).sum(), lambda a: (a.sum(dim=0) ** 2).sum()),
    "sum axis 1": ((A,), lambda a: (a.sum(axis=1) ** 2).sum(), lambda a: (a.sum(dim=1) ** 2).sum()),
    "mean": ((A,), lambda a: (a * a).mean(), lambda a: (a * a).mean()),
    "mean axis 0": ((A,), lambda a: (a.mean(axis=0) ** 2).sum(), lambda a: (a.mean(dim=0) ** 2).sum()),  # noqa: E501
    "T": ((A, B), lambda a, b: (a.T @ b).sum(), lambda a, b: (a.T @ b).sum()),
    "reshape": ((A,), lambda a: (a.reshape(3, 4) @ a).sum(), lambda a: (a.reshape(3, 4) @ a).sum()),
    "index": ((A,), lambda a: (a[1] * a[1:3]).sum(), lambda a: (a[1] * a[1:3]).sum()),
    "clamp": ((A,), lambda a: (a.clamp(-0.5, 0.5) * a).sum(), lambda a: (a.clamp(-0.5, 0.5) * a).sum()),  # noqa: E501
    "softmax": ((A, B), lambda a, b: (a.softmax(axis=1) * b).sum(), lambda a, b: (a.softmax(dim=1) * b).sum()),  # noqa: E501
    "log_softmax": ((A, B), lambda a, b: (a.log_softmax(axis=1) * b).sum(), lambda a, b: (a.log_softmax(dim=1) * b).sum()),  # noqa: E501
    # linear(x, W, b) = x @ W.T + b: a batch of 4 rows of 3 inputs, 5 outputs; and one sample
    "linear": ((A, M.T, M[0]), lambda x, w, b: (linear(x, w, b) ** 2).sum(), lambda x, w, b: (torch_f().linear(x, w, b) ** 2).sum()),  # noqa: E501
    "linear one sample": ((ROW, M.T, M[1]), lambda x, w, b: (linear(x, w, b) ** 2).sum(), lambda x, w, b: (torch_f().linear(x, w, b) ** 2).sum()),  # noqa: E501
    # nll(log_probs, labels) = -mean(log_probs[i, label i]), as torch's nll_loss
    "nll": ((A,), lambda a: nll(a.log_softmax(axis=1), LABELS) * 3.0, lambda a: torch_f().nll_loss(a.log_softmax(dim=1), torch_labels(LABELS)) * 3.0),  # noqa: E501
    "nll one sample": ((ROW,), lambda a: nll(a * a, np.array(2)), lambda a: -(a * a)[2]),
}  # fmt: skip


def torch_f():
    import torch.nn.functional

    return torch.nn.functional


def torch_labels(labels):
    import torch

    return torch.tensor(labels)


def test_every_operation_of_the_table_is_tested_here():
    symbols = {str(op) for op in TABLE}
    covered = {"+", "-", "*", "/", "@", "neg", "**", "exp", "log", "tanh", "sigmoid", "relu",
               "sum", "mean", "T", "reshape", "[]", "clamp", "softmax", "log_softmax",
               "linear", "nll"}  # fmt: skip
    assert symbols == covered


@pytest.mark.parametrize("name", CASES)
def test_operation_matches_pytorch_in_float64(name):
    torch = pytest.importorskip("torch")
    arrays, ours, theirs = CASES[name]
    xs = [leaf(a) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(*ts)
    out.backward()
    expected.backward()
    assert out.item() == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_nll_names_what_is_wrong_with_its_labels():
    log_probs = leaf(A).log_softmax(axis=1)  # 4 samples, 3 classes
    with pytest.raises(
        ValueError, match=r"nll label -1 is out of range for 3 classes \(valid: 0 to 2\)"
    ):
        nll(log_probs, np.array([0, -1, 1, 2]))  # (NumPy would take -1 as the last class)
    with pytest.raises(ValueError, match="nll needs integer class labels, got dtype float64"):
        nll(log_probs, np.array([0, 1.5, 1, 2]))
    with pytest.raises(ValueError, match=r"got log-probabilities \(4, 3\) and labels \(3,\)"):
        nll(log_probs, np.array([0, 1, 2]))
    # whole numbers written as floats are labels; the graph keeps its own copy of them
    labels = np.array([0.0, 2.0, 1.0, 2.0])
    loss = nll(log_probs, labels)
    labels[0] = 1.0
    assert loss.const.tolist() == [0, 2, 1, 2] and loss.const.dtype == np.intp


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of x.data."""
    grad = np.zeros_like(x.data)
    for index in np.ndindex(x.shape):
        keep = x.data[index]
        x.data[index] = keep + eps
        up = f().item()
        x.data[index] = keep - eps
        down = f().item()
        x.data[index] = keep
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", CASES)
def test_operation_passes_a_central_difference_check(name):
    arrays, ours, _ = CASES[name]
    xs = [leaf(a) for a in arrays]
    ours(*xs).backward()
    for k, x in enumerate(xs):
        expected = numerical_gradient(lambda: ours(*xs), x)
        np.testing.assert_allclose(
            x.grad, expected, rtol=1e-5, atol=1e-7, err_msg=f"{name}: input {k + 1}"
        )


def test_log_softmax_and_softmax_stay_finite_for_huge_logits():
    # log_softmax([1000, 0]) = [0 - log(1 + e^-1000), -1000 - ...] = [0, -1000]
    z = leaf([[1000.0, 0.0]])
    out = z.log_softmax(axis=1)
    assert out.data.tolist() == [[0.0, -1000.0]]
    assert z.softmax(axis=1).data.tolist() == [[1.0, 0.0]]
    out[0, 1].backward()  # d/dz of log p_1 = onehot(1) - softmax = [-1, 1]
    assert z.grad.tolist() == [[-1.0, 1.0]]


def test_sigmoid_never_overflows():
    s = Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    assert s.data.tolist() == [0.0, 0.5, 1.0]


def test_tensor_values_agree_with_value_on_one_element():
    # The scalar engine on x = 0.7: tanh(x) * exp(x) / (1 + x ** 2)
    x = Value(0.7)
    y = x.tanh() * x.exp() / (1 + x**2)
    y.backward()
    t = leaf([0.7])
    u = t.tanh() * t.exp() / (1.0 + t**2)
    u.backward()
    assert u.item() == pytest.approx(y.data, abs=1e-15)
    assert t.grad[0] == pytest.approx(x.grad, abs=1e-15)


# -- errors ------------------------------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\+: shapes \(4, 3\) and \(4,\) do not broadcast"):
        Tensor(A) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"@: shapes \(4, 3\) and \(5, 3\) do not line up.*W\.T"):
        Tensor(A) @ Tensor(np.ones((5, 3)))


def test_log_of_a_non_positive_number_names_the_op_and_the_entry():
    with pytest.raises(ValueError, match=r"log\(-0\.5\) is nan at index \(1,\).*positive numbers"):
        Tensor([1.0, -0.5]).log()
    with pytest.raises(ValueError, match=r"log\(0\.0\) is -inf"):
        Tensor([0.0]).log()


def test_division_by_zero_and_overflow_name_the_op():
    with pytest.raises(ZeroDivisionError, match=r"1\.0 / 0\.0 is inf"):
        Tensor([1.0]) / Tensor([0.0])
    with pytest.raises(OverflowError, match=r"exp\(800\.0\) is inf.*about 709\.78$"):
        Tensor([800.0]).exp()
    with pytest.raises(OverflowError, match=r"exp\(100\.0\) is inf.*about 88\.72 in float32$"):
        Tensor(np.array([100.0], dtype=np.float32)).exp()  # float32's own limit
    with pytest.raises(OverflowError, match=r"@ of shapes \(1, 1\) and \(1, 1\) is inf"):
        Tensor([[1e200]]) @ Tensor([[1e200]])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor([1e308, 1e308]).sum(),
        lambda: Tensor([1e308, 1e308]).mean(),
        lambda: Tensor([1e308]) * Tensor([10.0]),
        lambda: Tensor([-1e308]) - 1e308,
        lambda: Tensor([[1e308]]) @ Tensor([[10.0]]),
        lambda: linear(Tensor([[1e308]]), Tensor([[10.0]]), Tensor([1.0])),
        lambda: Tensor(np.array([1e30], dtype=np.float32)) ** 2,
        lambda: Tensor([1e308, -1e308]).log_softmax(),
        lambda: Tensor([0.0]).log(),
        lambda: 1.0 / Tensor([0.0]),
    ],
)
def test_a_result_that_is_not_finite_raises_without_a_numpy_warning_first(make):
    # The error names the operation; NumPy's "overflow encountered in ..." before it would
    # say it twice, and with warnings turned into errors it would take the error's place.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((OverflowError, ValueError, ZeroDivisionError), match=r" is -?inf"):
            make()


def test_a_tensor_holds_finite_real_numbers_only():
    with pytest.raises(
        ValueError, match=r"Tensor 'x' needs finite numbers, got nan at index \(1,\)"
    ):
        Tensor([1.0, float("nan")], "x")
    with pytest.raises(TypeError, match="real numbers.*str"):
        Tensor("abc")
    with pytest.raises(TypeError, match="got a Value; use its .data"):
        Tensor(Value(1.0))
    with pytest.raises(TypeError, match="cannot be mixed"):
        Tensor([1.0]) + Value(1.0)


def test_a_failed_backward_pass_changes_no_gradient():
    # d/da sqrt(a) = 0.5 / sqrt(a) is infinite at a = 0
    a = leaf([0.0, 4.0])
    w = leaf([1.0, 1.0])
    L = ((a**0.5) * w).sum()
    a.grad = [7.0, 7.0]
    with pytest.raises(OverflowError, match=r"backward through '\*\*'.*input 1.*inf.*no \.grad"):
        L.backward()
    assert a.grad.tolist() == [7.0, 7.0]  # as before the call
    assert w._grad is None and L._grad is None


def test_gradients_adding_up_past_the_largest_float_change_no_gradient():
    # Each pass is finite (dL/dw = 1e308, 1e308), but the second would take w.grad to 2e308:
    # as in the scalar engine, the pass raises, names the sum and changes nothing.
    w = Tensor([1.0, 0.5], "w", requires_grad=True)
    b = leaf([2.0])
    make = lambda: (w * 1e308).sum() + b.sum()  # noqa: E731
    make().backward()
    assert w.grad.tolist() == [1e308, 1e308] and b.grad.tolist() == [1.0]
    with pytest.raises(
        OverflowError,
        match=r"the \.grad of 'w' would become 1e\+308 \+ 1e\+308 = inf at index \(0,\).*zero_grad",
    ):
        make().backward()
    assert w.grad.tolist() == [1e308, 1e308] and b.grad.tolist() == [1.0]  # b's too
    w.grad = None
    make().backward()  # after zero_grad: one pass's gradient, finite
    assert w.grad.tolist() == [1e308, 1e308] and b.grad.tolist() == [2.0]


def test_axis_out_of_range_and_bad_reshape_say_what_fits():
    with pytest.raises(ValueError, match=r"axis 2 is out of range for a tensor of shape \(4, 3\)"):
        Tensor(A).sum(axis=2)
    with pytest.raises(
        ValueError, match=r"shape \(4, 3\) \(12 entries\) cannot take the shape \(5,\)"
    ):
        Tensor(A).reshape(5)


# -- the finite check ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 100_000])  # the sum's path and the dot product's
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("quietly", [False, True])
def test_all_finite_finds_any_nan_or_infinity_and_passes_huge_finite_numbers(size, dtype, quietly):
    # finite_quietly is the same look for a caller that has turned overflow warnings off
    from autograd.tensor_backward import all_finite as loud
    from autograd.tensor_backward import finite_quietly

    def all_finite(array):
        if not quietly:
            return loud(array)
        with np.errstate(over="ignore"):
            return finite_quietly(array)

    rng = np.random.default_rng(0)
    array = rng.standard_normal(size).astype(dtype)
    assert all_finite(array) and all_finite(array.reshape(-1, 2).T)  # a transpose too
    for bad in (np.nan, np.inf, -np.inf):
        for where in (0, size // 3, size - 1):
            spoilt = array.copy()
            spoilt[where] = bad
            assert not all_finite(spoilt), (bad, where)
            assert not all_finite(spoilt.reshape(-1, 2)[:, ::-1])  # not contiguous
    # Finite, but their squares (and sums) overflow: the exact look says finite.
    huge = np.full(size, np.finfo(dtype).max / 2, dtype=dtype)
    huge[1::2] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no NumPy warning on the way
        assert all_finite(huge)
        assert all_finite(np.abs(huge))


def test_the_operations_whose_results_go_unchecked_keep_extreme_finite_numbers_finite():
    # A row marked keeps_finite is trusted: its result is not checked. Every such row is
    # tried on the largest and smallest floats there are, with both signs.
    unchecked = {op for op in TABLE if op.keeps_finite}
    assert unchecked == {"neg", "tanh", "sigmoid", "relu", "T", "reshape", "[]"}
    big = np.finfo(np.float64).max
    tiny = np.finfo(np.float64).tiny
    a = np.array([[big, -big, tiny], [-tiny, 0.0, 1.0]])
    constant = {"reshape": (3, 2), "[]": (slice(None), 0)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for op in unchecked:
            out = op.forward(a, constant.get(op))
            assert np.isfinite(out).all(), op
