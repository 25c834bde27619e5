"""One escaping helper for every user- or file-supplied string the dashboard shows.

Streamlit renders the body of `st.markdown`, `st.success`, `st.error`, `st.toast`, expander
labels and captions as GitHub-flavoured Markdown: a calendar name `![x](http://host/pixel)`
would make the browser fetch that address, and a plain address would become a link. `plain()`
escapes every ASCII punctuation character with a backslash (CommonMark section 2.4: any ASCII
punctuation may be escaped, and an escaped one is shown as itself), which defeats images, links,
HTML, Streamlit's `:directives:` and `$maths$`. The renderer still turns `http://...`, `www.`
and addresses with `@` into links whatever the escapes (GFM's autolink literals), so an
invisible WORD JOINER (U+2060) follows each "www" before a dot, each ':' before "//" and each
'@' to break them. The text reads the
same on the page. Multi-line text from files goes to `st.text` or `st.code` instead.
"""

from __future__ import annotations

import re

from balance_dash.plain_text import printable

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where GFM's autolink literals start: "www.", "scheme://" and the "@" of an address.
_LINK_STARTS = re.compile(r"(?i)(www)(?=\.)|(:)(?=//)|(@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` on one line, without control characters, every Markdown and HTML character escaped."""
    broken = _LINK_STARTS.sub(lambda match: match.group(0) + WORD_JOINER, printable(text, one_line=True))
    return _PUNCTUATION.sub(r"\\\1", broken)
