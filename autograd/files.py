"""Files in and out: one reader that only reads what can be a file, one writer that
writes a file whole or not at all.

Reading: every file the tools are handed (weights, example files, answers, keys, rosters)
goes through read_text_file, which refuses what is not a regular file (a folder, a FIFO
that would wait forever for a writer, /dev/zero that never ends) without blocking, and a
file too large to be what it claims, each in one line naming the path (UnusableFile).
check_nesting bounds how deep the parsed data may nest.

Writing: saved weights and rendered pictures are written to a temporary file beside the
target, flushed to disk, then renamed over it in one step: a crash or a full disk part-way
through leaves the previous file exactly as it was, never half a file. A symlink is
followed (its target is replaced, the link stays), and what is not a regular file is never
replaced.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any

# Temporary files of saves interrupted this long ago (a crash, kill -9) are removed by the
# next save of the same file, whoever made them; younger ones only when the process that
# made them is gone, as another process may be saving the same file right now.
LEFTOVER_AGE_S = 3600.0

# The largest input file read_text_file accepts unless told otherwise: a worked example, an
# answers file or a class roster is a few kilobytes; anything this large is not one of them.
MAX_INPUT_BYTES = 4 * 1024 * 1024

# How deep a file's data may nest (a table in a table in a list ...): the formats read
# here nest three or four levels; a file nested deeper is not one of them.
MAX_NESTING = 32


class UnusableFile(ValueError):
    """A file that cannot be what it is read as: its message is one line naming the path
    (and, where the format has them, the key and line), what is wrong and the fix."""


def read_text_file(
    path: str | os.PathLike[str], *, what: str = "a text file", max_bytes: int = MAX_INPUT_BYTES
) -> str:
    """The UTF-8 text of the regular file at path (a leading byte-order mark dropped).

    `what` names the kind of file in messages ("an example file"). A folder, FIFO, device
    or socket is refused without being read and without waiting (a FIFO is opened
    non-blocking); so is a file over max_bytes, and bytes that are not UTF-8: each an
    UnusableFile naming path. A missing or unreadable file is the usual FileNotFoundError
    or PermissionError.
    """
    data = _read_regular_file(path, what, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableFile(
            f"{os.fspath(path)} is not a valid {_noun(what)}: it is not UTF-8 text "
            f"(byte {data[error.start]:#04x} at position {error.start}); save it as UTF-8"
        ) from None


def _read_regular_file(path: str | os.PathLike[str], what: str, max_bytes: int) -> bytes:
    shown = os.fspath(path)
    kind = os.stat(path).st_mode  # before opening: a device is never even opened
    if not stat.S_ISREG(kind):
        raise _not_regular(shown, what, kind)
    # O_NONBLOCK: if a FIFO replaced the file since, opening it does not wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        kind = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(kind):
            raise _not_regular(shown, what, kind)
        data = file.read(max_bytes + 1)  # (the size is checked on what is read)
    if len(data) > max_bytes:
        raise UnusableFile(
            f"{shown} is not {what}: it is over the {max_bytes:,} bytes such a file may "
            "have; check that it is the right file"
        )
    return data


def _not_regular(shown: str, what: str, mode: int) -> UnusableFile:
    return UnusableFile(f"{shown} is not {what}: it is {kind_of_file(mode)}, not a regular file")


def _noun(what: str) -> str:
    # "a weights file" -> "weights file", for "is not a valid weights file"
    for article in ("a ", "an "):
        if what.startswith(article):
            return what[len(article) :]
    return what


def check_nesting(data: Any, path: str | os.PathLike[str], *, limit: int = MAX_NESTING) -> Any:
    """data (as parsed from the file at path) unchanged, or an UnusableFile naming the
    path and the first key nested more than `limit` levels deep. Walks without recursion,
    so data nested any depth is measured safely."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        item, where, depth = pending.pop()
        if isinstance(item, dict):
            prefix = f"{where}." if where else ""
            children = [(value, f"{prefix}{key}") for key, value in item.items()]
        elif isinstance(item, list):
            children = [(value, f"{where}[{i}]") for i, value in enumerate(item)]
        else:
            continue
        if depth >= limit:
            shown = where if len(where) <= 60 else where[:40] + "..." + where[-16:]
            raise UnusableFile(
                f"{os.fspath(path)}: {shown or 'the data'} is nested more than {limit} levels "
                "deep; no file of this kind nests so deep, so it is not one"
            )
        pending.extend((value, key, depth + 1) for value, key in children)
    return data


def save_suffix(path: str | os.PathLike[str], suffixes: tuple[str, ...], what: str) -> str:
    """path's suffix (lower case), or a ValueError naming path and the suffixes that work:
    "cannot save a graph to 'x.jpg' (suffix '.jpg'); use one of .svg, .png, .dot, .gv"."""
    suffix = Path(path).suffix.lower()
    if suffix not in suffixes:
        named = f"suffix {suffix!r}" if suffix else "no suffix"
        choice = " or ".join(suffixes) if len(suffixes) == 2 else f"one of {', '.join(suffixes)}"
        raise ValueError(f"cannot save {what} to {os.fspath(path)!r} ({named}); use {choice}")
    return suffix


def write_atomically(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write data (text is written as UTF-8) to path atomically; return the path.

    When path is a symlink, the file it points to is replaced and the link stays. A path
    that exists but is not a regular file (a folder, a FIFO, a device) is refused. The new
    file gets the old file's permissions, or the usual ones for a new file (what the umask
    allows); the process umask is never changed. Temporary files left by earlier
    interrupted saves of the same file are removed. An OSError names path.
    """
    path = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    target = _resolve(path)
    old_mode = _existing_mode(path, target)
    _remove_leftovers(target)
    temporary = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        # Created with 0o666, which the kernel trims by the umask: a new file's usual mode.
        descriptor = os.open(temporary, flags, 0o666)
    except OSError as error:
        raise _cannot_write(path, error) from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            if old_mode is not None:
                os.chmod(temporary, old_mode)  # replacing a file: keep its permissions
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except OSError as error:
        raise _cannot_write(path, error) from error
    finally:
        if os.path.lexists(temporary):
            os.remove(temporary)
    _sync_folder(target.parent)
    return path


def _resolve(path: Path) -> Path:
    """The file path names: itself, or for a symlink (or a chain of them) the file at the
    end, which is the one to replace so that the link keeps pointing at new contents."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop
        raise OSError(f"cannot write {path}: it is a symlink that leads round in a loop")
    return target


def _existing_mode(path: Path, target: Path) -> int | None:
    """The permissions of the file to be replaced, None when there is none yet; an OSError
    when something that is not a regular file is in the way."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _cannot_write(path, error) from error
    if not stat.S_ISREG(status.st_mode):
        shown = path if target == path else f"{path} (a symlink to {target})"
        raise OSError(
            f"cannot write {shown}: it is {kind_of_file(status.st_mode)}, not a regular file, and "
            "saving never replaces one; choose another path, or remove it first"
        )
    return stat.S_IMODE(status.st_mode)


def kind_of_file(mode: int) -> str:
    """What a st_mode that is not a regular file is, in words: "a FIFO (named pipe)"."""
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def _remove_leftovers(target: Path) -> None:
    """Remove `.name.<pid>-<random>.tmp` files of earlier saves of target that were
    interrupted: those whose process is gone, or that are over LEFTOVER_AGE_S old."""
    prefix, suffix = f".{target.name}.", ".tmp"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return  # the save itself will report a folder it cannot use
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        middle = name[len(prefix) : -len(suffix)]
        if "." in middle:  # e.g. the leftovers of `.name.json` when saving `name`
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stale = now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE_S
            if stale or _made_by_a_process_that_is_gone(middle):
                os.remove(entry.path)
        except OSError:
            continue  # removed meanwhile by another save, or not ours to remove: leave it


def _made_by_a_process_that_is_gone(middle: str) -> bool:
    # The temporary files this module makes are named `<pid>-<random hex>`.
    pid_text, _, random_part = middle.partition("-")
    if os.name != "posix" or not pid_text.isdigit() or not random_part:
        return False  # (os.kill(pid, 0) would end the process on Windows)
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another thread of this process may be saving the same file
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # it exists, owned by someone else (or the name is not one of ours)
    return False


def _cannot_write(path: Path, error: OSError) -> OSError:
    # Name the file the caller asked for, not the temporary one.
    wrapped = OSError(f"cannot write {path}: {error.strerror or error}")
    wrapped.errno = error.errno
    return wrapped


def _sync_folder(folder: Path) -> None:
    # Make the rename itself durable. Not every system lets a folder be opened (Windows).
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
