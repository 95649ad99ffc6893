"""Installation pieces: desktop entry, AppStream metainfo, icons, ``--self-test``, the .deb builder.

Fast tests always run. The installed-package test needs a built .deb (packaging/build_bundle.sh,
then packaging/build_deb.sh) and runs only with MOODPLAYER_TEST_BUNDLE=1.
"""
from __future__ import annotations

import configparser
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from moodplayer import __version__, selftest
from moodplayer.library.store import SCHEMA_VERSION, connect

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
DESKTOP = ASSETS / "moodplayer.desktop"
METAINFO = ASSETS / "io.github.moodplayer.metainfo.xml"
MODELS = ROOT / "models"
HAVE_MODELS = all((MODELS / f).is_file() for f in ("music_track.onnx", "music_va.onnx", "face_emotion.onnx"))
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason="the music and face models are not there yet")
sys.path.insert(0, str(ROOT / "packaging"))
import bundle_sizes  # noqa: E402
import deb_depends  # noqa: E402
from tests._jack import jack  # noqa: E402,F401 - the JACK dummy server fixture

# libraries the brief and Qt's xcb plugin documentation name; the .deb must depend on each
REQUIRED_DEPENDS = {"libportaudio2", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
                    "libxcb-render-util0", "libxkbcommon0", "libxkbcommon-x11-0", "libegl1", "libgl1",
                    "libfontconfig1", "libdbus-1-3"}


def _desktop() -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str  # keys are case-sensitive
    cp.read(DESKTOP, encoding="utf-8")
    return cp["Desktop Entry"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    return struct.unpack(">II", data[16:24])


# --- desktop integration files ---------------------------------------------------------------------
def test_desktop_entry_is_valid_and_launches_the_gui() -> None:
    entry = _desktop()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "moodplayer", "arguments would be taken for a sub-command, not opened in the GUI"
    assert entry["Icon"] == "moodplayer" and entry["Terminal"] == "false"
    assert set(entry["Categories"].rstrip(";").split(";")) >= {"AudioVideo", "Audio", "Player"}
    if shutil.which("desktop-file-validate"):
        res = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
        assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr


def test_metainfo_is_valid_and_points_at_the_desktop_entry() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.moodplayer"
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == "GPL-3.0-or-later"
    assert root.find("releases/release").get("version") == __version__
    assert root.findtext("provides/binary") == "moodplayer"
    if shutil.which("appstreamcli"):
        res = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_icon_pngs_match_their_size_folders_and_the_svg_parses() -> None:
    svg = ET.parse(ASSETS / "moodplayer.svg").getroot()
    assert svg.get("viewBox") == "0 0 128 128"
    pngs = sorted((ASSETS / "icons" / "hicolor").glob("*x*/apps/moodplayer.png"))
    sizes = {int(p.parts[-3].split("x")[0]) for p in pngs}
    assert sizes >= {16, 32, 48, 64, 128, 256, 512}
    for p in pngs:
        n = int(p.parts[-3].split("x")[0])
        assert _png_size(p) == (n, n), p
    assert (ASSETS / "icons" / "hicolor" / "scalable" / "apps" / "moodplayer.svg").read_bytes() == \
        (ASSETS / "moodplayer.svg").read_bytes(), "scalable icon out of date: run packaging/render_icons.py"


# --- self-test ------------------------------------------------------------------------------------
@needs_models
def test_self_test_passes_here_with_the_shipped_models(tmp_path: Path) -> None:
    checks = selftest.run_checks(db=tmp_path / "lib.db")
    by_name = {c.name: c for c in checks}
    assert [c for c in checks if c.status == selftest.FAIL] == []
    assert set(by_name) >= {"decoders", "music model", "analysis", "face model", "audio output", "camera", "database"}
    assert by_name["audio output"].status in (selftest.OK, selftest.WARN)
    assert "valence" in by_name["music model"].detail and "4 windows" in by_name["music model"].detail
    assert not (tmp_path / "lib.db").exists(), "the self-test must not create the user's database"


@needs_models
def test_self_test_command_exits_zero(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "moodplayer", "--self-test", "--db", str(tmp_path / "x.db")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"^ok +music model +music_track\.onnx", res.stdout, re.M), res.stdout
    assert "passed: 0 failure(s)" in res.stdout


def test_self_test_fails_naming_a_missing_model(tmp_path: Path) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    res = subprocess.run([sys.executable, "-m", "moodplayer", "--self-test", "--models", str(empty),
                          "--db", str(tmp_path / "x.db"), "--no-camera"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    lines = {line.split()[1]: line for line in res.stdout.splitlines() if line.startswith(("ok", "warn", "FAIL"))}
    assert lines["music"].startswith("FAIL") and str(empty / "music_track.onnx") in lines["music"]
    assert lines["face"].startswith("FAIL") and str(empty / "face_emotion.onnx") in lines["face"]
    assert lines["decoders"].startswith("ok"), "a missing model must not take the other checks down"
    assert "FAILED: 3 failure(s)" in res.stdout  # music model, analysis, face model


def test_database_check_existing_new_too_new_and_unwritable(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    connect(db).close()
    ok = selftest.check_database(db)
    assert ok.status == selftest.OK and f"schema {SCHEMA_VERSION}, 0 tracks" in ok.detail
    fresh = selftest.check_database(tmp_path / "new" / "deeper" / "lib.db")
    assert fresh.status == selftest.OK and "will be created" in fresh.detail
    assert not (tmp_path / "new").exists()
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.close()
    bad = selftest.check_database(newer)
    assert bad.status == selftest.FAIL and "newer" in bad.detail
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    blocked = selftest.check_database(blocker / "lib.db")
    assert blocked.status == selftest.FAIL and str(blocker / "lib.db") in blocked.detail


def test_camera_check_opens_a_video_like_a_camera_and_warns_without_one(tmp_path: Path) -> None:
    from tests._faces import FACE_VIDEO, pyfeat_media

    ok = selftest.check_camera(pyfeat_media() / FACE_VIDEO)
    assert ok.status == selftest.OK, ok
    missing = selftest.check_camera(tmp_path / "no-such-camera.mp4")
    assert missing.status == selftest.WARN and "cannot be opened" in missing.detail


def test_audio_check_sees_a_jack_output(jack) -> None:
    check = selftest.check_audio()
    assert check.status == selftest.OK and "output device" in check.detail, check


def test_qt_check_finds_plugins_and_imports_the_ui() -> None:
    check = selftest.check_qt()
    assert check.status == selftest.OK, check.detail


# --- packaging scripts ----------------------------------------------------------------------------
def _control() -> dict[str, str]:
    res = subprocess.run(["bash", str(ROOT / "packaging" / "build_deb.sh"), "--print-control"],
                         capture_output=True, text=True, check=True)
    fields, key = {}, None
    for line in res.stdout.splitlines():
        if line.startswith(" ") and key:
            fields[key] += "\n" + line
        else:
            key, _, value = line.partition(": ")
            fields[key] = value
    return fields


def test_deb_control_lists_the_system_libraries() -> None:
    fields = _control()
    assert fields["Package"] == "moodplayer" and fields["Version"] == __version__
    relations = [r.strip() for r in fields["Depends"].split(",")]
    for rel in relations:
        assert re.fullmatch(r"[a-z0-9][a-z0-9+.-]+( \((>=|<=|=|<<|>>) [0-9][\w.+~:-]*\))?", rel), rel
    names = {r.split(" ")[0] for r in relations}
    assert names >= REQUIRED_DEPENDS, REQUIRED_DEPENDS - names


@pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed")
def test_deb_control_is_accepted_by_dpkg_deb(tmp_path: Path) -> None:
    stage = tmp_path / "pkg"
    (stage / "DEBIAN").mkdir(parents=True)
    text = subprocess.run(["bash", str(ROOT / "packaging" / "build_deb.sh"), "--print-control"],
                          capture_output=True, text=True, check=True).stdout
    (stage / "DEBIAN" / "control").write_text(text)
    deb = tmp_path / "x.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "-z3", "--build", str(stage), str(deb)],
                   check=True, capture_output=True)
    depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True)
    assert depends.stdout.strip() == deb_depends.depends_field()


@pytest.mark.skipif(not (shutil.which("objdump") and shutil.which("dpkg")), reason="needs binutils and dpkg")
def test_depends_check_names_an_undeclared_system_library(tmp_path: Path, capsys) -> None:
    import _sqlite3  # a real extension module linked against the system's libsqlite3

    shutil.copy(_sqlite3.__file__, tmp_path)
    assert deb_depends.check(tmp_path) == 1
    out = capsys.readouterr().out
    assert re.search(r"^GAP libsqlite3-0 +\S*libsqlite3\.so", out, re.M), out


def test_bundle_sizes_groups_files_by_package(tmp_path: Path) -> None:
    bundle = tmp_path / "moodplayer"
    files = {"moodplayer": 100, "_internal/libpython3.11.so.1.0": 50, "_internal/libxkbcommon.so.0": 7,
             "_internal/numpy/core/_multiarray.so": 30, "_internal/numpy.libs/libopenblas.so": 20,
             "_internal/PySide6/Qt/lib/libQt6Core.so.6": 40, "_internal/PySide6/Qt/plugins/platforms/libqxcb.so": 9,
             "_internal/opencv_python_headless.libs/libavcodec.so": 11, "_internal/moodplayer/models/music_va.onnx": 3}
    for rel, size in files.items():
        (bundle / rel).parent.mkdir(parents=True, exist_ok=True)
        (bundle / rel).write_bytes(b"\0" * size)
    m = bundle_sizes.measure(bundle)
    assert m["total"] == sum(files.values())
    assert m["groups"]["numpy"] == 50 and m["groups"]["cv2"] == 11 and m["groups"]["python"] == 50
    assert m["groups"]["PySide6 (Qt libraries)"] == 40 and m["groups"]["PySide6 (Qt plugins)"] == 9
    assert m["system_libraries"] == {"libxkbcommon.so.0": 7}


# --- the built package, installed into a temporary root --------------------------------------------
@pytest.mark.skipif(os.environ.get("MOODPLAYER_TEST_BUNDLE") != "1",
                    reason="set MOODPLAYER_TEST_BUNDLE=1 after packaging/build_bundle.sh and build_deb.sh")
def test_installed_deb_runs_its_self_test(tmp_path: Path) -> None:
    out = Path(os.environ.get("MOODPLAYER_BUILD_DIR", ROOT / "packaging" / "build"))
    debs = sorted(out.glob(f"moodplayer_{__version__}_*.deb"))
    assert debs, f"no .deb in {out}: run packaging/build_bundle.sh && packaging/build_deb.sh"
    deb, root = debs[-1], tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    for rel in ("usr/bin/moodplayer", "usr/share/applications/moodplayer.desktop",
                "usr/share/metainfo/io.github.moodplayer.metainfo.xml",
                "usr/share/icons/hicolor/256x256/apps/moodplayer.png",
                "usr/share/icons/hicolor/scalable/apps/moodplayer.svg",
                "opt/moodplayer/_internal/moodplayer/models/music_va.onnx",
                "opt/moodplayer/_internal/moodplayer/models/face_emotion.onnx"):
        assert (root / rel).is_file(), rel
    assert "exec /opt/moodplayer/moodplayer" in (root / "usr/bin/moodplayer").read_text()
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True)
    assert fields.stdout.strip() == deb_depends.depends_field()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOODPLAYER_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    res = subprocess.run([str(root / "opt/moodplayer/moodplayer"), "--self-test", "--qt"], env=env,
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert str(root / "opt/moodplayer/_internal") in res.stdout, "the bundle must run from where it was unpacked"
    assert re.search(r"^ok +qt ", res.stdout, re.M) and re.search(r"^ok +analysis ", res.stdout, re.M), res.stdout
