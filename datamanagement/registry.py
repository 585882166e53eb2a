"""What data management plugs into the base (filled in as its parts land)."""


def register() -> None:
    """Called once from `DataManagementConfig.ready()`."""

    # --- queries (issue 14, points 1, 2, 4) ---
    from datamanagement.queries import parts as query_parts

    query_parts.register()
    _register_locks()


# --- freeze and lock (issue 14, points 7-9) ---
def _register_locks() -> None:
    from datamanagement.locks import views
    from trial_edc.core import registry

    registry.record_parts.register(
        registry.RecordPart(
            "lock",
            "datamanagement/locks/record_part.html",
            views.record_context,
            read_only=views.record_read_only,
            order=90,
        )
    )
    registry.dashboard_panels.register(
        registry.DashboardPanel(
            "lock", "datamanagement/locks/dashboard_panel.html", views.dashboard_context, order=90
        )
    )
