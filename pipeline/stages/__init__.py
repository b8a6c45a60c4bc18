"""One Beam composite per stage of DESIGN.md's data flow, each in its own module.

``ReadFeeds -> FilterSeen -> FetchPages -> ExtractArticles -> NormalizeArticles -> AssignVersions
-> DeduplicateArticles -> TagEntities -> WriteWarehouse``. Every composite returns its main output and
a ``rejects`` output. AssignVersions and DeduplicateArticles live in ``pipeline/dedup/``, with the
rest of the deduplication code.
"""
