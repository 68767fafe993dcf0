# Runs the collection's modules as Ansible runs them, inside Pester, on the simulated Windows.
#
# Dot-source it in BeforeAll:   . (Join-Path $PSScriptRoot 'TestHarness.ps1')
#                               Enable-WinSimBoundary
# then in each context:         Use-WinSimHost -Scenario $hashtable   (or -Path file.json)
#                               $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{...} [-CheckMode]
#
# What is real: Ansible.Basic from the installed ansible-core (compiled with Add-Type, as the
# exec wrapper does on PowerShell 7), the module's module_utils (imported as its
# #AnsibleRequires lines name them) and its C# utils (compiled), argument validation,
# check mode, no_log, and the result JSON that ExitJson/FailJson write.
# What is simulated: Windows itself, below the module code (tests/windows_sim/WinSim.psm1):
# Windows-only cmdlets, the registry and C:\ paths of the item cmdlets, and the small
# module_util functions that wrap a native call (BoundaryMocks below).
# It is dot-sourced, not imported, so the module scripts run in the test's scope and see its mocks.

Set-StrictMode -Version 3.0
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path
$script:ModulesDir = Join-Path $script:RepoRoot 'plugins' 'modules'
$script:ModuleUtilsDir = Join-Path $script:RepoRoot 'plugins' 'module_utils'
Import-Module (Join-Path $script:RepoRoot 'tests' 'windows_sim' 'WinSim.psm1') -Force -Global

# module_util function -> the WinSim call that answers for the native call it wraps: the table
# the lab uses too (tests/windows_sim/boundary.psd1), each body made a mock script block here.
$script:BoundaryMocks = @{}
$boundaryTable = Import-PowerShellDataFile -LiteralPath (Join-Path $script:RepoRoot 'tests' 'windows_sim' 'boundary.psd1')
foreach ($owner in ($boundaryTable.Keys | Where-Object { $_ -ne 'LabBelow' })) {
    $script:BoundaryMocks[$owner] = @{}
    foreach ($function in $boundaryTable[$owner].Keys) {
        $script:BoundaryMocks[$owner][$function] = [scriptblock]::Create((Get-WinSimBoundaryBody -Function $function -Body $boundaryTable[$owner][$function]))
    }
}
# A C: drive, so that the FileSystem provider's dynamic parameters (Get-ChildItem -File) bind on
# C:\ paths as on Windows; every C:\ call is then answered by the simulated host, never this folder.
if (-not (Get-PSDrive -Name C -ErrorAction SilentlyContinue)) {
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $script:RepoRoot 'build' 'winsim-c')
    $null = New-PSDrive -Name C -PSProvider FileSystem -Root (Join-Path $script:RepoRoot 'build' 'winsim-c') -Scope Global
}
# Native programs the module_utils run by their full path: a global function of that name is found first.
$null = New-Item -Path 'Function:\global:C:\Windows\System32\sc.exe' -Value { Invoke-WinSimScExe @args } -Force
# Item cmdlets (and Join-Path) on Windows paths go to the simulated host, checked against their 5.1 signatures.
$script:ItemCommands = 'Get-Item', 'Get-ItemProperty', 'Get-ChildItem', 'Test-Path', 'New-Item', 'New-ItemProperty',
'Set-ItemProperty', 'Remove-Item', 'Remove-ItemProperty', 'Get-Content', 'Join-Path'

Function Find-AnsibleBasicSource {
    <# ansible-core's Ansible.Basic.cs: ENTRA_SYNC_ANSIBLE_BASIC, else the project's .venv, else the python3 on PATH. #>
    if ($env:ENTRA_SYNC_ANSIBLE_BASIC) {
        return $env:ENTRA_SYNC_ANSIBLE_BASIC
    }
    $venv = Get-ChildItem -Path (Join-Path $script:RepoRoot '.venv' 'lib') -Filter 'Ansible.Basic.cs' -Recurse -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if ($venv) {
        return $venv.FullName
    }
    $found = & python3 -c 'import ansible, os; print(os.path.join(os.path.dirname(ansible.__file__), "module_utils", "csharp", "Ansible.Basic.cs"))' 2>$null
    if ($found -and (Test-Path -LiteralPath $found)) {
        return $found
    }
    throw 'Ansible.Basic.cs not found: run make setup (it installs ansible-core into .venv) or set ENTRA_SYNC_ANSIBLE_BASIC'
}

Function Get-CSharpReference {
    # PowerShell 7's own reference assemblies: passing any -ReferencedAssemblies replaces the defaults.
    @(Get-ChildItem (Join-Path $PSHOME 'ref') -Filter *.dll | ForEach-Object FullName) + @(
        [System.Management.Automation.PSObject].Assembly.Location
        [System.Diagnostics.EventLog].Assembly.Location
        [System.Security.AccessControl.DirectorySecurity].Assembly.Location
        [System.ComponentModel.Win32Exception].Assembly.Location
    ) | Select-Object -Unique
}

Function Add-CSharpUtil {
    <# Compiles a C# util as Ansible does on PowerShell 7 (CORECLR defined, WINDOWS not), once per process. #>
    param ([Parameter(Mandatory)][string]$Path)
    $key = "EntraSyncHarness:$Path"
    if ([AppDomain]::CurrentDomain.GetData($key)) {
        return
    }
    $source = "#define CORECLR`n" + (Get-Content -Raw -LiteralPath $Path)
    Add-Type -TypeDefinition $source -ReferencedAssemblies (Get-CSharpReference) -IgnoreWarnings -WarningAction SilentlyContinue
    [AppDomain]::CurrentDomain.SetData($key, $true)
}

Function Get-AnsibleRequire {
    <# The #AnsibleRequires lines of a module or module_util: @{ PowerShell = names; CSharp = names }. #>
    param ([Parameter(Mandatory)][string]$Path)
    $requires = @{ PowerShell = [System.Collections.Generic.List[string]]::new(); CSharp = [System.Collections.Generic.List[string]]::new() }
    foreach ($line in (Get-Content -LiteralPath $Path)) {
        if ($line -match '^#AnsibleRequires\s+-PowerShell\s+(\S+)') {
            $requires.PowerShell.Add($Matches[1])
        }
        elseif ($line -match '^#AnsibleRequires\s+-CSharpUtil\s+(\S+)') {
            $requires.CSharp.Add($Matches[1])
        }
    }
    $requires
}

Function Resolve-CollectionUtil {
    param ([string]$Name, [string]$Extension)
    if ($Name -match '^\.\.module_utils\.(.+)$' -or $Name -match '^ansible_collections\.hybrid_identity\.entra_sync\.plugins\.module_utils\.(.+)$') {
        return Join-Path $script:ModuleUtilsDir "$($Matches[1])$Extension"
    }
    # ansible.windows' PowerShell utils (its process util): the copy in .venv/collections. Their C# is
    # not compiled: only the boundary functions call it, and those are served by the sim.
    if ($Name -match '^ansible_collections\.ansible\.windows\.plugins\.module_utils\.(.+)$' -and $Extension -eq '.psm1') {
        return Join-Path $script:RepoRoot '.venv' 'collections' 'ansible_collections' 'ansible' 'windows' 'plugins' 'module_utils' "$($Matches[1])$Extension"
    }
    $null  # Ansible's own utils (Ansible.Basic): compiled once below.
}

Function Import-EntraSyncModuleUtil {
    <#
    .SYNOPSIS
    Loads what a module's #AnsibleRequires lines name (recursively): C# compiled, PowerShell utils
    imported globally once, so that Pester mocks scoped to them stay in place across runs.
    #>
    param ([Parameter(Mandatory)][string]$Path)
    $requires = Get-AnsibleRequire -Path $Path
    foreach ($name in $requires.CSharp) {
        $util = Resolve-CollectionUtil -Name $name -Extension '.cs'
        if ($util) {
            Add-CSharpUtil -Path $util
        }
    }
    foreach ($name in $requires.PowerShell) {
        $util = Resolve-CollectionUtil -Name $name -Extension '.psm1'
        if (-not $util) {
            continue
        }
        Import-EntraSyncModuleUtil -Path $util
        $moduleName = [System.IO.Path]::GetFileNameWithoutExtension($util)
        if (-not (Get-Module -Name $moduleName)) {
            Import-Module -Name $util -Global -DisableNameChecking
        }
    }
}

Add-CSharpUtil -Path (Find-AnsibleBasicSource)
# Every module_util is loaded up front, so that Use-WinSimHost can scope its mocks to each of them.
foreach ($util in (Get-ChildItem -LiteralPath $script:ModuleUtilsDir -Filter '*.psm1')) {
    Import-EntraSyncModuleUtil -Path $util.FullName
    if (-not (Get-Module -Name $util.BaseName)) {
        Import-Module -Name $util.FullName -Global -DisableNameChecking
    }
}

Function Enable-WinSimBoundary {
    <#
    .SYNOPSIS
    Routes the collection code's Windows calls to the simulated host: the item cmdlets on
    Windows paths, and the module_util functions that wrap one native call (BoundaryMocks),
    wherever they are called from (each module_util and the module script itself).
    Call it once in the Describe's BeforeAll: Pester keeps the mocks for every block inside.
    #>
    # Linux has no C: drive, and the FileSystem provider's dynamic parameters of the mocked item
    # cmdlets (Get-ChildItem -File) bind only on a FileSystem drive's path. A C: drive stands in;
    # it is never read, since every C:\ path goes to the sim.
    if (-not (Get-PSDrive -Name C -ErrorAction SilentlyContinue)) {
        $null = New-PSDrive -Name C -PSProvider FileSystem -Root ([System.IO.Path]::GetTempPath()) -Scope Global
    }
    $filter = { Test-WinSimWindowsPath -Path (@(Get-Variable -Name Path, LiteralPath -ValueOnly -ErrorAction SilentlyContinue) | Where-Object { $_ }) }
    $scopes = @($null) + @(Get-Module | Where-Object { $_.Path -like "$($script:ModuleUtilsDir)*" } | ForEach-Object Name)
    foreach ($moduleName in $scopes) {
        $where = if ($moduleName) { @{ ModuleName = $moduleName } } else { @{} }
        foreach ($command in $script:ItemCommands) {
            # Pester hands a mock its arguments in $PesterBoundParameters ($PSBoundParameters is empty
            # there); -ErrorAction goes on, so that the simulated error honours the caller's choice.
            $body = [scriptblock]::Create("`$ea = if (`$PesterBoundParameters.ContainsKey('ErrorAction')) { `$PesterBoundParameters['ErrorAction'] } else { `$ErrorActionPreference }; Invoke-WinSimItem -Command '$command' -Bound `$PesterBoundParameters -ErrorAction `$ea")
            Mock -CommandName $command -ParameterFilter $filter -MockWith $body @where
        }
        foreach ($owner in $script:BoundaryMocks.Keys) {
            foreach ($function in $script:BoundaryMocks[$owner].Keys) {
                Mock -CommandName $function -MockWith $script:BoundaryMocks[$owner][$function] @where
            }
        }
    }
}

Function Use-WinSimHost {
    <#
    .SYNOPSIS
    Puts the test on a simulated host (a scenario file, with its base host, or a hashtable).
    #>
    param (
        [Parameter(Mandatory, ParameterSetName = 'Scenario')][System.Collections.IDictionary]$Scenario,
        [Parameter(Mandatory, ParameterSetName = 'Path')][string]$Path
    )
    if ($Path) {
        $Scenario = Read-WinSimHost -Path $Path
    }
    Set-WinSimScenario -Scenario $Scenario
    $computer = (Get-WinSimState)['computer']
    $env:COMPUTERNAME = if ($computer -and $computer['name']) { $computer['name'] } else { 'AGENT01' }
    # A module runs as SYSTEM (the roles' become): its USERNAME is the computer account.
    $env:USERNAME = "$($env:COMPUTERNAME)`$"
    $env:USERDOMAIN = 'NT AUTHORITY'
    $env:SystemRoot = 'C:\Windows'
    $env:ProgramData = 'C:\ProgramData'
    $env:ProgramFiles = 'C:\Program Files'
}

Function Invoke-EntraSyncModule {
    <#
    .SYNOPSIS
    Runs plugins/modules/<Name>.ps1 with the given options and returns its result as a hashtable
    (what `register:` would hold). Options go in as Ansible sends them ($complex_args).
    #>
    param (
        [Parameter(Mandatory)][string]$Name,
        [System.Collections.IDictionary]$Arguments = @{},
        [switch]$CheckMode,
        [switch]$Diff
    )
    $path = Join-Path $script:ModulesDir "$Name.ps1"
    Import-EntraSyncModuleUtil -Path $path
    $complex = @{}
    foreach ($key in $Arguments.Keys) {
        $complex[$key] = $Arguments[$key]
    }
    $complex._ansible_check_mode = [bool]$CheckMode
    $complex._ansible_diff = [bool]$Diff
    $complex._ansible_module_name = "hybrid_identity.entra_sync.$Name"
    $complex._ansible_tmpdir = [System.IO.Path]::GetTempPath()
    $complex._ansible_remote_tmp = [System.IO.Path]::GetTempPath()
    $complex._ansible_keep_remote_files = $false

    # ExitJson/FailJson write one line, then call Exit: both are caught here instead of ending the process.
    $output = [System.Collections.Generic.List[string]]::new()
    [Ansible.Basic.AnsibleModule]::Exit = { param([int]$rc) throw "EntraSyncHarness: module exited with $rc" }
    [Ansible.Basic.AnsibleModule]::WriteLine = { param([string]$line) $output.Add($line) }.GetNewClosure()
    $global:complex_args = $complex
    try {
        $null = & $path
    }
    catch {
        if ($output.Count -eq 0) {
            throw "Module $Name threw before writing a result: $($_.Exception.Message) $($_.InvocationInfo.PositionMessage)"
        }
    }
    finally {
        Remove-Variable -Name complex_args -Scope Global -ErrorAction SilentlyContinue
    }
    if ($output.Count -eq 0) {
        throw "Module $Name ended without a result"
    }
    $output[-1] | ConvertFrom-Json -AsHashtable
}
