"""Every date field takes 2025-04-15, 2025/04/15, 2025年4月15日 and 2025年04月15日, in
Chinese and in English (Django's own zh-Hans input format is no strptime format); every
date-and-time field the same dates with a time."""

import importlib
from datetime import date, datetime

import pytest
from django import forms
from django.apps import apps
from django.utils import translation

DATES = ["2025-04-15", "2025/04/15", "2025年4月15日", "2025年04月15日"]
DATETIMES = [
    "2025-04-15 08:30",
    "2025-04-15T08:30",
    "2025/04/15 08:30",
    "2025年4月15日 08:30",
    "2025年04月15日 08:30",
    "2025年4月15日08:30",
    "2025年4月15日 8时30分",
]
LANGUAGES = ["zh-hans", "en"]


def _form_classes():
    """Every form class defined in a forms module of the project's apps."""
    found = []
    for config in apps.get_app_configs():
        if ".venv" in str(config.path) or "site-packages" in str(config.path):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def _date_fields(kind):
    return [
        (f"{form.__module__}.{form.__name__}.{name}", field)
        for form in _form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, kind)
        and (kind is forms.DateTimeField or not isinstance(field, forms.DateTimeField))
    ]


def test_the_project_has_date_and_datetime_fields_to_check():
    assert len(_date_fields(forms.DateField)) >= 15
    assert len(_date_fields(forms.DateTimeField)) >= 3


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", DATES)
def test_every_date_field_takes_the_date_as_typed(language, typed):
    with translation.override(language):
        refused = []
        for name, field in _date_fields(forms.DateField):
            try:
                value = field.to_python(typed)
            except forms.ValidationError:
                refused.append(name)
                continue
            assert value == date(2025, 4, 15), name
    assert refused == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", DATETIMES)
def test_every_date_and_time_field_takes_the_moment_as_typed(language, typed):
    with translation.override(language):
        refused = []
        for name, field in _date_fields(forms.DateTimeField):
            try:
                value = field.to_python(typed)
            except forms.ValidationError:
                refused.append(name)
                continue
            assert value.replace(tzinfo=None) == datetime(2025, 4, 15, 8, 30), name
    assert refused == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_month_before_the_day_is_not_a_date(language):
    # 04/15/2025 (a US date) and 15.04.2025 are refused, not guessed
    field = forms.DateField()
    with translation.override(language):
        for typed in ["04/15/2025", "15.04.2025", "2025年13月1日"]:
            with pytest.raises(forms.ValidationError):
                field.to_python(typed)
