"""`python -m chainrule` runs the command line (the same as the `chainrule` script)."""

from .cli import main

raise SystemExit(main())
