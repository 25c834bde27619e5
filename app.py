"""balance-dash: the Streamlit entry point (page config, navigation, shared sidebar)."""

import streamlit as st

from balance_dash.ui import layout, live_sources
from balance_dash.ui.feedback import show_flashes

st.set_page_config(page_title="balance-dash", page_icon="⚖️", layout="wide")

PAGES = "balance_dash/ui/pages"
navigation = st.navigation(
    {
        "Your weeks": [
            st.Page(f"{PAGES}/this_week.py", title="This week", icon="📅", default=True),
            st.Page(f"{PAGES}/trends.py", title="Trends", icon="📈", url_path="trends"),
            st.Page(f"{PAGES}/reflect.py", title="Reflect", icon="📝", url_path="reflect"),
        ],
        "Your data": [
            st.Page(f"{PAGES}/import_calendars.py", title="Calendars", icon="📥", url_path="import"),
            st.Page(f"{PAGES}/log_time.py", title="Log time", icon="⏱️", url_path="log"),
            st.Page(f"{PAGES}/rules.py", title="Rules", icon="🏷️", url_path="rules"),
            st.Page(f"{PAGES}/targets.py", title="Targets and boundaries", icon="🎯", url_path="targets"),
            st.Page(f"{PAGES}/data.py", title="Data", icon="💾", url_path="data"),
        ],
    },
    position="sidebar",
)
layout.remember_page(navigation.url_path)
layout.sidebar()
show_flashes()
live_sources.sync_on_open()
navigation.run()
