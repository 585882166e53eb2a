from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from efficacy import services
from efficacy.forms import BloodGasForm
from efficacy.models import BloodGas
from enrollment.selectors import subject_or_404
from safety.views import day_or_dashboard, day_param, moment_of_day
from trial_edc.forms import apply_errors, crf_page, require_add_or_change


@require_http_methods(["GET", "POST"])
def blood_gas_edit(request, pk: int, gas_pk: int | None = None):
    subject = subject_or_404(request.user, pk)
    gas = (
        get_object_or_404(BloodGas, pk=gas_pk, subject=subject)
        if gas_pk
        else BloodGas(subject=subject)
    )
    require_add_or_change(request, BloodGas, exists=gas_pk is not None)
    day = gas.study_day if gas_pk else day_param(request)
    initial = (
        None if gas_pk else {"sampled_at": moment_of_day(subject, day), "pressure_unit": "mmHg"}
    )
    form = BloodGasForm(request.POST or None, instance=gas, initial=initial)
    title = _("Arterial blood gas of %(s)s") % {"s": subject.subject_number}
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.blood_gas_record(
                gas=form.instance, user=request.user, reason=form.reason_for_change
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Blood gas saved: PaO2/FiO2 %(pf)s mmHg.") % {"pf": saved.pf_ratio}
            )
            return redirect(day_or_dashboard(subject, saved.study_day))
    return crf_page(request, form, title=title, back_url=day_or_dashboard(subject, day))
