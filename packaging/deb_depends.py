"""The .deb's Depends, and a check that they cover every system library the bundle loads.

    python packaging/deb_depends.py field            # the Depends: value build_deb.sh writes
    python packaging/deb_depends.py recommends       # the Recommends: value
    python packaging/deb_depends.py check BUNDLE     # ldd every ELF in BUNDLE; exit 1 on a gap

Why a check: PyInstaller copies most shared libraries into the bundle but leaves some to the system
(glibc, libGL/libEGL, libxcb, and what packaging/moodplayer.spec drops: PortAudio, ALSA, JACK).
Whatever the bundle resolves outside itself must come from a package the .deb depends on; the
check maps each such library to its Debian package with ``dpkg -S`` and names any that is missing.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Debian 12 (bookworm) names. Grouped by who needs them; the check proves the list sufficient.
DEPENDS: tuple[str, ...] = (
    # the C runtime the bundled Python and extension modules are linked against
    "libc6 (>= 2.36)", "libgcc-s1", "libstdc++6", "zlib1g",
    # sounddevice loads the system's PortAudio (with ALSA, and JACK where a server runs)
    "libportaudio2", "libasound2",
    # Qt's xcb platform plugin (X11, and XWayland on Wayland desktops)
    "libxcb1", "libx11-6", "libx11-xcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render0", "libxcb-render-util0", "libxcb-shape0",
    "libxcb-shm0", "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0", "libxcb-xkb1", "libxkbcommon0",
    "libxkbcommon-x11-0", "libsm6", "libice6",
    # Qt's Wayland plugin, OpenGL, fonts, desktop integration (portals, notifications over D-Bus)
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
    "libegl1", "libgl1", "libopengl0", "libdrm2",
    "libfontconfig1", "libfreetype6", "libglib2.0-0", "libdbus-1-3",
)
RECOMMENDS: tuple[str, ...] = ("fonts-dejavu-core", "hicolor-icon-theme")

_ELF_MAGIC = b"\x7fELF"


def package_names(entries: tuple[str, ...] = DEPENDS) -> set[str]:
    """Bare package names (version constraints and alternatives stripped)."""
    names = set()
    for entry in entries:
        for alt in entry.split("|"):
            names.add(alt.split("(")[0].strip())
    return names


def depends_field() -> str:
    return ", ".join(DEPENDS)


def elf_files(bundle: Path) -> list[Path]:
    """Every ELF file (executable, shared library, extension module) under the bundle."""
    out = []
    for p in bundle.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == _ELF_MAGIC:
                    out.append(p)
    return out


def scan_bundle(bundle: Path) -> tuple[dict[str, set[str]], dict[str, set[str]], tuple[tuple[int, ...], str]]:
    """What the bundle's ELF files need from outside it, by objdump (DT_NEEDED, GLIBC_ symbol
    versions) and ldd (where each needed soname resolves):

    (system libraries: path -> users, not found: soname -> users, (newest GLIBC version, a user)).
    Only direct needs count: a system library's own dependencies are its package's business, and a
    bundled library's are checked as an ELF of the bundle. The bundle's folders go on
    LD_LIBRARY_PATH, as its libraries find each other at run time (RUNPATH $ORIGIN, or by soname).
    """
    files = elf_files(bundle)
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(sorted({str(p.parent) for p in files})))
    root = str(bundle.resolve())
    outside: dict[str, set[str]] = {}
    missing: dict[str, set[str]] = {}
    glibc: tuple[tuple[int, ...], str] = ((0,), "")
    for f in files:
        user = str(f.relative_to(bundle))
        dump = subprocess.run(["objdump", "-p", "-T", str(f)], capture_output=True, text=True).stdout
        needed = set(re.findall(r"^\s*NEEDED\s+(\S+)", dump, re.M))
        for v in set(re.findall(r"GLIBC_(\d+(?:\.\d+)+)", dump)):
            ver = tuple(int(x) for x in v.split("."))
            if ver > glibc[0]:
                glibc = (ver, user)
        ldd = subprocess.run(["ldd", str(f)], capture_output=True, text=True, env=env).stdout
        for m in re.finditer(r"^\s*(\S+) => (not found|(\S+) \(0x)", ldd, re.M):
            if m.group(1) not in needed:
                continue
            if m.group(2) == "not found":
                missing.setdefault(m.group(1), set()).add(user)
            elif not os.path.realpath(m.group(3)).startswith(root):
                outside.setdefault(m.group(3), set()).add(user)
    return outside, missing, glibc


def _declared_libc() -> tuple[int, ...]:
    m = re.search(r"libc6 \(>= ([\d.]+)\)", depends_field())
    return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)


def owning_package(lib: str) -> str | None:
    """The Debian package that ships ``lib`` (dpkg -S), without the :arch suffix."""
    for candidate in dict.fromkeys([lib, os.path.realpath(lib)]):
        res = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if res.returncode == 0 and res.stdout:
            return res.stdout.split(":")[0].split(",")[0].strip()
        # /lib is a symlink to /usr/lib on merged-/usr systems; dpkg knows one of the two spellings
        alt = candidate[4:] if candidate.startswith("/usr/") else "/usr" + candidate
        res = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
        if res.returncode == 0 and res.stdout:
            return res.stdout.split(":")[0].split(",")[0].strip()
    return None


def check(bundle: Path) -> int:
    outside, missing, (need, who) = scan_bundle(bundle)
    declared = package_names()
    gaps: dict[str, list[str]] = {}
    for lib in sorted(outside):
        pkg = owning_package(lib) or f"(no package owns {lib})"
        status = "ok " if pkg in declared else "GAP"
        print(f"{status} {pkg:<24} {lib}  <- {len(outside[lib])} file(s), e.g. {sorted(outside[lib])[0]}")
        if pkg not in declared:
            gaps.setdefault(pkg, []).append(lib)
    for soname in sorted(missing):
        print(f"??? {soname} not found on this machine <- {', '.join(sorted(missing[soname])[:3])}")
    have = _declared_libc()
    print(f"{'ok ' if need <= have else 'GAP'} glibc {'.'.join(map(str, need))} needed (by {who}), "
          f"Depends says libc6 >= {'.'.join(map(str, have))}")
    if need > have:
        gaps["libc6 (>= " + ".".join(map(str, need)) + ")"] = [who]
    if gaps:
        print(f"Depends lacks: {', '.join(sorted(gaps))}", file=sys.stderr)
        return 1
    print(f"{len(outside)} system libraries, all from declared packages; {len(missing)} not found here")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "field":
        print(depends_field())
    elif len(sys.argv) == 2 and sys.argv[1] == "recommends":
        print(", ".join(RECOMMENDS))
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(Path(sys.argv[2])))
    else:
        sys.exit(__doc__)
