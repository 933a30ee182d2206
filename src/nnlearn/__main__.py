"""``python -m nnlearn`` is the same as the ``nnlearn`` command."""

from nnlearn.cli import main

raise SystemExit(main())
