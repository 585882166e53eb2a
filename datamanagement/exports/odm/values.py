"""How values, moments, people and sites are written in the ODM files."""

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

SYSTEM_USER = "USR.SYSTEM"


def odm_value(value) -> str | None:
    """The ItemData Value of a field value (None: no value, no ItemData)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time | Decimal | int | float):
        return value.isoformat() if isinstance(value, date | time) else str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def user_oid(user_id) -> str:
    return f"USR.{user_id}" if user_id else SYSTEM_USER


def location_oid(code: str) -> str:
    return f"LOC.{code}"
