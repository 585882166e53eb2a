"""What the hash-chained audit trail costs: writes with and without it, from 1, 4 and 8
clients at once, sealing and verification.

Writers only number their entries (no lock on the chain head); the sealer chains them later,
in order. Each client is its own connection as the runtime role, one transaction per insert;
"held" transactions keep 5 ms of other work open after the insert, as a request does, which a
lock on the write path would turn into a queue.

make benchmarks            (or: python benchmarks/audit_chain.py --rows 1000)
"""

import argparse
import itertools
import threading
import time

from _setup import benchmark_database, measured, print_table

# site codes are four digits, unique per table: one counter per table
_codes = {"bench_plain": itertools.count(1), "accounts_site": itertools.count(1)}
_codes_lock = threading.Lock()


def _code(table: str = "accounts_site") -> str:
    with _codes_lock:
        return f"{next(_codes[table]):04d}"


def _connect():
    import psycopg2
    from django.db import connection

    s = connection.settings_dict
    return psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )


def _insert_rows(table: str, rows: int, hold: float) -> None:
    raw = _connect()
    try:
        with raw.cursor() as cursor:
            for _ in range(rows):
                cursor.execute(
                    f"INSERT INTO {table} (code, name, time_zone, is_active, language)"
                    " VALUES (%s, 'bench', 'UTC', true, 'en')",
                    [_code(table)],
                )
                if hold:
                    time.sleep(hold)
                raw.commit()
    finally:
        raw.close()


def _clients(table: str, clients: int, rows: int, hold: float = 0.0) -> float:
    """Rows per second, `clients` connections inserting `rows` each."""
    threads = [
        threading.Thread(target=_insert_rows, args=(table, rows, hold)) for _ in range(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * rows / (time.perf_counter() - start)


def main(rows: int) -> None:
    with benchmark_database("audit_chain"):
        import pghistory
        from django.db import connection, connections, transaction

        from trial_edc.accounts.models import Site, User
        from trial_edc.audit.chain import audit_chain_seal, audit_chain_verify
        from trial_edc.audit.grants import owner_database, runtime_role

        # an untracked copy of the sites table, a real (logged) table like the audited one
        with connections[owner_database()].cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain (LIKE accounts_site INCLUDING ALL)")
            cursor.execute(f'GRANT SELECT, INSERT ON bench_plain TO "{runtime_role()}"')
            cursor.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{runtime_role()}"')

        user = User.objects.create(username="bench")
        results = []
        # single client, same SQL statement, one transaction per row; the two tables in turns
        # of rows / 10, so that a change in the machine's load weighs on both alike
        single = {"bench_plain": 0.0, "accounts_site": 0.0}
        _insert_rows("bench_plain", 50, 0)  # warm-up
        _insert_rows("accounts_site", 50, 0)
        for _ in range(10):
            for table in single:
                start = time.perf_counter()
                _insert_rows(table, rows // 10, 0)
                single[table] += time.perf_counter() - start
        single = {table: (rows // 10) * 10 / seconds for table, seconds in single.items()}
        with measured(f"insert {rows} audited rows via the ORM (one transaction each)", results):
            for _ in range(rows):
                with transaction.atomic(), pghistory.context(user=user.pk):
                    Site.objects.create(code=_code(), name="bench", time_zone="UTC")
        with measured("seal the unsealed tail", results):
            sealed = audit_chain_seal()
        with (
            measured(f"update {rows} audited rows in one statement", results),
            transaction.atomic(),
            pghistory.context(user=user.pk, reason="benchmark"),
        ):
            Site.objects.filter(name="bench").update(name="renamed")
        with measured("seal the unsealed tail", results):
            sealed += audit_chain_seal()

        throughput = []
        per_client = max(rows // 8, 25)
        for hold in (0.0, 0.005):
            for clients in (1, 4, 8):
                plain = _clients("bench_plain", clients, per_client, hold)
                audited = _clients("accounts_site", clients, per_client, hold)
                throughput.append((hold, clients, plain, audited))
        with measured("seal the unsealed tail", results):
            sealed += audit_chain_seal()
        with measured("verify the whole chain", results):
            report = audit_chain_verify()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_site")
            sites = cursor.fetchone()[0]

        print_table(
            f"Audit trail, {rows} rows (chain: {report.entries} entries, ok={report.ok},"
            f" unsealed {report.unsealed}; {sealed} sealed by the benchmark's seals, {sites}"
            " audited sites)",
            results,
        )
        ratio = single["bench_plain"] / single["accounts_site"]
        print(
            f"\nSingle client, one INSERT per transaction: untracked"
            f" {1000 / single['bench_plain']:.3f} ms, audited"
            f" {1000 / single['accounts_site']:.3f} ms per row: {ratio:.2f}× (target ≤ 2×)"
        )
        print(f"\n{'clients':>7} {'held ms':>8} {'untracked rows/s':>17} {'audited rows/s':>15}")
        for hold, clients, plain, audited in throughput:
            print(f"{clients:>7} {hold * 1000:>8.0f} {plain:>17.0f} {audited:>15.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000, help="at most 1500 (site codes)")
    main(min(parser.parse_args().rows, 1500))
