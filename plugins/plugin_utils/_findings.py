# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared vocabulary of findings and root causes.

A *finding* comes from the prerequisite rules, a *root cause* from the
diagnosis engine; both are plain dicts with the same keys so reports, AWX
statistics and tests can treat them alike::

    {id, severity, title, evidence: [{source, line, text}],
     remediation: {summary, automatic, how}, reference, source,
     confidence (root causes only, 0..1)}

Ids are API. Every id the collection emits is a row of ``CATALOG`` below,
and nothing else in the code base spells a title, severity, remediation or
reference.
"""

from __future__ import annotations

import copy

SEVERITIES = ('blocker', 'warning', 'info')
SEVERITY_RANK = {'blocker': 0, 'warning': 1, 'info': 2}

_LEARN = 'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/'
_SUPPORT = ('https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/'
            'hybrid-sync-agent-installation-issues')
_KB2995030 = ('https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/'
              'entra-connect-services-not-start')
_PREREQ = _LEARN + 'how-to-prerequisites'
_GMSA = _LEARN + 'how-to-gmsa-cmdlets'
_TROUBLE = _LEARN + 'how-to-troubleshoot'
_INSTALL = _LEARN + 'how-to-install'


def _r(summary: str, how: str, automatic: bool = False) -> dict:
    return {'summary': summary, 'automatic': automatic, 'how': how}


# id: (severity, title, remediation, reference)
# ``automatic`` is True only where a role of this collection performs the fix
# safely and idempotently (it still needs the matching role variable set).
CATALOG = {
    'service_logon_right_missing_all_services': (
        'blocker',
        "'Log on as a service' does not include NT SERVICE\\ALL SERVICES (S-1-5-80-0)",
        _r("Grant 'Log on as a service' (SeServiceLogonRight) to S-1-5-80-0.",
           'prerequisites role: ansible.windows.win_user_right name=SeServiceLogonRight '
           'users=*S-1-5-80-0 action=add (only when no domain GPO defines the right).', True),
        _SUPPORT),
    'service_logon_right_removed_by_gpo': (
        'blocker',
        "A Group Policy defines 'Log on as a service' without NT SERVICE\\ALL SERVICES",
        _r('Add NT SERVICE\\ALL SERVICES (S-1-5-80-0) to the winning GPO; a local grant is '
           'undone at the next policy refresh.',
           'Edit the GPO named in the evidence (Computer Configuration > Windows Settings > '
           'Security Settings > Local Policies > User Rights Assignment), then gpupdate /force. '
           'The collection does not edit domain GPOs.', False),
        _SUPPORT),
    'gmsa_logon_right_missing': (
        'blocker',
        "The gMSA the agent runs as lacks 'Log on as a service'",
        _r("Grant 'Log on as a service' to the gMSA (or to S-1-5-80-0), in the winning GPO if one "
           'defines the right, then restart AADConnectProvisioningAgent.',
           'prerequisites role: ansible.windows.win_user_right for the gMSA when no GPO defines '
           'the right; otherwise edit the GPO.', True),
        _SUPPORT),
    'deny_logon_as_service': (
        'blocker',
        "'Deny log on as a service' covers the agent's account",
        _r("Remove the agent's account (or a group holding it) from 'Deny log on as a service'; "
           'deny wins over allow.',
           'Edit the policy that sets SeDenyServiceLogonRight (local or GPO). Not automated: '
           'removing deny entries is a security decision.', False),
        _SUPPORT),
    'service_not_managed_account': (
        'blocker',
        'The service runs as a gMSA but is not flagged as a managed account',
        _r('Flag the service as managed so Windows fetches the gMSA password itself.',
           'sc.exe managedaccount AADConnectProvisioningAgent TRUE, then restart the service '
           '(provisioning_agent role does this when entra_sync_fix_managed_account is true).', True),
        _SUPPORT),
    'kds_root_key_missing': (
        'blocker',
        'No usable KDS root key in the forest, so no gMSA password can be generated',
        _r('Create a KDS root key on a domain controller and wait for replication (up to 10 hours).',
           'microsoft.ad.kds_root_key against a domain controller (Add-KdsRootKey -EffectiveImmediately); '
           'backdating the effective time is safe only with a single DC.', True),
        _GMSA),
    'kerberos_encryption_mismatch': (
        'blocker',
        "The host's Kerberos encryption types do not overlap the gMSA's",
        _r('Align encryption types: AES128/AES256 on the gMSA and allowed on the host.',
           'prerequisites role with entra_sync_fix_gmsa_encryption_types: true sets them on a custom gMSA '
           '(microsoft.ad.service_account); otherwise Set-ADServiceAccount <gMSA> -KerberosEncryptionType '
           'AES128,AES256, and check the host policy SupportedEncryptionTypes.', True),
        _SUPPORT),
    'msa_container_missing': (
        'blocker',
        "The domain's Managed Service Accounts container is missing or orphaned (0x80072030)",
        _r('Repair the Managed Service Accounts container (adprep /domainprep, or Microsoft support).',
           'Manual Active Directory repair; never automated.', False),
        _SUPPORT),
    'gmsa_password_retrieval_denied': (
        'blocker',
        'This computer may not retrieve the gMSA password (Access Denied)',
        _r('Add the agent computer (or a group holding it) to PrincipalsAllowedToRetrieveManagedPassword.',
           'microsoft.ad.service_account ... allowed_to_retrieve_password, or '
           'Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword.', True),
        _GMSA),
    'stale_agent_installation': (
        'blocker',
        'A previous or partial agent installation is present',
        _r('Uninstall agent and updater, confirm both services are gone, reboot, then reinstall.',
           'provisioning_agent_package state=absent (removes partial installs) followed by '
           'ansible.windows.win_reboot.', True),
        _SUPPORT),
    'unsupported_os': (
        'blocker',
        'Operating system not supported by the provisioning agent',
        _r('Use domain-joined Windows Server 2016, 2019, 2022 (or 2025 with KB5070773) with '
           'Desktop Experience.', 'Choose another host; cannot be remediated in place.', False),
        _PREREQ),
    'not_domain_joined': (
        'blocker',
        'The host is not joined to an Active Directory domain',
        _r('Join the host to the domain it will synchronise.', 'microsoft.ad.membership.', False),
        _PREREQ),
    'insufficient_memory': (
        'warning',
        'Less than 4 GB of memory',
        _r('Give the host at least 4 GB RAM.', 'Change the virtual machine size.', False),
        _PREREQ),
    'tls12_disabled': (
        'blocker',
        'TLS 1.2 is not enabled for SCHANNEL and .NET',
        _r('Set the TLS 1.2 SCHANNEL Client/Server keys (Enabled=1, DisabledByDefault=0) and '
           '.NET SchUseStrongCrypto=1, SystemDefaultTlsVersions=1 (64 and 32 bit), then reboot.',
           'prerequisites role: ansible.windows.win_regedit for each key, then win_reboot.', True),
        _PREREQ),
    'dotnet_too_old': (
        'blocker',
        '.NET Framework 4.7.1 or later is not installed',
        _r('Install .NET Framework 4.7.1 or later (Release >= 461308).',
           'Install through your update channel; the collection does not install .NET.', False),
        _PREREQ),
    'execution_policy_blocks_registration': (
        'blocker',
        'PowerShell execution policy makes registration fail (Unrestricted or stricter than RemoteSigned)',
        _r('Set the machine and user execution policy to RemoteSigned or Undefined.',
           'prerequisites role: Set-ExecutionPolicy RemoteSigned -Scope LocalMachine; a GPO-set '
           'MachinePolicy/UserPolicy must be changed in the GPO.', True),
        _PREREQ),
    'credential_manager_disabled': (
        'blocker',
        'The Credential Manager service (VaultSvc) is disabled',
        _r('Set VaultSvc to Manual (its default) so the installer can use it.',
           'prerequisites role: ansible.windows.win_service name=VaultSvc start_mode=manual.', True),
        _SUPPORT),
    'domain_trust_broken': (
        'blocker',
        "The host's trust relationship with its domain failed (broken secure channel)",
        _r('Repair the computer account secure channel, then retry.',
           'Test-ComputerSecureChannel -Repair -Credential <domain admin> (or nltest /sc_reset:<domain>); '
           'rejoin the domain if that fails. Not automated: it needs domain credentials.', False),
        'https://learn.microsoft.com/powershell/module/microsoft.powershell.management/test-computersecurechannel'),
    'outbound_connectivity_blocked': (
        'blocker',
        'The agent cannot reach the Microsoft endpoints (outbound 443/80 or proxy)',
        _r('Open outbound 443 and 80 to the endpoints of the cloud, without TLS inspection, or '
           'configure the proxy in AADConnectProvisioningAgent.exe.config.',
           'Firewall/proxy change; the provisioning_agent role can write the defaultProxy block '
           'when entra_sync_proxy_url is set.', False),
        _PREREQ),
    'mfa_required_headless': (
        'blocker',
        'The tenant administrator account requires MFA, which a headless session cannot satisfy',
        _r('Register from an interactive session, or use an account or flow that works headless.',
           'Run registration interactively (or with device login) once; no automatic fix.', False),
        _INSTALL),
    'sync_account_mfa_required': (
        'blocker',
        'The Entra Connect Sync connector account is subject to MFA',
        _r('Exclude the sync service account from MFA conditional access policies.',
           'Conditional Access change in the tenant; not automated.', False),
        _KB2995030),
    'tenant_role_missing': (
        'blocker',
        'The tenant account lacks the Hybrid Identity Administrator role (or is a guest)',
        _r('Use a member account holding Hybrid Identity Administrator (or Global Administrator).',
           'Assign the role in Entra ID; not automated.', False),
        _PREREQ),
    'service_account_password_invalid': (
        'blocker',
        'The service cannot log on with its configured password',
        _r("Update the service's password to the account's current password (or use a gMSA).",
           'connect_sync_services role with entra_sync_service_password, or Services console.', False),
        _KB2995030),
    'service_account_disabled_or_expired': (
        'blocker',
        "The service's account is disabled, locked, expired or must change its password",
        _r('Enable/unlock the account, clear "must change password", set a new password and '
           'update it in the service.', 'Active Directory change; not automated.', False),
        _KB2995030),
    'registration_credentials_missing': (
        'blocker',
        'The agent must be registered but no tenant credentials were given',
        _r('Set entra_sync_tenant_username and entra_sync_tenant_password (a Hybrid Identity Administrator), '
           'for example from a vaulted file; nothing was changed on the host.',
           'ansible-playbook ... -e entra_sync_tenant_username=<upn> -e @secrets.vault.yml --ask-vault-pass', False),
        _INSTALL),
    'sync_service_missing': (
        'blocker',
        'The Entra Connect Sync service does not exist on this host',
        _r('Run the check on the server that runs Entra Connect Sync, or name its service.',
           'Set entra_sync_adsync_service_name, or leave the host out of the entra_sync_adsync_servers group.', False),
        _KB2995030),
    'sync_service_account_right_removed_by_gpo': (
        'blocker',
        'A Group Policy defines a logon right the ADSync service account needs without that account',
        _r('Add the service account to the right in the GPO named in the evidence; a local grant is '
           'undone at the next policy refresh.',
           'Group Policy Management: Computer Configuration > Policies > Windows Settings > Security Settings > '
           'Local Policies > User Rights Assignment > the right named in the evidence, add the account, then '
           'gpupdate /force. The collection never edits a GPO.', False),
        _KB2995030),
    'sync_service_account_rights_missing': (
        'blocker',
        'The ADSync service account lacks a required logon right',
        _r("Grant the ADSync account 'Log on as a service', 'Log on as a batch job' and "
           "'Allow log on locally' (in the winning GPO if one defines the right).",
           'connect_sync_services role: ansible.windows.win_user_right when no GPO defines the right.',
           True),
        _KB2995030),
    'protected_users_membership': (
        'blocker',
        'The account used is a member of Protected Users, which blocks the credential check',
        _r('Use an account that is not a member of Protected Users.', 'Choose another account.', False),
        _SUPPORT),
    'assembly_version_mismatch': (
        'blocker',
        'Assembly version mismatch in the agent build (Newtonsoft.Json)',
        _r('Upgrade the provisioning agent to the current version.',
           'provisioning_agent role with a newer installer.', True),
        _LEARN + 'reference-version-history'),
    'installer_failed_unknown': (
        'blocker',
        'Windows Installer fatal error (1603 / 0x80070643) without a more specific cause',
        _r('Remove leftovers of earlier installs, check logon rights, reboot, and read the MSI log.',
           'provisioning_agent_package state=absent then reinstall; read the MSI log excerpt.', False),
        _SUPPORT),
    'another_install_in_progress': (
        'warning',
        'Another Windows Installer operation was in progress (1618)',
        _r('Retry after the other installation finishes.',
           'provisioning_agent_package retries 1618 automatically.', True),
        _INSTALL),
    'service_terminated_unexpectedly': (
        'warning',
        'A service terminated unexpectedly (event 7034)',
        _r('Read the agent trace logs around the time of the crash.', 'Diagnosis only.', False),
        _TROUBLE),
    'ad_level_too_low': (
        'blocker',
        'Active Directory level below what the agent requires',
        _r('Raise the schema/functional level to the strictest documented requirement.',
           'Active Directory upgrade; not automated.', False),
        _PREREQ),
    'tier0_host': (
        'warning',
        'The agent server is a Tier 0 asset and must be hardened as such',
        _r('Treat the server as Tier 0: restrict admin access and harden like a DC.',
           'Organisational control; not automated.', False),
        _PREREQ),
    'ntlm_enabled': (
        'warning',
        'NTLM is enabled on a Tier 0 agent server',
        _r('Restrict NTLM (LmCompatibilityLevel 5, RestrictSendingNTLMTraffic 2) after testing.',
           'Group Policy change; not automated.', False),
        _PREREQ),
    'pending_reboot': (
        'warning',
        'A reboot is pending',
        _r('Reboot before installing.', 'ansible.windows.win_reboot.', True),
        _INSTALL),
    'server_2025_update_missing': (
        'warning',
        'Windows Server 2025 without the October 2025 update (KB5070773)',
        _r('Install KB5070773 or later before installing the agent.',
           'ansible.windows.win_updates.', False),
        _PREREQ),
    'endpoint_unreachable': (
        'warning',
        'A required endpoint was not reachable from the host',
        _r('Open outbound access to the listed host/port, or configure a proxy.',
           'Firewall/proxy change.', False),
        _PREREQ),
    'gmsa_missing': (
        'warning',
        'The gMSA named for the agent does not exist in the domain',
        _r('Let Add-AADCloudSyncGMSA create the default provAgentgMSA$, or create the custom gMSA first.',
           'provisioning_agent role creates the default gMSA; microsoft.ad.service_account for a custom one.', True),
        _GMSA),
    'gmsa_not_usable': (
        'blocker',
        'Test-ADServiceAccount reports the gMSA is not usable on this host',
        _r('Check PrincipalsAllowedToRetrieveManagedPassword, encryption types and the KDS root key.',
           'gmsa_host module reports the failing part.', False),
        _GMSA),
    # Unknowns: a module could not read a fact. Never a pass and never a finding about absence.
    'domain_membership_unreadable': (
        'warning',
        'Whether the host is joined to a domain could not be read (CIM query failed)',
        _r('Find out why Win32_ComputerSystem could not be read (the module warning says), then run the check again.',
           'Get-CimInstance Win32_ComputerSystem | Select-Object PartOfDomain, Domain on the host; repair WMI '
           '(winmgmt /verifyrepository) if it fails. Not automated.', False),
        _PREREQ),
    'agent_proxy_config_unreadable': (
        'warning',
        "The agent's configuration file could not be read, so whether it names a proxy is unknown",
        _r('Check AADConnectProvisioningAgent.exe.config (permissions, XML) and its system.net/defaultProxy block.',
           'Read the file named in the module warning; the reachability results may not show the way the agent goes.',
           False),
        _PREREQ),
    'logon_rights_unreadable': (
        'warning',
        "The user rights could not be read from LSA, so whether the service account may log on as a service is unknown",
        _r('Find out why LSA refused or did not answer (the evidence names the error: access denied needs an '
           'administrator, RPC unavailable a running LSA/RPC), then run the check again. Nothing is installed meanwhile.',
           'secedit /export /areas USER_RIGHTS /cfg rights.inf on the host shows the rights; not automated.', False),
        _PREREQ),
    'logon_right_gpo_unreadable': (
        'warning',
        'Whether a Group Policy defines the logon rights could not be read (RSoP), so a local grant could be undone',
        _r('Restore read access to root\\rsop\\computer (gpresult /scope computer /h must work), then run the check '
           'again; no right is granted locally meanwhile.',
           'gpresult /scope computer /h gp.html, section User Rights Assignment, names the winning GPO.', False),
        _PREREQ),
    'gmsa_unreadable': (
        'warning',
        'The gMSA could not be read from Active Directory, so whether it exists and is usable is unknown',
        _r('Restore access to Active Directory (Active Directory Web Services on a domain controller, the '
           'ActiveDirectory PowerShell module), then run the check again.',
           'Get-ADServiceAccount <gMSA> and Test-ADServiceAccount <gMSA> on the host; the evidence names the AD error.',
           False),
        _GMSA),
    'sync_service_unreadable': (
        'warning',
        'Whether the Entra Connect Sync service exists could not be read',
        _r('Find out why the service could not be queried (the module warning says), then run the check again.',
           'Get-CimInstance Win32_Service -Filter "Name=\'ADSync\'" on the host. Not automated.', False),
        _KB2995030),
    'service_account_status_unreadable': (
        'warning',
        "The service account's status (enabled, locked out, expired) could not be read from Active Directory",
        _r('Restore access to a domain controller from the host, then run the check again.',
           'Get-ADUser <account> -Properties Enabled, LockedOut, AccountExpirationDate, PasswordExpired; the module '
           'warning names the error.', False),
        _KB2995030),
    # Day 2 (health role): drift of an installed, registered agent.
    'agent_not_installed': (
        'blocker',
        'The provisioning agent is not installed on a host that should run it',
        _r('Install and register the agent.', 'install_agent playbook (prerequisites and provisioning_agent roles).',
           True),
        _INSTALL),
    'agent_service_not_running': (
        'blocker',
        'The provisioning agent service is not running',
        _r('Start AADConnectProvisioningAgent; if it stops again, read the Service Control Manager events.',
           'health role with entra_sync_health_repair: true starts it (ansible.windows.win_service) unless '
           'its start mode is Disabled.', True),
        _TROUBLE),
    'agent_service_account_changed': (
        'blocker',
        'The provisioning agent service no longer runs under the expected gMSA',
        _r('Set the service logon account back to the gMSA (the agent needs it to read and write AD).',
           'Re-run registration (Add-AADCloudSyncGMSA, install_agent playbook) or set the logon account to the '
           'gMSA with an empty password in services.msc, then sc.exe managedaccount <service> TRUE. Not '
           'repaired by the health role: someone changed it on purpose or by mistake.', False),
        _GMSA),
    'gmsa_logon_right_at_risk_from_gpo': (
        'blocker',
        "A GPO defines 'Log on as a service' without the agent's gMSA: the next policy refresh removes it",
        _r("Add the gMSA to 'Log on as a service' in the GPO named in the evidence, keeping its other "
           'entries; a local grant does not last.',
           'Group Policy Management: edit the GPO, Computer Configuration > Policies > Windows Settings > '
           'Security Settings > Local Policies > User Rights Assignment > Log on as a service, add the '
           'entry named in the finding, then gpupdate /force. The collection never edits a GPO.', False),
        _SUPPORT),
    'agent_updater_not_running': (
        'warning',
        'The agent updater service is missing or not running, so the agent is not kept up to date',
        _r('Start the updater service (or reinstall the agent to restore it).',
           'health role with entra_sync_health_repair: true starts it when it exists and is not Disabled; '
           'a missing updater comes back with a reinstall (provisioning_agent role).', True),
        _LEARN + 'reference-version-history'),
    'agent_version_below_minimum': (
        'warning',
        'The installed agent version is below the minimum you set',
        _r('Upgrade the agent (check that the updater runs).',
           'install_agent playbook with entra_sync_agent_version set to the new version.', True),
        _LEARN + 'reference-version-history'),
    'agent_tenant_id_missing': (
        'blocker',
        'The agent is installed but no tenant id is recorded: it is no longer registered',
        _r('Register the agent again with a Hybrid Identity Administrator account.',
           'install_agent playbook (provisioning_agent role registers an unregistered agent).', True),
        _INSTALL),
    'tls12_keys_not_set': (
        'warning',
        'TLS 1.2 registry values the agent relies on are no longer set',
        _r('Set the TLS 1.2 SCHANNEL Client/Server keys and the .NET SchUseStrongCrypto / '
           'SystemDefaultTlsVersions values again (the OS default may not keep TLS 1.2 for .NET), then reboot.',
           'prerequisites role: ansible.windows.win_regedit for each key, then win_reboot.', True),
        _PREREQ),
    'agent_service_control_events': (
        'warning',
        'The Service Control Manager logged failures of the agent service since the last check',
        _r('Read the events: 7041 = logon right missing, 7038 = password or managed-account flag, '
           '7000 = failed to start, 7034 = terminated unexpectedly.',
           'Diagnosis only; the other health findings name what is still wrong now.', False),
        _TROUBLE),
}


# A rule that could not read its facts reports one of these: the verdict is not healthy, and a failure
# message names it, although it is no blocker (nothing shows a problem, nothing shows its absence).
UNKNOWN_IDS = frozenset(('domain_membership_unreadable', 'agent_proxy_config_unreadable', 'gmsa_unreadable',
                         'logon_rights_unreadable', 'logon_right_gpo_unreadable',
                         'sync_service_unreadable', 'service_account_status_unreadable'))


def catalog_ids() -> list[str]:
    return sorted(CATALOG)


def describe(finding_id: str) -> dict:
    """Catalog row of an id as a dict (raises KeyError for unknown ids)."""
    severity, title, remediation, reference = CATALOG[finding_id]
    return {'id': finding_id, 'severity': severity, 'title': title,
            'remediation': copy.deepcopy(remediation), 'reference': reference}


def evidence_item(source: str, line: object, text: object, max_text: int = 500) -> dict:
    """One evidence entry; ``line`` is a line number or a field path."""
    text = '' if text is None else str(text)
    if len(text) > max_text:
        text = text[:max_text] + '...'
    return {'source': str(source), 'line': line, 'text': text}


def make_finding(finding_id: str, evidence: list[dict] | None = None, source: str | None = None,
                 detail: str | None = None, severity: str | None = None,
                 confidence: float | None = None, remediation: dict | None = None) -> dict:
    """Build a finding/root-cause dict from the catalog."""
    f = describe(finding_id)
    if severity:
        f['severity'] = severity
    f['evidence'] = list(evidence or [])
    f['source'] = source
    if detail:
        f['detail'] = detail
    if remediation:
        f['remediation'].update(remediation)
    if confidence is not None:
        f['confidence'] = round(float(confidence), 2)
    return f


def sort_findings(findings: list[dict]) -> list[dict]:
    """Blockers first, then warnings, info; higher confidence first; stable by id."""
    return sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.get('severity'), 9),
                                           -float(f.get('confidence', 0) or 0), f['id']))


def failure_message(heading: str, findings: list[dict], report: str | None = None) -> str:
    """The text a role fails with: each blocker with its evidence and fix, then where the report is."""
    parts = [heading]
    for f in findings:
        if f.get('severity') != 'blocker' and f.get('id') not in UNKNOWN_IDS:
            continue
        parts.append('[%s] %s.' % (f['id'], f['title']))
        if f.get('detail'):
            parts.append(f['detail'])
        parts.extend('Evidence (%s %s): %s.' % (e.get('source'), e.get('line') or '', e.get('text'))
                     for e in f.get('evidence') or [])
        remediation = f.get('remediation') or {}
        parts.append('Fix: %s %s' % (remediation.get('summary') or '', remediation.get('how') or ''))
    if report:
        parts.append('Report: %s' % report)
    return '\n'.join(part.strip() for part in parts)
