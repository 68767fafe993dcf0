<#
.SYNOPSIS
PowerShell's own parser over every .ps1/.psm1 given (or found under the folders given), and
the collection's C# module_utils compiled as Ansible compiles them on PowerShell 7 (Add-Type,
CORECLR defined, with ansible-core's Ansible.Basic). Exit 1 on any error.

  pwsh -NoProfile -File tests/sanity/ps_parse.ps1 -AnsibleBasic <Ansible.Basic.cs> [-Path paths...]
#>
param (
    [Parameter(Mandatory)][string]$AnsibleBasic,
    [string[]]$Path = @('plugins', 'roles', 'extensions', 'tests/integration', 'tests/unit/powershell', 'tests/windows_sim', 'tests/sanity'),
    [string[]]$CSharp = @()
)
$ErrorActionPreference = 'Stop'
$failures = 0

$scripts = foreach ($one in $Path) {
    if (Test-Path -LiteralPath $one -PathType Container) {
        Get-ChildItem -LiteralPath $one -Recurse -Include '*.ps1', '*.psm1' -File
    }
    elseif ($one -match '\.(ps1|psm1)$') {
        Get-Item -LiteralPath $one
    }
}
$scripts = @($scripts | Sort-Object FullName -Unique)
foreach ($file in $scripts) {
    $tokens = $null
    $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$tokens, [ref]$errors)
    foreach ($problem in $errors) {
        '{0}:{1}:{2}: {3}' -f $file.FullName, $problem.Extent.StartLineNumber, $problem.Extent.StartColumnNumber, $problem.Message
        $failures++
    }
}

# C#: every .cs under plugins/module_utils (or as given), compiled with Ansible.Basic as the exec wrapper does on pwsh.
if (-not $CSharp) {
    $CSharp = @(Get-ChildItem -LiteralPath 'plugins/module_utils' -Filter '*.cs' -File -ErrorAction SilentlyContinue | ForEach-Object FullName)
}
$references = @(Get-ChildItem (Join-Path $PSHOME 'ref') -Filter *.dll | ForEach-Object FullName) + @(
    [System.Management.Automation.PSObject].Assembly.Location
    [System.ComponentModel.Win32Exception].Assembly.Location
    [System.Diagnostics.EventLog].Assembly.Location
    [System.Security.AccessControl.DirectorySecurity].Assembly.Location) | Select-Object -Unique
$work = Join-Path ([System.IO.Path]::GetTempPath()) "entra_sync_parse_$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory -Path $work
try {
    $basic = Join-Path $work 'Ansible.Basic.cs'
    Set-Content -LiteralPath $basic -Value ("#define CORECLR`n" + (Get-Content -Raw -LiteralPath $AnsibleBasic))
    foreach ($file in $CSharp) {
        $copy = Join-Path $work ([System.IO.Path]::GetFileName($file))
        Set-Content -LiteralPath $copy -Value ("#define CORECLR`n" + (Get-Content -Raw -LiteralPath $file))
        try {
            # Its own output assembly each time: one process cannot load a type twice.
            Add-Type -Path $basic, $copy -ReferencedAssemblies $references -OutputAssembly (Join-Path $work "$([guid]::NewGuid().ToString('N')).dll") -IgnoreWarnings -WarningAction SilentlyContinue
        }
        catch {
            "${file}: does not compile on PowerShell 7 (CORECLR): $($_.Exception.Message)"
            $failures++
        }
    }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force
}
"powershell parse: $($scripts.Count) scripts parsed, $(@($CSharp).Count) C# utils compiled, $failures errors"
exit ([int]($failures -gt 0))
