"""balance-dash's Streamlit entry point in a checkout (`streamlit run app.py`): the dashboard
itself lives in the package (`balance_dash/ui/app.py`), which `balance-dash serve` runs."""

from balance_dash.ui.app import main

main()
