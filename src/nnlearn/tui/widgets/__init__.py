"""Reusable widgets of the nnlearn app; each keeps its own DEFAULT_CSS."""
