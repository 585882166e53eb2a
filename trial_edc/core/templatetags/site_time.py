"""`{{ moment|site_time:site }}`: a stored time in the site's zone with the zone named
("2026-11-30 14:05 (Asia/Shanghai)"); without a site, the page's active zone. A builtin
(settings TEMPLATES), so every template has it without {% load %}."""

from django import template

from trial_edc.core.clock import site_time_label

register = template.Library()


@register.filter
def site_time(moment, site=None):
    return site_time_label(moment, site)


@register.filter
def site_time_seconds(moment, site=None):
    return site_time_label(moment, site, "%Y-%m-%d %H:%M:%S")
