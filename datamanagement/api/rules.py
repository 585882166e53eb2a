"""Pure rules of the read API."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trial_edc.core.problems import Problem

# Fields that identify a person: the API gives them only to users who may see them on the
# pages (see `may_see_identifiers`), else null.
IDENTIFIERS = frozenset({"initials", "date_of_birth"})

# What the pages ask before they show initials and date of birth (the screening log and
# screening page): the view permission of screenings. Today every role holds it; a role
# losing it loses the identifiers in the API too.
IDENTIFIERS_PERMISSION = "enrollment.view_screening"


def may_see_identifiers(user) -> bool:
    return user.has_perm(IDENTIFIERS_PERMISSION)


def token_days_problems(days: int | None) -> list[Problem]:
    """A token lasts at least a day and at most API_TOKEN_MAX_DAYS."""
    most = settings.API_TOKEN_MAX_DAYS
    if days is None or not 1 <= days <= most:
        return [
            Problem(
                "days",
                _("A token lasts between 1 and %(most)d days.") % {"most": most},
            )
        ]
    return []
