"""The step-through page in a lecture hall, in headless Chromium: themes, text size, Fit,
full screen, print, and an axe-core accessibility audit (WCAG 2.1 AA) in every theme.

The audit loads axe-core from tests/browser/node_modules (`npm ci` in tests/browser, which
.ci/run does); without it, or without Playwright and Chromium, these tests skip, saying why.
"""

# ruff: noqa: F811 (the tests take test_stepthrough_browser's fixture `browser`, imported)
from __future__ import annotations

import io
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from test_stepthrough_browser import SLIDE, browser, opened, save  # noqa: F401 (browser: fixture)

from autograd import draw_dot, step_through
from autograd.themes import THEMES, contrast_ratio
from chainrule import examples
from nn import draw_network

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def expect(locator: Any) -> Any:
    """Playwright's expect(), which retries its check until it holds or 5 s pass. Imported
    here, not at the top, so that without Playwright these tests skip (the fixture says why)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def page_of(tmp_path: Path, name: str, **options: Any) -> Path:
    return save(examples.build(name).root, tmp_path, name, **options)


def rgb(css: str) -> str:
    """A computed colour, "rgb(22, 24, 28)", as "#16181c"."""
    r, g, b = (int(n) for n in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def in_scheme(browser: Any, path: Path, scheme: str = "light") -> Any:
    """opened(), in a browser whose reader prefers the light or dark colour scheme."""
    original = browser.new_context

    def new_context(**kwargs: Any) -> Any:
        return original(color_scheme=scheme, **kwargs)

    class Preferring:
        def __getattr__(self, name: str) -> Any:
            return new_context if name == "new_context" else getattr(browser, name)

    return opened(Preferring(), path)


# -- accessibility ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xyz", "2-2-2"])
@pytest.mark.parametrize("theme", ["light", "dark", "contrast", None])
def test_axe_finds_no_wcag_21_aa_violation_in_any_theme(browser, tmp_path, name, theme):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: npm ci in tests/browser (.ci/run does)")
    path = page_of(tmp_path, name, theme=theme)
    # theme None follows the reader: audit it as a reader who prefers dark sees it.
    with in_scheme(browser, path, "dark" if theme is None else "light") as view:
        view.page.evaluate(AXE.read_text(encoding="utf-8"))
        for presses in (0, 3, 3):  # before the pass, forward, backward (xyz: 5 forward)
            view.press("Next", presses)
            result = view.page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
            )
            found = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
            assert found == []
            assert len(result["passes"]) > 10  # the audit did run its checks


@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
def test_every_text_in_the_picture_reads_against_its_box(browser, tmp_path, theme):
    # WCAG AA for text: 4.5:1 against what is behind it, the box's fill or the background.
    path = page_of(tmp_path, "2-2-2", theme=theme, color_roles=True)
    with opened(browser, path) as view:
        pairs = view.page.evaluate(
            """() => Array.from(document.querySelectorAll('.st-figure g.node')).flatMap(g => {
                const shape = g.querySelector('path, polygon, ellipse');
                let behind = shape ? getComputedStyle(shape).fill : 'none';
                if (behind === 'none') behind = getComputedStyle(document.body).backgroundColor;
                return Array.from(g.querySelectorAll('text'),
                    t => [t.textContent, getComputedStyle(t).fill, behind]);
            })"""
        )
    assert len(pairs) > 40
    worst = min(contrast_ratio(rgb(text), rgb(behind)) for _, text, behind in pairs)
    assert worst >= 4.5


@pytest.mark.parametrize("theme, scheme, expected", [
    (None, "light", "light"),
    (None, "dark", "dark"),  # the reader's system prefers dark: so does the page
    ("light", "dark", "light"),  # a theme given wins over the reader's preference
    ("contrast", "light", "contrast"),
])  # fmt: skip
def test_page_follows_the_readers_colour_scheme_unless_a_theme_is_given(
    browser, tmp_path, theme, scheme, expected
):
    path = page_of(tmp_path, "xyz", theme=theme)
    with in_scheme(browser, path, scheme) as view:
        background = view.page.evaluate("getComputedStyle(document.body).backgroundColor")
        text = view.page.evaluate("getComputedStyle(document.querySelector('.st-text')).color")
    assert rgb(background) == THEMES[expected].background
    assert rgb(text) == THEMES[expected].text


# -- text size, Fit, full screen ---------------------------------------------------------

SIZES = """() => ({
    text: parseFloat(getComputedStyle(document.querySelector('.st-text')).fontSize),
    picture: document.querySelector('.st-figure svg').getBoundingClientRect().width,
})"""


def test_a_minus_and_a_plus_change_the_text_size_by_button_and_by_key(browser, tmp_path):
    with opened(browser, page_of(tmp_path, "xyz")) as view:
        start = view.page.evaluate(SIZES)
        view.press("A+")
        larger = view.page.evaluate(SIZES)
        assert larger["text"] == pytest.approx(start["text"] * 1.25)
        assert larger["picture"] == pytest.approx(start["picture"] * 1.25, rel=0.01)
        view.page.keyboard.press("-")
        view.page.keyboard.press("-")
        smaller = view.page.evaluate(SIZES)
        assert smaller["text"] == pytest.approx(start["text"] * 0.8)
        view.page.keyboard.press("+")
        assert view.page.evaluate(SIZES)["text"] == pytest.approx(start["text"])
        view.press("A-", 2)  # down to the smallest size, then the button is disabled
        assert view.page.get_by_role("button", name="A-", exact=True).is_disabled()


SMALLEST_TEXT_PX = """() => {
    const svg = document.querySelector('.st-figure svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = Array.from(svg.querySelectorAll('text'),
        t => parseFloat(t.getAttribute('font-size')));
    return Math.min(...sizes) * scale;
}"""

IN_PANE = """() => {
    const pane = document.querySelector('.st-pane').getBoundingClientRect();
    return Array.from(document.querySelectorAll('.st-receiving, .st-passing'), e => {
        const r = e.getBoundingClientRect();
        return r.left >= pane.left && r.right <= pane.right &&
            r.top >= pane.top && r.bottom <= pane.bottom;
    });
}"""


def test_fit_never_shrinks_the_2_2_2_below_14_px_and_follows_the_step_instead(browser, tmp_path):
    with opened(browser, page_of(tmp_path, "2-2-2")) as view:
        fit = view.page.get_by_role("button", name="Fit", exact=True)
        assert fit.get_attribute("aria-pressed") == "true"  # fitted from the start
        assert view.page.evaluate(SMALLEST_TEXT_PX) >= 14
        view.press("Fit")  # off, and on again
        view.press("Fit")
        assert view.page.evaluate(SMALLEST_TEXT_PX) >= 14
        for presses in (20 + 1, 20, 15):  # backward steps 1, 21, 36: every part in view
            view.press("Next", presses)
            assert all(view.page.evaluate(IN_PANE))


def test_fit_fits_a_small_graph_whole(browser, tmp_path):
    with opened(browser, page_of(tmp_path, "xyz")) as view:
        pane = view.page.locator(".st-pane").bounding_box()
        picture = view.page.locator(".st-figure svg").bounding_box()
        assert picture["width"] <= pane["width"] and picture["height"] <= pane["height"]
        assert view.page.evaluate(SMALLEST_TEXT_PX) >= 14


def test_full_screen_by_button_and_key(browser, tmp_path):
    with opened(browser, page_of(tmp_path, "xyz")) as view:
        button = view.page.get_by_role("button", name="Full screen", exact=True)
        button.click()
        view.page.wait_for_function("document.fullscreenElement !== null")
        assert view.page.evaluate("document.fullscreenElement.tagName") == "MAIN"
        # the page marks the button on "fullscreenchange", which may come a moment after
        # fullscreenElement changes: expect() waits for the attribute (up to 5 s)
        expect(button).to_have_attribute("aria-pressed", "true")
        view.page.keyboard.press("f")
        view.page.wait_for_function("document.fullscreenElement === null")
        expect(button).to_have_attribute("aria-pressed", "false")


def test_full_screen_works_inside_a_notebooks_frame(browser, tmp_path):
    # Jupyter shows _repr_html_: the page in a sandboxed iframe that allows full screen
    host = tmp_path / "notebook.html"
    view = step_through(examples.build("xyz").root)._repr_html_()
    host.write_text(f"<!DOCTYPE html><html><body>{view}</body></html>", encoding="utf-8")
    context = browser.new_context(viewport=SLIDE)
    page = context.new_page()
    page.goto(host.resolve().as_uri())
    button = page.frame_locator("iframe").get_by_role("button", name="Full screen", exact=True)
    button.click()
    page.wait_for_function("document.fullscreenElement !== null")
    expect(button).to_have_attribute("aria-pressed", "true")
    context.close()


def test_every_control_works_from_the_keyboard(browser, tmp_path):
    example = examples.build("2-2-2")
    network = partial(draw_network, example.model)  # the network view, handed to the page
    with opened(browser, save(example.root, tmp_path, "2-2-2", network=network)) as view:
        page = view.page
        page.keyboard.press("ArrowRight")  # First and Previous are disabled before the pass
        reached = []
        for _ in range(18):  # Tab visits each control, the picture and the table
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "(e => e.getAttribute('aria-label') || e.textContent.trim())"
                    "(document.activeElement)"
                )
            )
        for name in ("First", "Previous", "Step", "Next", "Last", "Graph", "Network", "A-",
                     "A+", "Fit", "Full screen"):  # fmt: skip
            assert name in reached
        assert any(str(r).startswith("The picture") for r in reached)
        assert any(str(r).startswith("Gradients found") for r in reached)
        page.get_by_role("button", name="Next", exact=True).focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Space")
        assert view.text().startswith("Forward 3 of")


def test_the_gradient_table_wraps_between_terms_never_inside_one(browser, tmp_path):
    with opened(browser, page_of(tmp_path, "2-2-2")) as view:
        view.press("Last")
        view.press("A+", 3)  # large text: the long names must wrap
        lines = view.page.evaluate(
            """() => Array.from(document.querySelectorAll('.st-found tbody th .st-term'),
                s => [s.textContent, s.getClientRects().length])"""
        )
    terms = dict(lines)
    assert terms["(target_o2"] == 1 and terms["− out_o2)²"] == 1  # "(target_o2 − out_o2)²"
    assert all(count == 1 for _, count in lines)


# -- print ---------------------------------------------------------------------------------


def test_print_has_one_step_per_page(browser, tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the dev extra: pip install -e .[dev]")
    with opened(browser, page_of(tmp_path, "xyz")) as view:
        view.press("Next", 2)
        view.page.emulate_media(media="print")
        view.page.wait_for_function("document.querySelector('.st-print').children.length")
        sections = view.page.locator(".st-print-page")
        assert sections.count() == 1 + 4  # before the pass, then xyz's 4 backward steps
        assert sections.nth(1).locator("p").inner_text().startswith("Backward step 1 of 4:")
        pdf = view.page.pdf(landscape=True)
        view.page.emulate_media(media="screen")
        view.page.wait_for_function("!document.querySelector('.st-print').children.length")
        assert view.text().startswith("Forward 2 of 5")  # the page is back where it was
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 5
    assert "Backward step 4 of 4" in reader.pages[4].extract_text()


# -- the pictures' font in Chromium ----------------------------------------------------------


def test_chromium_draws_every_text_of_a_saved_svg_inside_its_box(browser, tmp_path):
    # the picture: the slide's 9 decimals, "target_o1 − out_o1", "data 0.150000000"
    example = examples.build("2-2-2")
    example.root.backward()
    path = tmp_path / "2-2-2.svg"
    draw_dot(example.root, decimals=9, constants=example.constant_values()).save(path)
    context = browser.new_context(viewport=SLIDE)
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    page.evaluate("document.fonts.ready")
    # the embedded subset is the DejaVu Sans the page draws with
    assert page.evaluate("document.fonts.check('14px \"DejaVu Sans\"')")
    outside = page.evaluate(
        """() => Array.from(document.querySelectorAll('g.node')).flatMap(g => {
            const shape = g.querySelector('path, polygon, ellipse');
            if (!shape) return [];
            const box = shape.getBBox();
            return Array.from(g.querySelectorAll('text')).filter(t => {
                const b = t.getBBox();
                return b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5;
            }).map(t => t.textContent);
        })"""
    )
    count = page.evaluate("document.querySelectorAll('g.node text').length")
    context.close()
    assert count > 80
    assert outside == []
