# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The same events in the text forms people hand us: wevtutil /f:text, Get-WinEvent | Format-List,
Event Viewer copy-paste and XML, Security 4625 renderings; error numbers in every notation; the
scope rule for host-wide events; unexplained errors."""
from __future__ import annotations

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _windows_errors

AGENT_7041 = ('The AADConnectProvisioningAgent service was unable to log on as CONTOSO\\provAgentgMSA$ with the '
              'currently configured password due to the following error:')
LOGON_TYPE = 'Logon failure: the user has not been granted the requested logon type at this computer.'

WEVTUTIL_TEXT = '\r\n'.join([
    'Event[0]:', '  Log Name: System', '  Source: Service Control Manager', '  Date: 2025-06-12T10:17:55.000',
    '  Event ID: 7041', '  Task: N/A', '  Level: Error', '  Opcode: N/A', '  Keyword: Classic', '  User: N/A',
    '  User Name: N/A', '  Computer: SYNC01.contoso.com', '  Description: ', AGENT_7041, LOGON_TYPE, '',
    'Service: AADConnectProvisioningAgent', 'Domain and account: CONTOSO\\provAgentgMSA$', ''])

FORMAT_LIST = '\r\n'.join([
    'TimeCreated  : 6/12/2025 10:17:55 AM', 'ProviderName : Service Control Manager', 'Id           : 7041',
    'Message      : ' + AGENT_7041, '               ' + LOGON_TYPE, '',
    'TimeCreated  : 6/12/2025 10:17:50 AM', 'ProviderName : Service Control Manager', 'Id           : 7000',
    'Message      : The Print Spooler service failed to start due to the following error:',
    '               The service did not start due to a logon failure.', ''])

EVENT_VIEWER_COPY = '\r\n'.join([
    'Log Name:      System', 'Source:        Service Control Manager', 'Date:          6/12/2025 10:17:55 AM',
    'Event ID:      7000', 'Task Category: None', 'Level:         Error', 'Keywords:      Classic',
    'User:          N/A', 'Computer:      SYNC01.contoso.com', 'Description:',
    'The Microsoft Azure AD Sync service failed to start due to the following error: ',
    'The service did not start due to a logon failure.', ''])

SECURITY_4625 = '\r\n'.join([
    'An account failed to log on.', '', 'Subject:', '\tSecurity ID:\t\tSYSTEM', '\tAccount Name:\t\tSYNC01$',
    '\tAccount Domain:\t\tCONTOSO', '\tLogon ID:\t\t0x3E7', '', 'Logon Type:\t\t\t5', '',
    'Account For Which Logon Failed:', '\tSecurity ID:\t\tNULL SID', '\tAccount Name:\t\tsvc-adsync',
    '\tAccount Domain:\t\tCONTOSO', '', 'Failure Information:', '\tFailure Reason:\t\t%%2313',
    '\tStatus:\t\t\t0xC000006D', '\tSub Status:\t\t0xC000006A', '', 'Process Information:',
    '\tCaller Process Name:\tC:\\Windows\\System32\\services.exe', ''])

XML_4625 = '''<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>
<Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4625</EventID><Channel>Security</Channel>
</System><EventData><Data Name="TargetUserName">provAgentgMSA$</Data><Data Name="Status">0xc000015b</Data>
<Data Name="FailureReason">%%2308</Data><Data Name="LogonType">5</Data>
<Data Name="ProcessName">C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\AADConnectProvisioningAgent.exe</Data>
</EventData></Event></Events>'''


def run(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode('utf-8'))
    return _diagnosis.diagnose([str(path)])


def ids(result):
    return [c['id'] for c in result['root_causes']]


@pytest.mark.parametrize('name,text,kind', [('wevtutil.txt', WEVTUTIL_TEXT, 'event_text'),
                                            ('get-winevent.txt', FORMAT_LIST, 'event_list')])
def test_7041_rendered_by_wevtutil_and_format_list(tmp_path, name, text, kind):
    d = run(tmp_path, name, text)
    assert d['inputs'][0]['kind'] == kind
    assert ids(d) == ['gmsa_logon_right_missing']


def test_format_list_event_for_another_service_is_out_of_scope(tmp_path):
    d = run(tmp_path, 'fl.txt', FORMAT_LIST)
    assert d['out_of_scope_events'] == 1
    assert 'service_logon_failure_1069' not in d['signals']


def test_event_viewer_copy_of_adsync_7000_logon_failure(tmp_path):
    d = run(tmp_path, 'ev.txt', EVENT_VIEWER_COPY)
    assert d['signals'].get('service_logon_failure_1069') == 1 and d['signals'].get('service_start_failed') == 1


def test_security_4625_text_of_the_sync_account_gives_the_password_cause(tmp_path):
    d = run(tmp_path, 'security.txt', SECURITY_4625.replace('svc-adsync', 'CONTOSO\\svc-adsync'))
    assert ids(d)[0] == 'service_account_password_invalid'


def test_security_4625_text_of_a_person_is_not_evidence(tmp_path):
    person = SECURITY_4625.replace('Logon Type:\t\t\t5', 'Logon Type:\t\t\t3').replace('svc-adsync', 'jdoe')
    d = run(tmp_path, 'security.txt', person)
    assert ids(d) == [] and d['out_of_scope_events'] == 1


def test_security_4625_xml_with_status_and_insert_of_the_agent_gmsa(tmp_path):
    d = run(tmp_path, 'security.xml', XML_4625)
    assert ids(d) == ['gmsa_logon_right_missing']


@pytest.mark.parametrize('provider,message,counts', [
    ('Service Control Manager', 'The AADConnectProvisioningAgent service failed to start due to the following error: %%1069', True),
    ('Service Control Manager', 'The BTOBTO service failed to start due to the following error: %%1069', False),
    ('MsiInstaller', 'Product: Microsoft Entra Provisioning Agent -- Installation failed.', True),
    ('MsiInstaller', 'Product: EMET 5.51 -- Installation failed.', False),
])
def test_host_wide_events_count_only_when_they_name_the_agent(provider, message, counts):
    d = _diagnosis.Diagnosis()
    d.feed_event('System.evtx', 'record 1', {'id': 7000 if provider.startswith('Service') else 11708,
                                             'provider': provider, 'message': message})
    assert bool(d.signals) is counts
    assert d.out_of_scope == (0 if counts else 1)


@pytest.mark.parametrize('text,meaning', [
    ('Error 1069', 'service_logon_failed'),
    ('error 0x8007042D', 'service_logon_failed'),                      # HRESULT wrapping Win32 1069
    ('Status: 0xC000015B', 'logon_type_not_granted'),
    ('Sub Status: 0xC0000072', 'account_disabled'),
    ('(Exception from HRESULT: 0x80072030)', 'no_such_object'),
    ('Failure Reason: %%2308', 'logon_type_not_granted'),
    ('LDAP error 32 on bind', 'no_such_object'),
    ('MSI error 1920 while installing', 'msi_service_start'),
    ('exit code 1618', 'msi_busy'),
    ('ERROR_ACCOUNT_EXPIRED', 'account_expired'),
    ('AADSTS50079: enroll in MFA', 'mfa_required'),
    ('Microsoft.Identity.Client.MsalUiRequiredException: no account', 'mfa_required'),
    ('System.Net.WebSockets.WebSocketException (0x80004005)', 'websocket_failed'),
    ('SocketException (10060): A connection attempt failed', 'connection_timeout'),
    ('KDC_ERR_CLIENT_REVOKED', 'credentials_revoked'),
    ('Kerberos error KDC_ERR_PREAUTH_FAILED', 'bad_credentials'),
])
def test_every_notation_maps_to_one_meaning(text, meaning):
    assert meaning in [r['meaning'] for r in _windows_errors.extract(text)], _windows_errors.extract(text)


@pytest.mark.parametrize('text', ['processed 1069 objects', 'Status: OK', 'took 0x0000ffff ticks', 'AADSTS99999 unknown'])
def test_numbers_that_are_not_errors_are_not_read_as_errors(text):
    assert _windows_errors.extract(text) == []


def test_every_code_row_cites_a_microsoft_list():
    for kind, code, symbol, meaning, source in _windows_errors.CODES:
        assert meaning in _windows_errors.MEANINGS
        assert _windows_errors.SOURCES[source].startswith('https://learn.microsoft.com/'), symbol
    for meaning, source in _windows_errors.EXCEPTIONS.values():
        assert meaning in _windows_errors.MEANINGS and _windows_errors.SOURCES[source].startswith('https://learn.microsoft.com/')
    assert all(m in _windows_errors.MEANINGS for m in _windows_errors.AADSTS.values())


def test_interaction_required_exception_means_mfa_whatever_the_message(tmp_path):
    d = run(tmp_path, 'agent.log', 'Registration failed: Microsoft.Identity.Client.MsalUiRequiredException: '
                                   'No account or login hint was passed to the AcquireTokenSilent call.')
    assert ids(d) == ['mfa_required_headless']


def test_agent_events_of_the_application_log_are_read_whatever_their_provider():
    # the agent's own events are evidence as they stand: no scope rule applies to them
    d = _diagnosis.Diagnosis()
    d.feed_event('Application.evtx', 'record 7', {
        'id': 0, 'provider': 'AADConnectProvisioningAgent',
        'message': 'Microsoft.Identity.Client.MsalUiRequiredException: AADSTS50079: Due to a configuration change '
                   'made by your administrator, or because you moved to a new location, you must enroll in '
                   'multi-factor authentication'})
    assert [c['id'] for c in d.result()] == ['mfa_required_headless'] and d.out_of_scope == 0


def test_transport_failures_of_the_relay(tmp_path):
    d = run(tmp_path, 'agent.log', 'Microsoft.ServiceBus.EndpointNotFoundException: The remote name could not be '
                                   'resolved: his-nam1-eus1.servicebus.windows.net')
    assert ids(d) == ['outbound_connectivity_blocked']


def test_errors_that_explain_nothing_are_listed_with_their_meaning(tmp_path):
    d = run(tmp_path, 'agent.log', 'Connect failed: AADSTS50126: Error validating credentials\r\n'
                                   'StartService FAILED 1326:\r\n')
    assert ids(d) == []
    listed = {u['notation']: u['meaning'] for u in d['unexplained_errors']}
    assert listed == {'AADSTS50126': 'sign-in: invalid user name or password',
                      'StartService FAILED 1326': 'unknown user name or bad password'}


def test_explained_errors_are_not_listed_again(tmp_path):
    d = run(tmp_path, 'agent.log', 'Error 0x80070643: Failed to install MSI package.\r\n')
    assert ids(d) == ['installer_failed_unknown'] and d['unexplained_errors'] == []


def test_every_signature_names_a_microsoft_document_or_two_sources():
    for sig in _diagnosis.SIGNATURES:
        sources = _diagnosis.SIGNATURE_SOURCES[sig['id']]
        assert any(u.startswith('https://learn.microsoft.com/') for u in sources) or len(set(sources)) >= 2, sig['id']


def test_installer_fatal_error_is_named_a_consequence_of_the_specific_cause(tmp_path):
    d = run(tmp_path, 'bundle.log', 'e000: Error 0x80070643: Failed to install MSI package.\r\n'
                                    'Error 1920. Service \'Microsoft Entra Provisioning Agent\' (AADConnectProvisioningAgent) '
                                    'failed to start. Verify that you have sufficient privileges to start system services.\r\n')
    assert ids(d) == ['service_logon_right_missing_all_services']
    notes = d['root_causes'][0]['consequences']
    assert [n['message'][:11] for n in notes] == ['e000: Error'] and 'msi-installation-error-1603' in notes[0]['reference']


def test_a_4625_of_another_product_with_updater_in_its_path_is_not_evidence(tmp_path):
    other = SECURITY_4625.replace('Logon Type:\t\t\t5', 'Logon Type:\t\t\t3').replace(
        'svc-adsync', 'jdoe').replace('services.exe', 'GoogleUpdater.exe')
    assert ids(run(tmp_path, 'security.txt', other)) == []
