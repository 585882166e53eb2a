"""A vital-signs save in trial-edc beside a bare signed-in Django ModelForm save of the same
fields, in one run on the same database (issue 18, target 1: at most 1.3x).

The bare save: Django's default middleware (sessions, CSRF, auth, messages), a view behind
`login_required` + `permission_required`, a ModelForm of the same ten fields saved into an
untracked copy of the vitals table (no history, no rules, no site scoping). The project's save:
every middleware of the settings, the real view, form, rules, service, reason-for-change
context and history row (numbered at insert, chained later by the sealer). Both through the
in-process test client, in alternating turns of 10 saves each, so that a change in the
machine's load weighs on both alike.

python benchmarks/crf_save.py --saves 300
"""

import argparse
import sys
import time
import types
import uuid
from collections import Counter
from datetime import timedelta

from _setup import VITALS, benchmark_database

# Django's own startproject middleware: what a bare signed-in Django page goes through
BARE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def _bare_urlconf():
    """A model on an untracked copy of the vitals table, its ModelForm, a view and a urlconf."""
    from django import forms
    from django.contrib.auth.decorators import login_required, permission_required
    from django.db import models
    from django.http import HttpResponseRedirect
    from django.urls import include, path

    from safety.forms import VitalSignsForm
    from safety.models import VitalSigns

    fields = VitalSignsForm.Meta.fields  # the same fields as the project's form
    attrs = {"__module__": __name__}
    for name in [*fields, "study_day"]:
        attrs[name] = VitalSigns._meta.get_field(name).clone()
    attrs["subject_id"] = models.BigIntegerField()
    attrs["recorded_by_id"] = models.BigIntegerField()
    attrs["Meta"] = type("Meta", (), {"db_table": "bench_vitals", "managed": False})
    attrs["Meta"].app_label = "safety"
    bare_model = type("BareVitals", (models.Model,), attrs)

    class BareForm(forms.ModelForm):
        class Meta:
            model = bare_model
            fields = VitalSignsForm.Meta.fields

    @login_required
    @permission_required("safety.add_vitalsigns", raise_exception=True)
    def bare_save(request, pk: int):
        form = BareForm(request.POST)
        if form.is_valid():
            vitals = form.save(commit=False)
            vitals.subject_id = pk
            vitals.study_day = 1
            vitals.recorded_by_id = request.user.pk
            vitals.save()
            return HttpResponseRedirect("/done/")
        raise AssertionError(form.errors)

    module = types.ModuleType("bench_crf_urls")
    module.urlpatterns = [
        path("bare/<int:pk>/", bare_save, name="bare_save"),
        path("", include("trial_edc.urls")),
    ]
    sys.modules[module.__name__] = module
    return module, bare_model


def _statement(sql: str) -> str:
    """A query shortened to what it does, for the list of where the queries go."""
    sql = " ".join(sql.split())
    words = sql.split()
    head = words[0].upper() if words else ""
    if head == "SELECT" and " FROM " in sql:
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
        return f"SELECT … FROM {table}"
    if head == "INSERT":
        return " ".join(words[:3]).replace('"', "")
    if head == "UPDATE":
        return " ".join(words[:2]).replace('"', "")
    return sql[:90]


def main(saves: int, *, profile: bool = False, sort: str = "cumulative") -> None:
    with benchmark_database("crf_save"):
        import pghistory
        from django.contrib.auth.models import Permission
        from django.db import connection, connections
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from portal.demo.enrollment import enrolled_subject
        from safety.models import VitalSigns
        from trial_edc.accounts.models import Site, SiteMembership, User
        from trial_edc.accounts.roles import Role, role_group
        from trial_edc.audit.grants import owner_database, runtime_role
        from trial_edc.core.clock import site_today
        from trial_edc.core.forms import SUBMISSION_FIELD

        with connections[owner_database()].cursor() as cursor:
            cursor.execute("CREATE TABLE bench_vitals (LIKE safety_vitalsigns INCLUDING ALL)")
            cursor.execute(f'GRANT SELECT, INSERT ON bench_vitals TO "{runtime_role()}"')
            cursor.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{runtime_role()}"')
        urlconf, bare_model = _bare_urlconf()

        with pghistory.context(reason="benchmark set-up"):
            site = Site.objects.create(code="01", name="Bench", time_zone="Asia/Shanghai")
            users = {}
            for role in (Role.SITE_COORDINATOR, Role.INVESTIGATOR):
                user = User.objects.create_user(username=role.value, password="x-bench-42-x")
                user.groups.add(role_group(role))
                SiteMembership.objects.create(user=user, site=site)
                users[role] = user
        day1 = site_today(site) - timedelta(days=20)
        subject = enrolled_subject(
            site=site,
            coordinator=users[Role.SITE_COORDINATOR],
            investigator=users[Role.INVESTIGATOR],
            screening_date=day1 - timedelta(days=2),
            day1=day1,
        )
        coordinator = users[Role.SITE_COORDINATOR]
        assert coordinator.has_perm("safety.add_vitalsigns")
        assert Permission.objects.exists()

        minute = iter(range(10**6))

        def data() -> dict:
            n = next(minute)  # a different minute for each save, from 08:00 on day 2
            on = day1 + timedelta(days=1 + n // 600)
            moment = f"{on:%Y-%m-%d}T{8 + n % 600 // 60:02d}:{n % 60:02d}"
            return VITALS | {"measured_at": moment, SUBMISSION_FIELD: uuid.uuid4().hex}

        project_url = reverse("safety:vitals_create", args=[subject.pk])

        def project_save(client):
            response = client.post(project_url, data())
            assert response.status_code == 302, response.status_code
            # "Vital signs saved." is shown by the page the redirect leads to, which a person
            # opens next; without that page the client would carry every earlier save's message
            # in its cookie, decoded and encoded again by each save
            client.cookies.pop("messages", None)

        def bare_save(client):
            response = client.post(f"/bare/{subject.pk}/", data())
            assert response.status_code == 302, response.status_code

        project_client = Client()
        project_client.force_login(coordinator)
        with override_settings(ROOT_URLCONF=urlconf, MIDDLEWARE=BARE_MIDDLEWARE):
            bare_client = Client()
            bare_client.force_login(coordinator)

        def run(which: str, n: int) -> float:
            start = time.perf_counter()
            if which == "bare":
                with override_settings(ROOT_URLCONF=urlconf, MIDDLEWARE=BARE_MIDDLEWARE):
                    for _ in range(n):
                        bare_save(bare_client)
            else:
                for _ in range(n):
                    project_save(project_client)
            return time.perf_counter() - start

        run("bare", 20)  # warm-up
        run("project", 20)
        seconds = {"bare": 0.0, "project": 0.0}
        turn = 10
        turns = max(saves // turn, 1)
        for _ in range(turns):
            for which in seconds:
                seconds[which] += run(which, turn)
        done = turn * turns

        with (
            override_settings(ROOT_URLCONF=urlconf, MIDDLEWARE=BARE_MIDDLEWARE),
            CaptureQueriesContext(connection) as bare_queries,
        ):
            bare_save(bare_client)
        with CaptureQueriesContext(connection) as project_queries:
            project_save(project_client)
        queries = {
            "bare": bare_queries.captured_queries,
            "project": project_queries.captured_queries,
        }

        assert bare_model.objects.count() >= done
        assert VitalSigns.objects.filter(subject=subject).count() >= done

        per = {which: seconds[which] / done * 1000 for which in seconds}
        print(f"\nCRF save, {done} saves each, in-process test client, one run")
        print(f"{'case':<58} {'ms/save':>8} {'queries':>8}")
        print(
            f"{'bare Django ModelForm, login_required+permission_required':<58}"
            f" {per['bare']:>8.2f} {len(queries['bare']):>8}"
        )
        print(
            f"{'trial-edc vital-signs save (rules, audit, scoping)':<58}"
            f" {per['project']:>8.2f} {len(queries['project']):>8}"
        )
        print(f"ratio project / bare: {per['project'] / per['bare']:.2f}x (target <= 1.3x)")
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(run, "project", 30)
            print("\nwhere the project save's time goes (30 saves):")
            pstats.Stats(profiler).sort_stats(sort).print_stats(40)
        for which in ("bare", "project"):
            print(f"\nwhere the {which} save's {len(queries[which])} queries go:")
            counted = Counter(_statement(q["sql"]) for q in queries[which])
            for statement, n in counted.items():
                print(f"  {n} × {statement}")
            if "--sql" in sys.argv:
                for q in queries[which]:
                    print("   ", q["sql"][:400])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--sql", action="store_true", help="print every query of one save")
    parser.add_argument("--profile", action="store_true", help="cProfile the project's saves")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime…)")
    arguments = parser.parse_args()
    main(arguments.saves, profile=arguments.profile, sort=arguments.sort)
