"""Variants of the worked examples (chainrule/variants.py): reproducible, sensible numbers,
and a folder whose test_answers.py grades answers.toml as the issue asks."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import topological_order
from chainrule import grade_file, make_variants, write_variants
from chainrule.example_files import read_toml

FILES = ["student.md", "key.md", "answers.toml", "key.toml", "test_answers.py"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.parametrize("name", ["xyz", "2-2-2"])
def test_same_seed_same_bytes_other_seed_other_numbers(tmp_path, name):
    first = write_variants(name, tmp_path / "a", seed=11)
    second = write_variants(name, tmp_path / "b", seed=11)
    assert [p.name for p in first] == ["graph.svg", "key_graph.svg", *FILES]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = write_variants(name, tmp_path / "c", seed=12, pictures=False)
    given = read_toml(tmp_path / "a" / "key.toml")["exercise"]["given"]
    assert read_toml(other[2])["exercise"]["given"] != given


def test_key_passes_a_changed_gradient_fails_naming_it(tmp_path):
    write_variants("2-2-2", tmp_path, seed=5, pictures=False)
    tests = ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    blank = run(*tests)
    assert blank.returncode == 1
    assert "First blank answer: net_h1 (forward pass, value 1 of 11): blank" in blank.stdout
    assert "expected" not in blank.stdout  # the self-check never gives an answer away

    key = (tmp_path / "key.toml").read_text(encoding="utf-8")
    (tmp_path / "answers.toml").write_text(key, encoding="utf-8")
    passed = run(*tests)
    assert passed.returncode == 0, passed.stdout

    # One gradient changed: the test fails, naming it first.
    lines = key.splitlines()
    at = lines.index("[gradients]  # dE_total/d<name>")
    w5 = next(k for k in range(at, len(lines)) if lines[k].startswith("w5 = "))
    lines[w5] = "w5 = 0.5  # a wrong dE_total/dw5"
    (tmp_path / "answers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = run(*tests)
    assert failed.returncode == 1
    assert (
        "First wrong value: dE_total/dw5 (backward pass, gradient 7 of 20): wrong" in failed.stdout
    )
    assert "you gave 0.5000" in failed.stdout
    # what it is built from, local x upstream, without their numbers
    assert "dnet_o1/dw5 (local) x dE_total/dnet_o1 (upstream)" in failed.stdout
    assert "expected" not in failed.stdout


def test_an_early_wrong_value_shows_what_follows_from_it(tmp_path):
    write_variants("xyz", tmp_path, seed=5, pictures=False)
    key = read_toml(tmp_path / "key.toml")
    x, y, z = (key["exercise"]["given"][n] for n in "xyz")
    q = x + y + 1  # one off
    # The learner goes on correctly from their q: f = q * z, df/dz = q; df/dq = z stays.
    text = (tmp_path / "answers.toml").read_text(encoding="utf-8")
    text = text.replace('q = ""  # x + y', f"q = {q}").replace('f = ""', f"f = {q * z}")
    text = text.replace('q = ""  # df/dq', f"q = {z}").replace('z = ""', f"z = {q}")
    text = text.replace('x = ""', f"x = {z}").replace('y = ""', f"y = {z}")
    (tmp_path / "answers.toml").write_text(text, encoding="utf-8")
    result = grade_file(tmp_path)
    assert [(m.label, m.status) for m in result.marks] == [
        ("q", "wrong"),
        ("f", "carried"),
        ("df/dq", "right"),
        ("df/dz", "carried"),
        ("df/dx", "right"),
        ("df/dy", "right"),
    ]
    done = run("-m", "chainrule", "grade", str(tmp_path))
    assert done.returncode == 1
    assert "follows from your earlier error in q" in done.stdout


def test_count_makes_numbered_folders_pytest_collects_together(tmp_path):
    done = run(
        "-m",
        "chainrule",
        "variant",
        "xyz",
        "--seed",
        "3",
        "--count",
        "3",
        "--out",
        str(tmp_path),
        "--no-pictures",
    )
    assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert folders == ["variant_01", "variant_02", "variant_03"]
    givens = [read_toml(tmp_path / f / "key.toml")["exercise"]["given"] for f in folders]
    assert len({tuple(g.values()) for g in givens} | {(-2, 5, -4)}) == 4  # all different
    # The first of a batch is the seed's single variant.
    single = make_variants("xyz", 3)[0].given
    assert single == {k: float(v) for k, v in givens[0].items()}
    for folder in folders:
        key = (tmp_path / folder / "key.toml").read_text(encoding="utf-8")
        (tmp_path / folder / "answers.toml").write_text(key, encoding="utf-8")
    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path))
    assert tests.returncode == 0, tests.stdout
    assert "3 passed" in tests.stdout


def test_answers_file_is_valid_toml_with_every_asked_name_blank(tmp_path):
    write_variants("2-2-2", tmp_path, seed=1, pictures=False)
    answers = read_toml(tmp_path / "answers.toml")
    assert answers["exercise"]["example"] == "2-2-2"
    assert answers["exercise"]["decimals"] == 4  # the slide's 9, capped for hand work
    assert list(answers["forward"])[:2] == ["net_h1", "out_h1"]
    assert len(answers["forward"]) == 11 and len(answers["gradients"]) == 20
    assert len(answers["updated"]) == 10
    assert {v for s in ("forward", "gradients", "updated") for v in answers[s].values()} == {""}
    key = read_toml(tmp_path / "key.toml")
    assert all(isinstance(v, float) for v in key["gradients"].values())
    student = (tmp_path / "student.md").read_text(encoding="utf-8")
    assert "| w5 | " in student and "- dE_total/dw5" in student
    questions = student.split("## 1. Forward pass")[1].split("## 3.")[0]
    assert "0." not in questions  # the given numbers, but no answers on the sheet


def test_xyz_variants_over_200_seeds_are_sensible():
    for seed in range(200):
        [variant] = make_variants("xyz", seed)
        values = variant.example.values
        given = [variant.given[n] for n in "xyz"]
        # whole numbers of either sign up to max(9, twice the slide's -2, 5, -4)
        limits = [9, 10, 9]
        assert all(x == int(x) and 1 <= abs(x) <= m for x, m in zip(given, limits)), seed
        assert given != [-2.0, 5.0, -4.0]
        # every gradient is a nonzero whole number: df/dz = q = x + y must not be 0
        grads = [values[n].grad for n in "qzxy"]
        assert all(g != 0 and g == int(g) for g in grads), (seed, grads)


def test_2_2_2_variants_over_200_seeds_are_sensible():
    for seed in range(200):
        [variant] = make_variants("2-2-2", seed)
        example = variant.example
        assert all(0 < x < 1 and round(x, 2) == x for x in variant.given.values()), seed
        for node in topological_order(example.root):
            if str(node.op) == "sigmoid":
                # not saturated: the local derivative out (1 - out) is at least 0.01
                assert node.data * (1 - node.data) >= 0.01, (seed, node.data)
        # every asked-for number shows at the sheet's 4 decimals (none prints as 0.0000)
        for name in example.formulas:
            assert abs(example.values[name].data) >= 1e-4, (seed, name)
        for name in example.parameters + ["out_h1", "net_h2", "out_o1", "out_o2"]:
            assert abs(example.values[name].grad) >= 1e-4, (seed, name)
        assert all(math.isfinite(v.grad) for v in example.values.values())


def test_variant_keys_grade_all_right(tmp_path):
    for seed in (0, 1, 2):
        write_variants("2-2-2", tmp_path / str(seed), seed=seed, pictures=False)
        key = tmp_path / str(seed) / "key.toml"
        assert grade_file(key).all_right, seed


def test_variant_command_line_errors(tmp_path):
    done = run("-m", "chainrule", "variant", "nope", "--seed", "1", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "unknown worked example 'nope'; choose one of: xyz, 2-2-2" in done.stderr
    done = run("-m", "chainrule", "variant", "xyz", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "--seed" in done.stderr
    with pytest.raises(ValueError, match="count must be at least 1"):
        make_variants("xyz", 1, 0)


def test_variant_of_an_example_file_carries_its_file(tmp_path):
    source = tmp_path / "neuron.toml"
    source.write_text(
        'title = "One sigmoid neuron"\nsummary = "out = sigmoid(w*x + b)"\ndecimals = 4\n'
        "[given]\nx = 1.5\nw = 0.8\nb = -0.2\n"
        '[define]\nnet = "w * x + b"\nout = "sigmoid(net)"\n',
        encoding="utf-8",
    )
    out = tmp_path / "hw"
    done = run("-m", "chainrule", "variant", str(source), "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "example.toml").read_text(encoding="utf-8") == source.read_text("utf-8")
    key = read_toml(out / "key.toml")
    assert key["exercise"]["example"] == "example.toml"
    assert set(key["exercise"]["given"]) == {"x", "w", "b"}
    (out / "answers.toml").write_text((out / "key.toml").read_text("utf-8"), "utf-8")
    moved = tmp_path / "elsewhere"
    out.rename(moved)  # the folder is self-contained
    assert grade_file(moved).all_right


def test_keep_holds_constants(tmp_path):
    # micrograd's tanh spelled out uses named constants 2, 1 and -1: keep them
    constants = ["two", "one", "minus_one"]
    for seed in range(5):
        [variant] = make_variants("micrograd-neuron-exp", seed, keep=constants)
        assert [variant.given[n] for n in constants] == [2.0, 1.0, -1.0]
        assert variant.given["w1"] != -3.0 or variant.given["x1"] != 2.0
    with pytest.raises(ValueError, match="keep: three not a given number"):
        make_variants("micrograd-neuron-exp", 0, keep=["three"])


def test_every_library_example_makes_variants_whose_key_is_right(tmp_path):
    from chainrule import examples
    from chainrule.variants import problems

    for name in examples.EXAMPLES:
        for seed in range(3):
            [variant] = make_variants(name, seed)
            assert problems(variant.example, variant.decimals) == [], (name, seed)
        folder = tmp_path / name
        write_variants(name, folder, seed=0, pictures=False)
        assert grade_file(folder, folder / "key.toml").all_right is False  # blank answers
        assert grade_file(folder / "key.toml").all_right, name


def test_problems_name_a_relu_kink_a_tiny_divisor_and_a_saturated_sigmoid():
    from chainrule.examples import from_expr
    from chainrule.variants import problems

    # relu(2 * 1 - 2) = relu(0): its derivative there is a convention, not a calculation
    kink = from_expr("h = relu(w * x + b); f = sigmoid(h)", {"w": 2, "x": 1, "b": -2})
    assert problems(kink, 4) == ["relu(0) sits at the kink"]
    # sigmoid(5 * 2) = 0.99995: its local derivative 0.0000454 prints as 0.0000
    saturated = from_expr("h = relu(w * x + b); f = sigmoid(h)", {"w": 5, "x": 2, "b": 0})
    assert problems(saturated, 4) == ["sigmoid(10) is saturated"]
    tiny = from_expr("f = x / y", {"x": 1, "y": 0.05})
    assert problems(tiny, 4) == ["division by almost zero (0.05)"]
    assert problems(from_expr("f = x / y", {"x": 1, "y": 0.5}), 4) == []


def test_variants_of_a_relu_file_never_sit_at_the_kink(tmp_path):
    source = tmp_path / "relu.toml"
    source.write_text(
        'title = "A ReLU unit"\nsummary = "out = relu(w*x + b) * v"\n'
        "[given]\nx = 3\nw = -2\nb = 7\nv = 4\n"
        '[define]\nnet = "w * x + b"\nh = "relu(net)"\nout = "h * v"\n',
        encoding="utf-8",
    )
    nets = []
    for seed in range(100):
        [variant] = make_variants(str(source), seed)
        net = variant.example.values["net"].data  # a whole number: w x + b
        assert net > 0, (seed, net)  # at 0 the kink; below, every gradient but v's is 0
        nets.append(net)
    assert len(set(nets)) > 20


def test_answers_holding_work_are_never_replaced_without_force(tmp_path, capsys):
    from chainrule.cli import main

    args = ["variant", "xyz", "--seed", "3", "--out", str(tmp_path), "--no-pictures"]
    assert main(args) == 0
    assert capsys.readouterr().out == f"Wrote a variant of xyz to {tmp_path}: 5 files.\n"
    assert main(args) == 0  # a blank answers.toml is no one's work: replaced
    capsys.readouterr()
    answers = tmp_path / "answers.toml"
    work = answers.read_text(encoding="utf-8").replace('q = ""', "q = 3", 1)
    answers.write_text(work, encoding="utf-8")
    key = (tmp_path / "key.toml").read_bytes()
    assert main([*args[:3], "4", *args[4:]]) == 2  # another seed, same folder
    err = capsys.readouterr().err
    assert f"{answers} holds answers; chainrule variant will not replace them" in err
    assert answers.read_text(encoding="utf-8") == work  # nothing written, key included
    assert (tmp_path / "key.toml").read_bytes() == key
    assert main([*args[:3], "4", *args[4:], "--force"]) == 0
    assert 'q = ""' in answers.read_text(encoding="utf-8")


def test_thirty_variants_print_one_line(tmp_path, capsys):
    from chainrule.cli import main

    out = tmp_path / "class"
    assert main(["variant", "xyz", "--seed", "1", "--count", "30", "--out", str(out)]) == 0
    # 30 folders of 7 files and an __init__.py each: 240 files, one line
    assert capsys.readouterr().out == (
        f"Wrote 30 variants of xyz to {out} (variant_01 ...): 240 files.\n"
    )


def test_an_empty_out_is_refused(capsys):
    from chainrule.cli import main

    with pytest.raises(SystemExit) as exit:
        main(["variant", "xyz", "--seed", "1", "--out", ""])
    assert exit.value.code == 2
    assert "--out: needs a folder name, got an empty one" in capsys.readouterr().err


def test_ask_chooses_what_the_sheet_asks_and_grading_follows(tmp_path):
    write_variants("2-2-2", tmp_path, seed=7, ask=["out_h1", "grad:w5", "new:w5"], pictures=False)
    sheet = read_toml(tmp_path / "answers.toml")
    assert sheet["exercise"]["ask"] == ["out_h1", "dE_total/dw5", "w5 after the step"]
    assert {s: list(sheet[s]) for s in ("forward", "gradients", "updated")} == {
        "forward": ["out_h1"],
        "gradients": ["w5"],
        "updated": ["w5"],
    }
    student = (tmp_path / "student.md").read_text(encoding="utf-8")
    assert "| out_h1 | `sigmoid(net_h1)` | yes |" in student
    assert "| net_h1 | `w1*i1 + w2*i2 + b1` |  |" in student
    result = grade_file(tmp_path)
    assert [m.label for m in result.marks] == ["out_h1", "dE_total/dw5", "w5 after the step"]
    with pytest.raises(ValueError, match="asks for nothing called 'w9'"):
        make_variants("2-2-2", 7, ask=["w9"])


def test_constants_are_never_asked():
    # the 2-2-2's targets are constants ([network.loss]); hidden-unit.toml lists t
    [variant] = make_variants("2-2-2", 7)
    asked = variant.asked()
    assert not {"target_o1", "target_o2"} & set(asked["gradients"])
    [hidden] = make_variants(str(Path(__file__).parent / "data" / "hidden-unit.toml"), 7)
    assert "t" not in hidden.asked()["gradients"]
    assert len(hidden.asked()["gradients"]) == 11
