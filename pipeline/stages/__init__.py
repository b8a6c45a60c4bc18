"""One Beam composite per stage of DESIGN.md's data flow, each in its own module.

``ReadFeeds -> FilterSeen -> FetchPages -> ExtractArticles -> NormalizeArticles -> DeduplicateArticles
-> TagEntities -> WriteWarehouse``. Every composite returns its main output and a ``rejects`` output.
"""
