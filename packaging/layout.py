"""The one-folder bundle's layout, declared once: the PyInstaller spec builds from it and
tests/packaging/test_installer_iss.py checks installer.iss against it. Plain Python, no
PyInstaller import, so the test runs without PyInstaller installed.

    dist/Mostrador/
        mostradorw[.exe]      windowed program (no console window on Windows): the cashier's window
        mostrador[.exe]       console program for scripts: `mostrador demo --headless`, `verify`, …
        _internal/            Python, the libraries and the data files below
            resources/xsd, resources/wsdl, resources/migrations, resources/fonts, resources/icons, …
            PySide6/Qt/plugins/platforms/…, PySide6/Qt/plugins/imageformats/…  (only QT_PLUGINS)
"""
from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = "Mostrador"            # dist/<BUNDLE>/
GUI_EXE = "mostradorw"          # pythonw-style name: "Mostrador" and "mostrador" would clash on Windows
CLI_EXE = "mostrador"
CONTENTS = "_internal"          # PyInstaller ≥ 6 contents directory
ICON_ICO = "resources/icons/mostrador.ico"
ICON_PNG = "resources/icons/mostrador.png"

# (source folder in the checkout, destination inside _internal/): every shipped data file
DATAS = (
    ("resources/xsd", "resources/xsd"),
    ("resources/wsdl", "resources/wsdl"),
    ("resources/migrations", "resources/migrations"),
    ("resources/fonts", "resources/fonts"),
    ("resources/icons", "resources/icons"),
    ("resources/py", "resources/py"),
)

# The Qt plugins the program uses; every other plugin PySide6's hook would collect is dropped.
# PNG is built into QtGui; JPEG needs its plugin (product pictures, logos).
QT_PLUGINS = (
    "platforms/*offscreen*",   # screenshots, headless CI
    "platforms/*xcb*",         # Linux desktops (X11 and XWayland)
    "platforms/qwindows*",     # Windows
    "imageformats/*qjpeg*",
)
# Qt's own translations: Spanish (default) and English only
QT_TRANSLATIONS = ("qtbase_es.qm", "qtbase_en.qm", "qt_es.qm", "qt_en.qm")

# Shared libraries only the dropped plugins need (Wayland, GTK theme, SVG icons, EGLFS): the
# dependency scan collects them before the plugins are filtered out
DROP_LIBS = (
    "libQt6Wayland*", "libQt6Wl*", "libQt6EglFS*", "libQt6EglFs*", "libQt6Svg*", "libQt6OpenGL*",
    "libQt6Pdf*", "libQt6Qml*", "libQt6Quick*", "libatk-*", "libatk-bridge*", "libcairo*", "libgdk*",
    "libgtk*", "libpango*", "libepoxy*", "libharfbuzz.so.0",
)

# Modules never needed at run time (kept out of the bundle to keep it small)
EXCLUDES = (
    "tkinter", "_tkinter", "pytest", "_pytest", "pytestqt", "IPython", "numpy", "matplotlib",
    "aiosmtpd", "asyncssh", "paramiko", "importlinter", "grimp", "setuptools", "pip",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDBus",
    "PySide6.QtConcurrent", "PySide6.QtXml", "PySide6.QtPdf", "PySide6.QtSvg",
)


def exe_name(base: str, windows: bool) -> str:
    return base + (".exe" if windows else "")


def keep_qt_file(dest: str) -> bool:
    """False for a Qt plugin or translation outside the allow-lists above (`dest`: the path
    inside _internal/, as PyInstaller's TOC names it)."""
    p = PurePosixPath(dest.replace("\\", "/"))
    parts = p.parts
    if any(fnmatch.fnmatchcase(p.name, pat) for pat in DROP_LIBS):
        return False
    if "plugins" in parts:
        i = parts.index("plugins")
        rel = "/".join(parts[i + 1:])
        return any(fnmatch.fnmatch(rel, pat) for pat in QT_PLUGINS)
    if "translations" in parts and p.suffix == ".qm" and parts[0] == "PySide6":
        return p.name in QT_TRANSLATIONS
    return True


def data_files() -> list[tuple[str, str]]:
    """Every shipped data file as (absolute source, destination folder inside _internal/)."""
    out = []
    for src, dest in DATAS:
        base = ROOT / src
        for f in sorted(base.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                out.append((str(f), str(PurePosixPath(dest) / f.parent.relative_to(base).as_posix())))
    return out


def top_level(windows: bool) -> set[str]:
    """What dist/<BUNDLE>/ holds at its top level, plus the data folders inside _internal/
    (paths relative to dist/<BUNDLE>/, '/'-separated)."""
    names = {exe_name(GUI_EXE, windows), exe_name(CLI_EXE, windows), CONTENTS}
    for _src, dest in DATAS:
        parts = PurePosixPath(dest).parts
        for n in range(1, len(parts) + 1):
            names.add(f"{CONTENTS}/" + "/".join(parts[:n]))
    for _src, dest in data_files():
        names.add(f"{CONTENTS}/{dest}")
    for src, dest in data_files():
        names.add(f"{CONTENTS}/{dest}/{Path(src).name}")
    return names


def version() -> str:
    """The version in pyproject.toml (what the installer and the build scripts use)."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


if __name__ == "__main__":  # `python packaging/layout.py version` for the build scripts
    import sys

    print(version() if sys.argv[1:] == ["version"] else "\n".join(sorted(top_level(sys.platform == "win32"))))
