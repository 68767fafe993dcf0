# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: start, wait for and stop one installer process.
# The process is created by ansible.windows' process util (the one win_package uses:
# CreateProcess through [Ansible.Windows.Process.ProcessUtil], arguments escaped by its
# ConvertTo-EscapedArgument). Its blocking runners (Start-AnsibleWindowsProcess, and
# ansible-core's Ansible.Process) have no timeout, so the process is started with its
# NativeCreateProcess, which returns at once with the process handle and id; the wait is
# bounded here and a run that never ends is stopped with the process API's own kill.
# Each function is one call into Windows, so that a test can serve it (TestHarness.ps1
# BoundaryMocks); the decisions (timeout, retries, what to stop) are the module's.

#AnsibleRequires -PowerShell ansible_collections.ansible.windows.plugins.module_utils.Process

Function Start-EntraSyncProcess {
    <#
    .SYNOPSIS
    Starts a process from a command line (already escaped) and returns at once: an object with
    ProcessId and the process handle (Process), to give to Wait-EntraSyncProcess.
    .PARAMETER FilePath
    The executable; when omitted, CreateProcess takes it from the command line (uninstall strings).
    #>
    [CmdletBinding()]
    param (
        [AllowNull()][string]$FilePath,
        [Parameter(Mandatory)][string]$CommandLine
    )

    # No inherited handles and no console: the installer is a GUI bundle run with /quiet.
    $startup = New-Object -TypeName Ansible.Windows.Process.StartupInfo
    $startup.WindowStyle = [System.Diagnostics.ProcessWindowStyle]::Hidden
    # Creation flags 0: the util adds the extended startup info and the Unicode environment itself.
    [Ansible.Windows.Process.ProcessUtil]::NativeCreateProcess($FilePath, $CommandLine, $null, $null, $false, 0, $null, $null, $startup)
}

Function Wait-EntraSyncProcess {
    <#
    .SYNOPSIS
    Waits at most TimeoutSeconds for a process from Start-EntraSyncProcess; returns its exit
    code as Int32 (so 0x80070643 is -2147023293), or $null when it is still running.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][object]$Process,
        [Parameter(Mandatory)][int]$TimeoutSeconds
    )

    $wait = New-Object -TypeName System.Threading.ManualResetEvent -ArgumentList $false
    $wait.SafeWaitHandle = New-Object -TypeName Microsoft.Win32.SafeHandles.SafeWaitHandle -ArgumentList $Process.Process.DangerousGetHandle(), $false
    try {
        if (-not $wait.WaitOne([TimeSpan]::FromSeconds($TimeoutSeconds))) {
            return $null
        }
    }
    finally {
        # The handle belongs to $Process (ownsHandle $false above): only the event object is released.
        $wait.Dispose()
    }
    [BitConverter]::ToInt32([BitConverter]::GetBytes([Ansible.Windows.Process.ProcessUtil]::GetProcessExitCode($Process.Process)), 0)
}

Function Stop-EntraSyncProcess {
    <#
    .SYNOPSIS
    Ends one process by id (TerminateProcess through the process API); throws when it cannot.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][int]$ProcessId
    )

    ([System.Diagnostics.Process]::GetProcessById($ProcessId)).Kill()
}

Function Remove-EntraSyncService {
    <#
    .SYNOPSIS
    Deletes a service from the service control manager (`sc.exe delete`); returns its output.
    .DESCRIPTION
    sc.exe reports failures on stdout with a non-zero exit code; the caller confirms the
    result by reading the service again. Native stderr must not become a terminating error
    under the module's $ErrorActionPreference = 'Stop' (Windows PowerShell 5.1 turns each
    stderr line of `2>&1` into an ErrorRecord), hence the local Continue.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    $ErrorActionPreference = 'Continue'
    (& "$env:SystemRoot\System32\sc.exe" delete $Name 2>&1 | Out-String).Trim()
}

$exportMembers = @{
    Function = @(
        'Remove-EntraSyncService'
        'Start-EntraSyncProcess'
        'Stop-EntraSyncProcess'
        'Wait-EntraSyncProcess'
    )
}
Export-ModuleMember @exportMembers
