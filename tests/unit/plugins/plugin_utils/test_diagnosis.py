# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every signature (a positive and a near-miss negative), the combination logic,
and the engine over the module and evidence fixtures."""
from __future__ import annotations

import os

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _findings
from entra_fixtures import EVIDENCE, load

# signature id -> (lines that must match: wording variants, near misses that must not)
TEXT_SAMPLES = {
    'kds_may_not_be_running': (
        ['Unable to create gMSA because KDS may not be running on domain controller. Please create/run KDS manually.',
         'ERROR: unable to create the group managed service account, KDS might not be running on the DC',
         'Please create or run KDS manually'],
        ['KDS is running on DC01', 'Created gMSA provAgentgMSA$ (KDS root key found)']),
    'gmsa_credential_change_failed': (
        ['Failed changing Windows service credentials to gMSA, will retry.',
         'failure while changing the service credential to the gMSA'],
        ['Changed Windows service credentials to gMSA successfully']),
    'scm_7041_text': (
        ['Logon failure: the user has not been granted the requested logon type at this computer.',
         'This service account does not have the required user right "Log on as a service."'],
        ['The user has been granted the requested logon type']),
    'logon_right_named_with_failure': (
        ['Error 1069 persists until the account is added to Log on as a service',
         "The service fails to start with error 1069 because the account lacks 'Log on as a service'",
         'Removed from Log on as a service, the service failed to start'],
        ['Log on as a service granted to CONTOSO\\svc; the service started',
         "The service failed to start: the account is in 'Deny log on as a service'"]),
    'scm_service_context': (
        ['Windows could not start the Example service on Local Computer.',
         'Source: Service Control Manager', 'The Example service terminated with the following error:'],
        ['Windows started the Example service on Local Computer.', 'The service terminated normally.']),
    'account_restriction_text': (
        ['A user account restriction (for example, a time-of-day restriction) is preventing you from logging on.'],
        ['No account restrictions apply to this user.']),
    'scm_7038_text': (
        ['The ADSync service was unable to log on as CONTOSO\\svc-adsync with the currently configured password due to the following error:',
         'the system event log contains an error with Event ID 7038 and message'],
        ['The service logged on as CONTOSO\\svc-adsync with the currently configured password', 'Processed 17038 objects',
         'The X service was unable to log on as Y with the currently configured password: has not been granted the requested logon type']),
    'logon_failure_1069': (
        ['The service did not start due to a logon failure.', 'StartService failed: error 1069',
         'The service cannot start because of a logon failure', 'Error 1069: the service did not start due to logon failure.'],
        ['The service started after a logon failure was cleared', 'processed 1069 objects']),
    'service_terminated_text': (
        ['The Microsoft Azure AD Connect Agent Updater service terminated unexpectedly.  It has done this 3 time(s).'],
        ['The service terminated normally.']),
    'account_disabled': (
        ['The referenced account is currently disabled and may not be logged on to.', 'ERROR_ACCOUNT_DISABLED'],
        ['User CN=Joe account disabled flag unchanged, skipping.', 'TLS 1.0 disabled']),
    'account_expired': (['The account has expired.', 'ERROR_ACCOUNT_EXPIRED'], ['Account expires in 30 days']),
    'password_expired': (
        ["The user's password must be changed before signing in.", 'The password has expired.',
         'User must change password at next logon'],
        ['Password expires in 14 days', 'password changed successfully']),
    'account_locked_out': (['The referenced account is currently locked out and may not be logged on to.'],
                           ['Account lockout threshold: 0']),
    'wrong_password': (['The user name or password is incorrect.', 'Logon failure: unknown user name or bad password.'],
                       ['The user name and password were accepted']),
    'service_start_privileges': (
        ["Error 1920. Service 'Microsoft Entra Connect Provisioning Agent' (AADConnectProvisioningAgent) failed to start. "
         'Verify that you have sufficient privileges to start system services.',
         "Service 'AADConnectProvisioningAgent' could not be installed. Verify that you have sufficient privileges to install system services."],
        ['Service AADConnectProvisioningAgent started; sufficient privileges confirmed later']),
    'encryption_types_text': (
        ['the account does not support any of the Kerberos encryption types that this computer is configured to use',
         "its encryption types do not match the computer's supported encryption types",
         'KrbException: Encryption type AES256 CTS mode with HMAC SHA1-96 is not supported/enabled'],
        ['Supported encryption types: AES128, AES256']),
    'context_did_not_match_target': (
        ["Install-ADServiceAccount : Cannot install service account. Error Message: 'The provided context did not match the target.'"],
        ['The provided context matched the target']),
    'install_service_account_retries': (
        ['Unable to install service account pGMSA_3f9c2a1b$ after 6 retries.',
         'Unable to install the service account pGMSA_0a1b$ after 10 tries'],
        ['Installed service account pGMSA_3f9c2a1b$ after 2 retries']),
    'no_such_object': (['There is no such object on the server. (Exception from HRESULT: 0x80072030)', 'HRESULT 0x80072030'],
                       ['Object found on the server']),
    'msa_container_missing_text': (['CN=Managed Service Accounts container not found in DC=contoso,DC=com'],
                                   ['Created gMSA in CN=Managed Service Accounts,DC=contoso,DC=com']),
    'install_adserviceaccount_access_denied': (
        ["Install-ADServiceAccount : Cannot install service account. Error Message: '{Access Denied} A process has requested access to an object'"],
        ['Install-ADServiceAccount completed']),
    'gmsa_password_not_permitted': (
        ['SYNC01$ is not allowed to retrieve the managed password of provAgentgMSA$',
         'either this computer does not have permission to use the group MSA password'],
        ['SYNC01$ may retrieve the managed password']),
    'network_failure': (
        ['The remote server returned an error: (504) Gateway Timeout.', 'The operation has timed out',
         'System.Net.WebException: Unable to connect to the remote server',
         'The remote name could not be resolved: login.microsoftonline.com',
         'Could not establish trust relationship for the SSL/TLS secure channel',
         'The remote certificate is invalid according to the validation procedure.',
         'No connection could be made because the target machine actively refused it 10.0.0.1:8080',
         '(407) Proxy Authentication Required', 'Registration failed with error: request timeout',
         'tunneling socket could not be established, statusCode=407'],
        ['Connection to servicebus established in 35 ms, keep-alive timeout 60000 ms.', 'Processed 407 objects',
         'Certificate thumbprint 0A1B loaded; expires in 300 days',
         'A timeout was reached (30000 milliseconds) while waiting for the X service to connect.']),
    'tls_channel_failure': (['The request was aborted: Could not create SSL/TLS secure channel.',
                             'iwr : Request aborted: Unable to create SSL/TLS secure channel.',
                             'The client and server cannot communicate, because they do not possess a common algorithm',
                             'System.Net.WebException: The underlying connection was closed: An unexpected error occurred on a send.'],
                            ['TLS 1.2 negotiated with login.microsoftonline.com',
                             'The underlying connection was closed: The connection was closed unexpectedly.']),
    'execution_policy_security_error': (
        ['Import-Module : File C:\\x.ps1 cannot be loaded because running scripts is disabled on this system.',
         'CategoryInfo : SecurityError: (:) [], PSSecurityException',
         'Security warning Run only scripts that you trust. While scripts from the internet can be useful'],
        ['Execution policy: RemoteSigned', 'Security update KB5000 installed']),
    'mfa_required': (
        ['Microsoft.Identity.Client.MsalUiRequiredException: AADSTS50079: you must enroll in multi-factor authentication.',
         'AADSTS50076: Due to a configuration change made by your administrator you must use multi-factor authentication',
         'error=interaction_required',
         'InvalidOperationException: Showing a modal dialog box or form when the application is not running in '
         'UserInteractive mode is not a valid operation.'],
        ['MFA registration completed for admin@contoso.com', 'AADSTS50034: user does not exist']),
    'credential_manager_error': (['The Credential Manager service is disabled', 'Unable to access the credential vault',
                                  'VaultSvc could not be started'],
                                 ['Credential Manager service is running']),
    'msi_fatal_error': (['Error 0x80070643: Failed to install MSI package.', 'MSI (s): Fatal error during installation.',
                         'Product: Microsoft Entra Provisioning Agent -- Installation failed.', 'Exit code: 1603'],
                        ['Error 0x80070642: user cancelled', 'Installation completed successfully.',
                         'processed 1603 records']),
    'msi_another_install': (['Another installation is already in progress.', 'exit code 1618', 'result: 0x80070652'],
                            ['No other installation in progress']),
    'msi_execution_mutex': (['MSI (c) (30:78) [18:48:44:759]: Failed to grab execution mutex. System error 258.'],
                            ['MSI (s) (98:BC) [11:22:21:656]: Grabbed execution mutex.']),
    'stale_installation': (['Another version of this product is already installed.', 'The specified service already exists.',
                            'The specified service has been marked for deletion.', 'Agent service stuck in Starting'],
                           ['No previous version found']),
    'service_start_hang': (['The service did not respond to the start or control request in a timely fashion.',
                            'A timeout was reached (30000 milliseconds) while waiting for the Microsoft Azure AD Connect Provisioning Agent '
                            'service to connect.'],
                           ['The service responded in time']),
    'protected_users': (['The account admin@contoso.com is a member of the Protected Users group',
                         'Credential check failed: member of Protected Users',
                         'NTLM authentication failed because the account was a member of the Protected User group.',
                         'After the account was added to the "Protected Users" group the sign-in fails',
                         'Users member of the group "protected users" in the AD cannot login',
                         'any users in a "Protected Users" group will fail authentication'],
                        ['Credential check passed; account is not a member of Protected Users.',
                         'The Protected Users group has 3 members']),
    'newtonsoft_assembly': (["Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0' or one of its dependencies."],
                            ['Loaded assembly Newtonsoft.Json 13.0.0.0']),
    'assembly_load_failure': (["Could not load file or assembly 'Microsoft.Identity.Client, Version=4.5' "
                               "The located assembly's manifest definition does not match"],
                              ['Assembly loaded']),
    'tenant_role_missing': (['The user does not have the Hybrid Identity Administrator role.',
                             'Insufficient privileges to complete the operation.', 'Authorization_RequestDenied',
                             'Guest users are not allowed to register the agent'],
                            ['Signed in as Hybrid Identity Administrator admin@contoso.com']),
    'dotnet_required': (['This setup requires .NET Framework version 4.7.1 or later.', '.NET Framework 4.7.1 is not installed'],
                        ['.NET Framework 4.8 detected']),
    'unsupported_os_text': (['This application is only supported on Windows Server 2016 or later',
                             'Server Core installation is not supported'],
                            ['Windows Server 2022 detected']),
    'kds_root_key_absent': (['Cannot find a KDS root key in the forest', 'The root key does not exist.',
                             'we did not have KDSRootKey in our domain',
                             'The KDS root key has not been created in this forest'],
                            ['KDS root key found; effective since 2024-01-01']),
    'sync_connector_credentials_invalid': (
        ['import or export operation with on-premises AD fails with no-start-credentials error.',
         'The management agent "contoso.com" failed to run because the credentials were invalid'],
        ['The management agent "contoso.com" completed run profile "Delta Import" successfully']),
    'reboot_pending_text': (['No action was taken as a system reboot is required.',
                             'The requested operation failed. A system reboot is required to roll back changes made.',
                             'Apply complete, result: ERROR_FAIL_NOACTION_REBOOT'],
                            ['Installation completed successfully; a system reboot is required to complete it.',
                             'Restart Manager: no reboot pending']),
    'reboot_pending_named': (['[ ! ERROR ] Windows Update is currently installing or pending for reboot!',
                              'Setup cannot continue: a system restart is pending.',
                              'A reboot is pending: restart the computer before you run setup again.'],
                             ['Restart Manager: no reboot pending', 'Pending reboot: False',
                              'Windows Update: 3 updates installed, restart pending',
                              'A restart is required to complete the install.']),
    'msi_reboot_pending_property': (['Property(S): MsiSystemRebootPending = 1'], ['Property(S): MsiSystemRebootPending = 0']),
    'keyset_missing': (['Key does not exist. (Exception from HRESULT: 0x80090016)'], ['HRESULT 0x80090017']),
    'ntstatus_access_denied_text': (['Use-ServiceAccount : {Access Denied}'], ['Access granted to {user}']),
    'domain_trust_text': (['The trust relationship between this workstation and the primary domain failed.',
                           'The trust relationship between the primary domain and the trusted domain failed.'],
                          ['Could not establish trust relationship for the SSL/TLS secure channel']),
    'windows_error_codes': (['StartService FAILED 1069:', 'Status: 0xC000015B', '(Exception from HRESULT: 0x80072030)',
                             'Failure Reason: %%2308', 'AADSTS50076: Due to a configuration change',
                             'Microsoft.Identity.Client.MsalUiRequiredException: No account or login hint was passed',
                             'LdapErr: DSID-0C0906E8, comment: AcceptSecurityContext error, data 52e, v1db1 (49)'],
                            ['processed 1069 objects', 'Status: OK', 'AADSTS12345 is not a real code']),
    # field lines count only inside a block that starts with the event's first line
    'security_4625_text': (['An account failed to log on.', 'Description: An account failed to log on.'],
                           ['An account was successfully logged on.', 'Logon Type:\t\t\t5']),
}

# SCM and MsiInstaller events count only when they name the agent, its updater, ADSync or its product
_AGENT = 'The Microsoft Entra Provisioning Agent service (AADConnectProvisioningAgent)'

EVENT_SAMPLES = {
    'scm_7041': ({'id': 7041, 'provider': 'Service Control Manager', 'message': _AGENT},
                 {'id': 7041, 'provider': 'SomeOtherApp', 'message': _AGENT}),
    'scm_7038': ({'id': 7038, 'provider': 'Service Control Manager', 'message': _AGENT},
                 {'id': 7039, 'provider': 'Service Control Manager', 'message': _AGENT}),
    'scm_7000': ({'id': 7000, 'provider': 'Service Control Manager', 'message': _AGENT},
                 {'id': 7000, 'provider': 'Service Control Manager', 'message': 'The Spooler service failed to start'}),
    'scm_7009': ({'id': 7009, 'provider': 'Service Control Manager', 'message': _AGENT},
                 {'id': 7009, 'provider': 'Service Control Manager', 'message': 'A timeout was reached (30000 '
                  'milliseconds) while waiting for the BTOBTO service to connect.'}),
    'scm_7034': ({'id': 7034, 'provider': 'Service Control Manager', 'message': _AGENT},
                 {'id': 7031, 'provider': 'Service Control Manager', 'message': _AGENT}),
    'netlogon_9001_9002': ({'id': 9002, 'provider': 'NETLOGON'}, {'id': 9001, 'provider': 'Application Error'}),
    'msi_install_failed_event': ({'id': 11708, 'provider': 'MsiInstaller',
                                  'message': 'Product: Microsoft Entra Provisioning Agent -- Installation failed.'},
                                 {'id': 11708, 'provider': 'MsiInstaller', 'message': 'Product: EMET 5.51 -- Installation failed.'}),
    'kds_4004': ({'id': 4004, 'provider': 'Microsoft-Windows-Kds'}, {'id': 4004, 'provider': 'Netlogon'}),
}


def _sig(sig_id):
    return [s for s in _diagnosis.SIGNATURES if s['id'] == sig_id][0]


def test_every_signature_has_samples():
    assert {s['id'] for s in _diagnosis.SIGNATURES} == set(TEXT_SAMPLES) | set(EVENT_SAMPLES)


def _text_hits(line):
    d = _diagnosis.Diagnosis()
    d.consume([_diagnosis.TextItem('sample.log', 'text_log', iter([line.encode('utf-8') + b'\r\n']))])
    return d.signature_hits


@pytest.mark.parametrize('sig_id', sorted(TEXT_SAMPLES))
def test_text_signature_positive_and_near_miss(sig_id):
    positives, negatives = TEXT_SAMPLES[sig_id]
    for line in positives:
        assert sig_id in _text_hits(line), line
        assert sig_id in _text_hits(line.upper()), 'case-insensitive: ' + line
    for line in negatives:
        assert sig_id not in _text_hits(line), line


@pytest.mark.parametrize('sig_id', sorted(EVENT_SAMPLES))
def test_event_signature_positive_and_near_miss(sig_id):
    pos, neg = EVENT_SAMPLES[sig_id]
    for ev, expected in ((pos, True), (neg, False)):
        d = _diagnosis.Diagnosis()
        d.feed_event('System.evtx', 'record 1', dict(ev, message=ev.get('message', '')))
        assert (sig_id in d.signature_hits) is expected, ev


def test_patterns_are_grep_compatible():
    for p in _diagnosis.grep_patterns():
        assert '(?' not in p and '[^\\n]' not in p, p


def test_every_cause_id_is_catalogued_and_every_signal_is_produced():
    produced = {s['signal'] for s in _diagnosis.SIGNATURES} | {m[1] for m in _diagnosis.winerr.MEANINGS.values()} | {
        'gmsa_retrieval_denied',
        'managed_account_true', 'managed_account_false', 'gpo_service_right_without_all_services',
        'local_service_right_without_all_services', 'deny_service_logon_policy'}
    for row in _diagnosis.CAUSES:
        assert row['id'] in _findings.CATALOG
        for clause in row['when']:
            specs = list(_diagnosis._clause_specs(clause)) + list(clause.get('unless', []) if isinstance(clause, dict) else [])
            for spec in specs:
                assert (spec if isinstance(spec, str) else spec[0]) in produced


# --------------------------------------------------------------- combination
KDS = 'Unable to create gMSA because KDS may not be running on domain controller. Please create/run KDS manually.'


def _run(lines=(), events=(), managed=None):
    ev = {'events': [dict({'log': 'System', 'provider': 'Service Control Manager', 'level': 'Error',
                           'record_id': i}, **e) for i, e in enumerate(events)],
          'files': [{'path': 'C:\\Trace\\agent.log', 'kind': 'trace_log', 'size': 1, 'truncated': False,
                     'content': '\r\n'.join(lines)}] if lines else [],
          'managed_accounts': [] if managed is None else [{'service': 'AADConnectProvisioningAgent', 'output': '',
                                                           'managed': managed}]}
    return [(c['id'], c['confidence']) for c in _diagnosis.diagnose(agent_evidence=ev)['root_causes']]


E7041 = {'id': 7041, 'message': 'The AADConnectProvisioningAgent service was unable to log on as CONTOSO\\provAgentgMSA$ with '
                                'the currently configured password due to the following error:\r\nLogon failure: the user has '
                                'not been granted the requested logon type at this computer.'}
E7038 = {'id': 7038, 'message': 'The AADConnectProvisioningAgent service was unable to log on as CONTOSO\\provAgentgMSA$ with '
                                'the currently configured password due to the following error: \r\nThe user name or password is incorrect.'}
E9001 = {'id': 9001, 'provider': 'NETLOGON', 'message': ''}


def ids(causes):
    return [c[0] for c in causes]


def test_kds_message_alone_means_kds_root_key_missing():
    assert ids(_run([KDS])) == ['kds_root_key_missing']


def test_kds_message_with_7041_is_the_logon_right():
    causes = ids(_run([KDS], [E7041]))
    assert causes[0] == 'gmsa_logon_right_missing'
    assert 'kds_root_key_missing' not in causes


def test_kds_message_with_7041_without_account_still_the_logon_right():
    e = {'id': 7041, 'message': ''}     # .evtx without rendered message
    causes = ids(_run([KDS], [e]))
    assert causes == ['gmsa_logon_right_missing']


def test_kds_message_with_7038_is_the_not_managed_account():
    causes = _run([KDS], [E7038], managed=False)
    assert ids(causes)[0] == 'service_not_managed_account'
    assert 'kds_root_key_missing' not in ids(causes)
    assert dict(causes)['service_not_managed_account'] >= 0.9


def test_managed_true_lowers_not_managed_confidence():
    assert dict(_run([KDS], [E7038], managed=True))['service_not_managed_account'] < \
        dict(_run([KDS], [E7038], managed=False))['service_not_managed_account']


def test_kds_message_with_netlogon_is_encryption_mismatch():
    causes = ids(_run([KDS], [E9001]))
    assert causes == ['kerberos_encryption_mismatch']


def test_kds_message_with_context_mismatch_is_encryption_mismatch():
    causes = ids(_run([KDS, "Install-ADServiceAccount : The provided context did not match the target."]))
    assert causes == ['kerberos_encryption_mismatch']


def test_kds_4004_contradicts_a_missing_root_key():
    with_4004 = _run([KDS], [{'id': 4004, 'provider': 'Microsoft-Windows-Kds', 'message': ''}])
    assert dict(with_4004)['kds_root_key_missing'] < dict(_run([KDS]))['kds_root_key_missing']


def test_msi_fatal_alone_is_installer_failed_unknown():
    assert ids(_run(['Error 0x80070643: Failed to install MSI package.'])) == ['installer_failed_unknown']


def test_msi_fatal_with_a_specific_cause_does_not_add_unknown():
    causes = ids(_run(['Error 0x80070643: Failed to install MSI package.',
                       "Error 1920. Service 'AADConnectProvisioningAgent' failed to start. "
                       "Verify that you have sufficient privileges to start system services."]))
    assert causes == ['service_logon_right_missing_all_services']


def test_virtual_account_7041_is_all_services():
    e = dict(E7041, message=E7041['message'].replace('CONTOSO\\provAgentgMSA$', 'NT SERVICE\\AADConnectProvisioningAgent'))
    assert ids(_run(events=[e])) == ['service_logon_right_missing_all_services']


def test_adsync_cases():
    base = 'The ADSync service was unable to log on as CONTOSO\\svc-adsync with the currently configured password due to the following error: '
    assert ids(_run(events=[{'id': 7038, 'message': base + 'The user name or password is incorrect.'}])) == \
        ['service_account_password_invalid']
    assert ids(_run(events=[{'id': 7038, 'message': base + 'The account has expired.'}])) == \
        ['service_account_disabled_or_expired']
    not_granted = 'Logon failure: the user has not been granted the requested logon type at this computer.'
    assert ids(_run(events=[{'id': 7041, 'message': base + not_granted}])) == \
        ['sync_service_account_rights_missing']
    mfa = 'ADSync export to Entra ID failed for Sync_SYNC01_0a1b2c3d4e5f@contoso.onmicrosoft.com: AADSTS50076 multi-factor authentication required'
    assert ids(_run([mfa])) == ['sync_account_mfa_required']


def test_mfa_for_the_registration_account_is_headless_mfa():
    assert ids(_run(['Connect-AADCloudSyncAzureAD: MsalUiRequiredException: AADSTS50079'])) == ['mfa_required_headless']


def test_every_section5_message_maps_to_its_cause():
    cases = {
        "Service 'Microsoft Entra Connect Provisioning Agent' (AADConnectProvisioningAgent) failed to start. "
        "Verify that you have sufficient privileges to start system services.": 'service_logon_right_missing_all_services',
        'Unable to install service account pGMSA_0a1b2c$ after 6 retries': 'kerberos_encryption_mismatch',
        'There is no such object on the server. 0x80072030': 'msa_container_missing',
        "Install-ADServiceAccount : Cannot install service account. Error Message: 'Access Denied'": 'gmsa_password_retrieval_denied',
        'Registration failed: The remote server returned an error: (504) Gateway Timeout.': 'outbound_connectivity_blocked',
        'Connect-AADCloudSyncAzureAD : File cannot be loaded. CategoryInfo: SecurityError: PSSecurityException': 'execution_policy_blocks_registration',
        'MsalUiRequiredException: AADSTS50076': 'mfa_required_headless',
        'Installer: unable to access the credential vault: VaultSvc is disabled': 'credential_manager_disabled',
        'Error 0x80070643: Failed to install MSI package.': 'installer_failed_unknown',
        'The agent service is stuck in Starting': 'stale_agent_installation',
        'Credential validation failed: the account is a member of the Protected Users group': 'protected_users_membership',
        "Add-AADCloudSyncADDomain : Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0'": 'assembly_version_mismatch',
        'Failed changing Windows service credentials to gMSA. '
        'Unable to create gMSA because KDS may not be running on domain controller.': 'kds_root_key_missing',
    }
    for line, cause in cases.items():
        assert ids(_run([line]))[:1] == [cause], line


def test_healthy_evidence_has_no_blocker():
    assert _run(['ProvisioningAgent Information: Agent started. Version 1.1.1586.0',
                 'Heartbeat sent. Connected to service bus.'], [{'id': 7036, 'message': 'entered the running state'}],
                managed=True) == []


def test_root_causes_carry_evidence_remediation_reference():
    rc = _diagnosis.diagnose(agent_evidence=load('agent_evidence', 'logon_right_7041'))['root_causes'][0]
    assert rc['evidence'][0]['source'].startswith('agent_evidence')
    assert {'source', 'line', 'text'} == set(rc['evidence'][0])
    assert rc['remediation']['summary'] and rc['reference'].startswith('https://')
    assert 0 < rc['confidence'] <= 1


# ------------------------------------------------------------ fixtures
@pytest.mark.parametrize('scenario, expected', [
    ('healthy', []),
    ('truncated_by_budget', []),
    ('kds_missing', ['kds_root_key_missing']),
    ('logon_right_7041', ['gmsa_logon_right_missing']),
    ('not_managed_7038', ['service_not_managed_account']),
    ('netlogon_9001', ['kerberos_encryption_mismatch']),
    ('installer_1603', ['service_logon_right_missing_all_services']),
    ('adsync_7038_password', ['service_account_disabled_or_expired']),
    ('mfa_trace', ['mfa_required_headless']),
    ('stale_install', ['stale_agent_installation', 'service_terminated_unexpectedly']),
])
def test_module_evidence_fixtures(scenario, expected):
    causes = _diagnosis.diagnose(agent_evidence=load('agent_evidence', scenario))['root_causes']
    assert [c['id'] for c in causes] == expected


@pytest.mark.parametrize('folder, expected', [
    ('kds_with_7041', ['gmsa_logon_right_missing']),
    ('encryption_mismatch', ['kerberos_encryption_mismatch']),
    ('gpo_right', ['service_logon_right_removed_by_gpo']),
    ('healthy', []),
    ('evtx', []),
])
def test_evidence_folders(folder, expected):
    res = _diagnosis.diagnose([os.path.join(EVIDENCE, folder)])
    assert [c['id'] for c in res['root_causes']] == expected
    assert all(i['status'] == 'read' for i in res['inputs']), res['inputs']


def test_gpo_cause_names_the_winning_gpo():
    rc = _diagnosis.diagnose([os.path.join(EVIDENCE, 'gpo_right')])['root_causes'][0]
    assert any('Member Servers Baseline' in e['text'] for e in rc['evidence'])


# ------------------------------------------------ service logon failures by documented meaning
def _text(tmp_path, text, name='service.log'):
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return [(c['id'], c['confidence']) for c in _diagnosis.diagnose([str(path)])['root_causes']]


_SCM_7038_1385 = ('The Example service was unable to log on as CONTOSO\\svc-example with the currently configured '
                  'password due to the following error: \nLogon failure: the user has not been granted the requested '
                  'logon type at this computer.\n')


def test_scm_message_continued_on_the_next_line_is_judged_whole(tmp_path, monkeypatch):
    """7038 + 1385 rendered on two lines is the missing right, not a wrong password; judged line by
    line (the continuation removed) the 7038 alone also reports a password failure."""
    assert ids(_text(tmp_path, _SCM_7038_1385)) == ['service_logon_right_missing_all_services']
    monkeypatch.setattr(_diagnosis, '_CONTINUED', __import__('re').compile(r'(?!x)x'))
    assert 'service_account_password_invalid' in ids(_text(tmp_path, _SCM_7038_1385))


def test_wrong_password_where_the_scm_names_the_service(tmp_path):
    text = ('Windows could not start the Example service on Local Computer.\n'
            'Error 1326: The user name or password is incorrect.\n')
    assert ids(_text(tmp_path, text)) == ['service_account_password_invalid']
    # the same status without a service failing beside it is a sign-in failure, not a service's password
    assert _text(tmp_path, 'Error 1326: The user name or password is incorrect.\n') == []


def test_bare_1069_is_the_logon_right_with_low_confidence(tmp_path):
    """StartService documents 1069 as the missing 'Log on as a service' right; alone it is generic
    evidence (below 0.5). A 7038 password failure beside it names the real reason."""
    causes = _text(tmp_path, 'Error 1069: The service did not start due to a logon failure.\n')
    assert ids(causes) == ['service_logon_right_missing_all_services'] and causes[0][1] < 0.5
    with_7038 = _text(tmp_path, 'Error 1069: The service did not start due to a logon failure.\n'
                                'The Example service was unable to log on as CONTOSO\\svc with the currently configured '
                                'password due to the following error: The user name or password is incorrect.\n')
    assert ids(with_7038) == ['service_account_password_invalid']


def test_generic_exception_ranks_below_the_specific_tls_message(tmp_path):
    text = 'System.Net.WebException: The underlying connection was closed: An unexpected error occurred on a send.\n'
    causes = _text(tmp_path, text)
    assert ids(causes)[0] == 'tls12_disabled'
    # the WebException alone says only that a request failed: outbound is named, but below 0.5
    alone = _text(tmp_path, 'System.Net.WebException: The remote server returned an error.\n')
    assert ids(alone) == ['outbound_connectivity_blocked'] and alone[0][1] < 0.5


def test_account_restriction_alone_is_a_weak_protected_users_guess(tmp_path):
    causes = _text(tmp_path, 'Status: 0xC000006E\n')
    assert ids(causes) == ['protected_users_membership'] and causes[0][1] < 0.5
    named = _text(tmp_path, 'NTLM authentication failed because the account was a member of the Protected User group.\n'
                            'Error Code: 0xC000006E\n')
    assert named[0][0] == 'protected_users_membership' and named[0][1] >= 0.8


def test_a_pending_reboot_refusal_ranks_above_the_generic_installer_failure(tmp_path):
    """0x8007015e is ERROR_FAIL_NOACTION_REBOOT (Win32 350): Windows did nothing until the pending
    reboot is done, so the 1603 logged beside it is not the cause."""
    log = tmp_path / 'setup.log'
    log.write_text('Apply complete, result: 0x8007015e, restart: Required\n'
                   'Error 0x80070643: Fatal error during installation.\n', encoding='utf-8')
    ids = [rc['id'] for rc in _diagnosis.diagnose([str(log)])['root_causes']]
    assert ids and ids[0] == 'pending_reboot', ids
    assert 'installer_failed_unknown' not in ids, ids
