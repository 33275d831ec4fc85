"""The README's pictures are what the commands they caption draw (docs/pictures.py): each is
redrawn here by its command and must be the committed file, byte for byte, and the README
must name that command beside it."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from autograd.render import find_graphviz_pure

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def pictures_module():
    spec = importlib.util.spec_from_file_location("docs_pictures", ROOT / "docs" / "pictures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


PICTURES = pictures_module()


@pytest.fixture
def graphviz_pure():
    # found as the drawing code finds it: on PATH or beside this Python (a venv's bin/)
    if find_graphviz_pure() is None:
        pytest.skip("graphviz-pure is not installed")


@pytest.mark.parametrize("picture", PICTURES.PICTURES, ids=lambda p: p.name)
def test_each_readme_picture_is_what_its_command_draws(picture, tmp_path, graphviz_pure):
    drawn = PICTURES.draw(picture, tmp_path)
    committed = ROOT / "docs" / picture.name
    assert drawn.read_bytes() == committed.read_bytes(), (
        f"docs/{picture.name} is not what `{picture.command}` draws: run docs/pictures.py"
    )


@pytest.mark.parametrize("picture", [*PICTURES.PICTURES, PICTURES.PAGE], ids=lambda p: p.name)
def test_the_readme_shows_each_picture_beside_its_command(picture):
    paragraphs = README.split("\n\n")
    (k,) = [k for k, text in enumerate(paragraphs) if f"(docs/{picture.name})" in text]
    before = " ".join(paragraphs[k - 1].split())  # the paragraph that introduces it
    shown = " ".join(picture.command.split()[:-1])  # FILE or DIR: any name will do
    assert shown in before, (picture.name, before)


def test_the_page_pictures_caption_is_the_pages_own_step_text(tmp_path, graphviz_pure):
    page = PICTURES.draw(PICTURES.Picture("page.html", PICTURES.PAGE.command), tmp_path)
    data = re.search(r'class="st-data">(.*?)</script>', page.read_text(encoding="utf-8"))
    assert data is not None
    record = json.loads(data.group(1))
    step = record["backward"][PICTURES.PAGE_STEP - 1]
    (alt,) = re.findall(r"!\[([^\]]*)\]\(docs/step_through_2_2_2\.png\)", README)
    # "Backward step 7 of 32: dnet_o1/dw5 = 0.593269992 (local) x ... -> w5.grad += ..."
    assert step["text"].startswith(f"Backward step {PICTURES.PAGE_STEP} of 32: dnet_o1/dw5")
    assert f"step {PICTURES.PAGE_STEP} of 32" in alt and "0.593269992 x 0.138498562" in alt
    assert "0.593269992 (local) x dE_total/dnet_o1 = 0.138498562" in step["text"]
