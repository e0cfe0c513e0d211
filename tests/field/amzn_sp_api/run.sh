#!/bin/sh
# Runs the glue with this integration's own interpreter: .venv/bin/python in this folder (the
# field test links it to a cached venv with requirements.txt installed), or AMZN_SP_API_PYTHON.
here=$(cd "$(dirname "$0")" && pwd)
exec "${AMZN_SP_API_PYTHON:-$here/.venv/bin/python}" "$here/glue.py" "$@"
