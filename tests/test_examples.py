"""The worked examples (chainrule/examples.py and the files in chainrule/worked-examples/)
reproduce the slides' numbers; example files are read, and bad ones refused, clearly."""

import math
from pathlib import Path

import pytest

from chainrule.examples import (
    BUILT_INS,
    build,
    from_expr,
    library_names,
    load,
    summaries,
    two_two_two,
    xyz,
)
from chainrule.tables import format_table, report
from chainrule.training import line_prediction, plot_history, train_line
from chainrule.update import gradient_descent_step
from chainrule.worked import ExampleError, WorkedExample, run_backward
from nn.layers import MLP

# The library's examples, in the order `chainrule examples` lists them (alphabetical).
LIBRARY = [
    "ad-package-readme",
    "ad-package-sin",
    "baydin-survey-forward-reverse",
    "colah-sum-over-paths",
    "cs231n-max-circuit",
    "cs231n-sigmoid-circuit",
    "mazur-2-2-2",
    "micrograd-a-plus-a",
    "micrograd-expression",
    "micrograd-neuron",
    "micrograd-neuron-exp",
    "micrograd-readme",
    "micrograd-reuse",
    "ng-computation-graph",
]


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
    with pytest.raises(ValueError, match="xyz, 2-2-2, ad-package-readme, ad-package-sin, baydin"):
        build("3-3-3")


def test_summaries_list_the_built_ins_then_the_library():
    assert list(summaries()) == ["xyz", "2-2-2", *LIBRARY]
    assert summaries()["xyz"].startswith("f(x, y, z) = (x + y) * z")


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


# -- examples as data ----------------------------------------------------------------------


def test_the_built_ins_are_files_in_the_package():
    assert BUILT_INS == ("xyz", "2-2-2")
    folder = Path(__file__).resolve().parent.parent / "chainrule" / "worked-examples"
    assert sorted(p.name for p in folder.glob("*.toml")) == ["2-2-2.toml", "xyz.toml"]
    assert library_names() == LIBRARY


@pytest.mark.parametrize("name", ["xyz", "2-2-2", *LIBRARY])
def test_every_shipped_example_cites_its_source_and_records_printed_numbers(name):
    example = build(name)
    assert isinstance(example, WorkedExample)
    assert example.source is not None
    assert example.source.author and example.source.title and example.source.checked
    assert example.source.url.startswith("https://")
    assert len(example.printed) >= 3
    assert example.given and all(isinstance(x, float) for x in example.given.values())
    assert example.title and example.summary


def test_load_takes_a_name_or_a_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(XYZ_FILE)
    by_path = load(path)
    assert by_path.name == "mine" and by_path.path == path
    assert by_path.values["f"].data == -12.0  # (-2 + 5) * -4
    assert load(str(path)).given == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert load("xyz").values["f"].data == -12.0


def test_an_example_knows_its_given_numbers_learning_rate_and_a_fresh_copy():
    example = build("2-2-2")
    assert example.given["w5"] == 0.40 and example.lr == 0.5
    assert example.parameters[:2] == ["w1", "w2"] and example.biases == ["b1", "b2"]
    copy = example.fresh({"w5": 0.0})
    assert copy.values["w5"].data == 0.0 and example.values["w5"].data == 0.40
    assert copy.values["net_o1"].data == pytest.approx(1.105905967 - 0.4 * 0.593269992)


def test_from_expr_reproduces_the_cs231n_numbers():
    example = from_expr("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4})
    run_backward(example)
    assert example.root is example.values["f"] and example.root.data == -12.0
    grads = {name: v.grad for name, v in example.values.items()}
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}  # cs231n
    assert example.decimals == 0  # whole numbers print without decimals
    assert example.given == {"x": -2.0, "y": 5.0, "z": -4.0} and example.lr is None
    assert example.formulas == {"q": "x + y", "f": "q * z"}


def test_from_expr_refuses_an_unused_given_value():
    with pytest.raises(ValueError, match="w given but not used"):
        from_expr("f = x * 2", {"x": 1, "w": 3})


def test_a_network_layer_without_bias_builds_the_hmkcode_network(tmp_path):
    path = tmp_path / "linear.toml"
    path.write_text(LINEAR_2_2_1)
    example = load(path)
    run_backward(example)
    values = example.values
    # By hand: h1 = 2*0.11 + 3*0.21 = 0.85, h2 = 2*0.12 + 3*0.08 = 0.48,
    # out = 0.85*0.14 + 0.48*0.15 = 0.191, E = 1/2 (1 - 0.191)^2 = 0.3272405
    assert values["h1"].data == pytest.approx(0.85)
    assert values["h2"].data == pytest.approx(0.48)
    assert values["out"].data == pytest.approx(0.191)
    assert values["E"].data == pytest.approx(0.3272405)
    assert values["h1"].op == "wsum" and "net_h1" not in values  # linear: no activation
    # dE/dw6 = (out - target) * h2 = -0.809 * 0.48; dE/dw1 = -0.809 * w5 * i1
    assert values["w6"].grad == pytest.approx(-0.809 * 0.48)
    assert values["w1"].grad == pytest.approx(-0.809 * 0.14 * 2)
    assert example.biases == [] and example.layers == [["w1", "w2", "w3", "w4"], ["w5", "w6"]]
    assert example.formulas["h1"] == "w1*i1 + w2*i2"


# Minimal files for the tests below; each bad-file test changes one thing.
XYZ_FILE = """title = "(x + y) * z"
[given]
x = -2
y = 5
z = -4
[define]
q = "x + y"
f = "q * z"
[printed]
f = "-12"
"""

LINEAR_2_2_1 = """title = "2-2-1 linear network without biases"
[given]
i1 = 2
i2 = 3
w1 = 0.11
w2 = 0.21
w3 = 0.12
w4 = 0.08
w5 = 0.14
w6 = 0.15
target = 1
[network]
inputs = ["i1", "i2"]
[[network.layers]]
neurons = ["h1", "h2"]
outputs = ["h1", "h2"]
weights = [["w1", "w2"], ["w3", "w4"]]
[[network.layers]]
neurons = ["o"]
outputs = ["out"]
weights = [["w5", "w6"]]
[network.loss]
kind = "half_squared_error"
targets = ["target"]
[update]
lr = 0.05
parameters = ["w1", "w2", "w3", "w4", "w5", "w6"]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[given]\nx = -2\ny = 5\nz = -4\n", ""), r"bad\.toml: missing \[given\]"),
        (('title = "(x + y) * z"\n', ""), "missing 'title'"),
        (('f = "q * z"', 'f = "q * w"'), r"line 8: f = q \* w uses the unknown name 'w'"),
        (('q = "x + y"', 'q = "f + y"'), "line 7: the definitions form a cycle: q -> f -> q"),
        (('q = "x + y"', 'q = "x / (y - 5)"'), r"division by zero in -2\.0 / 0\.0"),
        (("y = 5", 'y = "five"'), "line 4: \\[given\\] y must be a number, got 'five'"),
        (("y = 5", "y = nan"), "line 4: \\[given\\] y must be a finite number"),
        (('f = "-12"', "f = -12"), "line 10: f must be written as a string, as printed"),
        (('f = "-12"', 'f = "twelve"'), "is not a number as printed"),
        (('f = "-12"', 'g = "-12"'), "'g' is neither a value of the example"),
        (('q = "x + y"', "q = 3"), r"line 7: \[define\] q must be an expression in quotes"),
        (('q = "x + y"', 'q = "x.__class__"'), r"line 7, column 5: found an attribute"),
        (("[define]", "[defines]"), "unknown field 'defines'"),
        (("z = -4", "z = -4\n[[oops"), "not valid TOML"),
    ],
)
def test_a_bad_file_gets_one_message_naming_the_file_line_and_fix(tmp_path, change, message):
    old, new = change
    assert old in XYZ_FILE
    path = tmp_path / "bad.toml"
    path.write_text(XYZ_FILE.replace(old, new))
    with pytest.raises(ExampleError, match=message) as error:
        load(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('neurons = ["o"]', 'neurons = ["o", "p"]'), "weights must have one row per neuron"),
        (('weights = [["w5", "w6"]]', 'weights = [["w5", "w9"]]'), "names 'w9', which is not in"),
        (('kind = "half_squared_error"', 'kind = "l1"'), "kind 'l1' is unknown"),
        (('outputs = ["out"]', 'outputs = ["h1"]'), "the name 'h1' is used twice"),
        (("lr = 0.05", 'lr = "fast"'), r"\[update\] lr must be a number"),
    ],
)
def test_a_bad_network_gets_a_message_naming_the_field(tmp_path, change, message):
    old, new = change
    assert old in LINEAR_2_2_1
    path = tmp_path / "net.toml"
    path.write_text(LINEAR_2_2_1.replace(old, new))
    with pytest.raises(ExampleError, match=message):
        load(path)


def test_a_missing_file_is_named():
    with pytest.raises(ExampleError, match="nowhere.toml: no such file"):
        load("nowhere.toml")


def test_gradient_descent_with_a_negative_rate_steps_up_the_gradient():
    example = build("micrograd-expression")
    run_backward(example)
    updates = {u.name: u.new for u in gradient_descent_step(example)}  # lr -0.01 from the file
    # a.data += 0.01 * a.grad in the lecture: 2 + 0.01 * 6 = 2.06
    assert updates["a"] == pytest.approx(2.06) and updates["f"] == pytest.approx(-1.96)
    assert math.isclose(example.lr or 0.0, -0.01)


def test_the_readme_example_file_loads_and_its_check_finds_the_swapped_digits(tmp_path):
    from chainrule.check import check, check_report

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (block,) = [b for b in readme.split("```toml\n")[1:]]
    path = tmp_path / "my-neuron.toml"
    path.write_text(block.split("```", 1)[0])
    example = load(path)
    findings = check(example)
    assert [f.printed.key for f in findings if not f.ok] == ["dout/dx"]
    report = check_report(example, findings)
    # The README shows the end of this report, as printed.
    shown = readme.split("$ chainrule check my-neuron.toml\n...\n", 1)[1].split("```", 1)[0]
    assert report.endswith(shown.rstrip("\n"))


@pytest.mark.parametrize("name", LIBRARY)
def test_the_gradient_table_lists_a_value_after_every_value_that_uses_it(name):
    from chainrule.chain import named_inputs

    example = build(name)
    order = list(example.gradients)
    # Every value has a row but the constants (a loss's targets): no gradient of their own.
    shown = [n for n in example.values if n not in example.constants]
    assert order[0] == example.root.label and sorted(order) == sorted(shown)
    for upper, value in example.values.items():
        for lower in named_inputs(value, example):
            if lower in order:
                assert order.index(upper) < order.index(lower), (upper, lower)


def test_the_2_2_2_targets_are_constants_and_draw_without_a_gradient():
    example = build("2-2-2")
    assert example.constants == ["target_o1", "target_o2"]  # [network.loss] targets
    from autograd import draw_dot

    source = draw_dot(example.root, constants=example.constant_values()).source
    assert 'label="target_o1\\n(0.01) − x"' in source  # the slide's target 0.01
    assert 'label="target_o2\\n(0.99) − x"' in source
    assert "target_o1\\ndata" not in source


def test_an_expression_file_names_its_constants(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        'title = "c"\nconstants = ["t"]\n[given]\nt = 1.0\ny = 3.0\n[define]\ne = "(t - y) ** 2"\n'
    )
    assert load(str(path)).constants == ["t"]
    path.write_text('title = "c"\nconstants = ["nope"]\n[given]\nt = 1.0\n[define]\ne = "t * 2"\n')
    with pytest.raises(ExampleError, match="constants must list names from"):
        load(str(path))
