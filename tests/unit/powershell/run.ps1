<#
.SYNOPSIS
Runs the Pester suite of the collection's PowerShell (tests/unit/powershell) with code coverage
over plugins/modules/*.ps1 and plugins/module_utils/*.psm1, prints the share of commands each
file ran, and writes build/pester/{junit.xml,coverage.xml}; coverage.xml (JaCoCo, per line) is what
tests/coverage/ps_coverage.py merges with the lab's coverage. Exit 1 on any failed test.

  pwsh -NoProfile -File tests/unit/powershell/run.ps1 [-Path tests/unit/powershell/x.Tests.ps1] [-NoCoverage]
#>
param (
    [string[]]$Path = @(),
    [switch]$NoCoverage
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path
Set-Location -LiteralPath $root
Import-Module Pester -MinimumVersion 5.0
$output = Join-Path $root 'build' 'pester'
$null = New-Item -ItemType Directory -Force -Path $output
# A coverage.xml left by an earlier run must never be merged as this run's.
Remove-Item -LiteralPath (Join-Path $output 'coverage.xml') -ErrorAction SilentlyContinue

$configuration = New-PesterConfiguration
$configuration.Run.Path = if ($Path) { $Path } else { @(Join-Path $root 'tests' 'unit' 'powershell') }
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = Join-Path $output 'junit.xml'
$covered = @(
    Get-ChildItem -LiteralPath (Join-Path $root 'plugins' 'modules') -Filter '*.ps1'
    Get-ChildItem -LiteralPath (Join-Path $root 'plugins' 'module_utils') -Filter '*.psm1'
) | Sort-Object FullName
if (-not $NoCoverage) {
    $configuration.CodeCoverage.Enabled = $true
    $configuration.CodeCoverage.Path = @($covered.FullName)
    $configuration.CodeCoverage.OutputFormat = 'JaCoCo'
    $configuration.CodeCoverage.OutputPath = Join-Path $output 'coverage.xml'
}

$result = Invoke-Pester -Configuration $configuration

if (-not $NoCoverage -and $result.CodeCoverage) {
    # Per file: commands run / commands in the file (Pester counts commands, not lines).
    $hit = @{}
    $all = @{}
    foreach ($command in $result.CodeCoverage.CommandsExecuted) {
        $hit[$command.File] = 1 + [int]$hit[$command.File]
        $all[$command.File] = 1 + [int]$all[$command.File]
    }
    foreach ($command in $result.CodeCoverage.CommandsMissed) {
        $all[$command.File] = 1 + [int]$all[$command.File]
    }
    ''
    'Pester code coverage (commands run / commands), per file:'
    foreach ($file in $covered) {
        $total = [int]$all[$file.FullName]
        $share = if ($total) { '{0,5:N1}%' -f (100.0 * [int]$hit[$file.FullName] / $total) } else { '  n/a ' }
        '  {0}  {1,4}/{2,-4} {3}' -f $share, [int]$hit[$file.FullName], $total, [System.IO.Path]::GetRelativePath($root, $file.FullName)
    }
}
''
"pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped ($([int]$result.Duration.TotalSeconds) s)"
exit ([int]($result.FailedCount -gt 0 -or $result.Result -ne 'Passed'))
