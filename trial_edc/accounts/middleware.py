import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trial_edc.accounts import mfa
from trial_edc.accounts.access import SESSION_ACCESS, access_read
from trial_edc.accounts.models import SiteMembership
from trial_edc.accounts.roles import user_roles
from trial_edc.accounts.rules import mfa_required, must_change_password

SESSION_STARTED = "trial_edc_session_started"
SESSION_LAST_SEEN = "trial_edc_last_seen"
SESSION_TIME_ZONE = "trial_edc_time_zone"
SESSION_LANGUAGE = "trial_edc_language"
# Write the last-seen time at most once a minute, so a page view rarely writes the session.
LAST_SEEN_RESOLUTION_S = 60
# A page that reloads itself (meta refresh) adds this to its URL: such a request is not the
# person's activity, so it neither keeps the session alive nor resets the idle clock.
AUTO_REFRESH_PARAM = "auto_refresh"


def is_auto_refresh(request) -> bool:
    return request.GET.get(AUTO_REFRESH_PARAM) == "1"


def session_clock_start(sender, request, user, **kwargs) -> None:
    """At sign-in (user_logged_in): the 12-hour and 30-minute clocks start now."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
        request.session.pop(SESSION_TIME_ZONE, None)
        # the person's language, read once at sign-in (UserLanguageMiddleware activates it)
        request.session[SESSION_LANGUAGE] = user.preferred_language
        # permissions, roles and sites, read once here for the whole session (accounts.access)
        request.session[SESSION_ACCESS] = access_read(user)


class SessionExpiryMiddleware:
    """Signs a user out after SESSION_IDLE_TIMEOUT idle or SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        self.absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            if now - last_seen > self.idle:
                return self._expire(
                    request,
                    _("idle for more than %(minutes)d minutes") % {"minutes": self.idle // 60},
                )
            if now - started > self.absolute:
                return self._expire(
                    request,
                    _("signed in for more than %(hours)d hours") % {"hours": self.absolute // 3600},
                )
            if is_auto_refresh(request):
                pass  # not activity: the idle clock keeps running
            elif now - last_seen >= LAST_SEEN_RESOLUTION_S or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    def _expire(self, request, why: str):
        request.session_expired_reason = why
        logout(request)
        messages.info(
            request, _("Your session ended (%(why)s). Please sign in again.") % {"why": why}
        )
        return redirect_to_login(request.get_full_path())


class AccountGateMiddleware:
    """What a signed-in user must do before any other page, in this order:

    1. change a password someone else set (a new account, a reset by a data manager);
    2. for investigators and data managers, pass the second factor: enrol an authenticator
       app if they have none, else enter its code (or a recovery code).

    Every page except these steps and signing out redirects to the step (static files are
    served before Django by WhiteNoise). Acts in process_view, after LoginRequiredMiddleware
    has sent anonymous visitors to the login page."""

    PASSWORD_STEP = frozenset(
        {"accounts:password_change", "accounts:logout", "set_language", "accounts:language_set"}
    )
    MFA_STEP = frozenset(
        {
            "accounts:mfa_enrol",
            "accounts:mfa_verify",
            "accounts:logout",
            "set_language",
            "accounts:language_set",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if must_change_password(user):
            if name in self.PASSWORD_STEP:
                return None
            return redirect("accounts:password_change")
        # read once per request; the navigation (context_processors) uses them too
        request.trial_edc_roles = roles = user_roles(user)
        if mfa_required(user, roles) and not user.is_verified():
            if name in self.MFA_STEP:
                return None
            step = "accounts:mfa_verify" if mfa.is_enrolled(user) else "accounts:mfa_enrol"
            target = reverse(step)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return None


class SiteTimezoneMiddleware:
    """Shows dates in the time zone of the user's first site (stored times stay UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            name = request.session.get(SESSION_TIME_ZONE)
            if name is None:
                name = (
                    SiteMembership.objects.filter(user_id=request.user.pk)
                    .order_by("site__code")
                    .values_list("site__time_zone", flat=True)
                    .first()
                ) or settings.TIME_ZONE
                request.session[SESSION_TIME_ZONE] = name
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person reads pages in their own language (user.language, else their site's);
    anonymous visitors keep LocaleMiddleware's choice (session, cookie, Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            language = request.session.get(SESSION_LANGUAGE)
            if language is None:
                language = user.preferred_language
                request.session[SESSION_LANGUAGE] = language
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
