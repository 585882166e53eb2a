"""The database half of "a site code does not change once records use it": screening and
subject numbers are prefixed with the code (01-003), so once a screening of the site exists,
an UPDATE of the site's code is refused whatever writes (a service, `update()`, raw SQL).

Installed on the accounts site table by enrollment (migration 0007): the base layer does not
know about screenings; the SQLSTATE is the base's (`accounts.rules.SITE_CODE_IN_USE_SQLSTATE`),
so that its service turns the refusal into a message next to the code."""

from trial_edc.accounts.rules import SITE_CODE_IN_USE_SQLSTATE

SITE_CODE_GUARD = f"""
CREATE OR REPLACE FUNCTION enrollment_site_code_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.code IS DISTINCT FROM OLD.code
     AND EXISTS (SELECT 1 FROM enrollment_screening WHERE site_id = OLD.id) THEN
    RAISE EXCEPTION 'trial_edc: site % numbers its screenings; its code cannot change',
      OLD.code USING ERRCODE = '{SITE_CODE_IN_USE_SQLSTATE}';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS enrollment_site_code_guard ON accounts_site;
CREATE TRIGGER enrollment_site_code_guard BEFORE UPDATE OF code ON accounts_site
  FOR EACH ROW EXECUTE FUNCTION enrollment_site_code_guard();
"""  # noqa: S608 (constants only)

DROP_SITE_CODE_GUARD = """
DROP TRIGGER IF EXISTS enrollment_site_code_guard ON accounts_site;
DROP FUNCTION IF EXISTS enrollment_site_code_guard();
"""
