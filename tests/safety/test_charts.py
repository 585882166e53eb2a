from trial_edc.core.charts import LEFT, Series, trend_svg


def test_chart_is_plain_svg_with_a_point_per_value_and_a_band_per_dose_day():
    svg = str(
        trend_svg(
            [Series("SpO2 <%>", {1: 95, 2: 93, 3: 90}, "#00f", 80, 100)],
            dose_days={1, 2},
            first_day=1,
            last_day=14,
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 3
    assert svg.count("<title>dose day") == 2
    assert "SpO2 &lt;%&gt;" in svg  # labels are escaped
    assert "style=" not in svg  # the CSP forbids inline styles
    assert f'x="{LEFT:.1f}"' in svg  # the day-1 band starts at the plot's left edge


def test_empty_series_says_so():
    svg = str(
        trend_svg([Series("P/F", {}, "#000", 50, 500)], dose_days=set(), first_day=1, last_day=14)
    )
    assert "no values yet" in svg
