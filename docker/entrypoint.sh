#!/bin/bash
# Entrypoint of the platform image. Writes the effective Tryton
# configuration to $TRYTOND_CONFIG (config/trytond.conf with every
# TRYTOND_<SECTION>__<OPTION> environment variable applied on top, through
# scripts/render-config) and then runs the command in place of this script:
# gunicorn, trytond-worker, trytond-cron, trytond-admin, ...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${TRYTOND_CONFIG:?TRYTOND_CONFIG must name the configuration file to write}"

# The configuration holds the database password and the filestore holds the
# attachments: readable by the platform user only.
umask 077
python3 "$ROOT/scripts/render-config" "$TRYTOND_CONFIG"

exec "$@"
