"""Split a calendar feed into its shared part and its events grouped by UID: `ingest.ics.split`.

The split lives with the reader, which also uses it to read a large file in parts; the live
sync keeps its name for it.
"""

from balance_dash.ingest.ics.split import FeedParts, partial_calendar, split_feed

__all__ = ["FeedParts", "partial_calendar", "split_feed"]
