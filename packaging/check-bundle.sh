#!/usr/bin/env bash
# Proves the frozen Linux bundle works on its own: runs dist/Mostrador/mostrador with an empty PATH
# and a scrubbed environment (no Python visible, no PYTHONPATH, a fresh HOME) through
#   demo --headless (each country) → verify (the signed XMLs) → print --pdf → screenshots (offscreen)
# and checks the bundle holds every file packaging/layout.py declares.
#   bash packaging/build-linux.sh && bash packaging/check-bundle.sh [BUNDLE_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
B="$(cd "${1:-dist/Mostrador}" && pwd)"
[ -x "$B/mostrador" ] && [ -x "$B/mostradorw" ] || { echo "no bundle in $B: run packaging/build-linux.sh" >&2; exit 1; }

# every declared file is in the bundle (Linux names; installer.iss is tested against the same list)
missing=0
while IFS= read -r rel; do
  [ -e "$B/$rel" ] || { echo "missing from the bundle: $rel" >&2; missing=1; }
done < <(python3 packaging/layout.py)
[ "$missing" -eq 0 ]
for p in platforms/libqoffscreen.so platforms/libqxcb.so imageformats/libqjpeg.so; do
  [ -e "$B/_internal/PySide6/Qt/plugins/$p" ] || { echo "missing Qt plugin $p" >&2; exit 1; }
done
extra=$(find "$B/_internal/PySide6/Qt/plugins" -type f | grep -v -e /platforms/ -e /imageformats/ || true)
[ -z "$extra" ] || { echo "unexpected Qt plugins: $extra" >&2; exit 1; }

T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
mkdir -p "$T/empty-path" "$T/home"
run() {  # the frozen program, with nothing of this machine's Python reachable
  env -i PATH="$T/empty-path" HOME="$T/home" LANG=C.UTF-8 TZ="${TZ:-UTC}" QT_QPA_PLATFORM=offscreen \
    "$B/mostrador" "$@"
}
if env -i PATH="$T/empty-path" /bin/sh -c 'command -v python3 || command -v python' >/dev/null; then
  echo "a Python is visible on the check's PATH" >&2; exit 1
fi

for cc in EC PY; do
  echo "== demo --headless --country $cc"
  run demo --headless --country "$cc" --sales 3 --timeout 90 --data-dir "$T/data-$cc" --out "$T/xml-$cc"
  ls "$T/xml-$cc"/*.xml >/dev/null
done
echo "== verify"
run verify "$T"/xml-EC/*.xml "$T"/xml-PY/*.xml
for cc in EC PY; do
  key=$(basename "$(ls "$T/xml-$cc"/*.xml | head -1)" .xml)
  echo "== print --pdf ($cc)"
  run print "$key" --pdf "$T/ticket-$cc.pdf" --data-dir "$T/data-$cc"
  [ "$(head -c 5 "$T/ticket-$cc.pdf")" = "%PDF-" ] || { echo "not a PDF: $T/ticket-$cc.pdf" >&2; exit 1; }
  run print "$key" --pdf "$T/a4-$cc.pdf" --a4 --data-dir "$T/data-$cc"
done
echo "== screenshots"
run screenshots --out "$T/shots" --data-dir "$T/data-shots"
n=$(ls "$T/shots"/*.png | wc -l)
[ "$n" -ge 7 ] || { echo "expected at least 7 screenshots, got $n" >&2; exit 1; }
echo "bundle OK: $B ($(du -sh "$B" | cut -f1))"
