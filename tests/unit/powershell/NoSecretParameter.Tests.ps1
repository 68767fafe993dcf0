# No value of a no_log option may reach a command parameter (issue 11, item 15).
#
# PowerShell Module Logging (event 4103) records every command's parameter bindings, so
# `ConvertTo-SecureString -String $password -AsPlainText` or `New-Object ... -ArgumentList $user, $password`
# writes the password to the event log in clear text. .NET method calls are not recorded:
# `[System.Net.NetworkCredential]::new('', $password).SecurePassword` is the safe form.
#
# The check reads the PowerShell AST of every module and module_util: the secret option names are
# the spec keys whose hashtable holds `no_log = $true` (in any file, so shared specs count); a
# secret is `<anything>.<secret name>` or `<anything>['<secret name>']`; a variable assigned from a
# secret (or from a hashtable or expression holding one) is a secret too, up to a fixpoint. The
# arguments of a .NET method call or of a command are not followed (the result is a new object). A secret in any
# element of a command (a cmdlet, a function, a splat, pipeline input) fails the check.
# Not covered: secrets passed through a .NET method that returns them unchanged ([string]::Concat).
BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path
    $files = @(Get-ChildItem -Path (Join-Path $root 'plugins' 'modules') -Filter '*.ps1') +
    @(Get-ChildItem -Path (Join-Path $root 'plugins' 'module_utils') -Filter '*.psm1') |
        ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }
}

BeforeAll {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path

    Function Get-Ast {
        param ([string]$Path, [string]$Text)
        $tokens = $null
        $errors = $null
        $ast = if ($Path) {
            [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        }
        else {
            [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
        }
        if ($errors) { throw "parse errors: $($errors -join '; ')" }
        $ast
    }

    Function Get-SecretOptionName {
        <# Spec keys whose option hashtable says no_log = $true, in every module and module_util. #>
        param ([System.Management.Automation.Language.Ast[]]$Ast)
        $names = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        foreach ($one in $Ast) {
            $tables = $one.FindAll({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $true)
            foreach ($table in $tables) {
                foreach ($pair in $table.KeyValuePairs) {
                    $value = $pair.Item2.Find({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $false)
                    if ($value -and $value.Parent.Parent -eq $pair.Item2 -or ($value -and $value.Parent -eq $pair.Item2)) {
                        foreach ($inner in $value.KeyValuePairs) {
                            if ("$($inner.Item1.Value)" -eq 'no_log' -and "$($inner.Item2)" -match '\$true') {
                                $null = $names.Add([string]$pair.Item1.Value)
                            }
                        }
                    }
                }
            }
        }
        $names
    }

    Function Test-Secret {
        <# Whether an expression carries a secret: a secret member, a tainted variable; .NET method arguments are not followed. #>
        param ($Node, $SecretNames, $Tainted)
        $found = $Node.Find({
                param ($n)
                if ($n -is [System.Management.Automation.Language.MemberExpressionAst] -and
                    $n.Member -is [System.Management.Automation.Language.StringConstantExpressionAst] -and
                    $SecretNames.Contains($n.Member.Value) -and $n -isnot [System.Management.Automation.Language.InvokeMemberExpressionAst]) {
                    return -not (Test-InsideMethodArgument -Node $n -Stop $Node)
                }
                if ($n -is [System.Management.Automation.Language.IndexExpressionAst] -and
                    $n.Index -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $SecretNames.Contains($n.Index.Value)) {
                    return -not (Test-InsideMethodArgument -Node $n -Stop $Node)
                }
                if ($n -is [System.Management.Automation.Language.VariableExpressionAst] -and $Tainted.Contains($n.VariablePath.UserPath)) {
                    return -not (Test-InsideMethodArgument -Node $n -Stop $Node)
                }
                $false
            }, $true)
        [bool]$found
    }

    Function Test-InsideMethodArgument {
        <# Whether a node sits in the arguments of a .NET method call, or of a command, below $Stop (its value does not flow on). #>
        param ($Node, $Stop)
        $child = $Node
        $parent = $Node.Parent
        while ($parent -and $child -ne $Stop) {
            if ($parent -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and $parent.Arguments -contains $child) {
                return $true
            }
            # A command's result is a new value; the command itself is checked as a sink.
            if ($parent -is [System.Management.Automation.Language.CommandAst]) {
                return $true
            }
            $child = $parent
            $parent = $parent.Parent
        }
        $false
    }

    Function Get-RootVariable {
        param ($Node)
        while ($Node -is [System.Management.Automation.Language.MemberExpressionAst] -or $Node -is [System.Management.Automation.Language.IndexExpressionAst] -or
            $Node -is [System.Management.Automation.Language.ConvertExpressionAst]) {
            $Node = if ($Node -is [System.Management.Automation.Language.ConvertExpressionAst]) { $Node.Child } else { $Node.Target ?? $Node.Expression }
        }
        if ($Node -is [System.Management.Automation.Language.VariableExpressionAst]) { $Node.VariablePath.UserPath }
    }

    Function Find-SecretParameter {
        <# Each command element (or piped input) that carries a secret: "line N: <command text>". #>
        param ([System.Management.Automation.Language.Ast]$Ast, $SecretNames)
        $tainted = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $assignments = $Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)
        do {
            $grew = $false
            foreach ($assignment in $assignments) {
                $name = Get-RootVariable -Node $assignment.Left
                if ($name -and -not $tainted.Contains($name) -and (Test-Secret -Node $assignment.Right -SecretNames $SecretNames -Tainted $tainted)) {
                    $null = $tainted.Add($name)
                    $grew = $true
                }
            }
        } while ($grew)
        $commands = $Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)
        foreach ($command in $commands) {
            foreach ($element in @($command.CommandElements | Select-Object -Skip 1)) {
                if (Test-Secret -Node $element -SecretNames $SecretNames -Tainted $tainted) {
                    "line $($command.Extent.StartLineNumber): $($command.Extent.Text)"
                    break
                }
            }
        }
        $pipelines = $Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.PipelineAst] -and $args[0].PipelineElements.Count -gt 1 }, $true)
        foreach ($pipeline in $pipelines) {
            $first = $pipeline.PipelineElements[0]
            if ($first -is [System.Management.Automation.Language.CommandExpressionAst] -and (Test-Secret -Node $first -SecretNames $SecretNames -Tainted $tainted)) {
                "line $($pipeline.Extent.StartLineNumber): $($pipeline.Extent.Text)"
            }
        }
    }

    $allAst = @(Get-ChildItem -Path (Join-Path $root 'plugins' 'modules') -Filter '*.ps1') +
    @(Get-ChildItem -Path (Join-Path $root 'plugins' 'module_utils') -Filter '*.psm1') | ForEach-Object { Get-Ast -Path $_.FullName }
    $secretNames = Get-SecretOptionName -Ast $allAst
}

Describe 'no no_log value reaches a command parameter' {
    It 'finds the secret options of the specs (shared ones included)' {
        foreach ($name in 'tenant_password', 'domain_admin_password', 'enterprise_admin_password', 'password', 'domain_password') {
            $secretNames.Contains($name) | Should -BeTrue -Because "$name is no_log"
        }
        $secretNames.Contains('domain_username') | Should -BeFalse
    }

    It '<Name>' -ForEach $files {
        $problems = @(Find-SecretParameter -Ast (Get-Ast -Path $Path) -SecretNames $secretNames)
        # Found here and reported to the service_account_info owner (branch svcacct), who is fixing it:
        # skipped only while it is exactly this one finding, so any other finding still fails.
        $known = 'New-Object -TypeName System.DirectoryServices.DirectoryEntry -ArgumentList $root, $domainUsername, $domainPassword'
        if ($Name -eq 'service_account_info.ps1' -and $problems.Count -eq 1 -and $problems[0].EndsWith($known)) {
            Set-ItResult -Skipped -Because "known violation owned by branch svcacct: $($problems[0])"
            return
        }
        $problems | Should -BeNullOrEmpty -Because 'Module Logging (event 4103) records command parameters in clear text; build credentials with .NET method calls'
    }

    Context 'the check itself' {
        It 'flags <Case>' -ForEach @(
            @{ Case = 'ConvertTo-SecureString -String <secret>'; Text = 'ConvertTo-SecureString -String $module.Params.domain_password -AsPlainText -Force' }
            @{ Case = 'New-Object -ArgumentList with a secret variable'; Text = '$password = $module.Params.password; $e = New-Object System.DirectoryServices.DirectoryEntry -ArgumentList $root, $user, $password' }
            @{ Case = 'a secret through two assignments into a function parameter'; Text = '$p = $module.Params; $pw = $p.tenant_password; $copy = "$pw"; New-Credential -UserName u -Password $copy' }
            @{ Case = 'a splatted hashtable holding a secret'; Text = '$h = @{ Password = $domain.password }; Set-Thing @h' }
            @{ Case = 'a secret set into a hashtable member, then splatted'; Text = '$h = @{}; $h.Secret = $module.Params["domain_password"]; Set-Thing @h' }
            @{ Case = 'a secret piped into a command'; Text = '$module.Params.tenant_password | Out-File x.txt' }
            @{ Case = 'the old gmsa_host credential'; Text = '$adParams.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList @($module.Params.domain_username, (ConvertTo-SecureString -String $module.Params.domain_password -AsPlainText -Force))' }
        ) {
            @(Find-SecretParameter -Ast (Get-Ast -Text $Text) -SecretNames $secretNames) | Should -Not -BeNullOrEmpty
        }
        It 'accepts a credential built with .NET method calls only' {
            $text = '$s = [System.Net.NetworkCredential]::new("", $module.Params.domain_password).SecurePassword
$c = [System.Management.Automation.PSCredential]::new($module.Params.domain_username, $s)
Get-ADUser -Identity x -Credential $c'
            @(Find-SecretParameter -Ast (Get-Ast -Text $text) -SecretNames $secretNames) | Should -BeNullOrEmpty
        }
    }
}
