# The module result fixtures (tests/fixtures/module_results/<module>/<name>.json), which the
# Python tests and the action plugins are built against, are what the real module returns on
# the scenario of the same name (tests/unit/powershell/scenarios/<module>/<name>.json):
#   { "description": "...", "base": "<host in tests/windows_sim/hosts>", "host": { overrides },
#     "args": { module options }, "check_mode": false }
# A fixture that differs from the module's result fails here. To regenerate them all:
#   make fixtures        (ENTRA_SYNC_UPDATE_FIXTURES=1 for this file)
BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path
    $scenarioRoot = Join-Path $PSScriptRoot 'scenarios'
    $fixtureRoot = Join-Path $root 'tests' 'fixtures' 'module_results'
    $cases = foreach ($file in (Get-ChildItem -Path $scenarioRoot -Filter '*.json' -Recurse | Sort-Object FullName)) {
        @{
            Module = $file.Directory.Name
            Name = $file.BaseName
            Scenario = $file.FullName
            Fixture = Join-Path $fixtureRoot $file.Directory.Name "$($file.BaseName).json"
        }
    }
    $orphans = foreach ($fixture in (Get-ChildItem -Path $fixtureRoot -Filter '*.json' -Recurse | Sort-Object FullName)) {
        $scenario = Join-Path $scenarioRoot $fixture.Directory.Name $fixture.Name
        if (-not (Test-Path -LiteralPath $scenario)) {
            @{ Fixture = "$($fixture.Directory.Name)/$($fixture.Name)"; Scenario = $scenario }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $update = $env:ENTRA_SYNC_UPDATE_FIXTURES -eq '1'

    Function ConvertTo-FixtureText {
        <# The fixture form of a result: what register: holds, minus the echo of the arguments. #>
        param ([System.Collections.IDictionary]$Result)
        $Result.Remove('invocation')
        ($Result | ConvertTo-Json -Depth 32) + "`n"
    }
}

Describe 'module result fixtures' {
    BeforeAll { Enable-WinSimBoundary }

    It '<Module>/<Name> is what the module returns on its scenario' -ForEach $cases {
        $document = Get-Content -LiteralPath $Scenario -Raw | ConvertFrom-Json -AsHashtable
        Use-WinSimHost -Path $Scenario
        $arguments = if ($document.Contains('args')) { $document.args } else { @{} }
        $result = Invoke-EntraSyncModule -Name $Module -Arguments $arguments -CheckMode:([bool]$document['check_mode'])
        $actual = ConvertTo-FixtureText -Result $result
        if ($update) {
            $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Fixture)
            [System.IO.File]::WriteAllText($Fixture, $actual)
        }
        Test-Path -LiteralPath $Fixture | Should -BeTrue -Because 'every scenario has its fixture (make fixtures writes it)'
        $committed = [System.IO.File]::ReadAllText($Fixture)
        $actual | Should -BeExactly $committed -Because "the module's result on $Module/$Name must match the committed fixture (make fixtures)"
    }

    It '<Fixture> has a scenario that produces it' -ForEach $orphans {
        $Scenario | Should -Exist -Because 'a fixture is produced by the module on a scenario, never written by hand'
    }
}
