"""Loss functions: values, gradients, stability at extreme inputs, and argument checks."""

from __future__ import annotations

import math

import pytest

from autograd import Value, gradcheck
from nn import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss, sum_squared_error

# -- mse_loss ------------------------------------------------------------------------------


def test_mse_loss_is_the_mean_of_squared_differences():
    # ((1 - 0)^2 + (2 - 0)^2 + (3 - 5)^2) / 3 = (1 + 4 + 4) / 3 = 3
    assert mse_loss([1.0, 2.0, 3.0], [0.0, 0.0, 5.0]).data == 3.0


@pytest.mark.parametrize(
    "pred, target",
    [(3.0, 1.0), (Value(3.0), 1.0), (3, Value(1.0)), ([Value(3.0)], [1.0]), (Value(3.0), [1])],
)
def test_mse_loss_takes_single_values_or_numbers(pred, target):
    assert mse_loss(pred, target).data == 4.0  # (3 - 1)^2


def test_mse_loss_gradient_is_two_times_error_over_n():
    a, b = Value(1.0), Value(2.0)
    mse_loss([a, b], [0.0, 4.0]).backward()
    # d/da (a^2 + (b - 4)^2) / 2 = a = 1;  d/db = b - 4 = -2
    assert (a.grad, b.grad) == (1.0, -2.0)


def test_mse_loss_builds_one_sum_node_and_one_division():
    loss = mse_loss([Value(1.0), Value(2.0)], [0.0, 0.0])
    assert loss.op == "/"
    assert loss.inputs[0].op == "sum"
    assert [term.op for term in loss.inputs[0].inputs] == ["**", "**"]


def test_mse_loss_averages_over_every_output_of_multi_output_samples():
    # two samples of two outputs: ((1-0)^2 + (2-0)^2 + (3-0)^2 + (4-2)^2) / 4 = 18 / 4
    assert mse_loss([[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 2.0]]).data == 4.5


# -- sum_squared_error -----------------------------------------------------------------------


def test_sum_squared_error_is_the_slides_half_squared_error():
    # E_o1 = 1/2 (0.01 - 0.75136507)^2 = 1/2 * 0.549622167 = 0.2748110835 (the 2-2-2 slide
    # prints 0.274811083, from out_o1 before it was rounded to 0.75136507)
    assert round(sum_squared_error(0.75136507, 0.01).data, 8) == 0.27481108
    # 1/2 ((1 - 3)^2 + (2 - 2)^2) = 2, a sum, not a mean
    assert sum_squared_error([3.0, 2.0], [1.0, 2.0]).data == 2.0


def test_sum_squared_error_gradient_is_output_minus_target():
    out = Value(0.75)
    sum_squared_error([out], [0.25]).backward()
    assert out.grad == 0.5  # 0.75 - 0.25: the 1/2 cancels the square's 2


# -- binary_cross_entropy ------------------------------------------------------------------


def test_binary_cross_entropy_of_a_probability():
    # -log(0.8) = 0.2231435513142097 for target 1; -log(1 - 0.8) for target 0
    assert binary_cross_entropy(0.8, 1.0).data == pytest.approx(0.2231435513142097, rel=1e-15)
    assert binary_cross_entropy([0.8], [0.0]).data == pytest.approx(-math.log(0.2), rel=1e-12)


def test_binary_cross_entropy_gradient_matches_numerical():
    p = Value(0.3)
    assert gradcheck(lambda q: binary_cross_entropy([q], [0.7]), [p])
    binary_cross_entropy(p, 1.0).backward()
    assert p.grad == pytest.approx(-1 / 0.3)  # d/dp -log(p) = -1/p


def test_binary_cross_entropy_stays_finite_at_zero_and_one():
    # p clamped to [1e-12, 1 - 1e-12]: the loss is about -log(1e-12) = 27.631, not infinite
    wrong = binary_cross_entropy([0.0, 1.0], [1.0, 0.0])
    assert wrong.data == pytest.approx(27.631, rel=1e-4)
    right = binary_cross_entropy([Value(0.0), Value(1.0)], [0.0, 1.0])
    assert 0.0 < right.data < 1e-11
    right.backward()
    assert all(math.isfinite(x.grad) for x in right.inputs[0].inputs)


def test_binary_cross_entropy_rejects_targets_outside_zero_one():
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\], got 2"):
        binary_cross_entropy([0.5], [2])


# -- cross_entropy ---------------------------------------------------------------------------


def test_cross_entropy_is_minus_log_softmax_of_the_target():
    # log(e^1 + e^2 + e^3) - 3 = 0.40760596444438
    assert cross_entropy([1.0, 2.0, 3.0], 2).data == pytest.approx(0.40760596444438, rel=1e-13)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = [Value(1.0), Value(2.0), Value(3.0)]
    cross_entropy(z, 0).backward()
    # softmax([1, 2, 3]) = [0.0900305731703805, 0.2447284710547977, 0.6652409557748219]
    expected = [0.0900305731703805 - 1, 0.2447284710547977, 0.6652409557748219]
    assert [v.grad for v in z] == pytest.approx(expected, abs=1e-15)


def test_cross_entropy_is_finite_for_huge_logits():
    z = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(z, 1)
    assert loss.data == 2000.0  # log(e^0 + e^-2000) - (-2000)
    loss.backward()
    assert [v.grad for v in z] == [1.0, -1.0]
    assert cross_entropy([1000.0, -1000.0], 0).data == 0.0


def test_cross_entropy_of_a_batch_is_the_mean():
    # ((log(e^1 + e^2 + e^3) - 3) + (log(e^1 + e^2 + e^3) - 1)) / 2
    one = 0.40760596444438
    loss = cross_entropy([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], [2, 0])
    assert loss.data == pytest.approx((one + one + 2) / 2, rel=1e-13)


@pytest.mark.parametrize(
    "logits, target, message",
    [
        ([1.0, 2.0], 2, "target_index 2 is out of range for 2 logits"),
        ([1.0, 2.0], -1, "out of range"),
        ([1.0, 2.0], 1.0, "must be an int"),
        ([], 0, "at least one logit"),
        ([[1.0, 2.0]], [0, 1], "one list of logits per target index, got 1 logit lists and 2"),
    ],
)
def test_cross_entropy_rejects_bad_arguments(logits, target, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(logits, target)


# -- hinge_loss ------------------------------------------------------------------------------


def test_hinge_loss_is_the_mean_margin_violation():
    # relu(1 - 2) + relu(1 - 0.5) + relu(1 + 1) = 0 + 0.5 + 2, over 3
    assert hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]).data == 2.5 / 3
    # y = -1: relu(1 + s); s = -3 is beyond the margin, s = 0 is not
    assert hinge_loss([-3.0, 0.0], [-1, -1]).data == 0.5


def test_hinge_loss_gradient_is_minus_y_inside_the_margin_and_zero_outside():
    s = [Value(0.5), Value(2.0), Value(0.5)]
    hinge_loss(s, [1, 1, -1]).backward()
    assert [v.grad for v in s] == [-1 / 3, 0.0, 1 / 3]


def test_hinge_loss_rejects_labels_other_than_plus_minus_one():
    with pytest.raises(ValueError, match="must be \\+1 or -1, got 0"):
        hinge_loss([0.5, 0.5], [1, 0])


# -- shared argument checks --------------------------------------------------------------------

LOSSES = [mse_loss, sum_squared_error, binary_cross_entropy, hinge_loss]


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_mismatched_lengths_raise_value_error_naming_both(loss_fn):
    with pytest.raises(ValueError, match="got 3 predictions and 2 targets"):
        loss_fn([0.5, 0.5, 0.5], [1, 1])


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_empty_inputs_raise_value_error(loss_fn):
    with pytest.raises(ValueError, match="at least one prediction"):
        loss_fn([], [])


def test_a_non_number_among_predictions_raises_type_error():
    with pytest.raises(TypeError, match=r"mse_loss predictions\[1\] must be a number"):
        mse_loss([1.0, "2"], [1.0, 2.0])


def test_a_single_term_loss_has_no_sum_node():
    # E_o1 = 1/2 (target - out)^2 draws as (t - o) -> ^2 -> * 0.5, as on the slide.
    out = Value(0.75136507)
    e = sum_squared_error(out, 0.01)
    assert e.op == "*" and e.inputs[0].op == "**" and e.inputs[1].data == 0.5
    assert round(e.data, 8) == 0.27481108  # 1/2 (0.01 - 0.75136507)^2
    assert mse_loss([Value(3.0)], [1.0]).inputs[0].op == "**"
