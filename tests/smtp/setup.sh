#!/usr/bin/env bash
# Installs the SMTP sink the e-mail tests start (aiosmtpd) into tests/smtp/.venv.
# Idempotent and quick when already installed. Needs python3 with the venv module.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
