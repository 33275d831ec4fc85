"""The step-through page in a real browser: headless Chromium driven by Playwright.

Each test saves a page, opens it from file://, presses the buttons and keys a user presses,
and reads back what the page shows: the aria-live text, the highlighted parts of the
graph, the gradients, the table. Expected values come from backward_steps on a fresh copy
of the same graph. Every test also checks that the page logged no error and asked for
nothing but itself. They skip, saying why, where Playwright or Chromium is missing (CI's
.ci/run installs Debian's chromium, so there they run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, backward_steps, step_through, topological_order
from autograd.graph import Graph
from autograd.record import forward_order
from chainrule import examples
from nn import draw_network

# Debian's chromium, as .ci/run installs it; never a browser Playwright downloads itself.
CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SLIDE = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        try:  # a fresh profile in a temporary folder, as Playwright always makes one
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except sync_api.Error as error:
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {error}")
        yield launched
        launched.close()


class Opened:
    """One page open in the browser, with everything it logged and requested."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.problems: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def press(self, button: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.get_by_role("button", name=button, exact=True).click()

    def text(self) -> str:
        return self.page.locator("[aria-live]").inner_text()

    def titles(self, selector: str) -> list[str]:
        """The <title>s (Graphviz names) of the drawn elements matching selector."""
        return self.page.eval_on_selector_all(
            f".st-figure[data-view=graph] {selector} > title",
            "elements => elements.map(e => e.textContent)",
        )

    def texts(self, title: str, view: str = "graph") -> list[str]:
        """The texts of the drawn element named title."""
        return self.page.evaluate(
            """([view, title]) => Array.from(
                document.querySelectorAll(`.st-figure[data-view=${view}] g`))
              .filter(g => g.querySelector(':scope > title')?.textContent === title)
              .flatMap(g => Array.from(g.querySelectorAll('text'), t => t.textContent))""",
            [view, title],
        )

    def table(self) -> list[tuple[str, str]]:
        """The rows of the gradients table that show."""
        rows = self.page.locator(".st-found tbody tr:visible")
        return [
            (row.locator("th").inner_text(), row.locator("td").inner_text()) for row in rows.all()
        ]


@contextmanager
def opened(browser: Any, path: Path) -> Iterator[Opened]:
    context = browser.new_context(viewport=SLIDE)
    page = context.new_page()
    url = path.resolve().as_uri()
    view = Opened(page, url)
    page.goto(url)
    yield view
    context.close()
    assert view.problems == []
    assert view.requests == [url]  # the page itself and nothing else


def save(root: Value, tmp_path: Path, name: str, **options: Any) -> Path:
    return Path(step_through(root, **options).save(tmp_path / f"{name}.html"))


class Expected:
    """What the page must show at each backward step, from backward_steps on a fresh copy
    of the example (nodes named v<k> by their place in the topological order): every step
    but those into a number written into its operation (the 1/2s), a constant, as
    str(step) writes it (the page drawn with digits=10, str(step)'s precision)."""

    def __init__(self, name: str) -> None:
        root = examples.build(name).root
        self.order = topological_order(root)
        place = {node: k for k, node in enumerate(self.order)}
        self.steps = []
        self.grad_after = []  # the receiving input's gradient once the step is taken
        for step in backward_steps(root):
            if not step.input.inputs and not step.input.label:
                continue  # a bare number: a constant, no step shown
            self.steps.append((str(step), place[step.node], place[step.input]))
            self.grad_after.append(step.input.grad)
        self.n_forward = len(self.order)

    def partial(self, k: int) -> list[str]:
        """The nodes whose gradient has some of its shares, not all, after step k."""
        taken = [x for _, _, x in self.steps[:k]]
        every = [x for _, _, x in self.steps]
        partial = {x for x in taken if taken.count(x) < every.count(x)}
        return [f"v{x}" for x in sorted(partial)]

    def text(self, k: int) -> str:
        sentence = self.steps[k - 1][0]
        return f"Backward step {k} of {len(self.steps)}: {sentence}"

    def check(self, view: Opened, k: int) -> None:
        """The page is at backward step k (from 1): its text and its highlights."""
        _, node, x = self.steps[k - 1]
        assert view.text() == self.text(k)
        if f"v{x}" in view.titles("g.node"):
            assert sorted(view.titles("g.node.st-passing")) == [f"v{node}", f"v{node}_op"]
            assert view.titles("g.node.st-receiving") == [f"v{x}"]
            assert view.titles("g.edge.st-edge") == [f"v{x}->v{node}_op"]
        else:  # a number written into its operation's node receives its share there
            assert view.titles("g.node.st-passing") == [f"v{node}"]
            assert view.titles("g.node.st-receiving") == [f"v{node}_op"]
            assert view.titles("g.edge.st-edge") == []


@pytest.mark.parametrize("name, k", [("xyz", 3), ("2-2-2", 20)])
def test_buttons_step_through_exactly_the_steps_of_backward_steps(browser, tmp_path, name, k):
    expected = Expected(name)
    path = save(examples.build(name).root, tmp_path, name, color_roles=True, digits=10)
    n_steps = len(expected.steps)
    with opened(browser, path) as view:
        view.press("Next", expected.n_forward + k)
        expected.check(view, k)
        view.press("Previous")
        expected.check(view, k - 1)
        view.press("Last")
        expected.check(view, n_steps)
        assert view.page.get_by_role("button", name="Next").is_disabled()
        view.press("First")
        assert view.text().startswith(f"Before the pass: {expected.n_forward} values")
        assert view.titles(".st-passing, .st-receiving, .st-computing, .st-edge") == []
        assert view.page.get_by_role("button", name="Previous").is_disabled()


def test_xyz_fills_in_values_then_gradients_showing_question_marks_until_known(browser, tmp_path):
    root = examples.build("xyz").root
    ids = {node.label: f"v{k}" for k, node in enumerate(topological_order(root))}
    x, y, z, q, f = (ids[name] for name in "xyzqf")
    path = save(root, tmp_path, "xyz")

    def grads() -> list[str]:
        return [view.texts(ids[name])[2] for name in "xyzqf"]

    with opened(browser, path) as view:
        assert view.texts(x) == ["x", "data ?", "grad ?"]
        view.press("Next")
        # Every number as the picture writes it (4 decimals by default).
        assert view.text() == "Forward 1 of 5: x = -2.0000 (given)"
        assert view.titles("g.node.st-computing") == [x]
        assert view.texts(x) == ["x", "data -2.0000", "grad ?"]
        assert view.texts(q) == ["q", "data ?", "grad ?"]
        view.press("Next", 2)
        assert view.text() == "Forward 3 of 5: q = x + y = -2.0000 + 5.0000 = 3.0000"
        assert sorted(view.titles(".st-computing")) == sorted(
            [f"{x}->{q}_op", f"{y}->{q}_op", q, f"{q}_op", f"{q}_op->{q}"]
        )
        view.press("Next", 2)  # the forward pass is done; no gradient is known yet
        assert view.text() == "Forward 5 of 5: f = q * z = 3.0000 * -4.0000 = -12.0000"
        assert grads() == ["grad ?"] * 5
        assert view.table() == []
        view.press("Next")  # df/dq = z = -4: f's own gradient 1 is known, and now q's
        assert grads() == ["grad ?", "grad ?", "grad ?", "grad -4.0000", "grad 1.0000"]
        assert view.table() == [("f", "1.0000"), ("q", "-4.0000")]
        view.press("Last")  # the slide: x.grad = y.grad = -4, z.grad = 3
        assert grads() == [
            "grad -4.0000",
            "grad -4.0000",
            "grad 3.0000",
            "grad -4.0000",
            "grad 1.0000",
        ]
        assert view.table() == [
            ("f", "1.0000"), ("q", "-4.0000"), ("z", "3.0000"), ("x", "-4.0000"), ("y", "-4.0000"),
        ]  # fmt: skip


def test_arrow_keys_and_slider_move_one_position_at_a_time(browser, tmp_path):
    expected = Expected("xyz")
    path = save(examples.build("xyz").root, tmp_path, "xyz", digits=10)
    with opened(browser, path) as view:
        keyboard = view.page.keyboard
        for _ in range(expected.n_forward + 2):
            keyboard.press("ArrowRight")
        expected.check(view, 2)
        keyboard.press("ArrowLeft")
        expected.check(view, 1)
        keyboard.press("End")
        expected.check(view, 4)
        keyboard.press("Home")
        assert view.text().startswith("Before the pass")
        # The slider moves itself with the arrow keys: one press is one position, not two.
        view.page.get_by_role("slider", name="Step").focus()
        keyboard.press("ArrowRight")
        assert view.text() == "Forward 1 of 5: x = -2 (given)"
        keyboard.press("End")
        expected.check(view, 4)


def test_a_shared_bias_shows_its_running_sum_until_its_last_share(browser, tmp_path):
    example = examples.build("2-2-2")
    expected = Expected("2-2-2")
    b1 = expected.order.index(next(v for v in expected.order if v.label == "b1"))
    shares = [k for k, (_, _, x) in enumerate(expected.steps, start=1) if x == b1]
    assert len(shares) == 2  # b1 feeds both hidden neurons
    path = save(example.root, tmp_path, "2-2-2", decimals=9)
    with opened(browser, path) as view:
        view.press("Next", expected.n_forward + shares[0])
        assert f"v{b1}" in view.titles("g.node.st-receiving")
        # One neuron's share, shown as a sum still missing a share (as are i1's and i2's,
        # which feed both hidden neurons too).
        assert view.titles("g.node:has(text.st-partial)") == expected.partial(shares[0])
        (grad,) = [t for t in view.texts(f"v{b1}") if t.startswith("grad ")]
        assert grad == f"grad {expected.grad_after[shares[0] - 1]:.9f}"
        assert view.table()[-1][0] == "b1"
        assert view.page.locator(".st-found tr.st-partial").count() == 3
        view.press("Next", shares[1] - shares[0])
        grad = [t for t in view.texts(f"v{b1}") if t.startswith("grad ")]
        assert grad == ["grad 0.018725609"]  # the slide's dE_total/db1, both shares in
        assert f"v{b1}" not in view.titles("g.node:has(text.st-partial)")


def test_the_layout_never_moves(browser, tmp_path):
    expected = Expected("2-2-2")
    path = save(examples.build("2-2-2").root, tmp_path, "2-2-2")
    # Where the controls and the picture's pane are on the screen, and every drawn node
    # inside the picture (which scrolls to keep the step in view), to a tenth of a pixel
    # (a text's own box changes with it, by a ten-thousandth of a pixel).
    boxes = """() => {
        const box = e => {
            const r = e.getBoundingClientRect();
            return [r.x, r.y, r.width, r.height];
        };
        const svg = box(document.querySelector('.st-figure svg'));
        const fixed = Array.from(
            document.querySelectorAll('.st-pane, .st-controls, .st-text'), box);
        const nodes = Array.from(document.querySelectorAll('g.node'),
            e => box(e).map((n, i) => i < 2 ? n - svg[i] : n));
        return fixed.concat(nodes).map(b => b.map(n => n.toFixed(1)));
    }"""
    with opened(browser, path) as view:
        first = view.page.evaluate(boxes)
        view.press("Next", expected.n_forward + 7)
        assert view.page.evaluate(boxes) == first
        view.press("Last")
        assert view.page.evaluate(boxes) == first


def test_model_view_fills_in_the_weights_gradients(browser, tmp_path):
    example = examples.build("xyz")
    z, x = example.values["z"], example.values["x"]
    model = DrawnNetwork(weight=z, bias=x)
    path = save(example.root, tmp_path, "xyz-model", network=model)
    with opened(browser, path) as view:
        network = view.page.locator(".st-figure[data-view=network]")
        assert network.is_hidden()
        view.press("Network")
        assert network.is_visible()
        assert view.page.locator(".st-figure[data-view=graph]").is_hidden()
        assert view.texts("in->out", "network") == ["w", "grad ?"]
        view.press("Next", 5 + 2)  # forward, then step 2: df/dz = q = 3
        assert view.texts("in->out", "network") == ["w", "grad 3.0000"]
        receiving = network.locator(".st-receiving > title").all_text_contents()
        assert receiving == ["in->out"]
        view.press("Last")  # x.grad = -4
        assert view.texts("out", "network") == ["out", "b", "grad -4.0000"]
        view.press("Graph")
        assert network.is_hidden()


def test_two_views_in_one_notebook_step_on_their_own(browser, tmp_path):
    # Jupyter shows _repr_html_; here a page holds two outputs, as a notebook does.
    first = step_through(examples.build("xyz").root)
    second = step_through(examples.build("2-2-2").root)
    host = tmp_path / "notebook.html"
    host.write_text(
        f"<!DOCTYPE html><html><body>{first._repr_html_()}{second._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(host.as_uri())
    frames = page.frame_locator("iframe")
    one, two = frames.nth(0), frames.nth(1)
    for _ in range(5 + 1):
        one.get_by_role("button", name="Next", exact=True).click()
    two.get_by_role("button", name="Last", exact=True).click()
    assert one.locator("[aria-live]").inner_text() == first.record["backward"][0]["text"]
    assert two.locator("[aria-live]").inner_text() == second.record["backward"][-1]["text"]
    context.close()
    assert problems == []


class DrawnNetwork:
    """Stands in for nn's network diagram handed to step_through(root, network=...): a call
    gives a Graph whose `parameters` maps each parameter Value to the name of the drawn
    node, or the "tail->head" of the edge, that shows its gradient."""

    def __init__(self, weight: Value, bias: Value) -> None:
        self.weight, self.bias = weight, bias

    def __call__(self) -> Graph:
        w, b = f"{self.weight.grad:.4f}", f"{self.bias.grad:.4f}"
        source = (
            "digraph { rankdir=LR; "
            f'in -> out [label="w\\ngrad {w}"]; out [label="out\\nb\\ngrad {b}"] }}'
        )
        graph = Graph(source, 2, 1)
        graph.parameters = {self.weight: "in->out", self.bias: "out"}  # type: ignore[attr-defined]
        return graph


def test_an_nn_network_view_follows_the_steps(browser, tmp_path):
    from test_stepthrough import slide_mlp

    model, loss = slide_mlp()
    order = topological_order(loss)
    w5 = model.layers[1].neurons[0].w[0]
    w5_drawn = draw_network(model).parameters[w5]  # the edge "tail->head" showing w5
    page = step_through(loss, network=partial(draw_network, model, decimals=9), decimals=9)
    path = page.save(tmp_path / "mlp.html")
    # The step that passes w5 its gradient, among those shown (none into the targets,
    # numbers written into the loss: constants).
    k = next(k for k, e in enumerate(page.record["backward"], 1) if order[e["input"]] is w5)
    with opened(browser, path) as view:
        view.press("Network")
        assert [t for t in view.texts(w5_drawn, "network") if t.startswith("grad")] == ["grad ?"]
        view.press("Next", len(order) + k)  # the step that passes w5 its gradient
        network = view.page.locator(".st-figure[data-view=network]")
        assert network.locator(".st-receiving > title").all_text_contents() == [w5_drawn]
        # The slide's dE_total/dw5.
        assert "grad 0.082167041" in view.texts(w5_drawn, "network")


def test_the_command_lines_2_2_2_page_has_the_network_view(browser, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "n.html"
    run = [sys.executable, "-m", "chainrule", "example", "2-2-2", "--html", str(path)]
    result = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    example = examples.build("2-2-2")
    w5 = example.values["w5"]
    w5_drawn = draw_network(example.model).parameters[w5]  # the edge showing w5
    constants = set(example.constant_values())  # the targets; and the 1/2s, unlabelled
    steps = [
        s.input
        for s in backward_steps(example.root)
        if s.input not in constants and (s.input.inputs or s.input.label)
    ]
    k = steps.index(w5) + 1
    with opened(browser, path) as view:
        view.press("Network")
        network = view.page.locator(".st-figure[data-view=network]")
        assert network.is_visible()
        assert [t for t in view.texts(w5_drawn, "network") if t.startswith("grad")] == ["grad ?"]
        view.press("Next", len(topological_order(example.root)) + k)
        assert network.locator(".st-receiving > title").all_text_contents() == [w5_drawn]
        assert "grad 0.082167041" in view.texts(w5_drawn, "network")  # the slide's dE/dw5


def test_constants_and_folded_numbers_have_no_step_and_light_up_where_they_are_written(
    browser, tmp_path
):
    # The command line draws the 2-2-2's targets as constants, folded into "target_o1 − x";
    # the 0.5 of each squared error is folded into "× 0.5". None has a box of its own, a
    # gradient or a step; the forward pass starts with the inputs, as the tables do.
    path = tmp_path / "c.html"
    run = [sys.executable, "-m", "chainrule", "example", "2-2-2", "--html", str(path)]
    result = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    example = examples.build("2-2-2")
    order = topological_order(example.root)
    place = {node: k for k, node in enumerate(order)}
    target = example.values["target_o1"]
    given = [example.values[name] for name in example.given]
    forward = forward_order(example.root, given)
    subtraction = next(node for node in order if target in node.inputs)
    with opened(browser, path) as view:
        drawn = set(view.titles("g.node"))
        assert f"v{place[target]}" not in drawn
        view.press("Next")  # the inputs first: i1, then i2, the weights, b1, layer 1, ...
        assert view.text() == f"Forward 1 of {len(order)}: i1 = 0.050000000 (given)"
        view.press("Next", forward.index(target))  # target_o1, just before the loss
        assert view.text() == f"Forward 21 of {len(order)}: target_o1 = 0.010000000 (given)"
        # shown where it is written: target_o1's subtraction, "target_o1 (0.01) − x"
        assert view.titles(".st-computing") == [f"v{place[subtraction]}_op"]
        view.press("Last")
        assert view.text().startswith("Backward step 32 of 32: ")  # 36 less 4 constants
        names = [name for name, _ in view.table()]
        # every gradient the picture shows, and only those: 31 values less 2 targets, 2 halves
        assert len(names) == 27
        assert "target_o1" not in names and "target_o2" not in names and "0.5" not in names
        assert ("w5", "0.082167041") in view.table()  # the slide's dE_total/dw5, 9 decimals
