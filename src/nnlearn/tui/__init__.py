"""The Textual app that ``nnlearn`` opens: lesson, editor and result panes.

Importing this package (or ``nnlearn.tui.app``) never imports torch: the UI
process stays light and user code only ever runs in the kernel process.
"""
