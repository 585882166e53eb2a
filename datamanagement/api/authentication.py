"""The personal token of an API call (knox: the token is found by its first characters and
compared by SHA-512 digest; an expired one is deleted and refused), and its last use."""

from django.utils import timezone
from knox.auth import TokenAuthentication

from datamanagement.models import ApiToken

# The time of last use is written at most this often (one UPDATE per call otherwise).
LAST_USED_RESOLUTION_S = 60


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        now = timezone.now()
        last = auth_token.last_used
        if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_S:
            ApiToken.objects.filter(pk=auth_token.pk).update(last_used=now)
            auth_token.last_used = now
        return user, auth_token
