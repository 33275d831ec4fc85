"""`python -m nn` runs the chainrule command line (the same as the `chainrule` script)."""

from .cli import main

raise SystemExit(main())
