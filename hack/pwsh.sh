#!/usr/bin/env bash
# Finds PowerShell for the test chain and the lab; source it, then use:
#   PWSH          the pwsh to run, or empty when none was found
#   PWSH_FROM     where it was found: PWSH, PATH or bundle
#   PWSH_MISSING  why there is none (empty when found)
# Order: $PWSH (an explicit path), then `pwsh` on PATH, then the bundle beside the checkout
# (../shared/tools/pwsh/bin/pwsh, which CI has). To get PowerShell: Microsoft's packages
# (https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux),
# or the .NET tool (`dotnet tool install --global PowerShell`), then `PWSH=/path/to/pwsh`.
# Pester 5 and PSScriptAnalyzer come from the PowerShell Gallery (Install-Module Pester, PSScriptAnalyzer).

_pwsh_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PWSH_FROM=""
PWSH_MISSING=""
_pwsh_works() { [ -n "$1" ] && [ -x "$1" ] && "$1" -NoProfile -NonInteractive -Command 'exit 0' >/dev/null 2>&1; }

if [ -n "${PWSH:-}" ]; then
    if _pwsh_works "$PWSH"; then
        PWSH_FROM=PWSH
    else
        PWSH_MISSING="PWSH=$PWSH does not start PowerShell"
        PWSH=""
    fi
elif _pwsh_works "$(command -v pwsh 2>/dev/null)"; then
    PWSH=$(command -v pwsh)
    PWSH_FROM=PATH
elif _pwsh_works "$_pwsh_root/../shared/tools/pwsh/bin/pwsh"; then
    PWSH=$(cd "$_pwsh_root/../shared/tools/pwsh/bin" && pwd)/pwsh
    PWSH_FROM=bundle
else
    PWSH=""
    PWSH_MISSING="no pwsh: PWSH is unset, none is on PATH, and ../shared/tools/pwsh is absent"
fi
export PWSH PWSH_FROM PWSH_MISSING

# pwsh_has_module NAME MIN_VERSION: whether that PowerShell module is installed for $PWSH.
pwsh_has_module() {
    [ -n "$PWSH" ] && "$PWSH" -NoProfile -NonInteractive -Command \
        "if (Get-Module -ListAvailable -Name '$1' | Where-Object Version -ge ([version]'$2')) { exit 0 } else { exit 1 }" >/dev/null 2>&1
}
