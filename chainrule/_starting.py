"""Ctrl-C while the command line is still starting: one line and exit status 130.

`chainrule` spends its first few tenths of a second importing its packages, before main()
can catch anything; a KeyboardInterrupt there would print a traceback. chainrule's
__init__ calls quiet_ctrl_c_while_starting() first thing (this module imports only what
Python has already loaded), and exit_status.run() puts the usual KeyboardInterrupt back.
"""

import os
import signal
import sys

INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)


def quiet_ctrl_c_while_starting() -> None:
    """When this process is the command line (`chainrule ...`, `python -m chainrule`,
    `python -m nn`), make a Ctrl-C before main() runs end it as one line and exit status
    130. Anywhere else (a notebook, a program importing chainrule) it does nothing."""
    argv = getattr(sys, "orig_argv", sys.argv)
    module = argv[argv.index("-m") + 1] if "-m" in argv[:-1] else None
    script = os.path.basename(sys.argv[0]) if sys.argv else ""
    if module in ("chainrule", "nn") or script in ("chainrule", "chainrule.exe"):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not changed
            signal.signal(signal.SIGINT, interrupted_while_starting)


def interrupted_while_starting(signal_number: int, frame: object) -> None:
    os.write(2, b"chainrule: interrupted\n")
    os._exit(INTERRUPTED)  # nothing has started yet that would need finishing
