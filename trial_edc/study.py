"""The protocol of NCT06919380 as configuration: one place, read through `study()`.

Apps never hard-code a criterion, a day, a window, a dose or a range: they ask `study()`.
Lines marked [seed] come from the registry page, [design] from ../shared/PROTOCOL.md where
the page is silent. A second trial replaces this object, not the apps.
"""

from dataclasses import dataclass, field
from datetime import time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache


@dataclass(frozen=True)
class Criterion:
    number: int
    text: str


@dataclass(frozen=True)
class Visit:
    """A visit of the schedule. Day 1 = first dose; the window is [target-before, target+after]."""

    code: str
    name: str
    target_day: int
    window_before: int = 0
    window_after: int = 0
    # days after the LAST dose given instead of after day 1 (the safety close visit)
    after_last_dose: bool = False
    # the visit forms (efficacy.visit_forms keys) a visit needs, besides its visit date
    forms: tuple[str, ...] = ()

    @property
    def window_label(self) -> str:
        if self.window_before == self.window_after == 0:
            return "0"
        if self.window_before == self.window_after:
            return f"±{self.window_before}"
        return f"-{self.window_before}/+{self.window_after}"


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal
    unit: str

    def __contains__(self, value) -> bool:
        return value is not None and self.low <= Decimal(str(value)) <= self.high


@dataclass(frozen=True)
class VitalSign:
    """CDASH VSTESTCD code, what a person can have (else refused), and normal (else flagged)."""

    code: str
    name: str
    plausible: Range
    normal: Range


@dataclass(frozen=True)
class LabTest:
    """A laboratory test: results are stored in `unit`; other units convert by a factor
    (value in that unit x factor = value in `unit`). `plausible` (in `unit`) refuses the
    impossible; `reference` is the default normal range offered on the form."""

    code: str
    name: str
    unit: str
    plausible: Range
    reference: tuple[Decimal | None, Decimal | None]
    conversions: tuple[tuple[str, Decimal], ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        return (self.unit, *(u for u, _ in self.conversions))

    def factor(self, unit: str) -> Decimal:
        if unit == self.unit:
            return Decimal(1)
        return dict(self.conversions)[unit]

    # The one rule of unit conversion, for the efficacy and the safety labs alike.
    def to_standard(self, value: Decimal, unit: str) -> Decimal:
        """A value in the unit the study stores (creatinine 1.00 mg/dL = 88.400 µmol/L)."""
        return (Decimal(value) * self.factor(unit)).quantize(Decimal("0.001"), ROUND_HALF_UP)

    def from_standard(self, value: Decimal | None, unit: str) -> Decimal | None:
        """A value in the study unit, expressed in another unit (110 µmol/L = 1.244 mg/dL
        of creatinine)."""
        if value is None:
            return None
        return (Decimal(value) / self.factor(unit)).quantize(Decimal("0.001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Dose:
    volume_ml: Decimal
    particles: Decimal  # particle count per dose
    route: str


@dataclass(frozen=True)
class Reminders:
    """When the daily reminders go out (site-local times) and how the outbox retries."""

    morning: time = time(8, 0)  # today's dose, visit windows opening, visits overdue
    end_of_day: time = time(18, 0)  # a dose or the day's vitals still missing; digests
    visit_lead_days: tuple[int, ...] = (3, 1)  # remind this many days before a window opens
    overdue_catch_up_days: int = 7  # a run missed for days still sends an overdue reminder
    # the site's investigators are reminded of an open SAE after this many hours; at
    # sae_reporting_hours it is escalated to the site's investigators and data managers
    sae_reminder_hours: int = 12
    retry_after_minutes: int = 1  # then doubled after each failed attempt...
    retry_max_minutes: int = 60  # ...up to this
    max_attempts: int = 30  # then the row is failed, and shown to the data managers


@dataclass(frozen=True)
class CriticalItems:
    """Items of one CRF verified against source for every subject: the model's label
    ("app_label.modelname") and its field names (checked against the CRF registry by a test)."""

    model: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SdvPlan:
    """Targeted source data verification: the critical items of every subject, and every
    item of a seeded random fraction of subjects (selected by seed + subject number, so the
    same subjects are selected on every run)."""

    critical: tuple[CriticalItems, ...] = ()
    full_fraction: Decimal = Decimal("0.20")
    seed: str = "sdv"


@dataclass(frozen=True)
class Study:
    protocol_id: str
    title: str
    sponsor_product: str
    inclusion: tuple[Criterion, ...]
    exclusion: tuple[Criterion, ...]
    age_min: int
    age_max: int
    rp_ild_onset_months: int
    screening_window_days: int
    treatment_days: int
    dose: Dose
    safety_window_days_after_last_dose: int
    visits: tuple[Visit, ...]
    vitals: tuple[VitalSign, ...]
    fio2_range: Range = field(default=Range(Decimal("0.21"), Decimal("1.00"), "fraction"))
    # [design] a fall of SpO2 of at least this many points during dosing is a desaturation
    desaturation_points: int = 4
    # SpO2/FiO2 is only meaningful on the flat part of the curve: SpO2 at most this
    sf_ratio_max_spo2: int = 97
    # [design] the HRCT score: per lobe/zone, ground-glass and fibrosis each 0..max
    hrct_zones: tuple[str, ...] = (
        "right upper lobe",
        "right middle lobe",
        "right lower lobe",
        "left upper lobe",
        "lingula",
        "left lower lobe",
    )
    hrct_score_max: int = 5
    # [design] a serious AE is reported to the sponsor within this many hours
    sae_reporting_hours: int = 24
    # [design] plausible arterial blood gas values (else refused)
    pao2_plausible: Range = field(default=Range(Decimal("20"), Decimal("700"), "mmHg"))
    paco2_plausible: Range = field(default=Range(Decimal("10"), Decimal("150"), "mmHg"))
    ph_plausible: Range = field(default=Range(Decimal("6.8"), Decimal("7.8"), ""))
    spo2_plausible: Range = field(default=Range(Decimal("50"), Decimal("100"), "%"))
    # [design] oxygen flow (L/min) a support can deliver; 0 is no flow (room air)
    oxygen_flow_max: Range = field(default=Range(Decimal("0"), Decimal("80"), "L/min"))
    labs: tuple[LabTest, ...] = ()
    # the safety laboratory (safety.labs): the panels entered on any treatment day or at an
    # unscheduled visit, graded by the CTCAE version below (safety/data/lab_grading_*.csv)
    safety_labs: tuple[LabTest, ...] = ()
    haematology: tuple[str, ...] = ()  # codes of safety_labs, in the form's order
    chemistry: tuple[str, ...] = ()
    ctcae_version: str = "5.0"
    # a graded value proposes an AE to the investigators at this grade, or when it rose by
    # this many grades from the baseline's
    lab_signal_grade: int = 3
    lab_signal_rise: int = 2
    # [design] plausible pulmonary function values (else refused)
    fvc_litres_plausible: Range = field(default=Range(Decimal("0.2"), Decimal("8.0"), "L"))
    percent_predicted_plausible: Range = field(default=Range(Decimal("5"), Decimal("200"), "%"))
    # [design] reminders and notifications (trial_edc/notifications), in each site's time zone
    reminders: Reminders = field(default=Reminders())
    # [design] targeted source data verification (datamanagement.sdv)
    sdv: SdvPlan = field(default=SdvPlan())

    def visit(self, code: str) -> Visit:
        return next(v for v in self.visits if v.code == code)

    def vital(self, code: str) -> VitalSign:
        return next(v for v in self.vitals if v.code == code)

    def lab(self, code: str) -> LabTest:
        return next(t for t in self.labs if t.code == code)

    def safety_lab(self, code: str) -> LabTest:
        return next(t for t in self.safety_labs if t.code == code)


def _r(low, high, unit) -> Range:
    return Range(Decimal(str(low)), Decimal(str(high)), unit)


def _lab(code, name, unit, plausible, reference, *conversions) -> LabTest:
    low, high = (None if x is None else Decimal(str(x)) for x in reference)
    return LabTest(
        code,
        name,
        unit,
        _r(*plausible, unit),
        (low, high),
        tuple((u, Decimal(str(f))) for u, f in conversions),
    )


# Tests on both panels (efficacy visits and the safety laboratory): one definition each.
# Counts: 1 /mm3 = 0.001 x 10^9/L; bilirubin 1 mg/dL = 17.1 µmol/L; creatinine 88.4.
_COUNT_UNITS = (("10^3/µL", 1), ("/mm³", "0.001"))
CK = _lab("CK", "Creatine kinase", "U/L", (1, 200000), (26, 200), ("µkat/L", 60))
AST = _lab("AST", "Aspartate aminotransferase", "U/L", (1, 20000), (None, 40), ("µkat/L", 60))
ALT = _lab("ALT", "Alanine aminotransferase", "U/L", (1, 20000), (None, 40), ("µkat/L", 60))
CREAT = _lab("CREAT", "Creatinine", "µmol/L", (5, 3000), (45, 110), ("mg/dL", "88.4"))
WBC = _lab("WBC", "White blood cells", "10^9/L", ("0.01", 500), (4, 10), *_COUNT_UNITS)
LYM = _lab("LYM", "Lymphocytes", "10^9/L", (0, 300), ("1.0", "3.2"), *_COUNT_UNITS)
HGB = _lab("HGB", "Haemoglobin", "g/L", (10, 250), (115, 175), ("g/dL", 10), ("mmol/L", "16.11"))
NEUT = _lab("NEUT", "Neutrophils", "10^9/L", (0, 300), ("1.8", "6.3"), *_COUNT_UNITS)
PLAT = _lab("PLAT", "Platelets", "10^9/L", (1, 2000), (125, 350), *_COUNT_UNITS)
BILI = _lab("BILI", "Total bilirubin", "µmol/L", (1, 1000), ("3.4", "20.5"), ("mg/dL", "17.1"))
ALP = _lab("ALP", "Alkaline phosphatase", "U/L", (5, 10000), (45, 125), ("µkat/L", 60))


# The efficacy set of a visit (efficacy.visit_forms); the visit date is always required.
EFFICACY_SET = ("oxygenation", "pft", "labs", "hrct")
FOLLOW_UP_SET = ("follow_up", "oxygenation", "pft", "hrct")


NCT06919380 = Study(
    protocol_id="NCT06919380",
    title="Nebulized MSC-Exos for Anti-MDA5+ RP-ILD: Safety and Efficacy Trial",
    sponsor_product="MSC-exos-P1",
    # [seed] word for word as in PROTOCOL.md
    inclusion=(
        Criterion(
            1,
            "Positive for anti-MDA5 antibody dermatomyositis (per the Chinese Expert Consensus "
            "on the Diagnosis and Treatment of Anti-MDA5 Positive Dermatomyositis (2023 Edition)).",
        ),
        Criterion(2, "Pulmonary lesions meet the diagnostic criteria for RP-ILD."),
    ),
    exclusion=(
        Criterion(
            1,
            "Pregnant or breastfeeding women, women planning pregnancy during the study, or men "
            "unwilling to use contraception throughout the trial.",
        ),
        Criterion(
            2,
            "History of severe allergies, or allergy to the main active ingredients of the "
            "trial medication.",
        ),
        Criterion(
            3, "Currently severe pulmonary infection, pneumothorax, or large pleural effusion."
        ),
        Criterion(4, "Currently diagnosed pulmonary embolism."),
        Criterion(5, "Currently on mechanical ventilation through tracheal intubation."),
        Criterion(
            6, "Currently on extracorporeal life support (ECMO, CRRT, PMX-DHP, plasma exchange)."
        ),
        Criterion(7, "Currently severe heart failure, liver or kidney insufficiency."),
        Criterion(8, "Expected lung transplantation in the near future."),
        Criterion(9, "Lung cancer, or pulmonary nodules suspected to be early-stage lung cancer."),
        Criterion(10, "Primary immunodeficiency disease."),
        Criterion(
            11,
            "Active infectious disease (including but not limited to HIV positivity, active "
            "tuberculosis) judged unsuitable by the investigator.",
        ),
        Criterion(
            12,
            "Other trial medication within 28 days before starting treatment that the "
            "investigator judges may interfere with safety/efficacy assessment.",
        ),
        Criterion(
            13,
            "Other situations not in the subject's best interest or unsuitable for participation "
            "(e.g. poor compliance), per the investigator.",
        ),
    ),
    # [seed] 18-75; [design] inclusive, from date of birth at the consent date
    age_min=18,
    age_max=75,
    # [design] RP-ILD: progression within 3 months of respiratory symptom onset
    rp_ild_onset_months=3,
    # [design] screening from day -7 to day 0
    screening_window_days=7,
    # [seed] once daily for 14 days
    treatment_days=14,
    # [design] the dose per nebulization; set by the sponsor's product specification
    dose=Dose(volume_ml=Decimal("5.0"), particles=Decimal("2.0E+10"), route="inhalation"),
    # [seed] adverse events within 30 days after treatment
    safety_window_days_after_last_dose=30,
    # [design] the schedule of assessments
    visits=(
        Visit("SCREENING", "Screening", target_day=-7, window_before=0, window_after=7),
        Visit("BASELINE", "Baseline (day 1, pre-dose)", target_day=1, forms=EFFICACY_SET),
        Visit(
            "DAY14", "Day 14", target_day=14, window_before=1, window_after=1, forms=EFFICACY_SET
        ),
        Visit(
            "DAY28", "Day 28", target_day=28, window_before=3, window_after=3, forms=EFFICACY_SET
        ),
        Visit(
            "SAFETY_CLOSE",
            "Safety close (30 days after last dose)",
            target_day=30,
            window_after=3,
            after_last_dose=True,
        ),
        Visit("MONTH3", "Month 3", 90, window_before=14, window_after=14, forms=FOLLOW_UP_SET),
        Visit("MONTH6", "Month 6", 180, window_before=14, window_after=14, forms=FOLLOW_UP_SET),
        Visit("MONTH12", "Month 12", 365, window_before=30, window_after=30, forms=FOLLOW_UP_SET),
    ),
    # [design] the serology / laboratory panel: stored unit, plausible range (else refused),
    # default adult reference range (editable per result), other units with their factor
    labs=(
        _lab(
            "FERRITIN",
            "Ferritin",
            "ng/mL",
            (0, 100000),
            (15, 150),
            ("µg/L", 1),
            ("pmol/L", "0.445"),
        ),
        _lab("KL6", "KL-6", "U/mL", (0, 50000), (None, 500)),
        _lab("CRP", "C-reactive protein", "mg/L", (0, 1000), (None, 10), ("mg/dL", 10)),
        _lab("LDH", "Lactate dehydrogenase", "U/L", (10, 20000), (120, 250), ("µkat/L", 60)),
        _lab("IL6", "Interleukin-6", "pg/mL", (0, 100000), (None, 7)),
        _lab("MDA5", "Anti-MDA5 antibody titre", "U/mL", (0, 10000), (None, 32)),
        CK,
        AST,
        ALT,
        CREAT,
        WBC,
        LYM,
    ),
    # [design] the safety laboratory (registry: "laboratory tests" during treatment); the
    # reporting lab's own limits come from the site's configuration (safety.LabReferenceRange)
    safety_labs=(HGB, WBC, NEUT, LYM, PLAT, ALT, AST, BILI, CREAT, ALP, CK),
    haematology=("HGB", "WBC", "NEUT", "LYM", "PLAT"),
    chemistry=("ALT", "AST", "BILI", "CREAT", "ALP", "CK"),
    ctcae_version="5.0",
    # [design] the critical items verified for every subject; every item of 20 % of subjects
    sdv=SdvPlan(
        critical=(
            # eligibility and consent
            CriticalItems(
                "enrollment.eligibilitychecklist",
                (
                    "anti_mda5_result",
                    "anti_mda5_titre",
                    "symptom_onset_date",
                    "hrct_finding",
                    "pregnancy_test_result",
                    "inclusion_1",
                    "inclusion_2",
                    *(f"exclusion_{n}" for n in range(1, 14)),
                ),
            ),
            CriticalItems("enrollment.consent", ("version", "signed_at", "taken_by")),
            CriticalItems("enrollment.subject", ("day1", "status", "ended_on")),
            # dosing
            CriticalItems(
                "dosing.doseadministration",
                ("date", "status", "start_time", "stop_time", "volume_ml", "particles", "lot"),
            ),
            # adverse events and serious adverse events
            CriticalItems(
                "safety.adverseevent",
                (
                    "aeterm",
                    "aestdtc",
                    "aeendtc",
                    "ongoing",
                    "aetoxgr",
                    "aeser",
                    "aesdth",
                    "aeslife",
                    "aeshosp",
                    "aesdisab",
                    "aescong",
                    "aesmie",
                    "aerel",
                    "aeout",
                ),
            ),
            CriticalItems(
                "safety.adverseeventfollowup",
                ("assessed_on", "aetoxgr", "aeout", "aeendtc", "aeser"),
            ),
            # the primary and secondary endpoints: oxygenation, lung function, HRCT, survival
            CriticalItems("efficacy.bloodgas", ("sampled_at", "pao2", "fio2", "spo2")),
            CriticalItems(
                "efficacy.pulmonaryfunctiontest",
                (
                    "done",
                    "performed_on",
                    "fvc_litres",
                    "fvc_percent_predicted",
                    "dlco_percent_predicted",
                ),
            ),
            CriticalItems(
                "efficacy.hrctscore",
                ("done", "scanned_on", *(f"{k}_{n}" for n in range(1, 7) for k in ("ggo", "fib"))),
            ),
            CriticalItems("efficacy.followupstatus", ("assessed_on", "vital_status", "death_date")),
        ),
        full_fraction=Decimal("0.20"),
        seed="NCT06919380-sdv-1",
    ),
    # [design] plausible = physiologically possible (else refused); normal = adult reference
    vitals=(
        VitalSign("TEMP", "Temperature", _r(30, 45, "°C"), _r("36.0", "37.5", "°C")),
        VitalSign("HR", "Heart rate", _r(20, 250, "beats/min"), _r(60, 100, "beats/min")),
        VitalSign("RESP", "Respiratory rate", _r(4, 80, "breaths/min"), _r(12, 20, "breaths/min")),
        VitalSign("SYSBP", "Systolic blood pressure", _r(50, 280, "mmHg"), _r(90, 140, "mmHg")),
        VitalSign("DIABP", "Diastolic blood pressure", _r(20, 180, "mmHg"), _r(60, 90, "mmHg")),
        VitalSign("OXYSAT", "Oxygen saturation (SpO2)", _r(50, 100, "%"), _r(94, 100, "%")),
    ),
)


@cache
def study() -> Study:
    """The study this installation runs."""
    return NCT06919380
