"""chainrule's neural-network library, built on the autograd engine."""
