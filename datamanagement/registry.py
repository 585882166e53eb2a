"""What data management plugs into the base (filled in as its parts land)."""

from django.utils.translation import gettext_lazy as _

from trial_edc.core import registry


def register() -> None:
    """Called once from `DataManagementConfig.ready()`."""
    _register_sdv()


# --- source data verification and casebook sign-off (issue 14, points 5, 6, 11) ---------
def _casebooks_to_sign(user) -> int:
    from datamanagement.sdv.selectors import casebooks_to_sign_count

    return casebooks_to_sign_count(user)


def _register_sdv() -> None:
    from datamanagement.sdv import parts

    registry.record_parts.register(
        registry.RecordPart(
            key="datamanagement.sdv",
            template="datamanagement/sdv/record_part.html",
            context=parts.context,
            annotate_form=parts.annotate_form,
            order=20,
        )
    )
    registry.dashboard_panels.register(
        registry.DashboardPanel(
            "datamanagement.sdv",
            "datamanagement/sdv/dashboard_panel.html",
            parts.dashboard_panel,
            permission="datamanagement.view_sourceverification",
            order=90,
        )
    )
    registry.home_tasks.register(
        registry.HomeTask(
            "casebooks_to_sign",
            _("Casebooks to sign"),
            _casebooks_to_sign,
            "datamanagement:sdv_overview",
            "datamanagement.sign_casebook",
            order=60,
        )
    )
