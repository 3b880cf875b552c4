# Builds the Windows bundle dist\Mostrador\ and the installer dist\Mostrador-<version>-setup.exe.
# Needs: Python 3.11 (python.org, x64) and Inno Setup 6 (iscc.exe) on this machine.
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
# Run from any folder; everything is relative to the repository root.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3.11 -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install -q -e . "pyinstaller>=6.5,<7"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

& $py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\mostrador.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# the frozen console program must start (no Python on PATH is needed by the bundle)
& dist\Mostrador\mostrador.exe --help | Out-Null
if ($LASTEXITCODE -ne 0) { throw "dist\Mostrador\mostrador.exe --help failed" }

$version = (& $py packaging\layout.py version).Trim()
$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 (ISCC.exe) not found: install it from https://jrsoftware.org/isdl.php" }
& $iscc "/DMyAppVersion=$version" installer.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Write-Host "dist\Mostrador-$version-setup.exe"
