"""Draw the README's pictures again, each by the command its caption names:
`.venv/bin/python docs/pictures.py`.

Every picture is what a reader gets by running the command printed beside it in the
README (`chainrule example 2-2-2 --graph net.svg`, ...), so the README never shows a
picture the command does not draw; tests/test_pictures.py redraws them and fails when one
drifts from its command. They are drawn with graphviz-pure (even where the system `dot` is
installed), which writes the same bytes on every machine. The step-through page's picture
is a screenshot of the page the command writes, taken in headless chromium (Playwright);
without a browser it is left as it is.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chainrule import cli

HERE = Path(__file__).resolve().parent
RENDERER = "CHAINRULE_RENDERER"


@dataclass(frozen=True)
class Picture:
    """One README picture: its file in docs/, the command that draws it (as the README
    prints it, with FILE or DIR where the output goes), and which file of a folder of
    frames it is."""

    name: str
    command: str
    frame: str = ""  # for --frames DIR: the frame shown

    def argv(self, out: Path) -> list[str]:
        words = self.command.split()[1:]  # "chainrule" itself is the program
        return [str(out) if word in ("FILE", "DIR") else word for word in words]


PICTURES = [
    Picture("xyz_graph.svg", "chainrule example xyz --graph FILE"),
    Picture("2-2-2_graph.svg", "chainrule example 2-2-2 --graph FILE"),
    Picture("2-2-2_step_07.png", "chainrule example 2-2-2 --frames DIR", frame="step_07.png"),
    Picture("2-2-2_network.svg", "chainrule example 2-2-2 --network FILE"),
    Picture(
        "2-2-2_lecture_step_07.png",
        "chainrule example 2-2-2 --lecture --frames DIR",
        frame="step_07.png",
    ),
]
PAGE = Picture("step_through_2_2_2.png", "chainrule example 2-2-2 --html FILE")
PAGE_STEP = 7  # the page at backward step 7 of 32: dE_total/dw5


def draw(picture: Picture, folder: Path) -> Path:
    """Run the picture's command, writing into folder; the picture's path there."""
    out = folder / (picture.name if not picture.frame else "frames")
    before = os.environ.get(RENDERER)
    os.environ[RENDERER] = "graphviz-pure"  # the same bytes on every machine
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the printout is not the picture
            status = cli.main(picture.argv(out))
    finally:  # the environment as it was: the choice is this drawing's only
        if before is None:
            del os.environ[RENDERER]
        else:
            os.environ[RENDERER] = before
    if status != 0:
        raise RuntimeError(f"{picture.command} failed with exit status {status}")
    return out / picture.frame if picture.frame else out


def screenshot_page(folder: Path, path: Path) -> bool:
    """The step-through page at backward step PAGE_STEP, 1280x720, as a PNG at path;
    False when Playwright or chromium is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    executable = os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        return False
    page_file = draw(Picture("page.html", PAGE.command), folder)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(page_file.as_uri())
        forward = page.evaluate(
            "JSON.parse(document.querySelector('.st-data').textContent).forward.length"
        )
        for _ in range(forward + PAGE_STEP):
            page.get_by_role("button", name="Next", exact=True).click()
        page.screenshot(path=str(path))
        browser.close()
    return True


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for picture in PICTURES:
            shutil.copyfile(draw(picture, Path(scratch)), HERE / picture.name)
            print(f"docs/{picture.name}  ({picture.command})")
        if screenshot_page(Path(scratch), HERE / PAGE.name):
            print(f"docs/{PAGE.name}  ({PAGE.command}, step {PAGE_STEP})")


if __name__ == "__main__":
    main()
