<#
.SYNOPSIS
Writes each host description whole (its `base` host laid under it, as Read-WinSimHost does), so
that the lab's module runs load a plain file.

    pwsh tests/windows_sim/lab/Export-WinSimHost.ps1 -Path tests/lab/hosts/a.json,... -Destination <dir> [-Name a,...]

-Name gives each output file's name (default: the input's); one pwsh start serves every host.
#>
[CmdletBinding()]
param (
    [Parameter(Mandatory)][string[]]$Path,
    [Parameter(Mandatory)][string]$Destination,
    [string[]]$Name
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'WinSim.psm1') -Force
if ($Name -and $Name.Count -ne $Path.Count) {
    throw "-Name has $($Name.Count) entries for $($Path.Count) paths"
}
$null = New-Item -ItemType Directory -Path $Destination -Force
for ($i = 0; $i -lt $Path.Count; $i++) {
    $outName = if ($Name) { $Name[$i] } else { [System.IO.Path]::GetFileNameWithoutExtension($Path[$i]) }
    $description = Read-WinSimHost -Path $Path[$i]
    $description | ConvertTo-Json -Depth 32 | Set-Content -LiteralPath (Join-Path $Destination "$outName.json") -Encoding utf8
}
