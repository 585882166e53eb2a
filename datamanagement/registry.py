"""What data management plugs into the base (filled in as its parts land)."""


def register() -> None:
    """Called once from `DataManagementConfig.ready()`."""

    # --- queries (issue 14, points 1, 2, 4) ---
    from datamanagement.queries import parts as query_parts

    query_parts.register()
