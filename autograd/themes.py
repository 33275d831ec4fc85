"""The colours of every picture, frame, deck and page: three themes, one table of roles.

A colour here stands for a role, never for decoration: what a value is (an input, a
parameter, computed on the way, the output), which part of a chain-rule step it plays (the
node passing its gradient, the input receiving it, the value computed now), and a
gradient's sign. The hues come from Okabe and Ito's palette, which readers with any common
colour-vision deficiency tell apart; each role is also told by more than its hue (a thick
outline, a dashed box, the caption), and every text colour meets WCAG AA against the
background it sits on. `light` is for paper and bright rooms, `dark` for a dim lecture
hall, `contrast` for a washed-out projector.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

THEME_NAMES = ("light", "dark", "contrast")


@dataclass(frozen=True)
class Theme:
    """The colour of each role (CSS hex colours)."""

    name: str
    background: str  # behind everything
    text: str  # every word and number
    line: str  # edges, arrowheads, box outlines
    muted: str  # secondary text on the page (the legend, the counter)
    input: str  # fill of data fed in
    parameter: str  # fill of what training changes (weights, biases)
    intermediate: str  # fill of values computed on the way
    output: str  # fill of the root
    computing: str  # forward: the value computed at this step
    passing: str  # backward: the node passing its gradient, and the edge it travels
    receiving: str  # backward: the input receiving its share
    partial: str  # a gradient still missing some of its shares
    negative: str  # grad_sign: outline of a negative gradient
    positive: str  # grad_sign: outline of a positive one
    surface: str  # buttons and table headers on the page
    current_row: str  # the gradients table's row of the current step

    @property
    def scheme(self) -> str:
        """The CSS color-scheme the theme belongs to: "light" or "dark"."""
        return "light" if _luminance(self.background) > 0.5 else "dark"

    def roles(self) -> dict[str, str]:
        """Every role and its colour, the name left out."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


THEMES = {
    "light": Theme(
        name="light",
        background="#ffffff",
        text="#1a1a1a",
        line="#2b2b2b",
        muted="#555555",
        input="#cdeee2",  # pale bluish green
        parameter="#fbe7a1",  # pale yellow
        intermediate="#eeeeee",
        output="#cce4f6",  # pale sky blue
        computing="#007a58",  # bluish green, darkened to 5.3:1 on white
        passing="#c24f00",  # vermilion, 4.6:1 on white
        receiving="#0067a3",  # blue, 6.0:1 on white
        partial="#7a5c00",
        negative="#c24f00",
        positive="#0067a3",
        surface="#f2f2f2",
        current_row="#e3eef8",
    ),
    "dark": Theme(
        name="dark",
        background="#16181c",
        text="#eeeeee",
        line="#c8c8c8",
        muted="#b4b4b4",
        input="#1d4a3c",
        parameter="#4d3f0c",
        intermediate="#30333a",
        output="#173b57",
        computing="#3cc79a",
        passing="#f5a35c",
        receiving="#6cc0ef",
        partial="#e8c65a",
        negative="#f5a35c",
        positive="#6cc0ef",
        surface="#262a31",
        current_row="#23384a",
    ),
    "contrast": Theme(
        name="contrast",
        background="#000000",
        text="#ffffff",
        line="#ffffff",
        muted="#e6e6e6",
        input="#00382a",
        parameter="#403000",
        intermediate="#000000",
        output="#002a4d",
        computing="#33ffbb",
        passing="#ffb000",
        receiving="#55ccff",
        partial="#ffe066",
        negative="#ffb000",
        positive="#55ccff",
        surface="#1a1a1a",
        current_row="#003355",
    ),
}


def theme_named(name: str | Theme | None) -> Theme:
    """The theme called name ("light", "dark", "contrast"); None is light."""
    if isinstance(name, Theme):
        return name
    if name is None:
        return THEMES["light"]
    if name not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEME_NAMES)}, got {name!r}")
    return THEMES[name]


def css_variables(theme: Theme) -> str:
    """The theme's roles as CSS custom properties: "--text: #1a1a1a; --line: ...;"."""
    return " ".join(
        f"--{role.replace('_', '-')}: {colour};" for role, colour in theme.roles().items()
    )


# The colours a picture drawn in the light theme writes for each role: a page restyles
# them with the roles' CSS variables, so one drawing serves every theme.
_DRAWN_AS = {
    "background": ("white", THEMES["light"].background),
    "line": ("black", THEMES["light"].line),
}


def theme_css(name: str | Theme | None) -> str:
    """The page's colours: the theme's roles as CSS variables, and the rules that restyle a
    picture drawn in the light theme with them. None: light, or dark where the reader's
    system prefers dark (prefers-color-scheme)."""
    if name is None:
        variables = (
            f":root {{ {css_variables(THEMES['light'])} color-scheme: light dark; }}\n"
            "@media (prefers-color-scheme: dark) {\n"
            f"  :root {{ {css_variables(THEMES['dark'])} }}\n}}"
        )
    else:
        theme = theme_named(name)
        variables = f":root {{ {css_variables(theme)} color-scheme: {theme.scheme}; }}"
    light = THEMES["light"]
    rules = []
    for role in ("input", "parameter", "intermediate", "output"):
        colour = getattr(light, role)
        rules.append(f':where(.st-figure svg) [fill="{colour}"] {{ fill: var(--{role}); }}')
    for colour in _DRAWN_AS["background"]:
        rules.append(
            f':where(.st-figure svg g.graph) > [fill="{colour}"] {{ fill: var(--background); }}'
        )
    for colour in _DRAWN_AS["line"]:
        rules.append(f':where(.st-figure svg) [stroke="{colour}"] {{ stroke: var(--line); }}')
        rules.append(f':where(.st-figure svg) [fill="{colour}"] {{ fill: var(--line); }}')
    rules.append(":where(.st-figure svg) text { fill: var(--text); }")
    return variables + "\n" + "\n".join(rules)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """A colour's relative luminance, as WCAG 2.1 defines it."""
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
