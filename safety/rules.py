"""Daily vital signs: what is impossible (refused) and what is abnormal (saved, flagged)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from enrollment.rules import Problem
from trial_edc.study import Study, study

# oxygen support codes (see safety.models.OxygenSupport) that need a flow and/or an FiO2
NEEDS_FLOW = {"NASAL_CANNULA", "MASK", "HFNC"}
NEEDS_FIO2 = {"HFNC", "NIV", "INVASIVE"}
ROOM_AIR = "ROOM_AIR"
VITAL_FIELDS = {
    "TEMP": "temp",
    "HR": "hr",
    "RESP": "resp",
    "SYSBP": "sysbp",
    "DIABP": "diabp",
    "OXYSAT": "oxysat",
}


def vital_problems(values: dict, s: Study | None = None) -> list[Problem]:
    """Values a living person cannot have, and contradictions between fields."""
    s = s or study()
    problems = []
    for code, field in VITAL_FIELDS.items():
        value = values.get(field)
        vital = s.vital(code)
        if value is not None and value not in vital.plausible:
            problems.append(
                Problem(
                    field,
                    _("%(name)s must be between %(low)s and %(high)s %(unit)s.")
                    % {
                        "name": vital.name,
                        "low": vital.plausible.low,
                        "high": vital.plausible.high,
                        "unit": vital.plausible.unit,
                    },
                )
            )
    sys, dia = values.get("sysbp"), values.get("diabp")
    if sys is not None and dia is not None and sys <= dia:
        problems.append(Problem("diabp", _("The diastolic pressure must be below the systolic.")))
    support, fio2, flow = values.get("oxygen_support"), values.get("fio2"), values.get("flow")
    if fio2 is not None and fio2 not in s.fio2_range:
        problems.append(Problem("fio2", _("FiO2 is a fraction from 0.21 to 1.00.")))
    if support == ROOM_AIR and fio2 is not None and fio2 != Decimal("0.21"):
        problems.append(Problem("fio2", _("On room air FiO2 is 0.21.")))
    if support in NEEDS_FLOW and flow is None:
        problems.append(Problem("flow", _("Give the oxygen flow in L/min.")))
    if support in NEEDS_FIO2 and fio2 is None:
        problems.append(Problem("fio2", _("Give the FiO2 of this oxygen support.")))
    if flow is not None and not Decimal("0") < flow <= Decimal("80"):
        problems.append(Problem("flow", _("The flow must be between 0 and 80 L/min.")))
    return problems


def vital_flags(values: dict, s: Study | None = None) -> list[tuple[str, str]]:
    """(field, 'low'|'high') for each value outside the configured normal range."""
    s = s or study()
    flags = []
    for code, field in VITAL_FIELDS.items():
        value = values.get(field)
        if value is None:
            continue
        normal = s.vital(code).normal
        if Decimal(str(value)) < normal.low:
            flags.append((field, "low"))
        elif Decimal(str(value)) > normal.high:
            flags.append((field, "high"))
    return flags
