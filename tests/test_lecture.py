"""Lecture mode: pictures, frames and a deck that read from the back of the room, in three
themes, in a font every viewer draws the same (autograd/themes.py, fonts.py, deck.py and
the lecture options of draw_dot, step_frames, nn.draw_network and the command line).

"Fitted into a 1280 x 720 slide": the picture scaled, keeping its proportions, to fill the
slide; a text's size there is its font size times min(1280 / width, 720 / height), the
picture's size taken from its SVG viewBox (the units cancel).
"""

# ruff: noqa: F811 (the tests take test_draw's fixture `renderer`, imported)
from __future__ import annotations

import io
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from test_draw import renderer  # noqa: F401

from autograd import Value, draw_dot, save_step_frames, step_frames, step_through
from autograd.fonts import FONT_FAMILY, embed_font, text_width
from autograd.themes import THEMES, contrast_ratio
from chainrule import draw_network, examples
from chainrule.cli import main

SVG = "{http://www.w3.org/2000/svg}"
SLIDE = (1280, 720)


def two_two_two():
    example = examples.build("2-2-2")
    example.root.backward()
    return example


def lecture_options(example):
    return {"color_roles": True, "constants": example.constant_values(), "lecture": True}


def on_slide(svg: bytes | str) -> tuple[float, float]:
    """The smallest and the largest text of an SVG fitted into a 1280 x 720 slide, in px."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    width, height = (
        float(n) for n in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', text).groups()
    )
    sizes = [float(size) for size in re.findall(r'<text[^>]*font-size="([\d.]+)"', text)]
    scale = min(SLIDE[0] / width, SLIDE[1] / height)
    return min(sizes) * scale, max(sizes) * scale


# -- the lecture look ----------------------------------------------------------------------


def test_2_2_2_lecture_graph_text_is_at_least_14_px_on_a_slide(renderer):
    example = two_two_two()
    smallest, _ = on_slide(draw_dot(example.root, **lecture_options(example)).pipe("svg"))
    assert smallest >= 14
    # the command line's picture without --lecture: the slide's 9 decimals, every operation
    plain = draw_dot(example.root, decimals=9, constants=example.constant_values())
    assert on_slide(plain.pipe("svg"))[0] < 10


def test_2_2_2_lecture_frames_text_is_at_least_14_px_and_the_arithmetic_is_largest(renderer):
    example = two_two_two()
    frames = step_frames(example.root, **lecture_options(example))
    # before the pass, and 32 of the 36 chain-rule steps (none into the targets and the
    # 1/2s, constants)
    assert len(frames) == 33
    for frame in frames[1::7]:  # steps 1, 8, 15, 22, 29, 36
        svg = frame.pipe("svg").decode("utf-8")
        smallest, largest = on_slide(svg)
        assert smallest >= 14
        texts = re.findall(r'<text[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg)
        largest = [text for size, text in texts if float(size) == 22.0]  # boxes: 14 pt
        assert max(float(size) for size, _ in texts) == 22.0
        assert len(largest) == 2  # the caption's two lines; the second the arithmetic
        assert largest[1].startswith("= ") and ("×" in largest[1] or "&#215;" in largest[1])


def test_2_2_2_lecture_network_diagram_text_is_at_least_14_px(renderer):
    example = two_two_two()
    smallest, _ = on_slide(draw_network(example.model, lecture=True).pipe("svg"))
    assert smallest >= 14


def test_lecture_writes_three_significant_digits_and_short_boxes():
    example = two_two_two()
    source = draw_dot(example.root, **lecture_options(example)).source
    # w1 = 0.15, its gradient 0.000438568 (the slide's 0.000438568) to three digits
    assert 'label="w1 = 0.15\\ngrad 0.000439"' in source
    # a long name keeps its own line: "out_h1", then "= 0.593"
    assert 'label="out_h1\\n= 0.593\\ngrad 0.0364"' in source
    # --decimals still wins over the lecture's precision
    assert "w1 = 0.15000" in draw_dot(example.root, lecture=True, decimals=5).source


def test_lecture_draws_a_neurons_sum_and_activation_as_one_node():
    example = two_two_two()
    picture = draw_dot(example.root, **lecture_options(example))
    source = picture.source
    assert source.count('label="σ(Σ w·x + b)"') == 4  # h1, h2, o1, o2
    # its alternative text says what the node computes
    assert "out_h1 = σ(w1·i1 + w2·i2 + b1), so out_h1 = 0.593" in picture.alt
    assert "net_h1" not in source  # the sum has no box of its own
    assert 'label="Σ w·x + b"' not in source
    # without lecture mode both are drawn
    plain = draw_dot(example.root, color_roles=True).source
    assert plain.count('label="σ"') == 4 and "net_h1" in plain


def test_lecture_frame_of_a_step_inside_a_merged_neuron_highlights_its_node():
    example = examples.build("2-2-2")
    frames = step_frames(example.root, **lecture_options(example))
    # step 23 of the 32 shown (backward_steps' 27th, the first into the hidden layer):
    # dnet_h1/dw1, passed by net_h1, drawn inside out_h1's node "σ(Σ w·x + b)", to w1; its
    # caption names w1
    frame = next(f for f in frames if "step 23 of 32" in f.source)
    passing = re.findall(r'^(v\d+_op) \[[^\]]*color="#c24f00"', frame.source, re.M)
    assert len(passing) == 1
    assert "σ(Σ w·x + b)" in re.search(rf"^{passing[0]} .*$", frame.source, re.M).group(0)
    assert re.search(r'label="(w1|i1|w2|i2|b1) = [^"]*"[^\]]*\]', frame.source)


def test_lecture_wraps_the_long_2_2_2_to_a_slide_shape_and_leaves_xyz_as_it_is(renderer):
    example = two_two_two()
    svg = draw_dot(example.root, **lecture_options(example)).pipe("svg").decode("utf-8")
    width, height = (
        float(n) for n in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups()
    )
    assert 1.4 <= width / height <= 2.2  # near 16:9 (1.78); unwrapped it is 3.2
    xyz = examples.build("xyz")
    xyz.root.backward()
    small = draw_dot(xyz.root, lecture=True).pipe("svg").decode("utf-8")
    assert "σ" not in small and small.count('class="node"') == 7  # 5 values, 2 operations


def test_lecture_must_be_true_or_false():
    with pytest.raises(TypeError, match="lecture must be True or False, got 'yes'"):
        draw_dot(Value(1.0), lecture="yes")


# -- themes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_every_theme_keeps_text_readable_on_every_fill(name):
    theme = THEMES[name]
    # WCAG AA: 4.5 for text on its background and on every box's fill
    for fill in ("background", "input", "parameter", "intermediate", "output", "surface"):
        assert contrast_ratio(theme.text, getattr(theme, fill)) >= 4.5
    for role in ("computing", "passing", "receiving", "partial", "muted"):
        assert contrast_ratio(getattr(theme, role), theme.background) >= 4.5
    # the parts of a step are told apart: passing and receiving differ in lightness too
    assert contrast_ratio(theme.passing, theme.receiving) > 1.0


def test_contrast_ratio_is_wcags():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", ["dark", "contrast"])
def test_a_theme_colours_the_picture_frames_and_network(name):
    theme = THEMES[name]
    example = two_two_two()
    source = draw_dot(example.root, theme=name, color_roles=True).source
    assert f'bgcolor="{theme.background}"' in source
    assert f'fontcolor="{theme.text}"' in source
    assert f'fillcolor="{theme.parameter}"' in source
    frame = step_frames(example.root, theme=name)[3].source
    assert f'color="{theme.passing}"' in frame and f'color="{theme.receiving}"' in frame
    network = draw_network(example.model, theme=name).source
    assert f'bgcolor="{theme.background}"' in network and f'fillcolor="{theme.output}"' in network


def test_an_unknown_theme_is_refused_naming_the_three():
    with pytest.raises(ValueError, match="theme must be one of light, dark, contrast, got 'sepia'"):
        draw_dot(Value(1.0), theme="sepia")
    with pytest.raises(ValueError, match="theme must be one of"):
        step_through(Value(1.0), theme="sepia")


# -- the font ------------------------------------------------------------------------------


def test_the_svg_carries_the_glyphs_of_its_texts(renderer):
    from fontTools.ttLib import TTFont

    example = two_two_two()
    svg = draw_dot(example.root, color_roles=True).pipe("svg").decode("utf-8")
    assert f'font-family="{FONT_FAMILY}"' in svg
    woff = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", svg).group(1)
    import base64

    font = TTFont(io.BytesIO(base64.b64decode(woff)))
    covered = set(map(chr, font.getBestCmap()))
    shown = {c for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg) for c in text}
    assert shown - {"&", ";", "#"} <= covered  # − and ² and σ included
    assert {"−", "²", "σ", "Σ"} <= covered
    assert len(woff) < 40_000  # a subset: the whole font is 750 kB
    assert embed_font(svg) == svg  # carried once


def test_text_width_measures_dejavu_sans():
    # DejaVu Sans: "m" is 1995 of 2048 units wide, "i" 569; at 14 points
    assert text_width("m", 14) == pytest.approx(1995 / 2048 * 14)
    assert text_width("mi", 10) == pytest.approx((1995 + 569) / 2048 * 10)


def node_boxes(svg: str) -> tuple[list[tuple[float, float, float, float]], tuple[float, float]]:
    """Each node's box (left, top, right, bottom) in SVG user units, and the graph's
    translation, read from the node shapes."""
    root = ElementTree.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    tx, ty = (
        float(n)
        for n in re.search(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)", graph.get("transform")).groups()
    )
    boxes = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        for shape in group:
            if shape.tag == f"{SVG}ellipse":
                cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
                boxes.append((cx - rx, cy - ry, cx + rx, cy + ry))
            elif shape.tag in (f"{SVG}path", f"{SVG}polygon"):
                numbers = [
                    float(n)
                    for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))
                ]
                xs, ys = numbers[0::2], numbers[1::2]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes, (tx, ty)


def test_librsvg_draws_every_text_inside_its_box(renderer, tmp_path):
    """rsvg-convert (librsvg, as slide tools and converters use) draws the picture's text
    only; every inked pixel must lie inside a node's box."""
    program = shutil.which("rsvg-convert")
    if program is None:
        pytest.skip("rsvg-convert is not installed: apt-get install librsvg2-bin")
    from PIL import Image

    example = two_two_two()
    # the picture: the slide's 9 decimals, "target_o1 − out_o1", "data 0.150000000"
    svg = (
        draw_dot(example.root, decimals=9, constants=example.constant_values())
        .pipe("svg")
        .decode("utf-8")
    )
    boxes, (tx, ty) = node_boxes(svg)
    text_only = re.sub(r"<(path|polygon|ellipse|polyline)\b[^>]*/>", "", svg)
    source = tmp_path / "text.svg"
    source.write_text(text_only, encoding="utf-8")
    zoom = 2.0
    png = subprocess.run(
        [program, "-z", str(zoom), str(source)], capture_output=True, check=True
    ).stdout
    drawn = Image.open(io.BytesIO(png)).convert("RGBA")
    image = Image.alpha_composite(Image.new("RGBA", drawn.size, "white"), drawn).convert("L")
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg).group(1))
    scale = image.width / width  # pixels per SVG unit
    pixels = image.load()
    outside = []
    for y in range(image.height):
        for x in range(image.width):
            if pixels[x, y] < 128:  # ink
                ux, uy = x / scale - tx, y / scale - ty
                if not any(
                    left - 0.5 <= ux <= r + 0.5 and t - 0.5 <= uy <= b + 0.5
                    for left, t, r, b in boxes
                ):
                    outside.append((round(ux), round(uy)))
    assert len(boxes) > 40
    assert outside == []


# -- the deck -------------------------------------------------------------------------------


def test_deck_has_a_16_9_page_before_the_pass_and_one_per_step(tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the dev extra: pip install -e .[dev]")
    from PIL import Image

    from autograd.deck import save_deck

    example = examples.build("xyz")
    path = save_deck(example.root, tmp_path / "xyz.pdf", color_roles=True)
    assert [x.grad for x in (example.values[n] for n in "xyz")] == [-4.0, -4.0, 3.0]
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1 + 4  # before the pass, then xyz's 4 steps
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) / float(box.height) == pytest.approx(16 / 9, abs=0.01)
    light = THEMES["light"]

    def colours(k: int) -> set[tuple[int, int, int]]:
        image = reader.pages[k].images[0].image.convert("RGB")
        small = image.resize((image.width // 2, image.height // 2), Image.NEAREST)
        return {colour for _, colour in small.getcolors(maxcolors=small.width * small.height)}

    def near(colour: str, seen: set[tuple[int, int, int]]) -> bool:
        r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
        return any(abs(r - x) + abs(g - y) + abs(b - z) < 40 for x, y, z in seen)

    assert not near(light.passing, colours(0))  # before the pass nothing is highlighted
    assert near(light.passing, colours(1)) and near(light.receiving, colours(1))


def test_deck_refuses_another_suffix_and_a_step(tmp_path):
    from autograd.deck import save_deck

    with pytest.raises(ValueError, match=r"\.pdf"):
        save_deck(Value(1.0), tmp_path / "deck.png")
    with pytest.raises(TypeError, match="leave out step= and lecture="):
        save_deck(Value(1.0), tmp_path / "deck.pdf", lecture=False)


# -- the command line -----------------------------------------------------------------------


def test_cli_lecture_theme_and_deck(tmp_path, capsys):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the dev extra: pip install -e .[dev]")
    graph, deck = tmp_path / "g.dot", tmp_path / "x.pdf"
    status = main(["example", "xyz", "--lecture", "--theme", "dark", "--graph", str(graph),
                   "--deck", str(deck)])  # fmt: skip
    assert status == 0
    source = graph.read_text(encoding="utf-8")
    assert 'label="x = -2\\ngrad -4"' in source  # three significant digits, one line
    assert f'bgcolor="{THEMES["dark"].background}"' in source
    assert len(pypdf.PdfReader(deck).pages) == 5
    assert str(deck) in capsys.readouterr().out


def test_cli_expr_deck_and_bad_options_exit_2(tmp_path, capsys):
    deck = tmp_path / "f.pdf"
    assert main(["expr", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "--deck", str(deck)]) == 0
    assert deck.read_bytes().startswith(b"%PDF")
    with pytest.raises(SystemExit) as stop:
        main(["example", "xyz", "--deck", str(tmp_path / "f.png")])
    assert stop.value.code == 2
    assert "needs the suffix .pdf" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["example", "xyz", "--theme", "sepia"])
    assert stop.value.code == 2


def test_lecture_page_is_large_and_writes_the_lectures_precision():
    example = two_two_two()
    page = step_through(example.root, lecture=True, color_roles=True).html
    assert '<html lang="en" class="st-lecture">' in page
    assert "grad 0.000439" in page  # w1's gradient to three significant digits
    themed = step_through(example.root, theme="contrast").html
    assert 'data-theme="contrast"' in themed and "prefers-color-scheme" not in themed
    assert "prefers-color-scheme: dark" in step_through(example.root).html


def test_save_step_frames_as_svg_carry_one_font(tmp_path):
    example = examples.build("xyz")
    paths = save_step_frames(example.root, tmp_path, fmt="svg", lecture=True)
    fonts = {re.search(r"base64,([^)]+)\)", p.read_text(encoding="utf-8")).group(1) for p in paths}
    assert len(fonts) == 1  # the same subset in every frame: the glyphs of all of them


def test_cli_deck_writes_the_lectures_precision_unless_decimals_is_given(tmp_path, monkeypatch):
    import autograd.deck

    asked = []

    def record(root, path, **options):
        asked.append(options)
        return path

    monkeypatch.setattr(autograd.deck, "save_deck", record)
    assert main(["example", "2-2-2", "--deck", str(tmp_path / "a.pdf")]) == 0
    assert main(["example", "2-2-2", "--deck", str(tmp_path / "b.pdf"), "--decimals", "2"]) == 0
    assert asked[0]["decimals"] is None  # the deck's own three significant digits
    assert asked[1]["decimals"] == 2
    assert "lecture" not in asked[0]  # a deck is always in the lecture look
