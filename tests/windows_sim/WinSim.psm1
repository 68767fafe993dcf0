# The simulated Windows below the collection's PowerShell modules.
#
# Linux PowerShell lacks what the modules read and change on Windows: CIM, services, the
# registry, the event log, LSA, AD and KDS, the installer, the agent's own cmdlets. This
# module answers for them from one description of a host (a "scenario": JSON, see
# README.md), so that the modules' real code runs unchanged above it, in Pester
# (tests/unit/powershell) and in the lab. Every simulated command has the parameter sets
# Windows PowerShell 5.1 has (windows_commands.json, from PSScriptAnalyzer's Windows Server
# 2016/2019 profiles, and commands_manual.json for AD and the agent, from Microsoft's
# cmdlet reference), so a call with a parameter Windows lacks fails here as it would there.
#
# Areas (areas/*.ps1) register one handler per command: Register-WinSimHandler. A command
# without a handler throws: nothing is answered by accident.
#
# Failures: a scenario's `failures` list makes any simulated command fail like Windows does
# (access denied, RPC server unavailable, a WMI error, a timeout) for calls that match.

Set-StrictMode -Version 3.0

$script:State = $null
$script:ScenarioPath = $null
$script:DomainPath = $null
# The domain-wide part of `active_directory` (the lab keeps one file per domain, shared by its hosts).
$script:DomainKeys = @('domain_dn', 'objects', 'kds_root_keys')
$script:Calls = [System.Collections.Generic.List[object]]::new()
$script:Handlers = @{}

# Windows' own wording and HRESULTs for the failures a scenario can ask for.
$script:FailureKinds = @{
    access_denied = @{ Type = [System.UnauthorizedAccessException]; Message = 'Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))'; Category = 'PermissionDenied' }
    rpc_unavailable = @{ Type = [System.Runtime.InteropServices.COMException]; Message = 'The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)'; Category = 'ResourceUnavailable' }
    wmi_error = @{ Type = [System.Runtime.InteropServices.COMException]; Message = 'Generic failure (WMI 0x80041001)'; Category = 'InvalidOperation' }
    invalid_namespace = @{ Type = [System.Runtime.InteropServices.COMException]; Message = 'Invalid namespace (WMI 0x8004100E)'; Category = 'MetadataError' }
    timeout = @{ Type = [System.TimeoutException]; Message = 'The operation has timed out.'; Category = 'OperationTimeout' }
    server_down = @{ Type = [System.InvalidOperationException]; Message = 'Unable to contact the server. This may be because this server does not exist, it is currently down, or it does not have the Active Directory Web Services running.'; Category = 'ResourceUnavailable' }
}

Function Register-WinSimHandler {
    <# One area's answer for one Windows command: a script block param($Bound, $SetName, $Cmdlet). #>
    param (
        [Parameter(Mandatory)][string]$Command,
        [Parameter(Mandatory)][scriptblock]$Handler
    )
    $script:Handlers[$Command] = $Handler
}

Function Set-WinSimScenario {
    <#
    .SYNOPSIS
    Loads a host description. -Path: a JSON file, written back after every change when
    -Persist is set (the lab: each module run is a new process). -Scenario: a hashtable.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param (
        [Parameter(Mandatory, ParameterSetName = 'Path')][string]$Path,
        [Parameter(Mandatory, ParameterSetName = 'Scenario')][System.Collections.IDictionary]$Scenario,
        [Parameter(ParameterSetName = 'Path')][switch]$Persist,
        # A domain file (the lab): its domain_dn, objects and kds_root_keys are this host's view of
        # AD. Read only here: the domain controller's changes are made by the lab's stand-ins of
        # microsoft.ad, and nothing the collection's modules run changes them.
        [Parameter(ParameterSetName = 'Path')][string]$DomainPath
    )
    $script:DomainPath = $null
    if ($PSCmdlet.ParameterSetName -eq 'Path') {
        $script:State = Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json -AsHashtable
        $script:ScenarioPath = if ($Persist) { $Path } else { $null }
        if ($DomainPath) {
            $script:DomainPath = $DomainPath
            $domain = Get-Content -LiteralPath $DomainPath -Raw | ConvertFrom-Json -AsHashtable
            if (-not $script:State.Contains('active_directory') -or $null -eq $script:State.active_directory) {
                $script:State.active_directory = [ordered]@{}
            }
            foreach ($key in $script:DomainKeys) {
                if ($domain.Contains($key)) {
                    $script:State.active_directory[$key] = $domain[$key]
                }
            }
        }
    }
    else {
        # A deep copy, so a test that changes the state cannot change its own fixture.
        $script:State = $Scenario | ConvertTo-Json -Depth 32 | ConvertFrom-Json -AsHashtable
        $script:ScenarioPath = $null
    }
    $script:Calls.Clear()
    foreach ($area in $script:Areas) {
        if ($area.Initialize) {
            & $area.Initialize $script:State
        }
    }
}

Function Merge-WinSimMap {
    <# $Override laid over $Base: maps merge key by key, anything else replaces, null removes. #>
    param ($Base, $Override)
    if ($Base -isnot [System.Collections.IDictionary] -or $Override -isnot [System.Collections.IDictionary]) {
        # The comma keeps a list a list: returned bare, an empty list would become $null and a
        # one-item list its item.
        return , $Override
    }
    $merged = [ordered]@{}
    foreach ($key in $Base.Keys) {
        $merged[$key] = $Base[$key]
    }
    foreach ($key in $Override.Keys) {
        if ($null -eq $Override[$key]) {
            $merged.Remove($key)
        }
        elseif ($merged.Contains($key)) {
            $merged[$key] = Merge-WinSimMap -Base $merged[$key] -Override $Override[$key]
        }
        else {
            $merged[$key] = $Override[$key]
        }
    }
    $merged
}

Function Read-WinSimHost {
    <#
    .SYNOPSIS
    A host description from a file: { "base": "<name in tests/windows_sim/hosts>", "host": {...} }
    lays `host` over the base host; a file without `base` is a whole host itself.
    #>
    param ([Parameter(Mandatory)][string]$Path)
    $document = Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json -AsHashtable
    if (-not $document.Contains('base')) {
        return $(if ($document.Contains('host')) { $document.host } else { $document })
    }
    $base = Read-WinSimHost -Path (Join-Path $PSScriptRoot 'hosts' "$($document.base).json")
    $override = if ($document.Contains('host')) { $document.host } else { [ordered]@{} }
    Merge-WinSimMap -Base $base -Override $override
}

Function Get-WinSimState {
    <# The live host description (changes made by the modules included). #>
    $script:State
}

Function Get-WinSimCall {
    <# Every simulated command that ran, in order: @{ command; parameters; changed }. -Changed: only those that changed the host. #>
    param ([switch]$Changed)
    if ($Changed) {
        return @($script:Calls | Where-Object { $_.changed })
    }
    @($script:Calls)
}

Function Save-WinSimState {
    <# Written back only for a -Persist scenario (the lab). #>
    if (-not $script:ScenarioPath) {
        return
    }
    $save = $script:State
    if ($script:DomainPath -and $save.Contains('active_directory')) {
        # The domain's part stays in the domain file.
        $save = [ordered]@{}
        foreach ($key in $script:State.Keys) {
            $save[$key] = $script:State[$key]
        }
        $ad = [ordered]@{}
        foreach ($key in $script:State.active_directory.Keys) {
            if ($key -notin $script:DomainKeys) {
                $ad[$key] = $script:State.active_directory[$key]
            }
        }
        $save.active_directory = $ad
    }
    $save | ConvertTo-Json -Depth 32 | Set-Content -LiteralPath $script:ScenarioPath -Encoding utf8
}

Function Get-WinSimSection {
    <# A top-level section of the state, created empty when missing. #>
    param ([Parameter(Mandatory)][string]$Name, [ValidateSet('map', 'list')][string]$Kind = 'map')
    if ($null -eq $script:State) {
        throw 'WinSim: no scenario loaded (Set-WinSimScenario)'
    }
    if (-not $script:State.Contains($Name) -or $null -eq $script:State[$Name]) {
        $script:State[$Name] = if ($Kind -eq 'map') { [ordered]@{} } else { [System.Collections.Generic.List[object]]::new() }
    }
    $script:State[$Name]
}

Function New-WinSimError {
    <# An ErrorRecord as Windows raises it for a failure kind (or a given message). #>
    param (
        [string]$Kind,
        [string]$Message,
        [string]$ErrorId = 'WinSim',
        [object]$Target,
        [type]$Type = [System.InvalidOperationException],
        [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified'
    )
    if ($Kind) {
        $known = $script:FailureKinds[$Kind]
        if (-not $known) {
            throw "WinSim: unknown failure kind '$Kind' (known: $($script:FailureKinds.Keys -join ', '))"
        }
        $Type = $known.Type
        $Category = $known.Category
        if (-not $Message) {
            $Message = $known.Message
        }
    }
    $exception = $Type::new($Message)
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

Function Test-WinSimFailureMatch {
    param ($Failure, [string]$Command, [System.Collections.IDictionary]$Bound)
    if ($Failure.command -ne $Command) {
        return $false
    }
    if (-not $Failure.Contains('match')) {
        return $true
    }
    foreach ($key in $Failure.match.Keys) {
        if (-not $Bound.ContainsKey($key)) {
            return $false
        }
        $actual = @($Bound[$key]) -join ','
        if ($actual -notlike [string]$Failure.match[$key]) {
            return $false
        }
    }
    $true
}

Function Invoke-WinSimCommand {
    <#
    .SYNOPSIS
    What every simulated command does: record the call, fail when the scenario says so,
    else run the area's handler. Errors are written as the real cmdlets write them
    (non-terminating, so -ErrorAction decides), unless the scenario asks for a
    terminating one.
    #>
    param (
        [Parameter(Mandatory)][string]$Command,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Bound,
        [string]$SetName,
        # The simulated command's own $PSCmdlet, so its errors honour the caller's -ErrorAction.
        # A Pester mock has none: then the error is written from here, with the same effect.
        $Cmdlet = $PSCmdlet
    )
    $call = [ordered]@{ command = $Command; parameters = [ordered]@{}; changed = $false }
    foreach ($key in $Bound.Keys) {
        $call.parameters[$key] = $Bound[$key]
    }
    $script:Calls.Add($call)

    $failures = if ($null -ne $script:State -and $script:State.Contains('failures')) { @($script:State.failures) } else { @() }
    foreach ($failure in $failures) {
        if (Test-WinSimFailureMatch -Failure $failure -Command $Command -Bound $Bound) {
            $record = New-WinSimError -Kind $failure.error -Message $failure['message'] -ErrorId "WinSim.$($failure.error)"
            if ($failure['terminating']) {
                $Cmdlet.ThrowTerminatingError($record)
            }
            $Cmdlet.WriteError($record)
            return
        }
    }

    $handler = $script:Handlers[$Command]
    if (-not $handler) {
        throw "WinSim: '$Command' is not simulated; add a handler in tests/windows_sim/areas"
    }
    & $handler $Bound $SetName $Cmdlet $call
}

# NTSTATUS -> Win32 error of a failure kind, as native/winsim_native.c returns it to the C# util.
$script:NativeFailureCodes = @{ access_denied = 5; rpc_unavailable = 1722; server_down = 1722; timeout = 1460 }

Function Assert-WinSimNativeCall {
    <#
    .SYNOPSIS
    A module_util function that wraps one native call fails as that call would when the scenario's
    `failures` name the function: a Win32Exception with Windows' error number (the same answer the
    lab's advapi32.dll stand-in gives, so Pester and the lab read one description alike).
    #>
    param ([Parameter(Mandatory)][string]$Command, [Parameter(Mandatory)][System.Collections.IDictionary]$Bound, [Parameter(Mandatory)][string]$Message)
    $failures = if ($null -ne $script:State -and $script:State.Contains('failures')) { @($script:State.failures) } else { @() }
    foreach ($failure in $failures) {
        if (Test-WinSimFailureMatch -Failure $failure -Command $Command -Bound $Bound) {
            $code = $script:NativeFailureCodes[[string]$failure.error]
            throw [System.ComponentModel.Win32Exception]::new($(if ($code) { $code } else { 31 }), $Message)
        }
    }
}

Function Assert-WinSimBoundaryCall {
    <#
    .SYNOPSIS
    A one-call module_util function (boundary.psd1) fails as its .NET or native call would when the
    scenario's `failures` name the function: the failure kind's exception, thrown (the wrapped call
    throws; it does not write a non-terminating error).
    #>
    param ([Parameter(Mandatory)][string]$Command, [Parameter(Mandatory)][System.Collections.IDictionary]$Bound)
    $failures = if ($null -ne $script:State -and $script:State.Contains('failures')) { @($script:State.failures) } else { @() }
    foreach ($failure in $failures) {
        if (Test-WinSimFailureMatch -Failure $failure -Command $Command -Bound $Bound) {
            throw (New-WinSimError -Kind $failure.error -Message $failure['message'] -ErrorId "WinSim.$($failure.error)")
        }
    }
}

Function Get-WinSimBoundaryBody {
    <#
    .SYNOPSIS
    The body that answers for a boundary function (boundary.psd1), as the Pester mocks and the lab's
    module_utils run it: the scenario's failure first (unless the body matches failures itself),
    then the simulation's answer.
    #>
    param ([Parameter(Mandatory)][string]$Function, [Parameter(Mandatory)][string]$Body)
    if ($Body -match 'Assert-WinSimNativeCall|Invoke-WinSimCommand') {
        return $Body
    }
    "Assert-WinSimBoundaryCall -Command '$Function' -Bound `$PesterBoundParameters; $Body"
}

Function Set-WinSimChanged {
    <# A handler marks its call as one that changed the host, and the state is written back. #>
    param ([Parameter(Mandatory)]$Call)
    $Call.changed = $true
    Save-WinSimState
}

# --- the simulated commands, with Windows PowerShell 5.1's parameter sets -------------------

$script:TypeMap = @{
    'System.Management.Automation.SwitchParameter' = 'switch'
    'System.String' = 'string'
    'System.String[]' = 'string[]'
    'System.Int32' = 'int'
    'System.Int64' = 'long'
    'System.UInt32' = 'uint32'
    'System.Boolean' = 'bool'
    'System.Object' = 'object'
    'System.Object[]' = 'object[]'
    'System.Management.Automation.PSCredential' = 'pscredential'
    'System.Collections.Hashtable' = 'hashtable'
    'System.Security.SecureString' = 'securestring'
    'System.DateTime' = 'datetime'
}

Function ConvertTo-WinSimFunction {
    <# The text of a function with the command's real parameter sets whose body hands over to Invoke-WinSimCommand. #>
    param ([string]$Name, [System.Collections.IDictionary]$Signature)
    $parameters = foreach ($parameterName in $Signature.parameters.Keys) {
        $parameter = $Signature.parameters[$parameterName]
        $type = $script:TypeMap[$parameter.type]
        if (-not $type) {
            # Windows-only types (CimSession, ServiceController, ...) do not exist here: bind anything.
            $type = if ($parameter.type.EndsWith('[]')) { 'object[]' } else { 'object' }
        }
        $attributes = foreach ($setName in $parameter.sets.Keys) {
            $set = $parameter.sets[$setName]
            $parts = @()
            if ($setName -ne '__AllParameterSets') {
                $parts += "ParameterSetName = '$setName'"
            }
            if ($set.mandatory) {
                $parts += 'Mandatory = $true'
            }
            if ($null -ne $set.position) {
                $parts += "Position = $($set.position)"
            }
            "[Parameter($($parts -join ', '))]"
        }
        "        $($attributes -join '') [$type]`$$parameterName"
    }
    $binding = if ($Signature.default_set) { "[CmdletBinding(DefaultParameterSetName = '$($Signature.default_set)')]" } else { '[CmdletBinding()]' }
    @"
Function $Name {
    $binding
    param (
$($parameters -join ",`n")
    )
    Invoke-WinSimCommand -Command '$Name' -Bound `$PSBoundParameters -SetName `$PSCmdlet.ParameterSetName -Cmdlet `$PSCmdlet
}
"@
}

$script:Signatures = [ordered]@{}
foreach ($file in 'windows_commands.json', 'commands_manual.json') {
    $path = Join-Path $PSScriptRoot $file
    if (Test-Path -LiteralPath $path) {
        $commands = (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json -AsHashtable).commands
        foreach ($name in $commands.Keys) {
            $script:Signatures[$name] = $commands[$name]
        }
    }
}
# The item cmdlets exist on Linux and serve the test runner too: they are not replaced here.
# Callers route only Windows paths (HKLM:\, C:\) to Invoke-WinSimItem (Pester: a mock
# scoped to the collection's code; the lab: the shadow Management module).
$script:ItemCommands = @(
    'Get-Item', 'Get-ItemProperty', 'Get-ChildItem', 'Test-Path', 'New-Item', 'New-ItemProperty'
    'Set-ItemProperty', 'Remove-Item', 'Remove-ItemProperty', 'Get-Content', 'Join-Path'
)
$script:Simulated = @($script:Signatures.Keys | Where-Object { $_ -notin $script:ItemCommands })
foreach ($name in $script:Simulated) {
    . ([scriptblock]::Create((ConvertTo-WinSimFunction -Name $name -Signature $script:Signatures[$name])))
}

Function Assert-WinSimSignature {
    <# Fails, as Windows PowerShell 5.1 would, on a parameter the Windows command does not have. #>
    param ([Parameter(Mandatory)][string]$Command, [Parameter(Mandatory)][System.Collections.IDictionary]$Bound)
    $signature = $script:Signatures[$Command]
    if (-not $signature) {
        return
    }
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    foreach ($key in $Bound.Keys) {
        if ($key -notin $common -and -not $signature.parameters.Contains($key)) {
            throw [System.Management.Automation.ParameterBindingException]::new(
                "A parameter cannot be found that matches parameter name '$key'. ($Command on Windows PowerShell 5.1)")
        }
    }
}

Function Test-WinSimWindowsPath {
    <# Whether a path is one only Windows has: a registry drive or provider path, or a drive letter. #>
    param ([AllowNull()][AllowEmptyCollection()][object]$Path)
    foreach ($one in @($Path)) {
        if ("$one" -match '^(HKLM:|HKCU:|HKEY_|(Microsoft\.PowerShell\.Core\\)?Registry::|[A-Za-z]:[\\/])') {
            return $true
        }
    }
    $false
}

Function Invoke-WinSimItem {
    <# An item cmdlet on a Windows path: checked against the 5.1 signature, then served by an area. #>
    param (
        [Parameter(Mandatory)][string]$Command,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Bound,
        $Cmdlet = $PSCmdlet
    )
    Assert-WinSimSignature -Command $Command -Bound $Bound
    Invoke-WinSimCommand -Command $Command -Bound $Bound -Cmdlet $Cmdlet
}

# --- areas ------------------------------------------------------------------------------------
$script:Areas = [System.Collections.Generic.List[object]]::new()
Function Register-WinSimArea {
    <# An area may reset its caches when a scenario is loaded. #>
    param ([Parameter(Mandatory)][string]$Name, [scriptblock]$Initialize)
    $script:Areas.Add(@{ Name = $Name; Initialize = $Initialize })
}
foreach ($area in (Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'areas') -Filter '*.ps1' | Sort-Object Name)) {
    . $area.FullName
}

# The lab (lab/New-WinSimLabRuntime.ps1): every module run is a new process on one host; it
# loads that host's description and writes its changes back.
if ($env:WINSIM_SCENARIO) {
    $labHost = @{ Path = $env:WINSIM_SCENARIO; Persist = $true }
    if ($env:WINSIM_DOMAIN) {
        $labHost.DomainPath = $env:WINSIM_DOMAIN
    }
    Set-WinSimScenario @labHost
}

# The simulated Windows commands, and every *-WinSim* function (areas included) for tests and the lab.
Export-ModuleMember -Function @($script:Simulated + '*-WinSim*')
