from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from datamanagement.models.queries import QueryState
from datamanagement.queries import records
from trial_edc.core import registry
from trial_edc.core.forms import SubmitOnceMixin

TEXT_MAX = 4000


class QueryRaiseForm(SubmitOnceMixin, forms.Form):
    """A new query on one item of a record, or on the whole record."""

    field = forms.ChoiceField(label=_("Item"), required=False)
    text = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("The whole record"))] + [
            (f.name, capfirst(f.verbose_name)) for f in records.items_of(model)
        ]


class QueryMoveForm(forms.Form):
    """One step of a query: answer, close, re-open or cancel, with its text."""

    action = forms.ChoiceField(widget=forms.HiddenInput, choices=())
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, a) for a in actions]


SYSTEM = 0  # "raised by" the system: the automatic queries of the edit checks


class QueryFilterForm(forms.Form):
    """The filters of the query list (a GET form: a bad value is a message, never an error)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *QueryState.choices]
    )
    min_days = forms.IntegerField(
        label=_("Open at least (days)"), required=False, min_value=0, max_value=3650
    )
    form = forms.ChoiceField(label=_("Form"), required=False)
    raised_by = forms.TypedChoiceField(
        label=_("Raised by"), required=False, coerce=int, empty_value=None
    )
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, sites=(), raisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", _("Any"))] + [
            (crf.key, capfirst(crf.model._meta.verbose_name)) for crf in registry.crf_models
        ]
        self.fields["raised_by"].choices = [
            ("", _("Anyone")),
            (SYSTEM, _("The system (edit checks)")),
        ] + [(u.pk, u.get_full_name() or u.username) for u in raisers]
        self.fields["site"].choices = [("", _("All my sites"))] + [(s.pk, s.code) for s in sites]
