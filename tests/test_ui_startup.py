"""The start path stays light (no model, librosa, numba, scikit-learn, PortAudio or OpenCV before the
window is painted), and settings survive a restart."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._ui import library_db, load, make_window, scanned_library  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("librosa", "numba", "onnxruntime", "sklearn", "torch", "sounddevice", "cv2", "scipy", "av", "soundfile")

_CHILD = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from moodplayer.ui.app import build_window
app, w = build_window([])
seen = {}
class Paint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "modules" not in seen:
            seen["modules"] = sorted(m.split(".")[0] for m in sys.modules)
            QTimer.singleShot(0, app.quit)
        return False
f = Paint()
w.pad.installEventFilter(f)
w.show()
w.start_after_first_paint()       # as run_gui does
QTimer.singleShot(20000, app.quit)
app.exec()
print("MODULES " + json.dumps(sorted(set(seen.get("modules", [])))))
"""


def test_no_heavy_module_before_the_first_paint(library_db, tmp_path):
    env = dict(os.environ, MOODPLAYER_DB=str(library_db), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               QT_QPA_PLATFORM="offscreen", MOODPLAYER_NO_MPRIS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=120)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES ")), None)
    assert line, proc.stderr[-3000:]
    modules = set(json.loads(line[8:]))
    assert "PySide6" in modules and "moodplayer" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_settings_survive_a_restart(make_window, library_db, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from moodplayer.ui.main_window import MainWindow
    from moodplayer.ui.settings import Settings

    ini = tmp_path / "persist.ini"
    w = MainWindow(library_db, Settings(QSettings(str(ini), QSettings.Format.IniFormat)))
    qtbot.addWidget(w)
    w.resize(1100, 780)
    w.show()
    qtbot.waitExposed(w)
    w.pad.set_target(0.3, 0.8, emit=True)
    w.now_playing.volume.setValue(35)
    w.settings.camera_device = "/dev/video2"
    geometry = w.saveGeometry()
    w.close()

    s = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    assert s.last_target == pytest.approx((0.3, 0.8))
    assert s.volume == pytest.approx(0.35)
    assert s.camera_device == "/dev/video2"
    assert s.geometry == geometry and s.splitter_state is not None
    w2 = MainWindow(library_db, s)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    assert w2.pad.target == pytest.approx((0.3, 0.8))
    assert w2.now_playing.volume.value() == 35
    w2.close()


def test_a_restart_shows_the_view_kept_at_close_and_follows_a_change_made_meanwhile(make_window, library_db, qtbot):
    """Closing keeps the library view beside the database; the next start shows it without loading
    the rows again. If another program changed the library meanwhile, the kept view shows first and
    the rows as they are now replace it, table and pad."""
    from moodplayer.ui import library_snapshot

    kept = library_snapshot.snapshot_path(library_db)
    w = make_window(library_db)
    load(w, qtbot)
    assert w.library.data.source == "database" and w.model.rowCount() > 0
    titles = sorted(w.library.data.title, key=str)
    w.close()
    assert kept.is_file()

    w2 = make_window(library_db)
    load(w2, qtbot)
    assert w2.library.data.source == library_snapshot.CURRENT
    assert sorted(w2.library.data.title, key=str) == titles and w2.model.rowCount() == len(titles)
    w2.close()

    subprocess.run([sys.executable, "-c", "import sqlite3; c = sqlite3.connect(%r); "
                    "c.execute(\"UPDATE tracks SET title = 'Renamed meanwhile' WHERE id = (SELECT min(id) FROM tracks)\"); "
                    "c.commit()" % str(library_db)], check=True)
    w3 = make_window(library_db)
    sources: list[str] = []
    w3.library.libraryLoaded.connect(lambda data: sources.append(data.source))
    w3.library.reload()
    qtbot.waitUntil(lambda: sources[-1:] == ["database"] and not w3.library._running, timeout=60000)
    assert sources == [library_snapshot.OUT_OF_DATE, "database"]
    assert "Renamed meanwhile" in w3.library.data.title
    shown = {w3.model.data(w3.model.index(r, 0)) for r in range(w3.model.rowCount())}
    assert "Renamed meanwhile" in shown
    assert w3.library.index.stamp == w3.library.data.revision   # the pad's index is of the new rows too
    w3.close()
    w4 = make_window(library_db)
    load(w4, qtbot)
    assert w4.library.data.source == library_snapshot.CURRENT and "Renamed meanwhile" in w4.library.data.title
