"""Screens of the nnlearn app: the main workspace and its dialogs."""
