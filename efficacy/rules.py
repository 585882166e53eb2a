"""Oxygenation: unit conversions and the PaO2/FiO2 and SpO2/FiO2 ratios, computed here only."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from enrollment.rules import Problem
from trial_edc.study import Study, study

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


def blood_gas_problems(*, pao2_mmhg, paco2, ph, fio2, spo2, s: Study | None = None):
    s = s or study()
    problems = []
    if pao2_mmhg is not None and pao2_mmhg not in s.pao2_plausible:
        problems.append(Problem("pao2", _("PaO2 must be between 20 and 700 mmHg (2.7-93 kPa).")))
    if paco2 is not None and paco2 not in s.paco2_plausible:
        problems.append(Problem("paco2", _("PaCO2 must be between 10 and 150 mmHg.")))
    if ph is not None and ph not in s.ph_plausible:
        problems.append(Problem("ph", _("pH must be between 6.8 and 7.8.")))
    if fio2 is not None and fio2 not in s.fio2_range:
        problems.append(
            Problem("fio2", _("FiO2 must be 0.21 to 1.00 as a fraction, or 21 to 100 as %."))
        )
    if spo2 is not None and not 50 <= spo2 <= 100:
        problems.append(Problem("spo2", _("SpO2 must be between 50 and 100%.")))
    return problems


# --- HRCT score ----------------------------------------------------------------------------


def hrct_totals(scores: dict[str, tuple[int, int]], s: Study | None = None) -> tuple[int, int, int]:
    """(ground-glass total, fibrosis total, overall) summed over the configured zones."""
    s = s or study()
    ggo = sum(scores[zone][0] for zone in s.hrct_zones)
    fib = sum(scores[zone][1] for zone in s.hrct_zones)
    return ggo, fib, ggo + fib


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


def change_from_baseline(baseline: Decimal | None, value: Decimal | None):
    """(absolute change, % change) to 0.1; None where either is missing or baseline is 0."""
    if baseline is None or value is None:
        return None, None
    absolute = (Decimal(value) - Decimal(baseline)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if Decimal(baseline) == 0:
        return absolute, None
    percent = ((Decimal(value) - Decimal(baseline)) / Decimal(baseline) * 100).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    return absolute, percent


@dataclass(frozen=True)
class SummaryStats:
    n: int
    mean: Decimal | None
    sd: Decimal | None
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None


def summary_stats(values) -> SummaryStats:
    """n, mean, sample SD, median, min, max to 0.1; missing and 'not done' values are skipped."""
    import statistics

    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return SummaryStats(0, None, None, None, None, None)

    def q(x):
        return Decimal(x).quantize(Decimal("0.1"), ROUND_HALF_UP)

    return SummaryStats(
        n=len(present),
        mean=q(statistics.mean(present)),
        sd=q(statistics.stdev(present)) if len(present) > 1 else None,
        median=q(statistics.median(present)),
        minimum=q(min(present)),
        maximum=q(max(present)),
    )
