<#
.SYNOPSIS
PSScriptAnalyzer over the collection's PowerShell: ansible-test's pslint rules, plus the
compatibility rules against Windows PowerShell 5.1 on Windows Server 2016 and 2019.

.DESCRIPTION
ansible-test's own pslint needs PSScriptAnalyzer from the PowerShell Gallery; this runs its
settings file (from the installed ansible-test) with the PSScriptAnalyzer at hand, and adds
PSUseCompatibleCommands, PSUseCompatibleSyntax and PSUseCompatibleTypes for the two 5.1
profiles. Commands of modules the profiles do not describe (ActiveDirectory, the agent's own
Microsoft.CloudSync.PowerShell) are allowed by name below. Exit 1 on any finding; a finding
that is accepted is suppressed in the code, with its reason on the line above.

  pwsh -NoProfile -File tests/sanity/ps_analyze.ps1 -PslintSettings <settings.psd1> [paths...]
#>
param (
    [Parameter(Mandatory)][string]$PslintSettings,
    [string[]]$Path = @('plugins')
)
$ErrorActionPreference = 'Stop'

$profiles = @(
    'win-8_x64_10.0.14393.0_5.1.14393.2791_x64_4.0.30319.42000_framework'  # Windows Server 2016
    'win-8_x64_10.0.17763.0_5.1.17763.316_x64_4.0.30319.42000_framework'   # Windows Server 2019
)
# Not in the profiles: RSAT's ActiveDirectory module, and the agent's module (loaded from its install dir).
$allowedCommands = @(
    'Get-ADComputer', 'Get-ADObject', 'Get-ADServiceAccount', 'Get-ADUser', 'Install-ADServiceAccount'
    'Test-ADServiceAccount', 'Uninstall-ADServiceAccount'
    'Connect-AADCloudSyncAzureAD', 'Add-AADCloudSyncGMSA', 'Add-AADCloudSyncADDomain'
    'Set-AADCloudSyncPasswordWritebackConfiguration', 'Set-AADCloudSyncPermissions'
)
$allowedTypes = @(
    # Types of the ActiveDirectory module (loaded on demand on the host).
    'Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException'
    'Microsoft.ActiveDirectory.Management.ADServerDownException'
    # The collection's own C# (module_utils/_EntraSyncNative.cs), compiled by Ansible on the host.
    'EntraSync.LsaRights', 'EntraSync.ServiceAccountNative', 'EntraSync.NativeMethods'
    # Ansible's own C# utils.
    'Ansible.Basic.AnsibleModule', 'Ansible.Process.ProcessUtil', 'Ansible.Process.Result'
)

# Two passes: PSScriptAnalyzer 1.19 runs the compatibility rules only when they are named in
# IncludeRules, and naming them there would turn off pslint's default rule set.
$pslint = Import-PowerShellDataFile -LiteralPath $PslintSettings
$compatibility = @{
    IncludeRules = @('PSUseCompatibleCommands', 'PSUseCompatibleSyntax', 'PSUseCompatibleTypes')
    Rules = @{
        PSUseCompatibleCommands = @{ Enable = $true; TargetProfiles = $profiles; IgnoreCommands = $allowedCommands }
        PSUseCompatibleSyntax = @{ Enable = $true; TargetVersions = @('5.1') }
        PSUseCompatibleTypes = @{ Enable = $true; TargetProfiles = $profiles; IgnoreTypes = $allowedTypes }
    }
}

$files = foreach ($one in $Path) {
    if (Test-Path -LiteralPath $one -PathType Container) {
        Get-ChildItem -LiteralPath $one -Recurse -Include '*.ps1', '*.psm1' -File | Sort-Object FullName
    }
    else {
        Get-Item -LiteralPath $one
    }
}
$findings = foreach ($file in $files) {
    # PSScriptAnalyzer 1.19 does not apply a settings table's ExcludeRules when Rules configures rules: pass them too.
    Invoke-ScriptAnalyzer -Path $file.FullName -Settings $pslint -ExcludeRule $pslint.ExcludeRules
    Invoke-ScriptAnalyzer -Path $file.FullName -Settings $compatibility
}
# What the profiles cannot show: PowerShell 6+ lets Join-Path take more child paths positionally
# (-AdditionalChildPath); Windows PowerShell 5.1's Join-Path takes two, so a third fails there.
$findings = @($findings) + @(foreach ($file in $files) {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
        $calls = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Join-Path' }, $true)
        foreach ($call in $calls) {
            $positional = @($call.CommandElements | Select-Object -Skip 1 | Where-Object { $_ -isnot [System.Management.Automation.Language.CommandParameterAst] })
            $named = @($call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
            if ($positional.Count - $named.Count -gt 2 -or ($named | Where-Object ParameterName -EQ 'AdditionalChildPath')) {
                [pscustomobject]@{
                    ScriptPath = $file.FullName; Line = $call.Extent.StartLineNumber; Column = $call.Extent.StartColumnNumber
                    Severity = 'Error'; RuleName = 'EntraSyncJoinPathWindowsPowerShell51'
                    Message = 'Join-Path takes one child path in Windows PowerShell 5.1; nest Join-Path calls instead'
                }
            }
        }
    })
foreach ($finding in $findings) {
    $relative = [System.IO.Path]::GetRelativePath((Get-Location).Path, $finding.ScriptPath)
    '{0}:{1}:{2}: {3} [{4}] {5}' -f $relative, $finding.Line, $finding.Column, $finding.Severity, $finding.RuleName, $finding.Message
}
"psscriptanalyzer: $(@($files).Count) files, $(@($findings).Count) findings (pslint rules + Windows PowerShell 5.1 compatibility on Server 2016/2019)"
exit ([int](@($findings).Count -gt 0))
