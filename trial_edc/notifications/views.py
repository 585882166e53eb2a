"""A person's notifications and preferences; the data managers' outbox of their sites."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trial_edc.notifications import selectors, services
from trial_edc.notifications.forms import PreferenceForm
from trial_edc.notifications.models import Notification

PER_PAGE = 50


def _filtered(request, rows):
    status = request.GET.get("status", "")
    if status not in Notification.Status.values:
        status = ""
    counts = selectors.status_counts(rows)
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-send_after", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {"page": page, "counts": counts, "status": status, "statuses": Notification.Status}


def my_notifications(request):
    context = _filtered(request, selectors.notifications_of(request.user))
    context["preference"] = selectors.preference_of(request.user)
    return render(request, "notifications/my_notifications.html", context)


@require_http_methods(["GET", "POST"])
def preferences(request):
    pref = selectors.preference_of(request.user)
    form = PreferenceForm.for_preference(pref, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.preference_save(
            user=request.user,
            email_off=form.email_off(),
            daily_digest=form.cleaned_data["daily_digest"],
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:my_notifications")
    return render(request, "notifications/preferences.html", {"form": form})


@permission_required("notifications.view_notification", raise_exception=True)
def outbox(request):
    context = _filtered(request, selectors.outbox_for(request.user))
    return render(request, "notifications/outbox.html", context)
