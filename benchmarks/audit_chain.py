"""What the hash-chained audit trail costs: writes with and without it, and verification.

make benchmarks            (or: python benchmarks/audit_chain.py --rows 2000)
"""

import argparse

from _setup import benchmark_database, measured, print_table


def main(rows: int) -> None:
    with benchmark_database():
        import pghistory
        from django.db import connection, transaction

        from trial_edc.accounts.models import Site, User
        from trial_edc.audit.chain import audit_chain_verify

        user = User.objects.create(username="bench")
        results = []
        with measured(f"insert {rows} audited rows (one transaction each)", results):
            for i in range(rows):
                with transaction.atomic(), pghistory.context(user=user.pk):
                    Site.objects.create(code=f"{i:04d}", name=f"Site {i}")
        with (
            measured(f"update {rows} audited rows in one statement", results),
            transaction.atomic(),
            pghistory.context(user=user.pk, reason="benchmark"),
        ):
            Site.objects.update(name="renamed")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE plain AS SELECT * FROM accounts_site WITH NO DATA")
            with measured(f"insert {rows} rows into an untracked copy", results):
                for i in range(rows):
                    with transaction.atomic():
                        cursor.execute(
                            "INSERT INTO plain (code, name, time_zone, is_active)"
                            " VALUES (%s, %s, 'UTC', true)",
                            [str(i), f"Site {i}"],
                        )
        with measured("verify the whole chain", results):
            report = audit_chain_verify()
        print_table(
            f"Audit trail, {rows} rows (chain: {report.entries} entries, ok={report.ok})", results
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000, help="at most 9999 (site codes)")
    main(min(parser.parse_args().rows, 9999))
