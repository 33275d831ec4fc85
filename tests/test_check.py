"""Checking a source's printed numbers (chainrule/check.py): at the printed precision, with
truncation allowed and a diagnosis for each difference. Every shipped example is checked
here, and the known typos are asserted as typos."""

from pathlib import Path

import pytest

from chainrule.check import check, check_report, compare
from chainrule.examples import build, load

# What each shipped example's check finds: the printed keys that differ, and a phrase of the
# diagnosis. Everything else the sources print agrees.
KNOWN = {
    "xyz": {"f": "a sign error"},  # the slide's f = 3 * -4 = 12
    "2-2-2": {},
    "ad-package-readme": {},
    "ad-package-sin": {},
    "baydin-survey-forward-reverse": {},
    "colah-sum-over-paths": {},
    "cs231n-max-circuit": {},
    "cs231n-sigmoid-circuit": {},
    "mazur-2-2-2": {
        "E_total after the update": "update layer by layer",  # 0.291027924: the post's code
        "E_total after 10000 updates": "no simple explanation",  # does not match its outputs
        "out_o1 after 10000 updates": "update layer by layer",
        "out_o2 after 10000 updates": "update layer by layer",
    },
    "micrograd-a-plus-a": {},
    "micrograd-expression": {},
    "micrograd-neuron": {"o": "rounding", "do/dn": "rounding"},  # exp-based tanh, last bit
    "micrograd-neuron-exp": {},
    "micrograd-readme": {},
    "micrograd-reuse": {},
    "ng-computation-graph": {},
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_every_shipped_example_agrees_with_its_source_except_the_known_typos(name):
    findings = check(build(name))
    differing = {f.printed.label: f.diagnosis for f in findings if not f.ok}
    assert set(differing) == set(KNOWN[name])
    for label, phrase in KNOWN[name].items():
        assert phrase in differing[label]
    # Each known difference is explained in the file itself.
    assert all(f.printed.erratum for f in findings if not f.ok)


def test_xyz_check_names_f_12_and_minus_12_as_a_sign_error():
    findings = check(build("xyz"))
    (wrong,) = [f for f in findings if not f.ok]
    assert (wrong.printed.key, wrong.printed.text, wrong.computed_text) == ("f", "12", "-12")
    report = check_report(build("xyz"), findings)
    assert "DIFFERS f: printed 12, computed -12: a sign error" in report
    assert report.endswith("10 printed numbers checked: 9 agree, 1 differs.")


def test_2_2_2_checks_every_printed_number_at_its_own_precision():
    findings = {f.printed.label: f for f in check(build("2-2-2"))}
    assert all(f.verdict == "agrees" for f in findings.values())
    # out_o1 = 0.7513650695...: the slide prints 8 decimals, and 0.75136507 is that rounded.
    assert findings["out_o1"].printed.decimals == 8
    assert findings["w2 after the update"].computed_text == "0.19956143"  # 0.1995614323...


def test_check_leaves_the_example_as_it_was():
    example = build("2-2-2")
    check(example)
    assert example.values["w5"].data == 0.40 and example.values["w5"].grad == 0.0


@pytest.mark.parametrize(
    ("printed", "computed", "verdict"),
    [
        ("0.75136507", 0.751365069552, "agrees"),  # rounds to the printed 8 decimals
        ("-12", -12.0, "agrees"),
        ("0.20", 0.19661193324148185, "agrees"),
        ("2", 2.0, "agrees"),
        ("+3", 3.0, "agrees"),
        ("-0.00", -0.001, "agrees"),  # -0.001 rounds to 0.00; a printed -0.00 is 0.00
        (".5", 0.5, "agrees"),
        ("0.7071", 0.70710678, "agrees"),
        ("0.5943", 0.59437, "truncated"),  # 0.59437 rounds to 0.5944; cut off, 0.5943
        ("-0.5943", -0.59437, "truncated"),
        ("0.5945", 0.59437, "differs"),
        ("12", -12.0, "differs"),
    ],
)
def test_compare_at_the_printed_precision(printed, computed, verdict):
    assert compare(printed, computed)[0] == verdict


def test_truncation_passes_with_a_note(tmp_path):
    path = tmp_path / "cut.toml"
    path.write_text(
        'title = "t"\n[given]\nx = 0.59437\n[define]\nf = "x * 1"\n[printed]\nf = "0.5943"\n'
    )
    (finding,) = check(load(path))
    assert finding.ok and finding.verdict == "truncated"
    assert "cuts 0.59437 off at 4 decimals instead of rounding it (rounded: 0.5944)" in (
        finding.diagnosis
    )


@pytest.mark.parametrize(
    ("printed", "diagnosis"),
    [
        ('"-6"', "a sign error: the value is 6, the source prints -6"),
        ('"6.1"', "rounding: off by one in the last printed digit"),  # 6.0 printed as 6.1
        ('"6.0001"', "rounding: off by one in the last printed digit"),
        ('"0.2983"', "a digit slip: the digits 38 are swapped"),  # for 0.2938
        ('"0.2958"', "a digit slip: the digit 3 is printed as 5"),  # for 0.2938
        ('"0.298"', "a digit slip: the digit 3 at place 5 is left out"),  # for 0.2938
    ],
)
def test_a_difference_gets_a_diagnosis(tmp_path, printed, diagnosis):
    value = "6" if printed.strip('"').lstrip("-").startswith("6") else "0.2938"
    path = tmp_path / "typo.toml"
    path.write_text(
        f'title = "t"\n[given]\nx = {value}\n[define]\nf = "x * 1"\n[printed]\nf = {printed}\n'
    )
    (finding,) = check(load(path))
    assert not finding.ok
    assert diagnosis in finding.diagnosis


def test_an_update_of_the_weights_only_is_recognised(tmp_path):
    # The 2-2-2 network with a file that says the source updated biases too, but prints the
    # error after updating the weights only: 0.291027774, E_total after one step of w1..w8
    # from the original weights (computed by the engine; Mazur's own rule, see mazur-2-2-2).
    network = (build("2-2-2").path or Path()).read_text().split("[printed]")[0]
    network = network.replace(
        'source_updates = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]',
        'source_updates = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]',
    )
    path = tmp_path / "biases-too.toml"
    path.write_text(network + '[printed.after_update]\nE_total = "0.291027774"\n')
    (finding,) = check(load(path))
    assert not finding.ok
    assert "an update of the weights only (biases left as they were)" in finding.diagnosis
