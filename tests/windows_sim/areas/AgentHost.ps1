# What agent_host_info reads beyond the registry, files and services: network probes and the text
# of sc.exe qmanagedaccount.
#   "network": {
#     "direct":  { "*": "open", "login.microsoftonline.com:443": "timeout" },   host:port -> outcome
#     "proxies": { "proxy.contoso.com:8080": { "*": "open", "x:443": "forbidden" } }
#   }
# Outcomes: open, timeout, refused, no_such_host; through a proxy also forbidden (the proxy answers
# the CONNECT with 403). Without a `network` section every direct connection opens; a proxy the
# section does not list refuses the connection, as a host with nothing listening on that port does.
# The managed-account text of sc.exe comes from the same registry value the module reads
# (ServiceAccountManaged under HKLM:\SYSTEM\CurrentControlSet\Services\<name>), so both agree.

$script:ProbeElapsed = @{ open = 30; refused = 2; no_such_host = 12; forbidden = 41 }

Function Get-WinSimProbeOutcome {
    param ([System.Collections.IDictionary]$Table, [string]$Target, [string]$Default)
    if ($null -eq $Table) {
        return $Default
    }
    foreach ($key in $Table.Keys) {
        if ($key -eq $Target) {
            return [string]$Table[$key]
        }
    }
    if ($Table.Contains('*')) {
        return [string]$Table['*']
    }
    $Default
}

Function Get-WinSimNetworkProbe {
    <# What Invoke-EntraSyncNetworkProbe returns on the simulated host. #>
    param (
        [Parameter(Mandatory)][string]$HostName,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][int]$TimeoutMs,
        [string]$Proxy
    )
    $network = Get-WinSimSection -Name network
    $target = "${HostName}:$Port"
    $proxyOutcome = $null
    if ($Proxy) {
        $proxies = if ($network.Contains('proxies')) { $network['proxies'] } else { $null }
        $table = $null
        if ($proxies) {
            foreach ($key in $proxies.Keys) {
                if ($key -eq $Proxy) {
                    $table = $proxies[$key]
                }
            }
        }
        $outcome = if ($null -eq $table) { 'refused' } else { Get-WinSimProbeOutcome -Table $table -Target $target -Default 'open' }
        $proxyOutcome = $outcome
    }
    else {
        $direct = if ($network.Contains('direct')) { $network['direct'] } else { $null }
        $outcome = Get-WinSimProbeOutcome -Table $direct -Target $target -Default 'open'
    }
    $result = @{ reachable = $false; error = $null; elapsed_ms = $null; proxy_status = $null }
    switch ($outcome) {
        'open' {
            $result.reachable = $true
            if ($Proxy) {
                $result.proxy_status = 'HTTP/1.1 200 Connection established'
            }
        }
        'timeout' { $result.error = "timed out after $TimeoutMs ms"; $result.elapsed_ms = $TimeoutMs }
        'refused' { $result.error = 'No connection could be made because the target machine actively refused it.' }
        'no_such_host' { $result.error = 'No such host is known.' }
        'forbidden' {
            if (-not $proxyOutcome) {
                throw "WinSim: 'forbidden' is an outcome of a proxy, not of a direct connection ($target)"
            }
            $result.proxy_status = 'HTTP/1.1 403 Forbidden'
            $result.error = "the proxy refused the tunnel: $($result.proxy_status)"
        }
        default { throw "WinSim: unknown network outcome '$outcome' for $target (open, timeout, refused, no_such_host, forbidden)" }
    }
    if ($null -eq $result.elapsed_ms) {
        $result.elapsed_ms = $script:ProbeElapsed[$outcome]
    }
    $result
}

Function Get-WinSimScQueryManagedAccount {
    <# The text sc.exe qmanagedaccount prints (English), from the service list and its registry key. #>
    param ([Parameter(Mandatory)][string]$Name)
    $service = @(Get-WinSimServiceList | Where-Object { $_.Name -eq $Name })
    if (-not $service) {
        return "[SC] OpenService FAILED 1060:`r`n`r`nThe specified service does not exist as an installed service.`r`n`r`n"
    }
    $values = Get-WinSimRegistryValues -Path "HKLM:\SYSTEM\CurrentControlSet\Services\$Name"
    $raw = $null
    foreach ($key in $values.Keys) {
        if ($key -eq 'ServiceAccountManaged') {
            $raw = ConvertFrom-WinSimRegistryValue -Value $values[$key]
        }
    }
    $managed = @($raw | Where-Object { $_ -ne 0 }).Count -gt 0
    "[SC] QueryServiceConfig2 SUCCESS`r`n`r`nSERVICE_NAME: $Name`r`n        MANAGED ACCOUNT              : $(if ($managed) { 'TRUE' } else { 'FALSE' })`r`n`r`n"
}

Function Sync-WinSimServiceKey {
    <#
    Every service has its key under HKLM:\SYSTEM\CurrentControlSet\Services on Windows: a scenario
    need not list it. A service's `ManagedAccount` (true/false, as sc.exe managedaccount sets it)
    becomes the key's ServiceAccountManaged value (REG_BINARY 01 00 00 00 / 00 00 00 00) unless the
    scenario gives that value itself, so the registry and sc.exe always agree.
    #>
    param ($State)
    if ($null -eq $State -or -not $State.Contains('services') -or $null -eq $State['services']) {
        return
    }
    $table = Get-WinSimSection -Name registry
    foreach ($service in @($State['services'])) {
        $path = "HKLM:\SYSTEM\CurrentControlSet\Services\$($service['Name'])"
        $key = Find-WinSimRegistryKey -Path $path
        if ($null -eq $key) {
            $key = $path
            $table[$key] = [ordered]@{}
        }
        if ($null -eq $table[$key]) {
            $table[$key] = [ordered]@{}
        }
        $values = $table[$key]
        if ($service.Contains('ManagedAccount') -and $null -ne $service['ManagedAccount'] -and
            -not @($values.Keys | Where-Object { $_ -eq 'ServiceAccountManaged' })) {
            $values['ServiceAccountManaged'] = [ordered]@{ type = 'binary'; value = @([int][bool]$service['ManagedAccount'], 0, 0, 0) }
        }
    }
}

Register-WinSimArea -Name AgentHost -Initialize { param ($State) Sync-WinSimServiceKey -State $State }
