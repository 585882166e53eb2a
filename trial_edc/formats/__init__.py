"""Input formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Every date field takes 2025-04-15, 2025/04/15 and 2025年4月15日 (or 2025年04月15日) in either
language; Django's zh-Hans "%Y年%n月%j日" is no strptime format, and a US month/day order
has no place in a trial typed in Guangzhou. Output formats stay Django's.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2025-04-15
    "%Y/%m/%d",  # 2025/04/15
    "%Y年%m月%d日",  # 2025年4月15日, 2025年04月15日 (strptime's %m and %d take one or two digits)
    "%Y.%m.%d",  # 2025.04.15
]
_TIMES = ["%H:%M:%S", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    *(f"%Y-%m-%dT{t}" for t in _TIMES),  # what a datetime-local input sends
    *(f"{d} {t}" for d in DATE_INPUT_FORMATS for t in _TIMES),
    *(f"%Y年%m月%d日{t}" for t in _TIMES),  # 2025年4月15日08:30
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日%H时%M分",
    *DATE_INPUT_FORMATS,
]
TIME_INPUT_FORMATS = [*_TIMES, "%H时%M分"]
