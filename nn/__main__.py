"""`python -m nn` runs the chainrule command line (kept for old habits; the command line
itself lives in chainrule/cli.py, which imports nn, never the other way round)."""

from chainrule.cli import main

raise SystemExit(main())
