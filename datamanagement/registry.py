"""What data management plugs into the base (filled in as its parts land)."""


def register() -> None:
    """Called once from `DataManagementConfig.ready()`."""
