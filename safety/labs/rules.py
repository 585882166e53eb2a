"""The laboratory value rules both panels share (the efficacy visit panel and the safety
laboratory): a unit the test knows, a value that is possible (`LabTest.plausible`, from the
study configuration), limits in order. Field names are `<code>_value`, `<code>_unit`,
`<code>_low`, `<code>_high`, as on both laboratory forms."""

from django.utils.translation import gettext as _

from trial_edc.core.problems import Problem
from trial_edc.study import LabTest


def lab_result_problems(test: LabTest, *, value, unit, low, high) -> list[Problem]:
    """Field names are `<code>_value`, `<code>_unit`… as on the laboratory form."""
    code = test.code
    problems = []
    if unit not in test.units:
        return [Problem(f"{code}_unit", _("Choose one of %(u)s.") % {"u": ", ".join(test.units)})]
    if value is not None and test.to_standard(value, unit) not in test.plausible:
        problems.append(
            Problem(
                f"{code}_value",
                _("%(test)s cannot be %(v)s %(unit)s (possible: %(low)s–%(high)s %(std)s).")
                % {
                    "test": test.name,
                    "v": value,
                    "unit": unit,
                    "low": test.plausible.low,
                    "high": test.plausible.high,
                    "std": test.unit,
                },
            )
        )
    if low is not None and high is not None and low > high:
        problems.append(Problem(f"{code}_high", _("The upper limit is below the lower one.")))
    if value is None and (low is not None or high is not None):
        problems.append(Problem(f"{code}_value", _("Give the value, or clear the range.")))
    return problems
