"""``python -m pipeline.tagging``: the same as ``dipnews tag``."""

from pipeline.tagging.cli import main

raise SystemExit(main())
