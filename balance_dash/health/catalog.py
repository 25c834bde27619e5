"""Every warning the product raises: its code, severity, threshold, source and link, in one place.

Each threshold is a field of `settings.Thresholds` (the user can change it, or pick a preset);
the sources below are where the default values come from (PRODUCT.md section 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from balance_dash.settings import Thresholds

Severity = Literal["info", "caution", "high", "boundary"]

EU_DIRECTIVE_URL = "https://eur-lex.europa.eu/eli/dir/2003/88/oj"
WHO_ILO_URL = "https://doi.org/10.1016/j.envint.2021.106595"
PENCAVEL_URL = "https://doi.org/10.1111/ecoj.12166"
ARBZG_URL = "https://www.gesetze-im-internet.de/arbzg/"
VIRTANEN_URL = "https://doi.org/10.1371/journal.pone.0030719"
AASM_SRS_URL = "https://doi.org/10.5665/sleep.4716"
LANAJ_URL = "https://doi.org/10.1016/j.obhdp.2014.01.001"
WIRTZ_2011_URL = "https://doi.org/10.3109/07420528.2011.565896"
DE_BLOOM_URL = "https://doi.org/10.1539/joh.k8004"
MICROSOFT_BREAKS_URL = "https://www.microsoft.com/en-us/worklab/work-trend-index/brain-research"


@dataclass(frozen=True, slots=True)  # slots: a long history holds thousands of them
class HealthWarning:
    """One warning about one day, night or week (or a run of weeks), with the figure behind it."""

    code: str
    severity: Severity
    message: str
    source: str  # citation text
    url: str  # link to the source; "" for the user's own boundaries and targets
    period_start: date  # first local day concerned
    period_end: date  # last local day concerned (inclusive)
    figure: float  # the measured hours (or weeks, for a streak)
    threshold: float  # the threshold the figure was compared with
    scheduled: bool  # the period is not over yet: the figure comes from the calendar's plan

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings), as in `balance-dash summary --json`."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
            "url": self.url,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "figure": self.figure,
            "threshold": self.threshold,
            "scheduled": self.scheduled,
        }


@dataclass(frozen=True)
class WarningSpec:
    """A warning code: what it checks, at what severity, and where its threshold comes from."""

    code: str
    severity: Severity
    summary: str  # what the warning means, for legends and streak messages
    threshold_field: str | None  # the `Thresholds` field holding its threshold, if any
    source: str
    url: str


_EU = "EU Working Time Directive 2003/88/EC"

CATALOG: dict[str, WarningSpec] = {
    spec.code: spec
    for spec in (
        WarningSpec(
            "week_over_48h", "caution", "more than 48 h of work in a week", "week_caution_hours",
            f"{_EU}, art. 6 (at most 48 h a week on average); Pencavel 2014, The Economic Journal "
            "(output per hour falls beyond about 49-50 h a week)",
            EU_DIRECTIVE_URL,
        ),
        WarningSpec(
            "week_55h", "high", "55 h of work or more in a week", "week_high_hours",
            "WHO/ILO 2021 (Pega et al., Environment International 154:106595): at 55 h a week or "
            "more, 35 % higher risk of stroke and 17 % higher risk of dying from ischaemic heart "
            "disease than at 35-40 h",
            WHO_ILO_URL,
        ),
        WarningSpec(
            "avg_over_48h", "caution", "more than 48 h of work a week on average", "week_caution_hours",
            f"{_EU}, art. 6 (48 h average) over the reference period of art. 16 (17 weeks)",
            EU_DIRECTIVE_URL,
        ),
        WarningSpec(
            "long_day", "caution", "a working day over 10 h", "day_caution_hours",
            "German Working Hours Act (ArbZG) section 3: at most 10 h a day; Virtanen et al. 2012, "
            "PLoS ONE: days of 11 h or more, 2.43 times the odds of a major depressive episode",
            ARBZG_URL,
        ),
        WarningSpec(
            "short_daily_rest", "caution", "less than 11 h of rest between working days",
            "daily_rest_hours", f"{_EU}, art. 3 (11 consecutive hours of daily rest)", EU_DIRECTIVE_URL,
        ),
        WarningSpec(
            "no_weekly_rest", "caution", "no 35 h work-free stretch in a week", "weekly_rest_hours",
            f"{_EU}, art. 5 (24 h of weekly rest plus the 11 h daily rest)", EU_DIRECTIVE_URL,
        ),
        WarningSpec(
            "no_break", "info", "more than 6 h of work without a 30-minute break", "break_after_hours",
            f"{_EU}, art. 4 (a break when the working day exceeds 6 h); German Working Hours Act "
            "(ArbZG) section 4 (30 minutes after 6 h)",
            EU_DIRECTIVE_URL,
        ),
        WarningSpec(
            "after_hours", "boundary", "work after the disconnect time or before the start time", None,
            "Your boundary (disconnect and start time); right-to-disconnect laws such as France "
            "(2017), Portugal (2022) and Australia (2024)",
            "",
        ),
        WarningSpec(
            "work_on_rest_day", "boundary", "work on a rest day or a day off", None,
            "Your boundary (rest days and days off)", "",
        ),
        WarningSpec(
            "short_sleep", "caution", "a night with less than 7 h of sleep opportunity", "sleep_hours",
            "AASM/SRS 2015 consensus (Watson et al., Sleep 38(6)): adults should sleep 7 h or more "
            "a night",
            AASM_SRS_URL,
        ),
        WarningSpec(
            "late_work", "caution", "work late in the evening", "late_work_hour",
            "Lanaj, Johnson & Barnes 2014, Organizational Behavior and Human Decision Processes 124(1):11-23: "
            "using a smartphone for work at night cut into sleep and left employees depleted and less "
            "engaged at work the next day",
            LANAJ_URL,
        ),
        WarningSpec(
            "weekend_work", "caution", "work on most of the last four weekends", "weekend_work_weekends",
            "Wirtz, Nachreiner & Rolfes 2011, Chronobiology International 28(4):361-370 (European Working "
            "Conditions Survey, 23,934 workers): working one or more Sundays a month went with more health "
            "impairments (OR 1.17) and poorer work-life balance (OR 1.15)",
            WIRTZ_2011_URL,
        ),
        WarningSpec(
            "no_long_break", "info", "a long stretch without a break of several days off", "long_break_weeks",
            "de Bloom et al. 2009, Journal of Occupational Health 51:13-25 (meta-analysis): vacations "
            "improve health and well-being, and the effect fades soon after work resumes",
            DE_BLOOM_URL,
        ),
        WarningSpec(
            "back_to_back", "info", "a long run of back-to-back meetings", "back_to_back_run_hours",
            "Microsoft Human Factors Lab 2021 (EEG study of 14 people): stress built up over four "
            "back-to-back 30-minute meetings; 10-minute breaks between them let it reset",
            MICROSOFT_BREAKS_URL,
        ),
        WarningSpec("below_target", "info", "an area below its target", None, "Your targets", ""),
        WarningSpec("above_target", "info", "an area above its target", None, "Your targets", ""),
        WarningSpec(
            "streak", "caution", "the same warning several weeks in a row (escalates one level)",
            "streak_weeks", "Your warnings, repeated", "",
        ),
    )
}

# `long_day` at or above `day_high_hours` is high; this is the study that threshold rests on.
LONG_DAY_HIGH_SOURCE = (
    "Virtanen et al. 2012, PLoS ONE: working 11 h a day or more, 2.43 times the odds of a major "
    "depressive episode compared with 7-8 h"
)

_ESCALATION: dict[Severity, Severity] = {
    "info": "caution", "boundary": "caution", "caution": "high", "high": "high",
}
SEVERITY_RANK: dict[Severity, int] = {"info": 0, "boundary": 1, "caution": 2, "high": 3}


def escalate(severity: Severity) -> Severity:
    """One level up: info and boundary -> caution -> high (high stays high)."""
    return _ESCALATION[severity]


def default_threshold(code: str) -> float | None:
    """The default value of a code's threshold (from `Thresholds`), or None if it has none."""
    field = CATALOG[code].threshold_field
    return None if field is None else float(getattr(Thresholds(), field))


PRESETS: dict[str, Thresholds] = {
    # The defaults: EU Working Time Directive, with the health studies for "high".
    "eu_directive": Thresholds(),
    # ArbZG: 10 h a day at most (section 3) with 8 h a day averaged over 24 weeks, hence the
    # 24-week reference period; 11 h rest (section 5); 30 minutes' break after 6 h (section 4).
    "germany": Thresholds(average_weeks=24),
    # Health studies only: Pencavel's ~50 h productivity threshold, WHO/ILO's 55 h, Virtanen's
    # 11 h day, AASM/SRS's 7 h of sleep; the legal rest and break rules are switched off
    # (a threshold that can never be crossed).
    "health_only": Thresholds(
        week_caution_hours=50.0,
        day_caution_hours=11.0,
        daily_rest_hours=0.0,
        weekly_rest_hours=0.0,
        break_after_hours=24.0,
    ),
}
