"""Server time and SQL queries of the pages a site coordinator opens all day (the pages of
the load benchmark), one after another through the in-process test client: the demo study
with enrolled subjects up to 100, the demo coordinator of site 01 signed in. Prints each
page's mean and slowest milliseconds over --times requests and its queries; --profile shows
where one page's time goes.

python benchmarks/pages.py --times 30 [--profile "subject dashboard"]
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

from _setup import benchmark_database

SUBJECTS = 100


def main(times: int, profile: str) -> None:
    with benchmark_database("pages"):
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from enrollment.models import Subject
        from portal.demo.enrollment import enrollment_bulk_seed
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        missing = SUBJECTS - Subject.objects.count()
        if missing > 0:
            enrollment_bulk_seed(missing, timezone.localdate() - timedelta(days=1))
        coordinator = User.objects.get(username="coordinator")
        subject = (
            Subject.objects.filter(site__code="01", status=Subject.Status.ON_STUDY)
            .order_by("pk")
            .first()
        )
        pages = {
            "home": reverse("portal:home"),
            "subject dashboard": reverse("portal:subject_dashboard", args=[subject.pk]),
            "treatment day": reverse("portal:treatment_day", args=[subject.pk, 1]),
            "subject list": reverse("enrollment:subject_list"),
            "AE list": reverse("safety:adverse_event_list"),
            "vitals form": reverse("safety:vitals_create", args=[subject.pk]),
        }
        client = Client()
        client.force_login(coordinator)
        for url in pages.values():  # warm-up: templates compiled, caches filled
            assert client.get(url).status_code == 200, url
        print(f"\nPages of a site coordinator, {times} requests each, in-process test client")
        print(f"{'page':<20} {'mean ms':>8} {'max ms':>8} {'queries':>8}")
        for name, url in pages.items():
            spent = []
            for _ in range(times):
                start = time.perf_counter()
                response = client.get(url)
                spent.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(f"{name:<20} {statistics.mean(spent):>8.1f} {max(spent):>8.1f} {len(queries):>8}")
        _panels(subject, times)
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [client.get(pages[profile]) for _ in range(10)])
            print(f"\nwhere the time of '{profile}' goes (10 requests):")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)


def _panels(subject, times: int) -> None:
    """The subject dashboard's panels one by one: the time of each one's context and of its
    template, and its queries."""
    from django.contrib.auth.context_processors import PermWrapper
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from enrollment import selectors
    from trial_edc.accounts.access import access_apply, access_read
    from trial_edc.accounts.models import User
    from trial_edc.core.registry import dashboard_panels

    user = User.objects.get(username="coordinator")
    print(f"\nthe subject dashboard's panels, {times} renders each")
    print(f"{'panel':<28} {'context ms':>10} {'render ms':>10} {'queries':>8}")
    for panel in dashboard_panels:
        if panel.permission and not user.has_perm(panel.permission):
            continue
        context_ms = render_ms = 0.0
        for _ in range(times):
            request = RequestFactory().get("/")
            request.user = User.objects.get(pk=user.pk)
            access_apply(request.user, access_read(request.user))
            read = selectors.subject_dashboard(request.user, subject.pk)  # as the view reads it
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                context = panel.context(request, read)
            middle = time.perf_counter()
            render_to_string(panel.template, {"perms": PermWrapper(request.user), **context})
            context_ms += (middle - start) * 1000
            render_ms += (time.perf_counter() - middle) * 1000
        print(
            f"{panel.key:<28} {context_ms / times:>10.1f} {render_ms / times:>10.1f}"
            f" {len(queries):>8}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--times", type=int, default=30)
    parser.add_argument("--profile", default="", help="a page's name, to profile it")
    arguments = parser.parse_args()
    main(arguments.times, arguments.profile)
