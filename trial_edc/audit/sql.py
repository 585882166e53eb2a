"""SQL of the hash chain, installed by audit migrations 0001 and 0003 (kept here so tests
and docs can read it).

The row is turned into JSON with the time zone pinned to UTC, so the digest does not depend
on the session that wrote or verifies it.

An entry's payload is the canonical JSON text of its row as written (every column but
pgh_hash and pgh_payload, with pgh_chain_seq and pgh_prev_hash), stored in pgh_payload;
its hash is sha256(table | payload). Because the payload is frozen at write time, a column
added to the history table later (NULL in old entries) does not change what old entries
hash to, and verification compares each column of the row with the payload.
"""

CHAIN_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_row_json(rec anyelement) RETURNS jsonb
LANGUAGE sql STABLE SET timezone TO 'UTC' AS $$ SELECT to_jsonb(rec) $$;

CREATE OR REPLACE FUNCTION audit_digest(tbl text, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(tbl || '|' || (payload - 'pgh_hash')::text, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION audit_chain_link(tbl text, rec anyelement) RETURNS jsonb
LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  link jsonb;
BEGIN
  INSERT INTO audit_auditchainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64))
    ON CONFLICT (id) DO NOTHING;
  SELECT seq, hash INTO head_seq, head_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
  link := jsonb_build_object('pgh_chain_seq', head_seq + 1, 'pgh_prev_hash', head_hash);
  link := link || jsonb_build_object('pgh_hash', audit_digest(tbl, audit_row_json(rec) || link));
  UPDATE audit_auditchainhead SET seq = head_seq + 1, hash = link->>'pgh_hash' WHERE id = 1;
  RETURN link;
END
$$;
"""

DROP_CHAIN_FUNCTIONS = """
DROP FUNCTION IF EXISTS audit_chain_link(text, anyelement);
DROP FUNCTION IF EXISTS audit_digest(text, jsonb);
DROP FUNCTION IF EXISTS audit_row_json(anyelement);
"""

# Migration 0003: the payload is frozen at write time and verified column by column.
PAYLOAD_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_payload_text(row_json jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT (row_json - 'pgh_hash' - 'pgh_payload')::text $$;

CREATE OR REPLACE FUNCTION audit_digest_text(tbl text, payload text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(tbl || '|' || payload, 'UTF8')), 'hex')
$$;

-- The first column (by name) of the row whose value differs from the payload's; a column
-- the payload lacks (added after the entry was written) must be NULL. NULL if all agree.
CREATE OR REPLACE FUNCTION audit_payload_problem(row_json jsonb, payload text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  written jsonb;
  differing text;
BEGIN
  BEGIN
    written := payload::jsonb;
  EXCEPTION WHEN others THEN
    RETURN '(payload is not JSON)';
  END;
  IF jsonb_typeof(written) IS DISTINCT FROM 'object' THEN
    RETURN '(payload is not a JSON object)';
  END IF;
  SELECT r.key INTO differing
    FROM jsonb_each(row_json - 'pgh_hash' - 'pgh_payload') r
   WHERE r.value IS DISTINCT FROM COALESCE(written -> r.key, 'null'::jsonb)
   ORDER BY r.key LIMIT 1;
  RETURN differing;
END
$$;

CREATE OR REPLACE FUNCTION audit_chain_link(tbl text, rec anyelement) RETURNS jsonb
LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  link jsonb;
  payload text;
  digest text;
BEGIN
  INSERT INTO audit_auditchainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64))
    ON CONFLICT (id) DO NOTHING;
  SELECT seq, hash INTO head_seq, head_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
  link := jsonb_build_object('pgh_chain_seq', head_seq + 1, 'pgh_prev_hash', head_hash);
  payload := audit_payload_text(audit_row_json(rec) || link);
  digest := audit_digest_text(tbl, payload);
  UPDATE audit_auditchainhead SET seq = head_seq + 1, hash = digest WHERE id = 1;
  RETURN link || jsonb_build_object('pgh_hash', digest, 'pgh_payload', payload);
END
$$;
"""

DROP_PAYLOAD_FUNCTIONS = (
    """
DROP FUNCTION IF EXISTS audit_payload_problem(jsonb, text);
DROP FUNCTION IF EXISTS audit_digest_text(text, text);
DROP FUNCTION IF EXISTS audit_payload_text(jsonb);
"""
    + CHAIN_FUNCTIONS
)

# TRUNCATE bypasses row triggers; this statement-level trigger refuses it on the append-only
# tables (history, access log, verification runs, chain head) unless the maintenance switch
# is on for the session: SET trial_edc.maintenance = 'on' (the owner's flush does this).
MAINTENANCE_SETTING = "trial_edc.maintenance"
TRUNCATE_GUARD = (
    f"IF current_setting('{MAINTENANCE_SETTING}', true) IS DISTINCT FROM 'on' THEN"
    " RAISE EXCEPTION '% is append-only: TRUNCATE needs the maintenance switch"
    f" (SET {MAINTENANCE_SETTING} = ''on'')', TG_TABLE_NAME"
    " USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;"
)

# Migration 0004: no lock on the write path. The insert trigger numbers each entry from the
# sequence audit_chain_seq and freezes its payload; `audit_chain_seal()` (SECURITY DEFINER,
# owned by the owner role) later chains the unsealed entries in sequence order (previous hash
# into the row and its payload, then the hash), then moves the head
# (seq/hash: the last sealed entry; mark: every number up to it is sealed or rolled back).
SEAL_ADVISORY_KEY = 718_281_828
SEAL_WAIT_MS = 2000

SEAL_FUNCTIONS = rf"""
CREATE SEQUENCE IF NOT EXISTS audit_chain_seq;
SELECT setval('audit_chain_seq',
              COALESCE((SELECT seq FROM audit_auditchainhead WHERE id = 1), 0) + 1, false);

CREATE OR REPLACE FUNCTION audit_chain_link(tbl text, rec anyelement) RETURNS jsonb
LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
  link jsonb;
BEGIN
  -- the transaction has an id before it takes a number: the sealer can wait for it
  PERFORM pg_current_xact_id();
  link := jsonb_build_object(
    'pgh_chain_seq', nextval('audit_chain_seq'), 'pgh_prev_hash', '', 'pgh_hash', '');
  RETURN link || jsonb_build_object('pgh_payload', audit_payload_text(audit_row_json(rec) || link));
END
$$;

CREATE OR REPLACE FUNCTION audit_event_tables() RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(array_agg(c.relname::text ORDER BY c.relname), '{{}}')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE a.attname = 'pgh_payload' AND NOT a.attisdropped AND c.relkind = 'r'
     AND n.nspname = current_schema()
$$;

-- Whether the transactions of this database running now (but this one) have all ended, waiting
-- up to wait_ms (0: look once). An entry's transaction takes its id before its number.
CREATE OR REPLACE FUNCTION audit_running_ended(wait_ms integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  waiting xid[];
  deadline timestamptz := clock_timestamp() + wait_ms * interval '1 millisecond';
BEGIN
  PERFORM pg_stat_clear_snapshot();
  SELECT array_agg(l.transactionid) INTO waiting
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock'
     AND a.datname = current_database() AND l.pid <> pg_backend_pid();
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'transactionid'
                      AND l.mode = 'ExclusiveLock' AND l.transactionid = ANY(waiting)) THEN
      RETURN true;
    END IF;
    IF clock_timestamp() >= deadline THEN
      RETURN false;
    END IF;
    PERFORM pg_sleep(0.005);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION audit_chain_seal(wait_ms integer DEFAULT {SEAL_WAIT_MS})
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp SET timezone TO 'UTC' AS $$
DECLARE
  h record;
  e record;
  hi bigint;
  tables text[];
  ignore text[];
  src text;
  resolved boolean;  -- NULL: no gap met; true: every number up to hi is visible or rolled back
  gap boolean;
  expected bigint;
  last_seq bigint;
  last_hash text;
  payload text;
  digest text;
  sealed integer := 0;
BEGIN
  IF wait_ms > 0 THEN
    PERFORM pg_advisory_xact_lock({SEAL_ADVISORY_KEY});
  ELSIF NOT pg_try_advisory_xact_lock({SEAL_ADVISORY_KEY}) THEN
    RETURN 0;  -- another sealer is at work
  END IF;
  INSERT INTO audit_auditchainhead (id, seq, hash, mark) VALUES (1, 0, repeat('0', 64), 0)
    ON CONFLICT (id) DO NOTHING;
  SELECT seq, hash, mark INTO h FROM audit_auditchainhead WHERE id = 1;
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO hi FROM audit_chain_seq;
  IF hi <= h.mark THEN
    RETURN 0;
  END IF;
  -- the history tables, and their append-only triggers, which let the sealer alone write the
  -- link columns of entries (pgtrigger.ignore, while it seals)
  SELECT array_agg(c.relname::text ORDER BY c.relname), array_agg(t.tgname::text)
    INTO tables, ignore
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname LIKE 'pgtrigger_append_only_%'
   WHERE a.attname = 'pgh_payload' AND NOT a.attisdropped AND c.relkind = 'r'
     AND n.nspname = current_schema();
  SELECT string_agg(format(
    'SELECT %L::text AS tbl, pgh_id::bigint AS id, pgh_chain_seq AS seq, pgh_payload AS payload'
    ' FROM %I WHERE pgh_hash = '''' AND pgh_chain_seq > %s AND pgh_chain_seq <= %s',
    x, x, h.mark, hi), ' UNION ALL ') || ' ORDER BY 3' INTO src FROM unnest(tables) x;
  IF src IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM set_config('pgtrigger.ignore', COALESCE(ignore, '{{}}')::text, true);
  last_seq := h.seq;
  last_hash := h.hash;
  expected := h.mark + 1;
  LOOP
    gap := false;
    FOR e IN EXECUTE src LOOP
      IF resolved IS NOT TRUE AND e.seq <> expected THEN
        gap := true;  -- a number not visible: its transaction may still be writing it
        EXIT;
      END IF;
      payload := audit_payload_text(
        e.payload::jsonb || jsonb_build_object('pgh_prev_hash', last_hash));
      digest := audit_digest_text(e.tbl, payload);
      EXECUTE format(
        'UPDATE %I SET pgh_prev_hash = $1, pgh_hash = $2, pgh_payload = $3 WHERE pgh_id = $4',
        e.tbl) USING last_hash, digest, payload, e.id;
      last_seq := e.seq;
      last_hash := digest;
      expected := e.seq + 1;
      sealed := sealed + 1;
    END LOOP;
    EXIT WHEN NOT gap OR resolved IS NOT NULL;
    -- wait for the transactions running now; if they all end, every number up to hi is visible
    -- or rolled back: seal the rest (read again). Otherwise stop before the gap, so that an
    -- entry still being written lands in its place next time.
    resolved := audit_running_ended(wait_ms);
    EXIT WHEN NOT resolved;
  END LOOP;
  PERFORM set_config('pgtrigger.ignore', '{{}}', true);
  IF resolved OR expected - 1 > h.mark THEN
    UPDATE audit_auditchainhead
       SET seq = last_seq, hash = last_hash,
           mark = CASE WHEN resolved THEN hi ELSE expected - 1 END
     WHERE id = 1;
  END IF;
  RETURN sealed;
END
$$;
"""  # noqa: S608 - constants only

DROP_SEAL_FUNCTIONS = (
    """
DROP FUNCTION IF EXISTS audit_chain_seal(integer);
DROP FUNCTION IF EXISTS audit_running_ended(integer);
DROP FUNCTION IF EXISTS audit_event_tables();
DROP SEQUENCE IF EXISTS audit_chain_seq;
"""
    + PAYLOAD_FUNCTIONS
)

# The chain head moves forward, and only by the sealer (the owner role, which owns the table).
HEAD_FORWARD_BY_SEALER = (
    "IF NEW.id = OLD.id AND NEW.mark >= OLD.mark"
    " AND (NEW.seq > OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash))"
    " AND current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c"
    " WHERE c.oid = TG_RELID) THEN RETURN NEW; END IF;"
    " RAISE EXCEPTION 'The audit chain head only moves forward, by the sealer (% to %)',"
    " OLD.seq, NEW.seq USING ERRCODE = 'check_violation'; RETURN NULL;"
)

# After a flush (every table emptied): the chain starts again at the genesis head, numbered from 1.
CHAIN_RESTART = (
    "INSERT INTO audit_auditchainhead (id, seq, hash, mark) VALUES (1, 0, repeat('0', 64), 0)"
    " ON CONFLICT (id) DO NOTHING;"
    " SELECT setval('audit_chain_seq', 1, false) FROM audit_auditchainhead"
    " WHERE id = 1 AND mark = 0"
)
