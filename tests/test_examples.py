"""The worked examples in chainrule/examples.py reproduce the slides' numbers."""

import pytest

from chainrule.examples import (
    build,
    format_table,
    gradient_descent_step,
    line_prediction,
    plot_history,
    report,
    run_backward,
    summaries,
    train_line,
    two_two_two,
    xyz,
)
from nn.layers import MLP


def assert_as_printed(value: float, printed: str) -> None:
    """value, rounded to as many decimals as the slide prints, reads as the slide does."""
    decimals = len(printed.split(".")[1])
    assert f"{value:.{decimals}f}" == printed


def test_xyz_forward_is_minus_12_not_the_slides_12():
    example = xyz()
    values = example.values
    assert values["q"].data == 3.0  # q = x + y = -2 + 5
    assert values["f"].data == -12.0  # f = q * z = 3 * -4 (the slide prints 12: a typo)
    assert example.root is values["f"]


def test_xyz_gradients_match_the_slide():
    example = xyz()
    run_backward(example)
    grads = {name: v.grad for name, v in example.values.items()}
    # df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = 1 * -4 = -4 (slide)
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}


def test_run_backward_twice_gives_the_same_gradients_not_double():
    example = xyz()
    run_backward(example)
    run_backward(example)
    assert example.values["x"].grad == -4.0  # not -8: run_backward zeroes first


def test_xyz_steps_read_local_times_upstream():
    example = xyz()
    steps = run_backward(example, steps=True)
    # f = q * z passes to q then z; q = x + y passes to x then y.
    assert [str(s) for s in steps] == [
        "df/dq = -4 (local) x df/df = 1 (upstream) -> q.grad += -4",
        "df/dz = 3 (local) x df/df = 1 (upstream) -> z.grad += 3",
        "dq/dx = 1 (local) x df/dq = -4 (upstream) -> x.grad += -4",
        "dq/dy = 1 (local) x df/dq = -4 (upstream) -> y.grad += -4",
    ]


def test_two_two_two_forward_matches_the_slide():
    values = two_two_two().values
    slide = {
        "net_h1": "0.3775",  # .15*.05 + .20*.10 + .35
        "out_h1": "0.593269992",
        "out_h2": "0.596884378",
        "net_o1": "1.105905967",
        "out_o1": "0.75136507",
        "out_o2": "0.772928465",
        "E_o1": "0.274811083",
        "E_o2": "0.023560026",
        "E_total": "0.298371109",
    }
    for name, printed in slide.items():
        assert_as_printed(values[name].data, printed)


def test_two_two_two_labels_every_node_the_slide_names():
    values = two_two_two().values
    expected = (
        ["i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]
        + ["target_o1", "target_o2"]
        + ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2"]
        + ["E_o1", "E_o2", "E_total"]
    )
    assert sorted(values) == sorted(expected)
    assert all(v.label == name for name, v in values.items())
    assert values["out_h1"].op == "sigmoid" and values["net_h1"].op == "wsum"


def test_two_two_two_biases_are_shared_between_neurons():
    values = two_two_two().values
    # net_h1 and net_h2 are wsum nodes (w1, i1, w2, i2, b1): the bias is the last input.
    assert values["net_h1"].inputs[-1] is values["b1"]
    assert values["net_h2"].inputs[-1] is values["b1"]
    assert values["net_o2"].inputs[-1] is values["b2"]


def test_two_two_two_gradient_of_w5_matches_the_slide():
    example = two_two_two()
    run_backward(example)
    # dE_total/dw5 = (out_o1 - target_o1) * out_o1 (1 - out_o1) * out_h1 = 0.082167041 (slide)
    assert_as_printed(example.values["w5"].grad, "0.082167041")


def test_two_two_two_update_at_lr_half_matches_the_slide():
    example = two_two_two()
    run_backward(example)
    updates = {u.name: u.new for u in gradient_descent_step(example, lr=0.5)}
    slide = {
        "w1": "0.149780716",
        "w2": "0.19956143",
        "w3": "0.24975114",
        "w4": "0.29950229",
        "w5": "0.35891648",
        "w6": "0.408666186",
        "w7": "0.511301270",
        "w8": "0.561370121",
    }
    for name, printed in slide.items():
        assert_as_printed(updates[name], printed)
    assert example.values["w5"].data == updates["w5"]  # the step changes the parameter


def test_report_leaves_the_example_unchanged():
    example = two_two_two()
    run_backward(example)
    text = report(example)
    assert example.values["w5"].data == 0.40  # the update ran on a fresh copy
    assert "0.298371109" in text  # E_total, slide
    assert "0.358916480" in text  # w5 after one step at lr 0.5 (slide: 0.35891648)


def test_report_prints_xyz_as_integers_with_the_typo_note():
    example = xyz()
    run_backward(example)
    text = report(example)
    assert "-12" in text and "typo" in text
    assert "-12.0" not in text  # integers, as on the slide


def test_build_rejects_an_unknown_example_naming_the_choices():
    with pytest.raises(ValueError, match="xyz, 2-2-2"):
        build("3-3-3")


def test_summaries_list_both_examples():
    assert list(summaries()) == ["xyz", "2-2-2"]


def test_format_table_aligns_columns_and_right_aligns_numbers():
    text = format_table(["name", " value"], [["a", "1"], ["long", "-12"]])
    assert text.splitlines() == [
        "  name  value",
        "  ----  -----",
        "  a         1",
        "  long    -12",
    ]


def test_line_prediction_prints_the_lessons_four_lines():
    model = MLP(1, [1], seed=0)
    model.load_state_dict({"layers.0.weight": [[2.0]], "layers.0.bias": [0.0]})
    # y_pred = 2 * 12 = 24, y_true = 2 * 12 + 1 = 25, |24 - 25| = 1, 1 / 25 = 4%
    assert line_prediction(model, 12.0).splitlines() == [
        "x=12",
        "Predicted y: 24.000000",
        "True y: 25.000000",
        "Abs error: 1.000000",
        "% error: 4.0000%",
    ]


def test_train_line_uses_the_lessons_split_and_records_each_epoch():
    run = train_line(epochs=2, progress=False)
    assert (run.n_train, run.n_val) == (160, 40)  # 200 points, 80/20
    assert len(run.history.train_loss) == 2 and len(run.history.val_loss) == 2
    assert [len(layer.neurons) for layer in run.model.layers] == [16, 16, 1]


def test_train_line_rejects_an_unknown_optimizer():
    with pytest.raises(ValueError, match="adagrad"):
        train_line(epochs=1, optimizer="adagrad")


def test_plot_history_writes_a_png(tmp_path):
    run = train_line(epochs=2, progress=False)
    path = plot_history(run.history, tmp_path / "loss.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
