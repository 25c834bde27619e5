"""Live sources: calendars that keep themselves current (below `workflows`, above nothing).

- `addresses`: check, normalise and mask calendar addresses (pure);
- `secrets`: keep addresses and passwords in the system keyring, or say where else they are;
- `feed`: fetch a calendar address with conditional requests, bounded in time and size;
- `caldav_account`: find an account's calendars and fetch only what changed in one.

Nothing here opens the database: `workflows.live` turns what these fetch into occurrences
through the same .ics import path as an uploaded file, and stores them through `store`.
"""
