"""write_atomically: whole files or none, with ordinary permissions and clear errors."""

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

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


# -- symlinks, special files, the umask and leftovers -----------------------------------------


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "weights-v2.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "weights.json"
    link.symlink_to(Path("runs") / "weights-v2.json")  # relative, as people make them
    assert write_atomically(link, "new") == link
    assert link.is_symlink() and os.readlink(link) == os.path.join("runs", "weights-v2.json")
    assert target.read_text() == "new" and mode(target) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["runs", "weights.json"]
    assert os.listdir(tmp_path / "runs") == ["weights-v2.json"]  # no temporary left


def test_saving_through_a_chain_of_symlinks_and_a_dangling_one(tmp_path):
    target = tmp_path / "real.json"
    (tmp_path / "middle.json").symlink_to(target)  # dangling until the save creates it
    (tmp_path / "first.json").symlink_to(tmp_path / "middle.json")
    write_atomically(tmp_path / "first.json", "made")
    assert target.read_text() == "made"
    assert (tmp_path / "first.json").is_symlink() and (tmp_path / "middle.json").is_symlink()


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    with pytest.raises(OSError, match=r"cannot write .*a\.json"):
        write_atomically(tmp_path / "a.json", "x")
    assert sorted(os.listdir(tmp_path)) == ["a.json", "b.json"]


def test_saving_onto_a_fifo_is_refused_and_leaves_it_a_fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("this system has no FIFOs")
    fifo = tmp_path / "weights.json"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match=r"weights\.json: it is a FIFO \(named pipe\), not a regular"):
        write_atomically(fifo, "{}")  # never opens it, so it cannot wait for a reader
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["weights.json"]


def test_saving_onto_a_folder_or_through_a_link_to_one_is_refused(tmp_path):
    folder = tmp_path / "weights.json"
    folder.mkdir()
    with pytest.raises(OSError, match=r"weights\.json: it is a folder, not a regular file"):
        write_atomically(folder, "{}")
    link = tmp_path / "link.json"
    link.symlink_to(folder)
    with pytest.raises(
        OSError, match=r"link\.json \(a symlink to .*weights\.json\): it is a folder"
    ):
        write_atomically(link, "{}")
    assert folder.is_dir() and link.is_symlink()


def process_umask():
    """The umask as the kernel reports it (Linux), else by setting it back at once."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def test_saving_never_changes_the_process_umask(tmp_path, monkeypatch):
    # Another thread creating a file while the umask is 0 would make it world-writable, so
    # saving must not touch the umask at all, not even briefly: watch every call to it.
    calls = []
    real_umask = os.umask

    def watched_umask(mask):
        calls.append(mask)
        return real_umask(mask)

    old = real_umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", watched_umask)
        path = write_atomically(tmp_path / "new.json", "{}")
        write_atomically(path, "{}")
        monkeypatch.undo()
        assert calls == []
        assert process_umask() == 0o027
        assert mode(path) == 0o640  # 0o666 & ~0o027, from the kernel at creation
    finally:
        os.umask(old)


def dead_pid():
    """The id of a process that has exited (the kernel does not reuse it at once)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


@pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")
def test_leftovers_of_interrupted_saves_of_the_same_file_are_removed(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text("old")
    crashed = tmp_path / f".weights.json.{dead_pid()}-0a1b2c3d.tmp"  # its process is gone
    ancient = tmp_path / ".weights.json.k3j4h5g6.tmp"  # an older name (mkstemp's), 2 hours old
    running = tmp_path / f".weights.json.{os.getppid()}-00ff00ff.tmp"  # a live process: kept
    other = tmp_path / f".other.json.{dead_pid()}-0a1b2c3d.tmp"  # another file's: kept
    longer = tmp_path / f".weights.json.bak.{dead_pid()}-0a1b2c3d.tmp"  # weights.json.bak's
    for leftover in (crashed, ancient, running, other, longer):
        leftover.write_text("half a fi")
    two_hours_ago = time.time() - 7200
    os.utime(ancient, (two_hours_ago, two_hours_ago))
    write_atomically(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, running.name, other.name, longer.name]
    )
