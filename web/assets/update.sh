#!/usr/bin/env bash
# Re-fetches the vendored page assets from their npm packages (with npm's own
# client and whatever registry it is configured for), at the pinned versions
# below, and copies the few files the pages use next to this script. The files
# are committed: building and running reestr needs neither npm nor a network.
# Bump a version here, run this, look at the pages, commit the result.
set -euo pipefail
cd "$(dirname "$0")"

HTMX=htmx.org@2.0.11           # BSD-2-Clause (Zero-Clause since 2.0)
ECHARTS=echarts@5.6.0          # Apache-2.0
PT_SANS=@fontsource/pt-sans@5.3.0  # SIL Open Font License 1.1
JSQR=jsqr@1.4.0                # Apache-2.0: QR codes read from the camera on /verify

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unpack() { # package@version -> directory holding its files
  local dir="$work/$(echo "$1" | tr '/@' '__')"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz)
  echo "$dir/package"
}

htmx=$(unpack "$HTMX")
cp "$htmx/dist/htmx.min.js" htmx.min.js
cp "$htmx/LICENSE" LICENSE.htmx

echarts=$(unpack "$ECHARTS")
cp "$echarts/dist/echarts.min.js" echarts.min.js
cp "$echarts/LICENSE" LICENSE.echarts

jsqr=$(unpack "$JSQR")
cp "$jsqr/dist/jsQR.js" jsQR.js
cp "$jsqr/LICENSE" LICENSE.jsqr

font=$(unpack "$PT_SANS")
for subset in cyrillic latin; do
  for weight in 400 700; do
    cp "$font/files/pt-sans-$subset-$weight-normal.woff2" .
  done
done
cp "$font/LICENSE" LICENSE.pt-sans

sha256sum htmx.min.js echarts.min.js jsQR.js ./*.woff2 > SHA256SUMS
echo "updated: $HTMX $ECHARTS $JSQR $PT_SANS"
