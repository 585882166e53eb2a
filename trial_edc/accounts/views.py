from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from trial_edc.accounts import mfa, selectors, services
from trial_edc.accounts.access_log import lockout_reset
from trial_edc.accounts.forms import (
    LoginForm,
    OtpCodeForm,
    OtpEnrolForm,
    OwnPasswordChangeForm,
    SiteForm,
    TemporaryPasswordForm,
    UserAccessForm,
    UserCreateForm,
)
from trial_edc.accounts.middleware import SESSION_LANGUAGE
from trial_edc.accounts.roles import user_roles
from trial_edc.accounts.rules import must_change_password
from trial_edc.audit.forms import unchanged


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password; a temporary one set by someone else must be changed here."""

    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("portal:home")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "forced": must_change_password(self.request.user),
        }

    def form_valid(self, form):
        services.password_change(
            user=form.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _code_refused(request, form, template, context):
    """A wrong code: said next to the field, or, at the 5th failure, the user is signed out
    and axes shows the lockout page."""
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return redirect("accounts:login")
    form.add_error(
        "code",
        _(
            "That code is not correct. After 5 wrong codes or passwords the account is "
            "locked for 15 minutes."
        ),
    )
    return render(request, template, {**context, "form": form})


@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    """Add an authenticator app: QR code and key, a first code to confirm, recovery codes."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if mfa.is_enrolled(request.user):
        return redirect("accounts:mfa_verify")
    device = mfa.totp_device_pending(request.user)
    context = {
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_base32(device),
        "next": _next_url(request),
    }
    form = OtpEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = mfa.enrolment_confirm(
            user=request.user, code=form.cleaned_data["code"], request=request
        )
        if confirmed is None:
            return _code_refused(request, form, "registration/mfa_enrol.html", context)
        device, codes = confirmed
        otp_login(request, device)
        lockout_reset(request.user)
        return render(
            request,
            "registration/mfa_recovery_codes.html",
            {"codes": codes, "next": context["next"]},
        )
    return render(request, "registration/mfa_enrol.html", {**context, "form": form})


@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step of signing in: the authenticator's code or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.is_enrolled(request.user):
        return redirect("accounts:mfa_enrol")
    context = {"next": _next_url(request)}
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.code_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        if device is None:
            return _code_refused(request, form, "registration/mfa_verify.html", context)
        otp_login(request, device)
        lockout_reset(request.user)
        if device.persistent_id != mfa.totp_persistent_id(request.user):
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; it cannot be used again. If your "
                    "authenticator is lost, ask a data manager to reset it."
                ),
            )
        return redirect(context["next"])
    return render(request, "registration/mfa_verify.html", {**context, "form": form})


@permission_required("accounts.view_site", raise_exception=True)
def site_list(request):
    return render(
        request, "accounts/site_list.html", {"sites": selectors.site_overview(request.user)}
    )


@permission_required("accounts.add_site", raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_create(request):
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site = services.site_create(
            actor=request.user,
            **{k: form.cleaned_data[k] for k in ("code", "name", "time_zone", "language")},
        )
        messages.success(request, _("Site %(site)s created.") % {"site": site})
        return redirect("accounts:site_list")
    return render(request, "accounts/site_form.html", {"form": form})


@permission_required("accounts.change_site", raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int):
    site = get_object_or_404(selectors.sites_for(request.user), pk=pk)
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        if unchanged(request, form):
            return redirect("accounts:site_list")
        try:
            services.site_update(
                actor=request.user, site=form.instance, reason=form.reason_for_change
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Site %(site)s saved.") % {"site": site})
            return redirect("accounts:site_list")
    return render(request, "accounts/site_form.html", {"form": form, "site": site})


@permission_required("accounts.view_user", raise_exception=True)
def user_list(request):
    return render(request, "accounts/user_list.html", {"users": selectors.users_for(request.user)})


@permission_required("accounts.add_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, sites_queryset=selectors.sites_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            actor=request.user,
            request=request,
            **{k: data[k] for k in ("username", "password", "first_name", "last_name", "email")},
            roles=data["roles"],
            sites=list(data["sites"]),
        )
        messages.success(request, _("User %(user)s created.") % {"user": user.username})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@permission_required("accounts.change_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_access(request, pk: int):
    user = get_object_or_404(selectors.users_managed_by(request.user), pk=pk)
    my_sites = selectors.sites_for(request.user)
    initial = {
        "roles": [r.value for r in user_roles(user)],
        "sites": [m.site for m in user.memberships.all()],
        "is_active": user.is_active,
    }
    form = UserAccessForm(request.POST or None, initial=initial, sites_queryset=my_sites)
    if request.method == "POST" and form.is_valid():
        services.user_access_set(
            actor=request.user,
            user=user,
            roles=form.cleaned_data["roles"],
            sites=list(form.cleaned_data["sites"]),
            is_active=form.cleaned_data["is_active"],
            request=request,
        )
        messages.success(request, _("Access of %(user)s saved.") % {"user": user.username})
        return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "edited_user": user, "mfa_enrolled": mfa.is_enrolled(user)},
    )


@permission_required("accounts.change_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_password_reset(request, pk: int):
    """A temporary password, for a user who forgot theirs; they change it at next sign-in."""
    user = get_object_or_404(selectors.users_managed_by(request.user), pk=pk)
    form = TemporaryPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_password_reset(
            actor=request.user, user=user, password=form.cleaned_data["password"], request=request
        )
        messages.success(
            request,
            _("Temporary password set for %(user)s; they must change it at next sign-in.")
            % {"user": user.username},
        )
        return redirect("accounts:user_access", pk=user.pk)
    return render(request, "accounts/user_password_reset.html", {"form": form, "edited_user": user})


@permission_required("accounts.change_user", raise_exception=True)
@require_http_methods(["POST"])
def user_mfa_reset(request, pk: int):
    """A lost authenticator: the user enrols a new one at next sign-in."""
    user = get_object_or_404(selectors.users_managed_by(request.user), pk=pk)
    services.user_mfa_reset(actor=request.user, user=user, request=request)
    messages.success(
        request,
        _("The authenticator of %(user)s was reset; they add a new one at next sign-in.")
        % {"user": user.username},
    )
    return redirect("accounts:user_access", pk=user.pk)


@permission_required("accounts.view_accessevent", raise_exception=True)
def access_log(request):
    page = Paginator(selectors.access_events_for(request.user), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/access_log.html", {"page": page})


@require_POST
def language_set(request):
    """The navigation bar's language switcher: the page again in the chosen language, and
    the choice kept on the person (pages, e-mails and PDFs follow it)."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    services.user_language_set(user=request.user, language=language)
    request.session[SESSION_LANGUAGE] = language
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
