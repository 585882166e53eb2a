"""Time and SQL queries of data management's pages for 10 sites × N subjects each, at two
sizes, so that what does not grow with the subjects can be seen (and is asserted): the
subject matrix and the query list of a site, and a full run of the automatic checks (the
first after the new subjects, which raises their queries, and a second, which finds nothing
to do).

python benchmarks/data_management.py --sites 10 --subjects 10 100
"""

import argparse

from _setup import benchmark_database, measured, print_table


def _sites(count: int):
    """Sites 01..N with the demo coordinator, investigator and monitor as members."""
    from trial_edc.accounts.models import Site, SiteMembership, User

    people = User.objects.filter(username__in=["coordinator", "investigator", "monitor"])
    sites = []
    for number in range(1, count + 1):
        site, _ = Site.objects.get_or_create(
            code=f"{number:02d}", defaults={"name": f"Site {number:02d}"}
        )
        for person in people:
            SiteMembership.objects.get_or_create(user=person, site=site)
        sites.append(site)
    return sites


def main(site_count: int, sizes: list[int]) -> None:
    with benchmark_database("data_management"):
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone
        from efficacy_summary import seed_efficacy

        from datamanagement.checks.services import checks_run
        from enrollment.models import Subject
        from portal.demo.enrollment import enrollment_bulk_seed
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        sites = _sites(site_count)
        coordinator = User.objects.get(username="coordinator")
        client = Client()
        client.force_login(User.objects.get(username="monitor"))
        results, per_site = [], 0
        today = timezone.localdate()
        checks_run()  # warm up (the demo's subjects; content types cached)
        for size in sorted(sizes):
            with measured(f"enrol {size - per_site} more subjects at {site_count} sites", results):
                for site in sites:
                    before = set(Subject.objects.filter(site=site).values_list("pk", flat=True))
                    enrollment_bulk_seed(size - per_site, today, site_code=site.code)
                    new = list(
                        Subject.objects.filter(site=site)
                        .exclude(pk__in=before)
                        .prefetch_related("visits")
                    )
                    seed_efficacy(new, coordinator)
            per_site = size
            url = reverse("datamanagement:subject_matrix") + f"?site={sites[-1].code}"
            client.get(url)  # warm up
            with measured(f"subject matrix, {per_site} subjects at the site", results):
                response = client.get(url)
            assert response.status_code == 200
            with measured(f"automatic checks, full run ({per_site} subjects/site)", results):
                raised = checks_run()
            with measured(f"automatic checks again, nothing to do ({per_site}/site)", results):
                again = checks_run()
            assert (again.raised, again.reopened, again.closed) == (0, 0, 0)
            print(f"{per_site} subjects/site: the checks raised {raised.raised} queries")
            url = reverse("datamanagement:query_list") + f"?site={sites[-1].pk}"
            client.get(url)  # warm up
            with measured(f"query list, {per_site} subjects at the site", results):
                response = client.get(url)
            assert response.status_code == 200
        print_table(f"Data management, {site_count} sites", results)
        runs = {}
        for label, _, queries, _ in results:
            if not label.startswith("enrol"):
                runs.setdefault(label.split(",")[0], set()).add(queries)
        assert all(len(q) == 1 for q in runs.values()), f"query count grew: {runs}"
        print("Query count per page, whatever the subjects:", {k: v.pop() for k, v in runs.items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--subjects", type=int, nargs="+", default=[10, 100])
    args = parser.parse_args()
    main(args.sites, args.subjects)
