"""What takes space in a PyInstaller one-folder bundle, by Python package.

    python packaging/bundle_sizes.py packaging/build/dist/moodplayer [--json] [--top 25]

Files on disk are grouped by the package they came with (``numpy.libs`` counts as numpy, PySide6
is split into Qt libraries / plugins / translations / bindings); loose shared libraries copied from
the system are listed as "system libraries". The compiled pure-Python modules live compressed in
the PYZ archive inside the executable; they are read from its table of contents and attributed to
their top-level package, so "pure Python" sizes are the compressed bytes the bundle really holds.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# wheel directories whose name differs from the package people know
ALIASES = {"opencv_python_headless": "cv2", "_soundfile_data": "soundfile", "_sounddevice_data": "sounddevice",
           "scikit_learn": "sklearn", "onnxruntime_gpu": "onnxruntime", "pyside6_essentials": "PySide6",
           "shiboken6": "PySide6", "lib-dynload": "python", "base_library.zip": "python"}


def _group(rel: Path) -> str:
    first = rel.parts[0]
    if len(rel.parts) == 1:  # a loose file in the contents folder
        if re.match(r"libpython\d", first) or first == "base_library.zip":
            return "python"
        if re.search(r"\.(cpython-\d+|abi3)[^/]*\.so$", first):
            return "extension modules (loose)"
        return "system libraries" if ".so" in first else "other files"
    if re.fullmatch(r"python\d\.\d+", first):  # python3.11/lib-dynload
        return "python"
    if first == "PySide6":
        if rel.parts[1:3] == ("Qt", "lib"):
            return "PySide6 (Qt libraries)"
        if rel.parts[1:3] == ("Qt", "plugins"):
            return "PySide6 (Qt plugins)"
        if rel.parts[1:3] == ("Qt", "translations"):
            return "PySide6 (translations)"
        return "PySide6 (bindings)"
    name = re.sub(r"(\.libs|-[\d.]+[^/]*\.dist-info|\.dist-info)$", "", first)
    name = ALIASES.get(name, ALIASES.get(name.lower(), name))
    return name


def contents_dir(bundle: Path) -> Path:
    """PyInstaller >= 6 puts everything but the executable into _internal/."""
    inner = bundle / "_internal"
    return inner if inner.is_dir() else bundle


def pyz_sizes(executable: Path) -> dict[str, int]:
    """Compressed bytes per top-level package in the PYZ archive(s) embedded in ``executable``."""
    try:
        from PyInstaller.archive.readers import CArchiveReader
    except ImportError:
        return {}
    sizes: dict[str, int] = {}
    try:
        pkg = CArchiveReader(str(executable))
        for name, entry in pkg.toc.items():
            if entry[-1] != "z":  # typecode of an embedded PYZ
                continue
            pyz = pkg.open_embedded_archive(name)
            for mod, mod_entry in pyz.toc.items():
                top = mod.split(".")[0]
                sizes[top] = sizes.get(top, 0) + int(mod_entry[-1])
    except Exception as exc:  # noqa: BLE001 - the breakdown is a bonus; never fail the size report
        print(f"(no PYZ breakdown: {type(exc).__name__}: {exc})", file=sys.stderr)
    return sizes


def measure(bundle: Path) -> dict:
    """{"total": bytes, "groups": {name: bytes}, "pure_python": {package: bytes}, "system_libraries": {...}}."""
    bundle = Path(bundle)
    inner = contents_dir(bundle)
    groups: dict[str, int] = {}
    system: dict[str, int] = {}
    total = 0
    for p in bundle.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        size = p.stat().st_size
        total += size
        if p.parent == bundle and p.name != "_internal":
            group = "executable (with the PYZ of pure-Python modules)"
        else:
            group = _group(p.relative_to(inner))
            if group == "system libraries":
                system[p.name] = size
        groups[group] = groups.get(group, 0) + size
    exe = bundle / bundle.name
    return {"bundle": str(bundle), "total": total, "groups": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
            "pure_python": dict(sorted(pyz_sizes(exe).items(), key=lambda kv: -kv[1])) if exe.is_file() else {},
            "system_libraries": dict(sorted(system.items(), key=lambda kv: -kv[1]))}


def _mb(n: int) -> str:
    return f"{n / 1e6:8.1f} MB"


def report(m: dict, top: int = 25) -> str:
    lines = [f"{m['bundle']}: {_mb(m['total']).strip()} in total", "", "on disk, by package:"]
    for name, size in list(m["groups"].items())[:top]:
        lines.append(f"  {_mb(size)}  {100 * size / m['total']:5.1f} %  {name}")
    rest = list(m["groups"].items())[top:]
    if rest:
        lines.append(f"  {_mb(sum(s for _, s in rest))}          {len(rest)} more")
    if m["pure_python"]:
        lines += ["", "pure-Python modules in the PYZ (compressed), by package:"]
        for name, size in list(m["pure_python"].items())[:12]:
            lines.append(f"  {_mb(size)}  {name}")
    if m["system_libraries"]:
        lines += ["", "system libraries copied in:"]
        for name, size in list(m["system_libraries"].items())[:top]:
            lines.append(f"  {_mb(size)}  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"{args.bundle}: no bundle there (run packaging/build_bundle.sh)", file=sys.stderr)
        return 2
    m = measure(args.bundle)
    print(json.dumps(m, indent=1) if args.json else report(m, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
