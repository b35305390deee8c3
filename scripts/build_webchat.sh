#!/usr/bin/env bash
# Install the website chat widget (rasa-webchat's ready-made browser bundle) from the npm
# registry into build/webchat/, so the demo page serves it locally and no CDN is needed.
#
# Only the package's tarball is fetched (`npm pack`): its lib/index.js bundles React and
# socket.io-client, so the 590 packages of a full `npm install` would add nothing but time.
# The tarball is checked against the registry's sha512 recorded here. The bundle's CSS imports
# the Inter font from Google Fonts; that import is removed (the page sets a system font), so
# the widget makes no third-party request. To upgrade: change VERSION and INTEGRITY
# (`npm view rasa-webchat@<version> dist.integrity`) and run the widget test.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.0.1
INTEGRITY=sha512-Ld1zVJvTAaTrs6A5p8t70agNNrKYRyXlvqXZRgBoDvKKUXbA0jhJKECi5bdPGlaR6jsmqWtVylHS+YqIqo0x8w==
OUT=${1:-build/webchat/webchat.js}
FONT_IMPORT='@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);'

command -v npm >/dev/null || { echo "error: npm is needed to fetch the chat widget (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "rasa-webchat@${VERSION}" >/dev/null)
tarball="$tmp/rasa-webchat-${VERSION}.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "error: rasa-webchat ${VERSION} tarball has integrity $actual, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/lib/index.js

mkdir -p "$(dirname "$OUT")"
python3 - "$tmp/package/lib/index.js" "$OUT.tmp" "$FONT_IMPORT" <<'PY'
import sys
source, target, font_import = sys.argv[1:]
bundle = open(source, encoding="utf-8").read()
bundle = bundle.replace(font_import, "")
if "fonts.googleapis.com" in bundle:
    sys.exit("error: the widget bundle still loads Google Fonts; update build_webchat.sh")
open(target, "w", encoding="utf-8").write(bundle)
PY
mv "$OUT.tmp" "$OUT"
echo "rasa-webchat ${VERSION} installed in $OUT"
