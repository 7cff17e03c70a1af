#!/usr/bin/env bash
# Regenerate the real-OCR corpus (corpus/ocr/) from scratch:
#   scripts/ocr-corpus/build.sh              # everything (+ REPORT.md)
#   scripts/ocr-corpus/build.sh --baseline   # ... and measure target/release/formsift on it
#   scripts/ocr-corpus/build.sh --only 40,41 # a trial on some base forms (gold not rewritten)
# Installs what it needs: Debian packages (chromium, CJK fonts, tesseract +
# chi_sim) and a virtualenv in target/ocr-corpus/venv from requirements.txt.
# See docs/ocr-corpus.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/ocr-corpus/venv"

debs=(chromium fonts-noto-cjk fonts-wqy-zenhei fonts-dejavu-core tesseract-ocr tesseract-ocr-chi-sim)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q "${missing[@]}"
fi

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "creating $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi

# Low priority, one process: the machine has 2 cores and is shared with builds.
export PYTHONDONTWRITEBYTECODE=1
cd "$root"
exec nice -n 10 "$venv/bin/python" "$here/build.py" "$@"
