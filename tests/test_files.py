"""write_atomically: whole files or none, with ordinary permissions and clear errors."""

import os
import stat

import pytest

from autograd.files import write_atomically


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_gets_the_umask_permissions_not_the_temporary_files(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomically(tmp_path / "weights.json", "{}")
    finally:
        os.umask(old)
    assert path.read_text() == "{}"
    assert mode(path) == 0o644  # 0o666 & ~0o022; mkstemp alone would give 0o600


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new" and mode(path) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "weights.json"
    path.write_text("old")

    def crash(*args):
        raise OSError("disk unplugged")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match=r"cannot write .*weights\.json: disk unplugged"):
        write_atomically(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["weights.json"]


def test_a_missing_folder_is_an_error_naming_the_path(tmp_path):
    target = tmp_path / "no-such-folder" / "x.svg"
    with pytest.raises(OSError, match=r"cannot write .*no-such-folder/x\.svg"):
        write_atomically(target, b"<svg/>")
