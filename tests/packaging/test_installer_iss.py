"""installer.iss against the bundle layout packaging/mostrador.spec produces (declared in
packaging/layout.py): every file it installs or points a shortcut at exists in the bundle, the
AppId is a stable literal GUID, the default version is pyproject.toml's."""
from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "installer.iss"
SPEC = ROOT / "packaging" / "mostrador.spec"
APP_ID = "464D7A12-E8C1-4847-B106-CBC379E399B8"  # must never change: upgrades and uninstall find the product by it


def _layout():
    spec = importlib.util.spec_from_file_location("packaging_layout", ROOT / "packaging" / "layout.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = m.group(1)
            out.setdefault(current, [])
        elif current:
            out[current].append(line)
    return out


def _params(line: str) -> dict[str, str]:
    """`Name: "x"; Flags: a b` → {"Name": "x", "Flags": "a b"} (Inno's entry syntax)."""
    out = {}
    for m in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line):
        v = m.group(2).strip()
        out[m.group(1)] = v[1:-1].replace('""', '"') if v.startswith('"') else v
    return out


def _defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*#define\s+(\w+)\s+"([^"]*)"', text, re.M))


def _expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)


@pytest.fixture(scope="module")
def iss():
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads non-ASCII text correctly only from UTF-8 with BOM"
    text = raw.decode("utf-8-sig")
    return text, _sections(text), _defines(text)


def test_every_installed_file_is_in_the_bundle_layout(iss):
    text, sections, defines = iss
    layout = _layout()
    bundle = layout.top_level(windows=True)
    prefix = "dist\\" + layout.BUNDLE + "\\"
    sources = [_params(x)["Source"] for x in sections["Files"]]
    assert sources, "installer.iss installs nothing"
    covered = set()
    for src in sources:
        assert src.startswith(prefix), f"{src}: installs something from outside the bundle"
        rel = src[len(prefix):].replace("\\", "/")
        if rel.endswith("/*"):
            rel = rel[:-2]
            flags = _params(next(x for x in sections["Files"] if _params(x)["Source"] == src))["Flags"].split()
            assert "recursesubdirs" in flags, f"{src}: a folder must be installed with its subfolders"
        assert rel in bundle, f"{src}: not in the bundle layout ({sorted(n for n in bundle if '/' not in n)})"
        covered.add(rel)
    # and the installer ships the whole bundle: both programs and the libraries
    assert {layout.exe_name(layout.GUI_EXE, True), layout.exe_name(layout.CLI_EXE, True), layout.CONTENTS} <= covered


def test_shortcuts_and_run_entries_point_at_installed_programs(iss):
    text, sections, defines = iss
    layout = _layout()
    bundle = layout.top_level(windows=True)
    targets = []
    for sec in ("Icons", "Run"):
        for line in sections[sec]:
            fn = _expand(_params(line)["Filename"], defines)
            if fn.startswith("{app}\\"):
                targets.append(fn[len("{app}\\"):].replace("\\", "/"))
    assert layout.exe_name(layout.GUI_EXE, True) in targets
    for t in targets:
        assert t in bundle, f"{t}: a shortcut or [Run] entry names a file the bundle does not have"
    icons = [_params(x) for x in sections["Icons"]]
    assert any(i["Name"].startswith("{autoprograms}") for i in icons), "no Start menu shortcut"
    assert any(i["Name"].startswith("{autodesktop}") for i in icons), "no desktop shortcut"
    demo = [i for i in icons if i.get("Parameters", "").split()[:1] == ["demo"]]
    assert demo, "no demo shortcut"
    for i in demo:  # a demo company never lands in the shop's real data folder
        assert '--data-dir "{localappdata}\\Mostrador\\demo"' in i["Parameters"]


def test_app_id_is_a_stable_literal_guid(iss):
    text, sections, defines = iss
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    # "{{" is Inno's escaped brace: the value is the literal "{GUID}", not a constant or a #define
    assert setup["AppId"] == "{{" + APP_ID + "}"
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", APP_ID)


def test_version_default_matches_pyproject(iss):
    text, sections, defines = iss
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert re.search(r"#ifndef MyAppVersion\s+#define MyAppVersion \"([^\"]+)\"", text).group(1) == version
    assert _layout().version() == version
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["AppVersion"] == "{#MyAppVersion}"


def test_per_user_install_spanish_first_and_data_kept(iss):
    text, sections, defines = iss
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert "dialog" in setup["PrivilegesRequiredOverridesAllowed"]
    assert (ROOT / setup["SetupIconFile"].replace("\\", "/")).is_file()
    langs = [_params(x)["Name"] for x in sections["Languages"]]
    assert langs[0] == "spanish" and "english" in langs
    # nothing installed or deleted at install time touches the data folder
    for sec in ("Files", "InstallDelete"):
        for line in sections.get(sec, []):
            assert "localappdata" not in line.lower() and "userappdata" not in line.lower()
    # uninstall: the data folder goes only on an explicit "Sí" (default button: No), never silently
    code = text[text.index("[Code]"):]
    assert "MB_DEFBUTTON2" in code and "IDYES" in code and "UninstallSilent" in code
    assert code.index("MsgBox") < code.index("DelTree")


def test_spec_builds_from_the_declared_layout():
    layout = _layout()
    spec = SPEC.read_text(encoding="utf-8")
    assert "layout.data_files()" in spec and "layout.keep_qt_file" in spec
    assert f"layout.GUI_EXE, console=False" in spec and f"layout.CLI_EXE, console=True" in spec
    for src, _dest in layout.DATAS:
        assert (ROOT / src).is_dir(), f"{src}: declared in packaging/layout.py but missing"
    files = layout.data_files()
    assert any(d == "resources/migrations" and s.endswith(".sql") for s, d in files)
    assert (ROOT / layout.ICON_ICO).is_file() and (ROOT / layout.ICON_PNG).is_file()


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6\\Qt\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/translations/qtbase_es.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("resources/xsd/ec/factura_V2.1.0.xsd", True),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
    ("libpangocairo-1.0.so.0", False),
    ("pillow.libs/libharfbuzz-fb49c9fc.so.0.61450.0", True),  # Pillow's own, needed by its freetype
])
def test_only_the_qt_plugins_used_are_kept(dest, kept):
    assert _layout().keep_qt_file(dest) is kept
