; Mostrador — Inno Setup 6 installer for the one-folder bundle dist\Mostrador\ (packaging/mostrador.spec).
; Build on Windows: powershell -File packaging\build-windows.ps1  (passes /DMyAppVersion=<pyproject version>)
; Needs Inno Setup 6.3+ (x64compatible). By hand: iscc /DMyAppVersion=0.1.0 installer.iss       → dist\Mostrador-0.1.0-setup.exe
;
; Per-user install without admin rights (%LOCALAPPDATA%\Programs\Mostrador); the first page offers
; "all users" (Program Files, needs admin). The data folder (%LOCALAPPDATA%\Mostrador: database,
; certificate, backups) is never part of [Files]: an upgrade leaves it alone, and the uninstaller
; deletes it only when the user answers "Sí" to its question (default "No").
; tests/packaging/test_installer_iss.py checks this file against the bundle layout.

#ifndef MyAppVersion
  #define MyAppVersion "0.1.0"
#endif
#define MyAppName "Mostrador"
#define MyAppExe "mostradorw.exe"
#define MyCliExe "mostrador.exe"

[Setup]
; AppId identifies the product across versions (upgrades, uninstall): never change it.
AppId={{464D7A12-E8C1-4847-B106-CBC379E399B8}
AppName={#MyAppName}
AppVersion={#MyAppVersion}
AppVerName={#MyAppName} {#MyAppVersion}
AppPublisher=Mostrador
VersionInfoVersion={#MyAppVersion}
DefaultDirName={autopf}\{#MyAppName}
DefaultGroupName={#MyAppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=dist
OutputBaseFilename=Mostrador-{#MyAppVersion}-setup
SetupIconFile=resources\icons\mostrador.ico
UninstallDisplayIcon={app}\{#MyAppExe}
UninstallDisplayName={#MyAppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; a running Mostrador (window or tray) is closed before files are replaced
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage

[Languages]
; the first entry is the default: Spanish unless Windows itself is in English
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
spanish.DemoShortcut=Mostrador (demostración)
english.DemoShortcut=Mostrador (demo)
spanish.DeleteData=¿Borrar también los datos de Mostrador de este usuario?%n%n%1%n%nContiene la base de datos (ventas y documentos electrónicos), el certificado y las copias de seguridad. Si responde "No", se conservan y una nueva instalación los vuelve a usar.
english.DeleteData=Also delete this user's Mostrador data?%n%n%1%n%nIt holds the database (sales and electronic documents), the certificate and the backups. Answer "No" to keep them for a new installation.
spanish.LaunchApp=Abrir Mostrador
english.LaunchApp=Open Mostrador

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; an upgrade replaces the libraries wholesale (no stale DLL from an older version); the data
; folder lives elsewhere and is not touched
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "dist\Mostrador\mostradorw.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "dist\Mostrador\mostrador.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "dist\Mostrador\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#MyAppName}"; Filename: "{app}\{#MyAppExe}"
; the demo keeps its own data folder: never a demo company in the shop's real one
Name: "{autoprograms}\{cm:DemoShortcut}"; Filename: "{app}\{#MyAppExe}"; Parameters: "demo --data-dir ""{localappdata}\Mostrador\demo"""
Name: "{autodesktop}\{#MyAppName}"; Filename: "{app}\{#MyAppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#MyAppExe}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; the tray keeps Mostrador running after its window is closed: stop it before removing files
Filename: "{sys}\taskkill.exe"; Parameters: "/F /IM {#MyAppExe}"; Flags: runhidden; RunOnceId: "StopMostrador"

[Code]
function DataDir(): String;
begin
  { platformdirs.user_data_dir("Mostrador", appauthor=False) on Windows (app/config.py) }
  Result := ExpandConstant('{localappdata}\Mostrador');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    { the app's own "start with Windows" entry (app/autostart.py) }
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', 'Mostrador');
    if DirExists(DataDir()) and (not UninstallSilent()) then
      if MsgBox(FmtMessage(CustomMessage('DeleteData'), [DataDir()]), mbConfirmation,
                MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir(), True, True, True);
  end;
end;
