#!/usr/bin/env bash
# Render ACORN's Allure results in Allure 3 (the npm package `allure`) and, where Chromium is
# installed, take a screenshot of each report. Needs the npm registry once (the install), so it
# is a script, not part of the CI suite; tests/e2e/test_allure_run.py uses the same install when
# ACORN_ALLURE3 names its binary.
#
#   benchmarks/allure3_render.sh [OUT_DIR]      # default /tmp/acorn-allure3
#
# Writes OUT_DIR/{reference,naive}/ (acorn reports), OUT_DIR/{reference,naive}-allure/ (Allure 3
# reports) and OUT_DIR/{reference,naive}.png.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/tmp/acorn-allure3}"
PREFIX="${ALLURE3_PREFIX:-/tmp/allure3}"
mkdir -p "$OUT"
[ -x "$PREFIX/node_modules/.bin/allure" ] || npm install --prefix "$PREFIX" allure
ALLURE="$PREFIX/node_modules/.bin/allure"
"$ALLURE" --version

for name in reference naive; do
  acorn run --integration "examples/$name" --report-dir "$OUT/$name" --overwrite || true
  rm -rf "$OUT/$name-allure"
  "$ALLURE" generate "$OUT/$name/allure-results" -o "$OUT/$name-allure" \
    --name "ACORN readiness: $name"
done

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [ -n "$CHROMIUM" ]; then
  # The report fetches its data, so it is served (loopback only) rather than opened as a file.
  python3 -m http.server 0 --bind 127.0.0.1 --directory "$OUT" > "$OUT/server.log" 2>&1 &
  SERVER=$!
  trap 'kill "$SERVER"' EXIT
  for _ in $(seq 50); do grep -q "port" "$OUT/server.log" && break; sleep 0.1; done
  PORT="$(grep -o 'port [0-9]*' "$OUT/server.log" | head -1 | cut -d' ' -f2)"
  for name in reference naive; do
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
      --no-first-run --user-data-dir="$(mktemp -d)" --window-size=1400,1000 \
      --virtual-time-budget=15000 --screenshot="$OUT/$name.png" \
      "http://127.0.0.1:$PORT/$name-allure/index.html"
  done
fi
ls -l "$OUT"
