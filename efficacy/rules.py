"""The efficacy calculations and plausibility rules, computed here only: oxygenation (unit
conversions, PaO2/FiO2, SpO2/FiO2), pulmonary function, laboratory units and flags, the HRCT
score, change from baseline and summary statistics."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from safety.labs.rules import lab_result_problems  # noqa: F401  (the one rule, below)
from safety.rules import oxygen_problems
from trial_edc.core.problems import Problem, out_of_range
from trial_edc.study import LabTest, Study, study

MMHG_PER_KPA = Decimal("7.50062")


def kpa_to_mmhg(kpa: Decimal) -> Decimal:
    """kPa to mmHg, to 0.1 mmHg (8.0 kPa = 60.0 mmHg)."""
    return (Decimal(kpa) * MMHG_PER_KPA).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fio2_fraction(value: Decimal) -> Decimal:
    """FiO2 as a fraction; a value above 1 is read as a percentage (40 -> 0.40)."""
    value = Decimal(value)
    if value > 1:
        value = value / 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pf_ratio(pao2_mmhg: Decimal, fio2: Decimal) -> Decimal:
    """PaO2/FiO2 in mmHg (the oxygenation index of the protocol, not the ventilator OI)."""
    return (Decimal(pao2_mmhg) / Decimal(fio2)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def sf_ratio(spo2: int | None, fio2: Decimal, s: Study | None = None) -> Decimal | None:
    """SpO2/FiO2, only where SpO2 is at most 97% (above it the curve is flat)."""
    s = s or study()
    if spo2 is None or spo2 > s.sf_ratio_max_spo2:
        return None
    return (Decimal(spo2) / Decimal(fio2)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def blood_gas_problems(
    *, pao2_mmhg, paco2, ph, fio2, spo2, oxygen_support: str | None, s: Study | None = None
) -> list[Problem]:
    """Impossible values, and an FiO2 that contradicts the oxygen support (the vital signs'
    rule, `safety.rules.oxygen_problems`: room air is 0.21)."""
    s = s or study()
    problems = []
    for name, value, plausible, label in (
        ("pao2", pao2_mmhg, s.pao2_plausible, "PaO2"),
        ("paco2", paco2, s.paco2_plausible, "PaCO2"),
        ("ph", ph, s.ph_plausible, "pH"),
    ):
        if value is not None and value not in plausible:
            problems.append(out_of_range(name, label, plausible))
    problems += oxygen_problems(support=oxygen_support, fio2=fio2, flow_recorded=False, s=s)
    if spo2 is not None and spo2 not in s.spo2_plausible:
        problems.append(out_of_range("spo2", "SpO2", s.spo2_plausible))
    return problems


# --- pulmonary function --------------------------------------------------------------------


def pft_problems(
    *,
    done: bool,
    not_done_reason: str,
    not_done_detail: str,
    performed_on,
    fvc_litres,
    fvc_percent_predicted,
    dlco_percent_predicted,
    reference_equation: str,
    s: Study | None = None,
) -> list[Problem]:
    """Done: date, FVC (L and % predicted) and reference equations; DLCO is optional (many
    patients cannot hold their breath for it). Not done: a reason, and no values."""
    s = s or study()
    measures = {
        "fvc_litres": fvc_litres,
        "fvc_percent_predicted": fvc_percent_predicted,
        "dlco_percent_predicted": dlco_percent_predicted,
    }
    if not done:
        return _not_done_problems(not_done_reason, not_done_detail) + [
            Problem(name, _("Leave the values empty for a test not done."))
            for name, value in measures.items()
            if value is not None
        ]
    problems = []
    if performed_on is None:
        problems.append(Problem("performed_on", _("Give the test date.")))
    for name in ("fvc_litres", "fvc_percent_predicted"):
        if measures[name] is None:
            problems.append(Problem(name, _("Give FVC in litres and in % predicted.")))
    if not reference_equation:
        problems.append(Problem("reference_equation", _("Which reference equations were used?")))
    if fvc_litres is not None and fvc_litres not in s.fvc_litres_plausible:
        problems.append(out_of_range("fvc_litres", "FVC", s.fvc_litres_plausible))
    for name in ("fvc_percent_predicted", "dlco_percent_predicted"):
        value = measures[name]
        if value is not None and value not in s.percent_predicted_plausible:
            problems.append(out_of_range(name, _("% predicted"), s.percent_predicted_plausible))
    return problems


def _not_done_problems(reason: str, detail: str) -> list[Problem]:
    if not reason:
        return [Problem("not_done_reason", _("Say why it was not done."))]
    if reason == "other" and not detail.strip():
        return [Problem("not_done_detail", _("Describe the other reason."))]
    return []


# --- laboratory / serology -----------------------------------------------------------------


def lab_value_standard(test: LabTest, value: Decimal, unit: str) -> Decimal:
    """A value in the unit the study stores: the one conversion rule, `LabTest.to_standard`
    (trial_edc/study.py), shared with the safety laboratory."""
    return test.to_standard(value, unit)


def lab_range_in_unit(test: LabTest, limit: Decimal | None, unit: str) -> Decimal | None:
    """A reference limit in the study unit, expressed in another unit (`LabTest.from_standard`)."""
    return test.from_standard(limit, unit)


def lab_flag(value: Decimal, low: Decimal | None, high: Decimal | None) -> str:
    """L below the reference range, H above it, '' within (the range's own unit)."""
    if low is not None and value < low:
        return "L"
    if high is not None and value > high:
        return "H"
    return ""


# --- HRCT score ----------------------------------------------------------------------------


def hrct_totals(scores: dict[str, tuple[int, int]], s: Study | None = None) -> tuple[int, int, int]:
    """(ground-glass total, fibrosis total, overall) summed over the configured zones."""
    s = s or study()
    ggo = sum(scores[zone][0] for zone in s.hrct_zones)
    fib = sum(scores[zone][1] for zone in s.hrct_zones)
    return ggo, fib, ggo + fib


def hrct_zone_scores(by_number: dict[int, tuple], s: Study | None = None) -> dict[str, tuple]:
    """Scores keyed by zone number (as stored: ggo_1, fib_1…) to scores keyed by zone name."""
    s = s or study()
    return {zone: by_number[i] for i, zone in enumerate(s.hrct_zones, start=1)}


def hrct_not_done_problems(*, not_done_reason: str, not_done_detail: str, any_score: bool):
    problems = _not_done_problems(not_done_reason, not_done_detail)
    if any_score:
        problems.append(Problem("__all__", _("Leave the scores empty for a scan not done.")))
    return problems


def hrct_score_problems(scores: dict[str, tuple[int | None, int | None]], s=None):
    s = s or study()
    problems = []
    for i, zone in enumerate(s.hrct_zones, start=1):
        for kind, value in zip(("ggo", "fib"), scores.get(zone, (None, None)), strict=True):
            if value is None or not 0 <= value <= s.hrct_score_max:
                problems.append(
                    Problem(
                        f"{kind}_{i}",
                        _("Score %(zone)s from 0 to %(max)d.")
                        % {"zone": zone, "max": s.hrct_score_max},
                    )
                )
    return problems


# --- change from baseline and summary statistics -------------------------------------------


def change_from_baseline(baseline: Decimal | None, value: Decimal | None, places: int | None = 1):
    """(absolute change, % change), rounded to `places` decimals (None: unrounded, for
    statistics that round once at the end); None where either is missing or baseline is 0."""
    if baseline is None or value is None:
        return None, None

    def q(x, decimals):
        return x if places is None else x.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)

    absolute = Decimal(value) - Decimal(baseline)
    if Decimal(baseline) == 0:
        return q(absolute, places), None
    return q(absolute, places), q(absolute / Decimal(baseline) * 100, 1)  # % always to 0.1


@dataclass(frozen=True)
class SummaryStats:
    n: int
    mean: Decimal | None
    sd: Decimal | None
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None


def summary_stats(values, places: int = 1) -> SummaryStats:
    """n, mean, sample SD, median, min, max to `places` decimals; missing and 'not done'
    values (None) are skipped."""
    import statistics

    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return SummaryStats(0, None, None, None, None, None)

    def q(x):
        return Decimal(x).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    return SummaryStats(
        n=len(present),
        mean=q(statistics.mean(present)),
        sd=q(statistics.stdev(present)) if len(present) > 1 else None,
        median=q(statistics.median(present)),
        minimum=q(min(present)),
        maximum=q(max(present)),
    )


# --- the baseline's timing and the follow-up's death ----------------------------------


def pre_dose_problems(sampled_at: datetime, first_dose_start: datetime | None) -> list[Problem]:
    """The baseline is taken before the first dose (the schedule's "day 1, pre-dose")."""
    if first_dose_start is not None and sampled_at >= first_dose_start:
        return [
            Problem(
                "sampled_at",
                _("The baseline is taken before the first dose, which started at %(t)s.")
                % {"t": f"{first_dose_start:%Y-%m-%d %H:%M}"},
            )
        ]
    return []


def death_problems(
    *,
    vital_status: str,
    death_date: date | None,
    death_cause: str,
    assessed_on: date,
    day1: date,
    has_fatal_adverse_event: bool,
) -> list[Problem]:
    """Dead: date and cause, the date between day 1 and the contact, and a fatal AE on file."""
    if vital_status != "dead":
        problems = []
        if death_date is not None:
            problems.append(Problem("death_date", _("Only a subject who died has a death date.")))
        if death_cause.strip():
            problems.append(Problem("death_cause", _("Only a subject who died has a cause.")))
        return problems
    problems = []
    if death_date is None:
        problems.append(Problem("death_date", _("Give the date of death.")))
    elif not day1 <= death_date <= assessed_on:
        problems.append(
            Problem("death_date", _("The date of death lies between day 1 and the contact."))
        )
    if not death_cause.strip():
        problems.append(Problem("death_cause", _("Give the cause of death.")))
    if not has_fatal_adverse_event:
        problems.append(
            Problem(
                "vital_status",
                _(
                    "A death must be recorded as an adverse event with a fatal outcome "
                    "(grade 5) first."
                ),
            )
        )
    return problems


# --- Table 1: baseline characteristics (efficacy.table_one) ---------------------------------
# A missing value is counted as missing (n excludes it), never as zero. Continuous variables:
# mean ± sample SD (statistics.stdev, n - 1) when configured "normal"; median [Q1–Q3] when
# "skewed", the quartiles by statistics.quantiles(n=4, method="inclusive") (linear
# interpolation between order statistics, R's and Excel's default type 7: for 1, 2, 3, 4 the
# quartiles are 1.75, 2.5, 3.25). Percentages are of the subjects with a value.

DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12: a disease duration in months


def months_between(start: date | None, end: date | None) -> Decimal | None:
    """Whole and fractional months from `start` to `end` (days / 30.4375); None if either is."""
    if start is None or end is None:
        return None
    return Decimal((end - start).days) / DAYS_PER_MONTH


@dataclass(frozen=True)
class Continuous:
    """One continuous row of Table 1: n with a value, missing, and the statistics."""

    n: int
    missing: int
    mean: Decimal | None = None
    sd: Decimal | None = None
    median: Decimal | None = None
    q1: Decimal | None = None
    q3: Decimal | None = None


def describe_continuous(values, places: int = 1) -> Continuous:
    """n, missing, mean, sample SD, median and quartiles (inclusive method) to `places`
    decimals (half up) of the values, None being missing."""
    import statistics

    values = list(values)
    present = sorted(Decimal(v) for v in values if v is not None)
    missing = len(values) - len(present)
    if not present:
        return Continuous(0, missing)

    def q(x):
        return Decimal(x).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    if len(present) > 1:
        q1, median, q3 = statistics.quantiles(present, n=4, method="inclusive")
    else:
        q1 = median = q3 = present[0]
    return Continuous(
        n=len(present),
        missing=missing,
        mean=q(statistics.mean(present)),
        sd=q(statistics.stdev(present)) if len(present) > 1 else None,
        median=q(median),
        q1=q(q1),
        q3=q(q3),
    )


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    count: int
    percent: Decimal | None  # of the subjects with a value, to 0.1


@dataclass(frozen=True)
class Categorical:
    n: int
    missing: int
    levels: tuple[Level, ...]


def describe_categorical(values, levels) -> Categorical:
    """Counts and percentages of each level ((code, label), ...) among the values present;
    None is missing. A value outside the levels counts in n under its own code."""
    values = list(values)
    present = [v for v in values if v is not None]
    n = len(present)
    known = list(levels) + [(v, v) for v in dict.fromkeys(present) if v not in dict(levels)]
    return Categorical(
        n=n,
        missing=len(values) - n,
        levels=tuple(
            Level(
                code,
                str(label),
                (count := sum(1 for v in present if v == code)),
                (Decimal(count) * 100 / n).quantize(Decimal("0.1"), ROUND_HALF_UP) if n else None,
            )
            for code, label in known
        ),
    )


def continuous_text(stats: Continuous, distribution: str) -> str:
    """'52.7 ± 10.7' (normal) or '41.0 [30.0–50.0]' (skewed); '–' without a value; an SD of a
    single value is not given."""
    if stats.n == 0:
        return "–"
    if distribution == "skewed":
        return f"{stats.median} [{stats.q1}–{stats.q3}]"
    return f"{stats.mean} ± {stats.sd}" if stats.sd is not None else f"{stats.mean}"


def describe_multi(sets, levels) -> Categorical:
    """Several levels per subject (treatments at baseline): of each level, the subjects with it
    and their percentage of all subjects (a subject with none is a "no", not missing)."""
    sets = list(sets)
    n = len(sets)
    return Categorical(
        n=n,
        missing=0,
        levels=tuple(
            Level(
                code,
                str(label),
                (count := sum(1 for s in sets if code in s)),
                (Decimal(count) * 100 / n).quantize(Decimal("0.1"), ROUND_HALF_UP) if n else None,
            )
            for code, label in levels
        ),
    )
