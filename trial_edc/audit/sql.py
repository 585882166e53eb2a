"""SQL of the hash chain, installed by migration 0001 (kept here so tests and docs can read it).

The row is turned into JSON with the time zone pinned to UTC, so the digest does not depend
on the session that wrote or verifies it.
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
