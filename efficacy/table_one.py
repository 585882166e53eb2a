"""Table 1: the baseline characteristics of the enrolled subjects, from the screening's
demographics and disease history, the baseline visit's efficacy set and the con-med list
(treatments taken at day 1). The statistics are efficacy.rules' (describe_*); how each
continuous variable is summarised is study().baseline.table_one_distribution."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dosing.models import ConcomitantMedication
from efficacy import rules
from efficacy.endpoints import NOT_DONE
from enrollment.models import Sex, SmokingStatus
from enrollment.rules import age_in_years
from enrollment.schedule.rules import baseline_code
from trial_edc.study import study

CATEGORICAL, MULTI = "categorical", "multi"


@dataclass(frozen=True)
class SubjectFacts:
    """What Table 1 needs of one subject, as plain values (None: missing)."""

    sex: str | None = None
    age: int | None = None
    bmi: Decimal | None = None
    smoking: str | None = None
    dm_months: Decimal | None = None
    ild_months: Decimal | None = None
    baseline: dict = field(default_factory=dict)  # efficacy measure code -> value
    treatments: frozenset = frozenset()  # con-med categories taken at baseline


@dataclass(frozen=True)
class Variable:
    code: str
    label: str
    unit: str
    kind: str  # normal | skewed | categorical | multi
    value: object  # SubjectFacts -> value (or set, for multi)
    levels: tuple = ()


def variables() -> list[Variable]:
    s = study()
    dist = s.baseline.distribution

    def cont(code, label, unit, value):
        return Variable(code, label, unit, dist(code), value)

    def lab(code, label=None):
        test = s.lab(code)
        return cont(code, label or test.name, test.unit, lambda f: f.baseline.get(code))

    return [
        cont("AGE", _("Age at consent"), _("years"), lambda f: f.age),
        Variable("SEX", _("Sex"), "", CATEGORICAL, lambda f: f.sex, tuple(Sex.choices)),
        cont("BMI", _("Body mass index"), "kg/m²", lambda f: f.bmi),
        Variable(
            "SMOKING",
            _("Smoking status"),
            "",
            CATEGORICAL,
            lambda f: f.smoking,
            tuple(SmokingStatus.choices),
        ),
        cont("DM_DURATION", _("Dermatomyositis duration"), _("months"), lambda f: f.dm_months),
        cont("ILD_DURATION", _("ILD duration"), _("months"), lambda f: f.ild_months),
        lab("MDA5", _("Anti-MDA5 antibody titre")),
        lab("FERRITIN"),
        lab("KL6"),
        lab("CRP"),
        cont("PF_RATIO", _("PaO2/FiO2"), "mmHg", lambda f: f.baseline.get("PF_RATIO")),
        cont("FVC_PCT", _("FVC"), _("% predicted"), lambda f: f.baseline.get("FVC_PCT")),
        cont("DLCO_PCT", _("DLCO"), _("% predicted"), lambda f: f.baseline.get("DLCO_PCT")),
        cont(
            "HRCT_TOTAL", _("HRCT total score"), _("points"), lambda f: f.baseline.get("HRCT_TOTAL")
        ),
        Variable(
            "TREATMENT",
            _("Treatments at baseline"),
            "",
            MULTI,
            lambda f: f.treatments,
            tuple(ConcomitantMedication.Category.choices),
        ),
    ]


@dataclass(frozen=True)
class Row:
    variable: Variable
    stats: object  # rules.Continuous or rules.Categorical
    text: str = ""  # continuous: "mean ± SD" or "median [Q1–Q3]"

    @property
    def statistic(self) -> str:
        return {
            "normal": _("mean ± SD"),
            "skewed": _("median [Q1–Q3]"),
            CATEGORICAL: "n (%)",
            MULTI: "n (%)",
        }[self.variable.kind]

    @property
    def continuous(self) -> bool:
        return self.variable.kind not in (CATEGORICAL, MULTI)


def build(facts: list[SubjectFacts]) -> list[Row]:
    rows = []
    for v in variables():
        values = [v.value(f) for f in facts]
        if v.kind == CATEGORICAL:
            rows.append(Row(v, rules.describe_categorical(values, v.levels)))
        elif v.kind == MULTI:
            rows.append(Row(v, rules.describe_multi(values, v.levels)))
        else:
            stats = rules.describe_continuous(values)
            rows.append(Row(v, stats, rules.continuous_text(stats, v.kind)))
    return rows


def facts_of(subject, by_measure: dict, treatments: set, consent_date: date | None) -> SubjectFacts:
    """One subject's Table 1 facts from its screening (with its demographics, disease
    history), its efficacy values by measure and visit and its treatments at baseline."""
    screening = subject.screening
    demographics = getattr(screening, "demographics", None)
    history = getattr(screening, "disease_history", None)
    code = baseline_code()
    baseline = {}
    for measure, by_visit in by_measure.items():
        value = by_visit.get(code)
        baseline[measure] = None if value is NOT_DONE else value
    return SubjectFacts(
        sex=screening.sex or None,
        age=age_in_years(screening.date_of_birth, consent_date) if consent_date else None,
        bmi=demographics.bmi if demographics else None,
        smoking=demographics.suncf if demographics else None,
        dm_months=rules.months_between(history.dm_diagnosed_on, subject.day1) if history else None,
        ild_months=rules.months_between(history.ild_diagnosed_on, subject.day1)
        if history
        else None,
        baseline=baseline,
        treatments=frozenset(treatments),
    )
