"""Time and SQL queries of the enrollment list pages as the number of subjects grows.

python benchmarks/enrollment_pages.py --subjects 200 1000
"""

import argparse

from _setup import benchmark_database, measured, print_table


def main(sizes: list[int]) -> None:
    with benchmark_database():
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from enrollment.models import Subject
        from trial_edc.accounts.models import User

        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        client = Client()
        client.force_login(User.objects.get(username="coordinator"))
        results = []
        seeded = Subject.objects.count()
        for size in sorted(sizes):
            if size > seeded:
                with measured(f"seed_demo --subjects {size - seeded}", results):
                    call_command(
                        "seed_demo",
                        subjects=size - seeded,
                        stdout=open("/dev/null", "w"),  # noqa: SIM115
                    )
                seeded = size
            for name in (
                "enrollment:subject_list",
                "enrollment:screening_log",
                "enrollment:consort",
            ):
                client.get(reverse(name))  # warm up
                with measured(f"{name} with {seeded} subjects", results):
                    response = client.get(reverse(name))
                assert response.status_code == 200, (name, response.status_code)
            subject = Subject.objects.order_by("-pk").first()
            with measured(f"subject_dashboard with {seeded} subjects", results):
                client.get(reverse("portal:subject_dashboard", args=[subject.pk]))
        print_table("Enrollment pages", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, nargs="+", default=[100, 500])
    main(parser.parse_args().subjects)
