"""chainrule.carried: a rounded number carried through an operation, as an interval."""

import math

import pytest

from autograd import Value
from chainrule.carried import CarriedStep, Interval, carry_forward, carry_step


def test_printed_number_stands_for_everything_that_rounds_to_it():
    # "0.3519" is every number from 0.35185 to 0.35195; "-12" from -12.5 to -11.5.
    assert Interval.printed("0.3519") == Interval(0.35185, 0.35195)
    assert Interval.printed("-12") == Interval(-12.5, -11.5)
    assert Interval.printed("0.8800") == Interval(0.87995, 0.88005)


def test_printed_text_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="not a printed number: 'abc'"):
        Interval.printed("abc")


def test_a_large_multiplier_carries_the_whole_rounding_interval():
    # The case: dE/dnet_h = 0.351936 printed as 0.3519, times x2 = 8.
    # 8 x 0.35185 = 2.8148 and 8 x 0.35195 = 2.8156, so 2.8155 (= 8 x 0.351936 rounded)
    # follows from the printed 0.3519 although 8 x 0.3519 = 2.8152.
    x, x2 = Value(0.351936), Value(8.0)
    step = carry_step(x * x2, [Interval.printed("0.3519"), Interval.point(8.0)])
    assert step.out.low == pytest.approx(2.8148, abs=1e-12)
    assert step.out.high == pytest.approx(2.8156, abs=1e-12)
    assert 2.8155 in step.out
    # d(x * x2)/dx is x2, d/dx2 is x: the local derivatives' intervals.
    assert step.local[0] == Interval(8.0, 8.0)
    assert step.local[1] == Interval(0.35185, 0.35195)


def test_a_multiplier_of_a_thousand_widens_the_interval_a_thousandfold():
    # 1000 x [0.12345, 0.12355] = [123.45, 123.55]
    x = Value(0.1235)
    step = carry_step(x * 1000.0, [Interval.printed("0.1235"), Interval.point(1000.0)])
    assert step.out.low == pytest.approx(123.45, abs=1e-9)
    assert step.out.high == pytest.approx(123.55, abs=1e-9)


def test_a_monotone_function_maps_the_ends_of_the_interval():
    # sigmoid is increasing: sigmoid([1.995, 2.005]) = [0.88029..., 0.88134...]
    a = Value(2.0)
    step = carry_step(a.sigmoid(), [Interval.printed("2.00")])
    low, high = 1 / (1 + math.exp(-1.995)), 1 / (1 + math.exp(-2.005))
    assert step.out.low <= low and step.out.high >= high
    # The mean-value bound (largest slope x half width) adds under 1% to the exact width.
    assert step.out.high - step.out.low == pytest.approx(high - low, rel=1e-2)


def test_a_square_over_an_interval_holding_zero_reaches_zero():
    # x ** 2 over [-0.5, 0.5] (the printed "0"): from 0 to 0.25, not 0.25 to 0.25.
    a = Value(0.0)
    step = carry_step(a**2, [Interval.printed("0")])
    assert step.out.low <= 0.0
    assert step.out.high >= 0.25


def test_a_neuron_with_many_inputs_is_bounded_by_its_derivatives():
    # wsum of (w1, x1, ..., w3, x3, b): every input printed to 2 decimals, x's large.
    # The middle is 0.5*10 + 0.25*20 - 0.75*30 + 0.1 = -12.4; each w's interval (+-0.005)
    # meets |x| = 10, 20, 30: at least +-0.3 from the w's alone.
    from autograd import weighted_sum

    ws = [Value(0.5), Value(0.25), Value(-0.75)]
    xs = [Value(10.0), Value(20.0), Value(30.0)]
    out = weighted_sum(ws, xs, Value(0.1))
    intervals = [
        Interval.printed("0.50"),
        Interval.point(10.0),
        Interval.printed("0.25"),
        Interval.point(20.0),
        Interval.printed("-0.75"),
        Interval.point(30.0),
        Interval.point(0.1),
    ]
    step = carry_step(out, intervals)
    assert step.out.low == pytest.approx(-12.7, abs=1e-9)
    assert step.out.high == pytest.approx(-12.1, abs=1e-9)


def test_carry_forward_keeps_the_numbers_written_down():
    # f = (x * 8) + 1 with x written down as 0.3519: f in [3.8148, 3.8156].
    x = Value(0.351936)
    y = x * 8.0
    f = y + 1.0
    carried = carry_forward(f, {x: Interval.printed("0.3519")})
    assert carried[f].low == pytest.approx(3.8148, abs=1e-12)
    assert carried[f].high == pytest.approx(3.8156, abs=1e-12)


def test_an_operation_the_interval_breaks_is_left_out():
    # log of a number written down as -1: nothing follows from it.
    x = Value(2.0)
    f = x.log() + 1.0
    carried = carry_forward(f, {x: Interval.printed("-1")})
    assert f not in carried and x.inputs == ()


def test_local_derivatives_at_a_written_output():
    # sigmoid's local derivative is out x (1 - out): at the written 0.88 (its input gives
    # 0.8700) it is 0.88 x 0.12 = 0.1056, not 0.87 x 0.13 = 0.1131.
    a = Value(1.901)
    step = carry_step(a.sigmoid(), [Interval.point(1.901)], out=Interval.point(0.88))
    assert step.local[0].low == pytest.approx(0.1056, abs=1e-12)
    assert step.local[0].high == pytest.approx(0.1056, abs=1e-12)
    assert step.out.low == pytest.approx(0.870004664, abs=1e-9)  # still the computed output


def test_single_numbers_run_the_rules_once_and_give_points():
    x, y = Value(3.0), Value(-4.0)
    step = carry_step(x * y, [Interval.point(3.0), Interval.point(-4.0)])
    assert step == CarriedStep(Interval(-12.0, -12.0), (Interval(-4.0, -4.0), Interval(3.0, 3.0)))
