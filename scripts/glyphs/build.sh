#!/usr/bin/env bash
# Regenerates crates/formsift/data/glyph-neighbours.txt byte for byte.
#
# usage: scripts/glyphs/build.sh [--out FILE]    then: python3 scripts/glyphs/check.py
#
# Installs what it needs if missing: Debian fonts (apt-get, as root) and a
# virtualenv under target/glyphs/venv with pinned numpy and pillow (Pillow's
# wheel bundles FreeType, so pinning it pins the rasterizer). See docs/glyphs.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

fonts=(fonts-noto-cjk fonts-wqy-zenhei fonts-dejavu-core)
missing=()
for p in "${fonts[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi

venv=target/glyphs/venv
reqs="numpy==2.3.5 pillow==12.0.0"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$reqs" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check $reqs
  echo "$reqs" > "$venv/.pins"
fi

exec "$venv/bin/python" scripts/glyphs/build.py "$@"
