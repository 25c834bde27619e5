"""balance-dash: the Streamlit entry point (page config, navigation, shared sidebar).

`balance-dash serve` runs this file; the `app.py` of a checkout calls `main()` too, so
`streamlit run app.py` keeps working there. Streamlit runs the script again on every rerun.
"""

import streamlit as st

from balance_dash.ui import layout, live_sources
from balance_dash.ui.feedback import show_flashes


def main() -> None:
    """Set up the page, the navigation and the sidebar, then run the chosen page."""
    st.set_page_config(page_title="balance-dash", page_icon="⚖️", layout="wide")
    navigation = st.navigation(
        {
            "Your weeks": [
                st.Page(layout.page("this_week"), title="This week", icon="📅", default=True),
                st.Page(layout.page("trends"), title="Trends", icon="📈", url_path="trends"),
                st.Page(layout.page("reflect"), title="Reflect", icon="📝", url_path="reflect"),
            ],
            "Your data": [
                st.Page(layout.page("import_calendars"), title="Calendars", icon="📥", url_path="import"),
                st.Page(layout.page("log_time"), title="Log time", icon="⏱️", url_path="log"),
                st.Page(layout.page("rules"), title="Rules", icon="🏷️", url_path="rules"),
                st.Page(layout.page("targets"), title="Targets and boundaries", icon="🎯", url_path="targets"),
                st.Page(layout.page("data"), title="Data", icon="💾", url_path="data"),
            ],
        },
        position="sidebar",
    )
    layout.remember_page(navigation.url_path)
    layout.sidebar()
    show_flashes()
    live_sources.sync_on_open()
    navigation.run()


if __name__ == "__main__":
    main()
