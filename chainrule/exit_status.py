"""How a `chainrule` command ends: its exit status, and every error as one line.

    0    success
    1    a finding: a wrong answer, a printed number that differs, training that diverged
    2    bad input: an argument, or a file missing, unreadable, not a regular file,
         malformed or out of range (argparse exits 2 with the usage for a bad argument)
    130  interrupted (Ctrl-C)
    70   a bug in chainrule (CHAINRULE_TRACEBACK=1 shows where)

An error is one line on stderr, `chainrule: error: ...`, never a traceback. Output into a
pipe that closes early (`chainrule check xyz | head -1`) is dropped quietly: the command
runs to its end and exits with the status it would have had.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, TextIO

from ._starting import INTERRUPTED, interrupted_while_starting

SUCCESS, FINDING, BAD_INPUT, BUG = 0, 1, 2, 70  # and INTERRUPTED, 130

# What a user's input can cause: every one is reported as bad input (exit status 2).
# ValueError covers the files' own errors (ExampleError, ExpressionError, UnusableFile).
INPUT_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    ArithmeticError,
    OSError,
    RuntimeError,
)


def run(body: Callable[[], int], *, findings: tuple[type[BaseException], ...] = ()) -> int:
    """body() (a command, returning its exit status), with its errors reported as one line
    each and its exit status as above; `findings` are the errors that mean exit status 1
    (e.g. TrainingDiverged). A closed stdout or stderr never stops the command."""
    if signal.getsignal(signal.SIGINT) is interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C: KeyboardInterrupt
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _ClosedPipeSafe.around(sys.stdout), _ClosedPipeSafe.around(sys.stderr)
    try:
        try:
            status = body()
        except KeyboardInterrupt:
            report("interrupted", prefix="chainrule: ")
            return INTERRUPTED
        except findings as error:
            report(error)
            return FINDING
        except INPUT_ERRORS as error:
            report(error)
            return BAD_INPUT
        except Exception as error:  # a bug: still one line, the traceback on request
            if os.environ.get("CHAINRULE_TRACEBACK"):
                traceback.print_exc()
            report(
                f"internal error, {type(error).__name__}: {error} (a bug in chainrule: please "
                "report it with the command you ran; CHAINRULE_TRACEBACK=1 shows where it is)"
            )
            return BUG
        sys.stdout.flush()  # a closed pipe is met here, where it is dropped, not at exit
        return status
    except KeyboardInterrupt:  # Ctrl-C while reporting
        return INTERRUPTED
    finally:
        sys.stdout, sys.stderr = saved


def report(error: BaseException | str, *, prefix: str = "chainrule: error: ") -> None:
    """Print error to stderr as one line (its message's lines joined)."""
    print(prefix + one_line(error), file=sys.stderr)


def one_line(error: BaseException | str) -> str:
    """An error's message on one line. An OSError reads "PATH: what happened" instead
    of "[Errno 17] File exists: 'PATH'"."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        text = f"{error.filename}: {error.strerror.lower()}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class _ClosedPipeSafe:
    """Wraps a stream (stdout, stderr) so that writing into a closed pipe drops the text
    instead of raising BrokenPipeError: the stream's file is pointed at the null device."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    @classmethod
    def around(cls, stream: TextIO | None) -> Any:
        """stream, wrapped (None, a stream closed before Python started, stays None)."""
        return stream if stream is None else cls(stream)

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop_the_rest()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop_the_rest()

    def _drop_the_rest(self) -> None:
        self._closed = True
        try:  # from now on the file is the null device, so the flush at exit succeeds too
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (a test's capture): nothing is flushed to it at exit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
