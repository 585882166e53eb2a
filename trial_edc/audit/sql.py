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
