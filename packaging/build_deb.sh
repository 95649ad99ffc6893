#!/usr/bin/env bash
# Build a .deb from the PyInstaller bundle (run packaging/build_bundle.sh first).
#
#   packaging/build_deb.sh [BUNDLE_DIR]       -> packaging/build/moodplayer_VERSION_ARCH.deb
#   packaging/build_deb.sh --print-control    the DEBIAN/control it writes (Installed-Size from the
#                                             bundle when one is built)
#
# Layout: /opt/moodplayer/ (the bundle), /usr/bin/moodplayer (wrapper), the .desktop file, hicolor
# icons and AppStream metainfo under /usr/share. Depends come from packaging/deb_depends.py, and
# the build checks with ldd/dpkg -S that they cover every system library the bundle needs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${MOODPLAYER_BUILD_DIR:-$ROOT/packaging/build}"
PYTHON="${PYTHON:-python3}"
fail() { echo "build_deb.sh: $*" >&2; exit 1; }

print_only=0
BUNDLE="$OUT/dist/moodplayer"
for arg in "$@"; do
    case "$arg" in
        --print-control) print_only=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) BUNDLE="$arg" ;;
    esac
done

VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/moodplayer/__init__.py")"
[ -n "$VERSION" ] || fail "no __version__ in moodplayer/__init__.py"
ARCH="$(dpkg --print-architecture)"

control() {  # $1: Installed-Size in KiB, or empty
    cat <<EOF
Package: moodplayer
Version: $VERSION
Architecture: $ARCH
Maintainer: ${MOODPLAYER_MAINTAINER:-moodplayer developers <moodplayer@localhost>}
Section: sound
Priority: optional
EOF
    [ -n "$1" ] && echo "Installed-Size: $1"
    cat <<EOF
Depends: $("$PYTHON" "$ROOT/packaging/deb_depends.py" field)
Recommends: $("$PYTHON" "$ROOT/packaging/deb_depends.py" recommends)
Description: music player that plays your own library by mood
 moodplayer tags every track of your music folder with valence (sad to happy)
 and arousal (calm to energetic) using a neural network that runs locally,
 and plays the tracks nearest to a mood chosen on a pad or read from your face
 on the webcam. It opens no network connection and never stores camera frames.
 .
 This package is a self-contained build (Python, Qt and the models included)
 installed under /opt/moodplayer.
EOF
}

if [ "$print_only" = 1 ]; then
    size=""
    [ -d "$BUNDLE" ] && size="$(du -sk "$BUNDLE" | cut -f1)"
    control "$size"
    exit 0
fi

[ -x "$BUNDLE/moodplayer" ] || fail "no bundle at $BUNDLE (run packaging/build_bundle.sh first)"

echo "== checking Depends against the libraries the bundle loads from the system"
"$PYTHON" "$ROOT/packaging/deb_depends.py" check "$BUNDLE" > "$OUT/deb-depends-check.txt" \
    || { cat "$OUT/deb-depends-check.txt"; fail "Depends is incomplete (see above)"; }
tail -n 2 "$OUT/deb-depends-check.txt"

STAGE="$OUT/deb/moodplayer_${VERSION}_${ARCH}"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/metainfo" "$STAGE/usr/share/icons" "$STAGE/usr/share/doc/moodplayer"
cp -a "$BUNDLE" "$STAGE/opt/moodplayer"
# A wrapper rather than a symlink: the bundle's executable finds _internal/ beside its real path.
cat > "$STAGE/usr/bin/moodplayer" <<'EOF'
#!/bin/sh
exec /opt/moodplayer/moodplayer "$@"
EOF
chmod 0755 "$STAGE/usr/bin/moodplayer"
install -m 0644 "$ROOT/assets/moodplayer.desktop" "$STAGE/usr/share/applications/moodplayer.desktop"
install -m 0644 "$ROOT/assets/io.github.moodplayer.metainfo.xml" "$STAGE/usr/share/metainfo/"
cp -r "$ROOT/assets/icons/hicolor" "$STAGE/usr/share/icons/"
cat > "$STAGE/usr/share/doc/moodplayer/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: moodplayer

Files: *
Copyright: moodplayer developers
License: GPL-3.0-or-later
 On Debian systems the full text is in /usr/share/common-licenses/GPL-3.
Comment: /opt/moodplayer/_internal holds third-party libraries (Python, Qt for Python, NumPy,
 SciPy, scikit-learn, OpenCV, ONNX Runtime, PyAV/FFmpeg, libsndfile and others), each under its
 own licence; their *.dist-info folders there carry the licence texts. The model cards in
 /opt/moodplayer/_internal/moodplayer/models describe the models and their training data.
EOF
find "$STAGE" -type d -exec chmod 0755 {} +
control "$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)" > "$STAGE/DEBIAN/control"

DEB="$OUT/moodplayer_${VERSION}_${ARCH}.deb"
start=$(date +%s)
dpkg-deb --root-owner-group -Zzstd -z3 --build "$STAGE" "$DEB"
echo "== built $DEB in $(( $(date +%s) - start )) s: $(du -h "$DEB" | cut -f1) (installed $(du -sh --exclude=DEBIAN "$STAGE" | cut -f1))"
rm -rf "$STAGE"
