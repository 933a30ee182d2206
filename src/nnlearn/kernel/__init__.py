"""The client side of the engine: drive a Jupyter kernel, turn probe reports into events.

Never imports torch or Textual. The events are imported from
``nnlearn.kernel.events``: this package re-exports nothing.
"""
