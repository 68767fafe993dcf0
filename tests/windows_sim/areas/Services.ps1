# Services: scenario section `services`, a list of
#   { "Name": "AADConnectProvisioningAgent", "DisplayName": "...", "Status": "Running",
#     "StartType": "Automatic", "StartName": "CONTOSO\\provAgentgMSA$", "PathName": "...",
#     "start_error": "text the service control manager gives when it cannot start it" }
# Get-Service, Start/Stop/Restart/Set-Service and CIM Win32_Service read the same list.

$script:CimState = @{ Running = 'Running'; Stopped = 'Stopped'; StartPending = 'Start Pending'; StopPending = 'Stop Pending'; Paused = 'Paused' }
$script:CimStartMode = @{ Automatic = 'Auto'; Manual = 'Manual'; Disabled = 'Disabled'; AutomaticDelayedStart = 'Auto' }

Function Get-WinSimServiceList {
    Get-WinSimSection -Name services -Kind list
}

Function Get-WinSimServiceAsCim {
    foreach ($service in (Get-WinSimServiceList)) {
        [ordered]@{
            Name = $service.Name
            DisplayName = $service.DisplayName
            State = $script:CimState[[string]$service.Status]
            StartMode = $script:CimStartMode[[string]$service.StartType]
            StartName = $service.StartName
            PathName = $service.PathName
            ProcessId = if ($service.Status -eq 'Running') { 4242 } else { 0 }
        }
    }
}

Function ConvertTo-WinSimServiceObject {
    param ($Service)
    [pscustomobject]@{
        Name = $Service.Name
        ServiceName = $Service.Name
        DisplayName = $Service.DisplayName
        Status = [string]$Service.Status
        StartType = [string]$Service.StartType
        CanStop = $Service.Status -eq 'Running'
    }
}

Function Find-WinSimService {
    <# Services whose name (or display name) matches, with the errors Get-Service writes for names it cannot find. #>
    param ($Bound, $Cmdlet)
    $services = Get-WinSimServiceList
    if ($Bound.ContainsKey('InputObject')) {
        $names = @($Bound['InputObject'] | ForEach-Object { $_.Name })
        $by = 'Name'
    }
    elseif ($Bound.ContainsKey('DisplayName')) {
        $names = @($Bound['DisplayName'])
        $by = 'DisplayName'
    }
    elseif ($Bound.ContainsKey('Name')) {
        $names = @($Bound['Name'])
        $by = 'Name'
    }
    else {
        return @($services)
    }
    foreach ($name in $names) {
        $found = @($services | Where-Object { $_[$by] -like $name })
        if (-not $found -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($name)) {
            $label = if ($by -eq 'Name') { 'service name' } else { 'display name' }
            $Cmdlet.WriteError((New-WinSimError -Message "Cannot find any service with $label '$name'." `
                        -Type ([System.InvalidOperationException]) -Category ObjectNotFound -ErrorId 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand' -Target $name))
        }
        $found
    }
}

Register-WinSimHandler -Command 'Get-Service' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($service in (Find-WinSimService -Bound $Bound -Cmdlet $Cmdlet)) {
        ConvertTo-WinSimServiceObject -Service $service
    }
}

Function Set-WinSimServiceStatus {
    param ($Bound, $Cmdlet, $Call, [string[]]$Sequence)
    foreach ($service in (Find-WinSimService -Bound $Bound -Cmdlet $Cmdlet)) {
        foreach ($status in $Sequence) {
            if ($status -eq 'Running' -and $service['start_error']) {
                $Cmdlet.WriteError((New-WinSimError -Message ("Service '{0} ({1})' cannot be started due to the following error: {2}" -f $service.DisplayName, $service.Name, $service.start_error) `
                            -Type ([System.InvalidOperationException]) -Category OpenError -ErrorId 'CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand'))
                $service.Status = 'Stopped'
                break
            }
            $service.Status = $status
        }
        Set-WinSimChanged -Call $Call
        if ($Bound['PassThru']) {
            ConvertTo-WinSimServiceObject -Service $service
        }
    }
}

Register-WinSimHandler -Command 'Start-Service' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    Set-WinSimServiceStatus -Bound $Bound -Cmdlet $Cmdlet -Call $Call -Sequence 'Running'
}
Register-WinSimHandler -Command 'Stop-Service' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    Set-WinSimServiceStatus -Bound $Bound -Cmdlet $Cmdlet -Call $Call -Sequence 'Stopped'
}
Register-WinSimHandler -Command 'Restart-Service' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    Set-WinSimServiceStatus -Bound $Bound -Cmdlet $Cmdlet -Call $Call -Sequence 'Stopped', 'Running'
}
Register-WinSimHandler -Command 'Set-Service' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    foreach ($service in (Find-WinSimService -Bound $Bound -Cmdlet $Cmdlet)) {
        if ($Bound.ContainsKey('StartupType')) {
            $service.StartType = [string]$Bound['StartupType']
        }
        if ($Bound.ContainsKey('Status')) {
            $service.Status = [string]$Bound['Status']
        }
        Set-WinSimChanged -Call $Call
    }
}
