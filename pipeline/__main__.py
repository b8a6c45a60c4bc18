"""``python -m pipeline``: the same as the ``dipnews`` command."""

from pipeline.cli import main

raise SystemExit(main())
