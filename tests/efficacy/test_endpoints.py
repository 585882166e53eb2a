"""Change from baseline tables from a hand-made set of values, with exact numbers."""

from decimal import Decimal as D

from efficacy import endpoints as outcomes

VALUES = {
    1: {
        "PF_RATIO": {"BASELINE": D("150"), "DAY14": D("180"), "DAY28": D("210")},
        "FVC_L": {"BASELINE": D("2.00"), "DAY14": outcomes.NOT_DONE},
    },
    2: {
        "PF_RATIO": {"BASELINE": D("100"), "DAY14": D("90")},
        "FVC_L": {"BASELINE": D("1.50"), "DAY14": D("1.80")},
    },
    3: {"PF_RATIO": {"DAY14": D("200")}},
}


def test_subject_table_has_change_and_percent_change_from_baseline():
    rows = {r.measure.code: r for r in outcomes.subject_table(VALUES[1])}
    baseline, day14, day28 = rows["PF_RATIO"].cells[:3]
    assert (baseline.value, baseline.change) == (D("150"), None)
    assert (day14.value, day14.change, day14.percent_change) == (D("180"), D("30.0"), D("20.0"))
    assert (day28.change, day28.percent_change) == (D("60.0"), D("40.0"))
    fvc_day14 = rows["FVC_L"].cells[1]
    assert fvc_day14.not_done and fvc_day14.value is None and fvc_day14.change is None
    assert set(rows) == {"PF_RATIO", "FVC_L"}  # measures never recorded are left out


def test_study_table_counts_n_not_done_and_summarises_changes():
    table = {
        m.measure.code: {r.visit_code: r for r in m.rows} for m in outcomes.study_table(VALUES)
    }
    pf = table["PF_RATIO"]
    assert pf["BASELINE"].value.n == 2 and pf["BASELINE"].change is None
    day14 = pf["DAY14"]
    assert (day14.value.n, day14.value.mean, day14.value.median) == (3, D("156.7"), D("180.0"))
    assert (day14.value.minimum, day14.value.maximum, day14.value.sd) == (
        D("90.0"),
        D("200.0"),
        D("58.6"),
    )
    # subject 3 has no baseline: the change is over subjects 1 and 2 only
    assert (day14.change.n, day14.change.mean, day14.change.sd) == (2, D("10.0"), D("28.3"))
    assert (day14.percent_change.mean) == D("5.0")  # (+20% and -10%) / 2
    fvc = table["FVC_L"]["DAY14"]
    assert (fvc.value.n, fvc.not_done, fvc.change.n, fvc.change.mean) == (1, 1, 1, D("0.3"))
    assert table["PF_RATIO"]["MONTH12"].value.n == 0


def test_a_missing_value_is_not_counted_as_not_done():
    values = {1: {"SF_RATIO": {"BASELINE": D("230"), "DAY14": None}}}
    row = outcomes.study_table(values)[0].rows[1]
    assert (row.value.n, row.not_done) == (0, 0)
    assert not outcomes.subject_table(values[1])[0].cells[1].not_done


def test_changes_keep_the_decimals_of_their_measure():
    values = {
        1: {"FVC_L": {"BASELINE": D("1.50"), "DAY14": D("1.55")}},
        2: {"FVC_L": {"BASELINE": D("1.50"), "DAY14": D("1.56")}},
    }
    assert outcomes.subject_table(values[1])[0].cells[1].change == D("0.05")
    day14 = outcomes.study_table(values)[0].rows[1]
    assert (day14.change.mean, day14.change.minimum, day14.value.mean) == (
        D("0.06"),  # 0.055 rounded half up, from the unrounded changes
        D("0.05"),
        D("1.56"),  # 1.555
    )
