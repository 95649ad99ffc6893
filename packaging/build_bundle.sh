#!/usr/bin/env bash
# Build the PyInstaller one-folder bundle of moodplayer, offline, then prove it works.
#
#   packaging/build_bundle.sh [--with-librosa] [--with-cuda] [--clean]
#
# Output (outside git tracking): packaging/build/dist/moodplayer/ (the bundle),
# packaging/build/selftest.txt (its --self-test), packaging/build/sizes.{txt,json} (what takes space).
# --with-librosa / --with-cuda build a variant into dist-librosa/ / dist-cuda/ to measure what those
# libraries cost (see packaging/moodplayer.spec). MOODPLAYER_BUILD_DIR moves packaging/build.
# Needs: pip install pyinstaller (tested with 6.22.3), the models in models/ (or MOODPLAYER_BUNDLE_MODELS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${MOODPLAYER_BUILD_DIR:-$ROOT/packaging/build}"
PYTHON="${PYTHON:-python3}"
variant="" clean=()
for arg in "$@"; do
    case "$arg" in
        --with-librosa) export MOODPLAYER_BUNDLE_LIBROSA=1; variant="${variant}-librosa" ;;
        --with-cuda) export MOODPLAYER_BUNDLE_CUDA=1; variant="${variant}-cuda" ;;
        --clean) clean=(--clean) ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "build_bundle.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

fail() { echo "build_bundle.sh: $*" >&2; exit 1; }

MODELS="${MOODPLAYER_BUNDLE_MODELS:-$ROOT/models}"  # the spec reads the same variable
for f in "$MODELS"/music_track.onnx "$MODELS"/music_va.onnx "$MODELS"/face_emotion.onnx "$MODELS"/face_emotion.json \
         "$ROOT"/moodplayer/analysis/data/spectrogram_chroma.npy "$ROOT"/moodplayer/analysis/data/spectrogram_mel.npy "$ROOT"/assets/moodplayer.svg; do
    [ -f "$f" ] || fail "$f is missing: the bundle would not work without it"
done
"$PYTHON" -c "import PyInstaller" 2>/dev/null || fail "PyInstaller is not installed (pip install pyinstaller)"

DIST="$OUT/dist$variant"
WORK="$OUT/work$variant"
mkdir -p "$OUT"
echo "== PyInstaller $("$PYTHON" -m PyInstaller --version) -> $DIST/moodplayer"
start=$(date +%s)
# One thread for the numeric libraries PyInstaller imports while analysing: the machine is shared.
OMP_NUM_THREADS=1 "$PYTHON" -m PyInstaller --noconfirm --log-level WARN "${clean[@]}" \
    --workpath "$WORK" --distpath "$DIST" "$ROOT/packaging/moodplayer.spec"
echo "== built in $(( $(date +%s) - start )) s"

BUNDLE="$DIST/moodplayer"
[ -x "$BUNDLE/moodplayer" ] || fail "$BUNDLE/moodplayer was not produced"

# Smoke test: the bundle's own --self-test, headless, on a throw-away data directory. The models
# must come from the bundle, so any override from the calling shell is dropped.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
report="$OUT/selftest$variant.txt"
echo "== $BUNDLE/moodplayer --self-test --qt"
set +e
env -u MOODPLAYER_MODELS -u MOODPLAYER_DB QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$tmp/data" HOME="$tmp" \
    "$BUNDLE/moodplayer" --self-test --qt --db "$tmp/data/moodplayer/library.db" 2>&1 | tee "$report"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || fail "the bundle's self-test failed (exit $rc); report in $report"
if ldconfig -p | grep -q 'libportaudio\.so\.2' && grep -q 'PortAudio library missing' "$report"; then
    fail "the bundle cannot load the system's PortAudio although it is installed; report in $report"
fi
"$BUNDLE/moodplayer" --version
"$BUNDLE/moodplayer" --help > /dev/null || fail "moodplayer --help fails in the bundle (a sub-command module is missing?)"

echo "== size"
"$PYTHON" "$ROOT/packaging/bundle_sizes.py" "$BUNDLE" | tee "$OUT/sizes$variant.txt"
"$PYTHON" "$ROOT/packaging/bundle_sizes.py" "$BUNDLE" --json > "$OUT/sizes$variant.json"
echo "== ok: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
