"""Automatic queries (issue 14, point 3): named, versioned edit checks run daily and after
each save of a CRF page; each failing item gets one query, closed by the system when the
check passes again and re-opened when it fails again."""
