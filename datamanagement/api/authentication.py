"""The personal token of an API call (knox: the token is found by its first characters and
compared by SHA-512 digest; an expired one is deleted and refused), and its last use."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from datamanagement.models import ApiToken
from trial_edc.accounts.rules import must_change_password

# The time of last use is written at most this often (one UPDATE per call otherwise).
LAST_USED_RESOLUTION_S = 60


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        if must_change_password(user):
            # a password someone else set (a reset by a data manager): nothing before it is
            # changed, the API included
            raise AuthenticationFailed(_("Change your password on the site first."))
        now = timezone.now()
        last = auth_token.last_used
        if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_S:
            ApiToken.objects.filter(pk=auth_token.pk).update(last_used=now)
            auth_token.last_used = now
        return user, auth_token
