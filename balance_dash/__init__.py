"""balance-dash: a local-first work-life balance dashboard."""

from balance_dash.errors import BalanceDashError

__version__ = "0.1.0"
__all__ = ["BalanceDashError", "__version__"]
