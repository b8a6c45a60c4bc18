"""dipnews: an ingestion pipeline for diplomacy news (Japan-Russia relations first).

``pipeline`` holds the Beam stages, the run driver, configuration, entity tagging and the CLI.
"""

__version__ = "0.1.0"
