#!/bin/bash
# The two database roles (trial_edc/database.py), made once when the postgres container
# initialises its data directory (docker-entrypoint-initdb.d): the owner owns the database and
# runs migrations (the compose `migrate` service), the runtime role is what web, worker and
# beat connect as. Passwords from the environment (.env beside docker-compose.yml).
set -euo pipefail
: "${TRIAL_EDC_OWNER_PASSWORD:?set TRIAL_EDC_OWNER_PASSWORD}"
: "${TRIAL_EDC_APP_PASSWORD:?set TRIAL_EDC_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$TRIAL_EDC_OWNER_PASSWORD" -v app_password="$TRIAL_EDC_APP_PASSWORD" <<'SQL'
CREATE ROLE trial_edc_owner LOGIN CREATEDB PASSWORD :'owner_password';
CREATE ROLE trial_edc_app LOGIN PASSWORD :'app_password';
CREATE DATABASE trial_edc OWNER trial_edc_owner;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname trial_edc \
  -c 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'
