# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: the provisioning agent's registration, for
# provisioning_agent_registration. The agent's cmdlets come from its own assembly; the
# steps the host cannot show (domains, writeback, permissions, the restart after them)
# are remembered in a marker the collection owns, under its own registry key.

$script:MarkerKey = 'HKLM:\SOFTWARE\hybrid_identity\entra_sync\registration'

Function Import-EntraSyncAgentModule {
    <#
    .SYNOPSIS
    Imports the agent's cmdlets from <install dir>\Microsoft.CloudSync.PowerShell.dll into the global scope.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path
    )

    Import-Module -Name $Path -Global -ErrorAction Stop
}

Function Get-EntraSyncRegistrationMarker {
    <#
    .SYNOPSIS
    The completed steps remembered by an earlier run: @{ tenant_id; steps = @{ <step> = <what it applied> } }.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param ()

    $marker = @{ tenant_id = $null; steps = @{} }
    $item = Get-Item -LiteralPath $script:MarkerKey -ErrorAction SilentlyContinue
    if (-not $item) {
        return $marker
    }
    foreach ($name in $item.GetValueNames()) {
        $value = [string]$item.GetValue($name, $null)
        if ($name -eq 'TenantID') {
            $marker.tenant_id = $value
        }
        elseif ($name.StartsWith('step:')) {
            $marker.steps[$name.Substring(5)] = $value
        }
    }
    $marker
}

Function Set-EntraSyncRegistrationMarker {
    <#
    .SYNOPSIS
    Remembers one completed step (with what it applied) or, with -Clear, forgets it; -TenantId ties the marker to a tenant.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param (
        [string]$Step,
        [string]$Applied = '',
        [string]$TenantId,
        [switch]$Clear
    )

    if (-not $PSCmdlet.ShouldProcess($script:MarkerKey, 'Record registration step')) {
        return
    }
    if (-not (Test-Path -LiteralPath $script:MarkerKey)) {
        $null = New-Item -Path $script:MarkerKey -Force
    }
    if ($TenantId) {
        $null = New-ItemProperty -LiteralPath $script:MarkerKey -Name 'TenantID' -Value $TenantId -PropertyType String -Force
    }
    if ($Step -and $Clear) {
        Remove-ItemProperty -LiteralPath $script:MarkerKey -Name "step:$Step" -ErrorAction SilentlyContinue
    }
    elseif ($Step) {
        $null = New-ItemProperty -LiteralPath $script:MarkerKey -Name "step:$Step" -Value $Applied -PropertyType String -Force
    }
}

Function Get-EntraSyncRaisedError {
    <#
    .SYNOPSIS
    The raw error of a failed step: exception type names (outermost first), the messages, and any AADSTS codes in them.
    .DESCRIPTION
    No judgement here: whether it means MFA, a security error or a version mismatch is decided in Python.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][System.Management.Automation.ErrorRecord]$ErrorRecord,
        [Parameter(Mandatory)][string]$Step
    )

    $types = [System.Collections.Generic.List[string]]::new()
    $messages = [System.Collections.Generic.List[string]]::new()
    $exception = $ErrorRecord.Exception
    while ($exception) {
        $types.Add($exception.GetType().FullName)
        $messages.Add($exception.Message)
        $exception = $exception.InnerException
    }
    $text = $messages -join ' '
    [ordered]@{
        step = $Step
        types = @($types)
        message = $text
        error_id = $ErrorRecord.FullyQualifiedErrorId
        aadsts_codes = @([regex]::Matches($text, 'AADSTS\d+') | ForEach-Object Value | Select-Object -Unique)
    }
}

$exportMembers = @{
    Function = @(
        'Get-EntraSyncRaisedError'
        'Get-EntraSyncRegistrationMarker'
        'Import-EntraSyncAgentModule'
        'Set-EntraSyncRegistrationMarker'
    )
}
Export-ModuleMember @exportMembers
