; 一件事帮代办工作台 — per-user installer (NSIS 3, Unicode). docs/build.md says how to build and sign it.
;
;   makensis /DDIST=dist\yijianshi-desk /DVERSION=0.1.0 installer\yijianshi.nsi
;
; Installs into %LOCALAPPDATA%\Programs\yijianshi-desk without administrator rights; the data dir
; (%LOCALAPPDATA%\yijianshi-desk) is elsewhere and is never touched: an upgrade keeps it, the uninstaller
; keeps it. An upgrade first asks a running desk to close (it saves the open draft on close), then waits.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef DIST
  !define DIST "..\dist\yijianshi-desk"
!endif
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "yijianshi-desk-setup-${VERSION}.exe"
!endif

!define APP "一件事帮代办工作台"
!define KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\yijianshi-desk"
!define DESK_EXE "yijianshi-desk.exe"
!define CLI_EXE "yijianshi-cli.exe"
!define HUB_EXE "yijianshi-hub.exe"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\yijianshi-desk"
InstallDirRegKey HKCU "${KEY}" "InstallLocation"
Icon "..\resources\windows\desk.ico"
UninstallIcon "..\resources\windows\desk.ico"
BrandingText "${APP}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!define MUI_ICON "..\resources\windows\desk.ico"
!define MUI_UNICON "..\resources\windows\desk.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${DESK_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "启动${APP}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${APP}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "MIT"

; Ask a running desk to close (WM_CLOSE: it saves the open draft), wait up to 15 s, then ask the clerk.
Function CloseRunningDesk
  StrCpy $1 0
  loop:
    nsExec::ExecToStack 'cmd /c tasklist /FI "IMAGENAME eq ${DESK_EXE}" /NH | find /I "${DESK_EXE}"'
    Pop $0
    ${If} $0 != 0
      Return
    ${EndIf}
    ${If} $1 == 0
      nsExec::Exec 'taskkill /IM ${DESK_EXE}'
    ${EndIf}
    Sleep 500
    IntOp $1 $1 + 1
    ${If} $1 < 30
      Goto loop
    ${EndIf}
  MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "工作台仍在运行，请先保存并关闭它，再点“重试”。" IDRETRY retry
  Abort "安装已取消：工作台仍在运行。"
  retry:
    StrCpy $1 0
    Goto loop
FunctionEnd

Section "install"
  Call CloseRunningDesk
  SetOutPath "$INSTDIR"
  ; the previous version's program files only (the data dir is not under $INSTDIR)
  RMDir /r "$INSTDIR\_internal"
  File /r "${DIST}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\${DESK_EXE}" "" "$INSTDIR\${DESK_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APP}\自检.lnk" "$SYSDIR\cmd.exe" '/k ""$INSTDIR\${CLI_EXE}" --self-check"'
  ${If} ${FileExists} "$INSTDIR\${HUB_EXE}"
    CreateShortcut "$SMPROGRAMS\${APP}\县级汇聚服务器.lnk" "$INSTDIR\${HUB_EXE}" "serve"
  ${EndIf}
  CreateShortcut "$SMPROGRAMS\${APP}\卸载.lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${KEY}" "DisplayIcon" "$INSTDIR\${DESK_EXE}"
  WriteRegStr HKCU "${KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${KEY}" "NoRepair" 1
SectionEnd

; Removes the program only. Cases, scans, logs and backups in %LOCALAPPDATA%\yijianshi-desk stay.
Section "uninstall"
  Call un.CloseRunningDesk
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${DESK_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${HUB_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir /r "$SMPROGRAMS\${APP}"
  DeleteRegKey HKCU "${KEY}"
  MessageBox MB_OK|MB_ICONINFORMATION "已卸载程序。案件数据仍保存在 $LOCALAPPDATA\yijianshi-desk（需要时请交管理员备份或按规定销毁）。"
SectionEnd

Function un.CloseRunningDesk
  nsExec::Exec 'taskkill /IM ${DESK_EXE}'
  Sleep 2000
FunctionEnd
