#!/usr/bin/env bash
# Installs the independent API checkers (openapi-spec-validator, schemathesis) into
# tests/api/.venv. Idempotent and quick when already installed. Needs python3 with venv.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
