from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trial_edc.accounts import selectors, services
from trial_edc.accounts.forms import LoginForm, SiteForm, UserAccessForm, UserCreateForm
from trial_edc.accounts.roles import user_roles
from trial_edc.audit.forms import unchanged


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@permission_required("accounts.view_site", raise_exception=True)
def site_list(request):
    return render(
        request, "accounts/site_list.html", {"sites": selectors.site_overview(request.user)}
    )


@permission_required("accounts.add_site", raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_create(request):
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site = services.site_create(
            actor=request.user, **{k: form.cleaned_data[k] for k in ("code", "name", "time_zone")}
        )
        messages.success(request, _("Site %(site)s created.") % {"site": site})
        return redirect("accounts:site_list")
    return render(request, "accounts/site_form.html", {"form": form})


@permission_required("accounts.change_site", raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int):
    site = get_object_or_404(selectors.sites_for(request.user), pk=pk)
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        if not unchanged(request, form):
            services.site_update(
                actor=request.user, site=form.instance, reason=form.reason_for_change
            )
            messages.success(request, _("Site %(site)s saved.") % {"site": site})
        return redirect("accounts:site_list")
    return render(request, "accounts/site_form.html", {"form": form, "site": site})


@permission_required("accounts.view_user", raise_exception=True)
def user_list(request):
    return render(request, "accounts/user_list.html", {"users": selectors.users_for(request.user)})


@permission_required("accounts.add_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, sites_queryset=selectors.sites_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            actor=request.user,
            request=request,
            **{k: data[k] for k in ("username", "password", "first_name", "last_name", "email")},
            roles=data["roles"],
            sites=list(data["sites"]),
        )
        messages.success(request, _("User %(user)s created.") % {"user": user.username})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@permission_required("accounts.change_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_access(request, pk: int):
    user = get_object_or_404(selectors.users_for(request.user), pk=pk)
    my_sites = selectors.sites_for(request.user)
    initial = {
        "roles": [r.value for r in user_roles(user)],
        "sites": [m.site for m in user.memberships.all()],
        "is_active": user.is_active,
    }
    form = UserAccessForm(request.POST or None, initial=initial, sites_queryset=my_sites)
    if request.method == "POST" and form.is_valid():
        services.user_access_set(
            actor=request.user,
            user=user,
            roles=form.cleaned_data["roles"],
            sites=list(form.cleaned_data["sites"]),
            is_active=form.cleaned_data["is_active"],
            request=request,
        )
        messages.success(request, _("Access of %(user)s saved.") % {"user": user.username})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited_user": user})


@permission_required("accounts.view_accessevent", raise_exception=True)
def access_log(request):
    page = Paginator(selectors.access_events_for(request.user), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/access_log.html", {"page": page})
