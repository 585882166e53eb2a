from django.shortcuts import render
from django.urls import reverse

from enrollment.schedule.selectors import sites_known
from trial_edc.accounts import selectors
from trial_edc.accounts.roles import Role, user_roles
from trial_edc.audit.models import AuditChainCheck
from trial_edc.core.registry import home_tasks, worklists


def home(request):
    """Each role's start page: the worklist for today (the worklists the apps register, each
    line a link to where the work is done, a constant number of queries each), the user's
    sites with their staff, and the counts the apps register."""
    roles = user_roles(request.user)
    sites = list(selectors.site_overview(request.user))
    # the worklists take the user's sites from here rather than reading them again
    sites_known(request.user, sites)
    context = {
        "sites": sites,
        "several_sites": len(sites) > 1,
        "worklists": [
            (worklist.key, worklist.label, worklist.items(request.user))
            for worklist in worklists
            if request.user.has_perm(worklist.permission)
        ],
        "roles": roles,
        "tasks": [
            (task.label, task.count(request.user), reverse(task.url_name))
            for task in home_tasks
            if request.user.has_perm(task.permission)
        ],
    }
    if Role.DATA_MANAGER in roles:
        context["last_chain_check"] = AuditChainCheck.objects.first()
        context["recent_access"] = selectors.access_events_for(request.user)[:8]
    return render(request, "portal/home.html", context)
