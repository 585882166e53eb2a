"""The protocol of NCT06919380 as configuration: one place, read through `study()`.

Apps never hard-code a criterion, a day, a window, a dose or a range: they ask `study()`.
Lines marked [seed] come from the registry page, [design] from ../shared/PROTOCOL.md where
the page is silent. A second trial replaces this object, not the apps.
"""

from dataclasses import dataclass, field
from datetime import time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.utils.functional import lazy
from django.utils.translation import get_language


def _in_language(en: str, zh: str) -> str:
    language = (get_language() or "en").lower()
    return zh if zh and language.startswith("zh") else en


# The configuration's wording in the reader's language: English (the registry's, the
# reference) or the site's Simplified Chinese translation. Evaluated when shown.
bilingual = lazy(_in_language, str)


@dataclass(frozen=True)
class Criterion:
    number: int
    text_en: str  # as registered
    text_zh: str = ""  # the site's translation (Simplified Chinese)

    @property
    def text(self) -> str:
        """In the language active now (English, or the site's Chinese)."""
        return _in_language(self.text_en, self.text_zh)

    @property
    def label(self) -> str:
        """The same, made text only when shown (for labels defined at import time)."""
        return bilingual(self.text_en, self.text_zh)


@dataclass(frozen=True)
class Visit:
    """A visit of the schedule. Day 1 = first dose; the window is [target-before, target+after]."""

    code: str
    name_en: str
    target_day: int
    window_before: int = 0
    window_after: int = 0
    # days after the LAST dose given instead of after day 1 (the safety close visit)
    after_last_dose: bool = False
    # the visit forms (efficacy.visit_forms keys) a visit needs, besides its visit date
    forms: tuple[str, ...] = ()
    name_zh: str = ""

    @property
    def name(self) -> str:
        """In the language active now (English, or the site's Chinese)."""
        return _in_language(self.name_en, self.name_zh)

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
    name_en: str
    plausible: Range
    normal: Range
    name_zh: str = ""

    @property
    def name(self) -> str:
        """In the language active now (English, or the site's Chinese)."""
        return _in_language(self.name_en, self.name_zh)


@dataclass(frozen=True)
class LabTest:
    """A laboratory test: results are stored in `unit`; other units convert by a factor
    (value in that unit x factor = value in `unit`). `plausible` (in `unit`) refuses the
    impossible; `reference` is the default normal range offered on the form."""

    code: str
    name_en: str
    unit: str
    plausible: Range
    reference: tuple[Decimal | None, Decimal | None]
    conversions: tuple[tuple[str, Decimal], ...] = ()
    name_zh: str = ""

    @property
    def name(self) -> str:
        """In the language active now (English, or the site's Chinese)."""
        return _in_language(self.name_en, self.name_zh)

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
class HistoryCondition:
    """A condition the medical history offers first (the exclusion criteria ask about it):
    a code, the term as recorded, and the exclusion criterion it belongs to."""

    code: str
    term: str
    exclusion: int


NORMAL, SKEWED = "normal", "skewed"


@dataclass(frozen=True)
class Baseline:
    """[design] The screening-time baseline CRFs (demographics, medical history, disease history)
    and Table 1 (efficacy.table_one)."""

    height_plausible: Range = Range(Decimal("100"), Decimal("230"), "cm")
    weight_plausible: Range = Range(Decimal("25"), Decimal("250"), "kg")
    # the conditions the exclusion criteria ask about, offered first in the medical history
    history_conditions: tuple[HistoryCondition, ...] = (
        HistoryCondition("SEVERE_ALLERGY", "Severe allergy", 2),
        HistoryCondition("PULMONARY_INFECTION", "Severe pulmonary infection", 3),
        HistoryCondition("PNEUMOTHORAX", "Pneumothorax", 3),
        HistoryCondition("PLEURAL_EFFUSION", "Large pleural effusion", 3),
        HistoryCondition("PULMONARY_EMBOLISM", "Pulmonary embolism", 4),
        HistoryCondition("HEART_FAILURE", "Heart failure", 7),
        HistoryCondition("LIVER_INSUFFICIENCY", "Liver insufficiency", 7),
        HistoryCondition("KIDNEY_INSUFFICIENCY", "Kidney insufficiency", 7),
        HistoryCondition("LUNG_CANCER", "Lung cancer or suspicious pulmonary nodule", 9),
        HistoryCondition("PRIMARY_IMMUNODEFICIENCY", "Primary immunodeficiency", 10),
        HistoryCondition("HIV", "HIV infection", 11),
        HistoryCondition("TUBERCULOSIS", "Tuberculosis", 11),
    )
    # Table 1: how each continuous variable is summarised, mean ± SD ("normal") or
    # median [IQR] ("skewed"); codes as in efficacy.table_one
    table_one_distribution: tuple[tuple[str, str], ...] = (
        ("AGE", NORMAL),
        ("DM_DURATION", SKEWED),
        ("ILD_DURATION", SKEWED),
        ("MDA5", SKEWED),
        ("FERRITIN", SKEWED),
        ("KL6", SKEWED),
        ("CRP", SKEWED),
        ("PF_RATIO", NORMAL),
        ("FVC_PCT", NORMAL),
        ("DLCO_PCT", NORMAL),
        ("HRCT_TOTAL", NORMAL),
        ("BMI", NORMAL),
    )

    def distribution(self, code: str) -> str:
        return dict(self.table_one_distribution).get(code, NORMAL)


@dataclass(frozen=True)
class Study:
    protocol_id: str
    title_en: str
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
        bilingual("right upper lobe", "右肺上叶"),
        bilingual("right middle lobe", "右肺中叶"),
        bilingual("right lower lobe", "右肺下叶"),
        bilingual("left upper lobe", "左肺上叶"),
        bilingual("lingula", "舌段"),
        bilingual("left lower lobe", "左肺下叶"),
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
    # [design] a site code is this many ASCII digits (01, 02...): it prefixes screening and
    # subject numbers (01-003)
    site_code_digits: int = 2
    # [design] reminders and notifications (trial_edc/notifications), in each site's time zone
    reminders: Reminders = field(default=Reminders())
    # [design] targeted source data verification (datamanagement.sdv)
    sdv: SdvPlan = field(default=SdvPlan())
    # [design] the baseline CRFs of screening and Table 1
    baseline: Baseline = field(default=Baseline())

    title_zh: str = ""

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_zh)

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
    """`name` is (English, Simplified Chinese)."""
    low, high = (None if x is None else Decimal(str(x)) for x in reference)
    return LabTest(
        code,
        name[0],
        unit,
        _r(*plausible, unit),
        (low, high),
        tuple((u, Decimal(str(f))) for u, f in conversions),
        name_zh=name[1],
    )


# Tests on both panels (efficacy visits and the safety laboratory): one definition each.
# Counts: 1 /mm3 = 0.001 x 10^9/L; bilirubin 1 mg/dL = 17.1 µmol/L; creatinine 88.4.
_COUNT_UNITS = (("10^3/µL", 1), ("/mm³", "0.001"))
CK = _lab("CK", ("Creatine kinase", "肌酸激酶"), "U/L", (1, 200000), (26, 200), ("µkat/L", 60))
AST = _lab(
    "AST",
    ("Aspartate aminotransferase", "天门冬氨酸氨基转移酶"),
    "U/L",
    (1, 20000),
    (None, 40),
    ("µkat/L", 60),
)
ALT = _lab(
    "ALT",
    ("Alanine aminotransferase", "丙氨酸氨基转移酶"),
    "U/L",
    (1, 20000),
    (None, 40),
    ("µkat/L", 60),
)
CREAT = _lab("CREAT", ("Creatinine", "肌酐"), "µmol/L", (5, 3000), (45, 110), ("mg/dL", "88.4"))
WBC = _lab(
    "WBC", ("White blood cells", "白细胞计数"), "10^9/L", ("0.01", 500), (4, 10), *_COUNT_UNITS
)
LYM = _lab(
    "LYM", ("Lymphocytes", "淋巴细胞计数"), "10^9/L", (0, 300), ("1.0", "3.2"), *_COUNT_UNITS
)
HGB = _lab(
    "HGB",
    ("Haemoglobin", "血红蛋白"),
    "g/L",
    (10, 250),
    (115, 175),
    ("g/dL", 10),
    ("mmol/L", "16.11"),
)
NEUT = _lab(
    "NEUT", ("Neutrophils", "中性粒细胞计数"), "10^9/L", (0, 300), ("1.8", "6.3"), *_COUNT_UNITS
)
PLAT = _lab("PLAT", ("Platelets", "血小板计数"), "10^9/L", (1, 2000), (125, 350), *_COUNT_UNITS)
BILI = _lab(
    "BILI", ("Total bilirubin", "总胆红素"), "µmol/L", (1, 1000), ("3.4", "20.5"), ("mg/dL", "17.1")
)
ALP = _lab(
    "ALP", ("Alkaline phosphatase", "碱性磷酸酶"), "U/L", (5, 10000), (45, 125), ("µkat/L", 60)
)


# The efficacy set of a visit (efficacy.visit_forms); the visit date is always required.
EFFICACY_SET = ("oxygenation", "pft", "labs", "hrct")
FOLLOW_UP_SET = ("follow_up", "oxygenation", "pft", "hrct")


NCT06919380 = Study(
    protocol_id="NCT06919380",
    title_en="Nebulized MSC-Exos for Anti-MDA5+ RP-ILD: Safety and Efficacy Trial",
    title_zh="雾化吸入间充质干细胞外泌体治疗抗MDA5抗体阳性快速进展性间质性肺疾病的安全性和有效性试验",
    sponsor_product="MSC-exos-P1",
    # [seed] word for word as in PROTOCOL.md; the Chinese is the site's translation (the
    # registry's English is the reference)
    inclusion=(
        Criterion(
            1,
            "Positive for anti-MDA5 antibody dermatomyositis (per the Chinese Expert Consensus "
            "on the Diagnosis and Treatment of Anti-MDA5 Positive Dermatomyositis (2023 Edition)).",
            "抗MDA5抗体阳性皮肌炎（依据《抗MDA5抗体阳性皮肌炎诊疗中国专家共识（2023版）》）。",
        ),
        Criterion(
            2,
            "Pulmonary lesions meet the diagnostic criteria for RP-ILD.",
            "肺部病变符合快速进展性间质性肺疾病（RP-ILD）的诊断标准。",
        ),
    ),
    exclusion=(
        Criterion(
            1,
            "Pregnant or breastfeeding women, women planning pregnancy during the study, or men "
            "unwilling to use contraception throughout the trial.",
            "妊娠期或哺乳期女性、研究期间计划妊娠的女性，或不愿在整个试验期间采取避孕措施的男性。",
        ),
        Criterion(
            2,
            "History of severe allergies, or allergy to the main active ingredients of the "
            "trial medication.",
            "有严重过敏史，或对试验药物主要活性成分过敏者。",
        ),
        Criterion(
            3,
            "Currently severe pulmonary infection, pneumothorax, or large pleural effusion.",
            "目前存在严重肺部感染、气胸或大量胸腔积液者。",
        ),
        Criterion(
            4,
            "Currently diagnosed pulmonary embolism.",
            "目前确诊肺栓塞者。",
        ),
        Criterion(
            5,
            "Currently on mechanical ventilation through tracheal intubation.",
            "目前经气管插管行机械通气者。",
        ),
        Criterion(
            6,
            "Currently on extracorporeal life support (ECMO, CRRT, PMX-DHP, plasma exchange).",
            "目前正在接受体外生命支持（ECMO、CRRT、PMX-DHP、血浆置换）者。",
        ),
        Criterion(
            7,
            "Currently severe heart failure, liver or kidney insufficiency.",
            "目前存在严重心力衰竭、肝功能不全或肾功能不全者。",
        ),
        Criterion(
            8,
            "Expected lung transplantation in the near future.",
            "预计近期行肺移植者。",
        ),
        Criterion(
            9,
            "Lung cancer, or pulmonary nodules suspected to be early-stage lung cancer.",
            "肺癌，或肺结节疑似早期肺癌者。",
        ),
        Criterion(
            10,
            "Primary immunodeficiency disease.",
            "原发性免疫缺陷病患者。",
        ),
        Criterion(
            11,
            "Active infectious disease (including but not limited to HIV positivity, active "
            "tuberculosis) judged unsuitable by the investigator.",
            "存在活动性感染性疾病（包括但不限于HIV阳性、活动性肺结核），经研究者判断不适合参加本研究者。",
        ),
        Criterion(
            12,
            "Other trial medication within 28 days before starting treatment that the "
            "investigator judges may interfere with safety/efficacy assessment.",
            "开始治疗前28天内使用过其他试验药物，且研究者判断可能干扰安全性/有效性评估者。",
        ),
        Criterion(
            13,
            "Other situations not in the subject's best interest or unsuitable for participation "
            "(e.g. poor compliance), per the investigator.",
            "研究者判断存在其他不符合受试者最佳利益或不适合参加本研究的情况（如依从性差）者。",
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
        Visit(
            "SCREENING",
            "Screening",
            target_day=-7,
            window_before=0,
            window_after=7,
            name_zh="筛选期",
        ),
        Visit(
            "BASELINE",
            "Baseline (day 1, pre-dose)",
            target_day=1,
            forms=EFFICACY_SET,
            name_zh="基线（第1天，给药前）",
        ),
        Visit(
            "DAY14",
            "Day 14",
            target_day=14,
            window_before=1,
            window_after=1,
            forms=EFFICACY_SET,
            name_zh="第14天",
        ),
        Visit(
            "DAY28",
            "Day 28",
            target_day=28,
            window_before=3,
            window_after=3,
            forms=EFFICACY_SET,
            name_zh="第28天",
        ),
        Visit(
            "SAFETY_CLOSE",
            "Safety close (30 days after last dose)",
            target_day=30,
            window_after=3,
            after_last_dose=True,
            name_zh="安全性随访结束（末次给药后30天）",
        ),
        Visit(
            "MONTH3",
            "Month 3",
            90,
            window_before=14,
            window_after=14,
            forms=FOLLOW_UP_SET,
            name_zh="第3个月",
        ),
        Visit(
            "MONTH6",
            "Month 6",
            180,
            window_before=14,
            window_after=14,
            forms=FOLLOW_UP_SET,
            name_zh="第6个月",
        ),
        Visit(
            "MONTH12",
            "Month 12",
            365,
            window_before=30,
            window_after=30,
            forms=FOLLOW_UP_SET,
            name_zh="第12个月",
        ),
    ),
    # [design] the serology / laboratory panel: stored unit, plausible range (else refused),
    # default adult reference range (editable per result), other units with their factor
    labs=(
        _lab(
            "FERRITIN",
            ("Ferritin", "铁蛋白"),
            "ng/mL",
            (0, 100000),
            (15, 150),
            ("µg/L", 1),
            ("pmol/L", "0.445"),
        ),
        _lab("KL6", ("KL-6", "涎液化糖链抗原-6（KL-6）"), "U/mL", (0, 50000), (None, 500)),
        _lab(
            "CRP", ("C-reactive protein", "C反应蛋白"), "mg/L", (0, 1000), (None, 10), ("mg/dL", 10)
        ),
        _lab(
            "LDH",
            ("Lactate dehydrogenase", "乳酸脱氢酶"),
            "U/L",
            (10, 20000),
            (120, 250),
            ("µkat/L", 60),
        ),
        _lab("IL6", ("Interleukin-6", "白细胞介素-6"), "pg/mL", (0, 100000), (None, 7)),
        _lab(
            "MDA5", ("Anti-MDA5 antibody titre", "抗MDA5抗体滴度"), "U/mL", (0, 10000), (None, 32)
        ),
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
        VitalSign(
            "TEMP", "Temperature", _r(30, 45, "°C"), _r("36.0", "37.5", "°C"), name_zh="体温"
        ),
        VitalSign(
            "HR", "Heart rate", _r(20, 250, "beats/min"), _r(60, 100, "beats/min"), name_zh="心率"
        ),
        VitalSign(
            "RESP",
            "Respiratory rate",
            _r(4, 80, "breaths/min"),
            _r(12, 20, "breaths/min"),
            name_zh="呼吸频率",
        ),
        VitalSign(
            "SYSBP",
            "Systolic blood pressure",
            _r(50, 280, "mmHg"),
            _r(90, 140, "mmHg"),
            name_zh="收缩压",
        ),
        VitalSign(
            "DIABP",
            "Diastolic blood pressure",
            _r(20, 180, "mmHg"),
            _r(60, 90, "mmHg"),
            name_zh="舒张压",
        ),
        VitalSign(
            "OXYSAT",
            "Oxygen saturation (SpO2)",
            _r(50, 100, "%"),
            _r(94, 100, "%"),
            name_zh="血氧饱和度（SpO2）",
        ),
    ),
)


@cache
def study() -> Study:
    """The study this installation runs."""
    return NCT06919380
