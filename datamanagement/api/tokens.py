"""The page of a person's personal API tokens (/api/tokens/): make one (shown once), see
them (name, made, expires, last used) and revoke one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from datamanagement.api import services
from datamanagement.api.forms import ApiTokenForm
from datamanagement.models import ApiToken
from trial_edc.accounts import mfa
from trial_edc.core.forms import crf_save

# The token just made, kept in the session until the page shows it once (after the redirect).
SESSION_NEW_TOKEN = "trial_edc_new_api_token"  # noqa: S105 (a session key)


@require_http_methods(["GET", "POST"])
def token_list(request):
    user = request.user
    problems = services.token_creation_problems(user)
    form = ApiTokenForm(request.POST or None) if not problems else None
    if request.method == "POST" and form is not None:

        def save() -> str:
            token, secret = services.api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                request=request,
            )
            request.session[SESSION_NEW_TOKEN] = {"name": token.name, "token": secret}
            return reverse("api:tokens")

        response = crf_save(request, form, save=save, back=reverse("api:tokens"))
        if response is not None:
            return response
    new_token = request.session.pop(SESSION_NEW_TOKEN, None)
    return render(
        request,
        "datamanagement/api/tokens.html",
        {
            "form": form,
            "refused": problems[0].message if problems else "",
            "mfa_step": "accounts:mfa_verify" if mfa.is_enrolled(user) else "accounts:mfa_enrol",
            "tokens": ApiToken.objects.filter(user=user).order_by("-created"),
            "new_token": new_token,
        },
    )


@require_POST
def token_revoke(request):
    token = services.api_token_revoke(
        user=request.user, digest=request.POST.get("token", ""), request=request
    )
    if token is None:
        messages.info(request, _("This token was already revoked."))
    else:
        messages.success(
            request,
            _("Token “%(name)s” revoked: it is refused from now on.") % {"name": token.name},
        )
    return redirect("api:tokens")
