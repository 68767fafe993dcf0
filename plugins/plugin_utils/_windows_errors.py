# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows error meanings as data: every notation an error number appears in.

The same failure reaches us as ``Error 1069``, ``0x8007042D``, ``Status: 0xC000015B``,
``(Exception from HRESULT: 0x80072030)``, ``%%2308`` or ``LDAP error 32``. ``extract``
finds them all in a line and ``lookup`` gives the single meaning each carries, from
the tables below. Each row names the Microsoft list it comes from (``SOURCES``).

A meaning may carry a ``signal``: the name the diagnosis engine's CAUSES table
reasons with. A meaning without a signal is still reported (``unexplained_errors``)
but never decides a root cause on its own.

Kept apart from ``_windows.py`` (SIDs, rights, encryption bits, service names).
"""

from __future__ import annotations

import re

SOURCES = {
    'win32_0': 'https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-',
    'win32_1000': 'https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-',
    'win32_1300': 'https://learn.microsoft.com/windows/win32/debug/system-error-codes--1300-1699-',
    'win32_1700': 'https://learn.microsoft.com/windows/win32/debug/system-error-codes--1700-3999-',
    'win32_8200': 'https://learn.microsoft.com/windows/win32/debug/system-error-codes--8200-8999-',
    'winsock': 'https://learn.microsoft.com/windows/win32/winsock/windows-sockets-error-codes-2',
    'wininet': 'https://learn.microsoft.com/windows/win32/wininet/wininet-errors',
    # checked 2026-12-06 (search tool): the driver docs' NTSTATUS list (MicrosoftDocs/windows-driver-docs,
    # kernel/ntstatus-values.md); the MS-ERREF section links written earlier could not be confirmed
    'ntstatus': 'https://learn.microsoft.com/windows-hardware/drivers/kernel/ntstatus-values',
    'com_security': 'https://learn.microsoft.com/windows/win32/com/com-error-codes-4',
    'sspi': 'https://learn.microsoft.com/windows/win32/secauthn/sspi-status-codes',
    'start_service': 'https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-startservicea',
    'event_4625': 'https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4625',
    'event_4771': 'https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4771',
    'ldap': 'https://learn.microsoft.com/windows/win32/ldap/return-values',
    'msi_exit': 'https://learn.microsoft.com/windows/win32/msi/error-codes',
    'msi_messages': 'https://learn.microsoft.com/windows/win32/msi/windows-installer-error-messages',
    'aadsts': 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes',
    'msal': 'https://learn.microsoft.com/entra/msal/dotnet/advanced/exceptions/msal-error-handling',
    'fusion': 'https://learn.microsoft.com/dotnet/framework/configure-apps/redirect-assembly-versions',
    'servicebus': 'https://learn.microsoft.com/azure/azure-relay/relay-exceptions',
    'wcf_endpoint': 'https://learn.microsoft.com/dotnet/api/system.servicemodel.endpointnotfoundexception',
    'net_exceptions': 'https://learn.microsoft.com/dotnet/api/system.net.sockets.socketexception',
    'powershell': 'https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_execution_policies',
    'trust': 'https://learn.microsoft.com/powershell/module/microsoft.powershell.management/test-computersecurechannel',
}

# meaning id: (plain words, signal for the engine or None)
MEANINGS = {
    'logon_type_not_granted': ('the account has not been granted the requested logon type (for a service: '
                               "'Log on as a service')", 'logon_type_not_granted'),
    'bad_credentials': ('unknown user name or bad password', 'wrong_password'),
    'reboot_pending': ('no action was taken: a system reboot is required first (one is already pending)',
                       'reboot_pending'),
    'no_such_user': ('the user name does not exist', None),
    'account_disabled': ('the account is disabled', 'account_disabled'),
    'account_expired': ('the account has expired', 'account_expired'),
    'password_expired': ("the account's password has expired", 'password_expired'),
    'password_must_change': ('the password must be changed before logging on', 'password_expired'),
    'account_locked': ('the account is locked out', 'account_locked_out'),
    'credentials_revoked': ("the client's credentials have been revoked (account disabled, expired or locked out)",
                            'account_disabled'),
    # STATUS_ACCOUNT_RESTRICTION is also what a Protected Users member gets for NTLM (event 4822)
    'account_restriction': ('an account restriction (Protected Users, logon hours, workstations) prevented the logon',
                            'account_restriction'),
    'no_logon_servers': ('no logon server (domain controller) was available', None),
    # StartService documents 1069 as the account lacking 'Log on as a service'; a 7038 or logon
    # status beside it can name another reason (password, disabled account)
    'service_logon_failed': ("the service did not start due to a logon failure (StartService: the account lacks "
                             "'Log on as a service')", 'service_logon_failure_1069'),
    'service_start_timeout': ('the service did not respond to the start request in time', 'service_start_timeout'),
    'service_marked_for_delete': ('the service has been marked for deletion (a previous install is still there)',
                                  'stale_install'),
    'service_exists': ('the specified service already exists', 'stale_install'),
    'access_denied': ('access is denied', 'access_denied'),
    'domain_trust_failed': ('the trust relationship with the domain failed (secure channel broken)',
                            'domain_trust_failed'),
    'no_such_object': ('there is no such object on the server (LDAP noSuchObject)', 'no_such_object'),
    'ldap_invalid_credentials': ('LDAP bind with invalid credentials', 'wrong_password'),
    'ldap_insufficient_access': ('LDAP insufficient access rights', 'access_denied'),
    'ldap_server_down': ('the LDAP server (domain controller) cannot be contacted', None),
    'kerberos_etype': ('no common Kerberos encryption type between client, KDC and account',
                       'encryption_text'),
    'keyset_missing': ('the key set does not exist (KDS root key not usable yet)', 'kds_key_error'),
    'msi_fatal': ('Windows Installer: fatal error during installation', 'msi_fatal'),
    'msi_busy': ('Windows Installer: another installation is already in progress', 'msi_1618'),
    'msi_other_version': ('Windows Installer: another version of this product is already installed',
                          'stale_install'),
    'msi_reboot': ('Windows Installer: success, a restart is required', None),
    'msi_service_start': ('Windows Installer: a service the package installs failed to start',
                          'agent_service_start_failed_privileges'),
    'msi_service_install': ('Windows Installer: a service the package installs could not be installed', None),
    'assembly_mismatch': ("the located assembly's manifest definition does not match the assembly reference",
                          'assembly_load'),
    'connection_refused': ('the remote host actively refused the connection', 'network_failure'),
    'connection_timeout': ('the connection attempt timed out', 'network_failure'),
    'connection_reset': ('the connection was forcibly closed by the remote host', 'network_failure'),
    'host_not_found': ('the host name could not be resolved', 'network_failure'),
    'cannot_connect': ('the connection to the server could not be established', 'network_failure'),
    'tls_no_common_algorithm': ('TLS: client and server do not possess a common algorithm', 'tls_channel_failure'),
    'tls_illegal_message': ('TLS: the message received was unexpected or badly formatted (handshake refused)',
                            'tls_channel_failure'),
    'certificate_untrusted': ('TLS: the certificate chain ends in an untrusted root (TLS inspection?)',
                              'network_failure'),
    'mfa_required': ('sign-in needs multi-factor authentication or interaction (cannot be satisfied headless)',
                     'mfa_required'),
    'conditional_access_blocked': ('sign-in blocked by a Conditional Access policy', 'mfa_required'),
    'tenant_bad_password': ('sign-in: invalid user name or password', None),
    'tenant_account_locked': ('sign-in: the account is locked', None),
    'tenant_account_disabled': ('sign-in: the account is disabled', None),
    'tenant_password_expired': ('sign-in: the password has expired', None),
    'tenant_not_found': ('sign-in: tenant not found', None),
    'app_not_found': ('sign-in: application not found in the tenant', None),
    'consent_required': ('sign-in: admin or user consent is required', None),
    'not_assigned_role': ('sign-in: the user is not assigned a role for the application', 'tenant_role'),
    'guest_not_allowed': ('sign-in: guest users are not allowed', 'tenant_role'),
    'script_blocked': ('PowerShell refused to run a script (execution policy / security error)', 'security_error'),
    'relay_endpoint_unreachable': ('the Service Bus relay endpoint could not be reached', 'network_failure'),
    'websocket_failed': ('the WebSocket connection of the relay failed', 'network_failure'),
    'tls_auth_failed': ('the TLS handshake failed', 'network_failure'),
    'http_request_failed': ('an HTTP request failed (network, proxy or TLS)', 'network_failure'),
    'ad_web_services_down': ('Active Directory Web Services could not be contacted', None),
}

# Numeric codes. kind: win32 | ntstatus | hresult | ldap | msi | logon_insert
# (kind, code, symbol, meaning, source)
CODES = [
    ('win32', 5, 'ERROR_ACCESS_DENIED', 'access_denied', 'win32_0'),
    ('win32', 350, 'ERROR_FAIL_NOACTION_REBOOT', 'reboot_pending', 'win32_0'),
    ('win32', 1053, 'ERROR_SERVICE_REQUEST_TIMEOUT', 'service_start_timeout', 'win32_1000'),
    ('win32', 1069, 'ERROR_SERVICE_LOGON_FAILED', 'service_logon_failed', 'start_service'),
    ('win32', 1072, 'ERROR_SERVICE_MARKED_FOR_DELETE', 'service_marked_for_delete', 'win32_1000'),
    ('win32', 1073, 'ERROR_SERVICE_EXISTS', 'service_exists', 'win32_1000'),
    ('win32', 1311, 'ERROR_NO_LOGON_SERVERS', 'no_logon_servers', 'win32_1300'),
    ('win32', 1317, 'ERROR_NO_SUCH_USER', 'no_such_user', 'win32_1300'),
    ('win32', 1326, 'ERROR_LOGON_FAILURE', 'bad_credentials', 'win32_1300'),
    ('win32', 1327, 'ERROR_ACCOUNT_RESTRICTION', 'account_restriction', 'win32_1300'),
    ('win32', 1330, 'ERROR_PASSWORD_EXPIRED', 'password_expired', 'win32_1300'),
    ('win32', 1331, 'ERROR_ACCOUNT_DISABLED', 'account_disabled', 'win32_1300'),
    ('win32', 1385, 'ERROR_LOGON_TYPE_NOT_GRANTED', 'logon_type_not_granted', 'win32_1300'),
    ('win32', 1603, 'ERROR_INSTALL_FAILURE', 'msi_fatal', 'win32_1300'),
    ('win32', 1618, 'ERROR_INSTALL_ALREADY_RUNNING', 'msi_busy', 'win32_1300'),
    ('win32', 1638, 'ERROR_PRODUCT_VERSION', 'msi_other_version', 'win32_1300'),
    ('win32', 1641, 'ERROR_SUCCESS_REBOOT_INITIATED', 'msi_reboot', 'win32_1300'),
    # the computer account or its trust secret is gone: the secure channel cannot be set up
    ('win32', 1786, 'ERROR_NO_TRUST_LSA_SECRET', 'domain_trust_failed', 'win32_1700'),
    ('win32', 1787, 'ERROR_NO_TRUST_SAM_ACCOUNT', 'domain_trust_failed', 'win32_1700'),
    ('win32', 1788, 'ERROR_TRUSTED_DOMAIN_FAILURE', 'domain_trust_failed', 'win32_1700'),
    ('win32', 1789, 'ERROR_TRUSTED_RELATIONSHIP_FAILURE', 'domain_trust_failed', 'win32_1700'),
    ('win32', 1793, 'ERROR_ACCOUNT_EXPIRED', 'account_expired', 'win32_1700'),
    ('win32', 1907, 'ERROR_PASSWORD_MUST_CHANGE', 'password_must_change', 'win32_1700'),
    ('win32', 1909, 'ERROR_ACCOUNT_LOCKED_OUT', 'account_locked', 'win32_1700'),
    ('win32', 3010, 'ERROR_SUCCESS_REBOOT_REQUIRED', 'msi_reboot', 'win32_1700'),
    ('win32', 3017, 'ERROR_FAIL_REBOOT_REQUIRED', 'reboot_pending', 'win32_1700'),
    ('win32', 8240, 'ERROR_DS_NO_SUCH_OBJECT', 'no_such_object', 'win32_8200'),
    ('win32', 10054, 'WSAECONNRESET', 'connection_reset', 'winsock'),
    ('win32', 10060, 'WSAETIMEDOUT', 'connection_timeout', 'winsock'),
    ('win32', 10061, 'WSAECONNREFUSED', 'connection_refused', 'winsock'),
    ('win32', 11001, 'WSAHOST_NOT_FOUND', 'host_not_found', 'winsock'),
    ('win32', 12002, 'ERROR_INTERNET_TIMEOUT', 'connection_timeout', 'wininet'),
    ('win32', 12007, 'ERROR_INTERNET_NAME_NOT_RESOLVED', 'host_not_found', 'wininet'),
    ('win32', 12029, 'ERROR_INTERNET_CANNOT_CONNECT', 'cannot_connect', 'wininet'),
    ('ntstatus', 0xC0000022, 'STATUS_ACCESS_DENIED', 'access_denied', 'ntstatus'),
    ('ntstatus', 0xC000005E, 'STATUS_NO_LOGON_SERVERS', 'no_logon_servers', 'ntstatus'),
    ('ntstatus', 0xC0000064, 'STATUS_NO_SUCH_USER', 'no_such_user', 'event_4625'),
    ('ntstatus', 0xC000006A, 'STATUS_WRONG_PASSWORD', 'bad_credentials', 'event_4625'),
    ('ntstatus', 0xC000006D, 'STATUS_LOGON_FAILURE', 'bad_credentials', 'event_4625'),
    ('ntstatus', 0xC000006E, 'STATUS_ACCOUNT_RESTRICTION', 'account_restriction', 'event_4625'),
    ('ntstatus', 0xC0000071, 'STATUS_PASSWORD_EXPIRED', 'password_expired', 'event_4625'),
    ('ntstatus', 0xC0000072, 'STATUS_ACCOUNT_DISABLED', 'account_disabled', 'event_4625'),
    ('ntstatus', 0xC000015B, 'STATUS_LOGON_TYPE_NOT_GRANTED', 'logon_type_not_granted', 'event_4625'),
    ('ntstatus', 0xC000018A, 'STATUS_NO_TRUST_LSA_SECRET', 'domain_trust_failed', 'ntstatus'),
    ('ntstatus', 0xC000018B, 'STATUS_NO_TRUST_SAM_ACCOUNT', 'domain_trust_failed', 'ntstatus'),
    ('ntstatus', 0xC000018C, 'STATUS_TRUSTED_DOMAIN_FAILURE', 'domain_trust_failed', 'event_4625'),
    ('ntstatus', 0xC000018D, 'STATUS_TRUSTED_RELATIONSHIP_FAILURE', 'domain_trust_failed', 'ntstatus'),
    ('ntstatus', 0xC0000193, 'STATUS_ACCOUNT_EXPIRED', 'account_expired', 'event_4625'),
    ('ntstatus', 0xC0000224, 'STATUS_PASSWORD_MUST_CHANGE', 'password_must_change', 'event_4625'),
    ('ntstatus', 0xC0000234, 'STATUS_ACCOUNT_LOCKED_OUT', 'account_locked', 'event_4625'),
    # (0x80072030 is HRESULT_FROM_WIN32(8240): found through the win32 row)
    ('hresult', 0x80090016, 'NTE_BAD_KEYSET', 'keyset_missing', 'com_security'),
    ('hresult', 0x80090326, 'SEC_E_ILLEGAL_MESSAGE', 'tls_illegal_message', 'sspi'),
    ('hresult', 0x80090331, 'SEC_E_ALGORITHM_MISMATCH', 'tls_no_common_algorithm', 'sspi'),
    ('hresult', 0x80090341, 'SEC_E_ETYPE_NOT_SUPP', 'kerberos_etype', 'sspi'),
    ('hresult', 0x800B0109, 'CERT_E_UNTRUSTEDROOT', 'certificate_untrusted', 'com_security'),
    ('hresult', 0x80131040, 'FUSION_E_REF_DEF_MISMATCH', 'assembly_mismatch', 'fusion'),
    # Kerberos result codes (as 4768/4771 and Kerberos libraries print them)
    ('kerberos', 6, 'KDC_ERR_C_PRINCIPAL_UNKNOWN', 'no_such_user', 'event_4771'),
    ('kerberos', 14, 'KDC_ERR_ETYPE_NOSUPP', 'kerberos_etype', 'event_4771'),
    ('kerberos', 18, 'KDC_ERR_CLIENT_REVOKED', 'credentials_revoked', 'event_4771'),
    ('kerberos', 23, 'KDC_ERR_KEY_EXPIRED', 'password_expired', 'event_4771'),
    ('kerberos', 24, 'KDC_ERR_PREAUTH_FAILED', 'bad_credentials', 'event_4771'),
    ('ldap', 32, 'LDAP_NO_SUCH_OBJECT', 'no_such_object', 'ldap'),
    ('ldap', 49, 'LDAP_INVALID_CREDENTIALS', 'ldap_invalid_credentials', 'ldap'),
    ('ldap', 50, 'LDAP_INSUFFICIENT_RIGHTS', 'ldap_insufficient_access', 'ldap'),
    ('ldap', 81, 'LDAP_SERVER_DOWN', 'ldap_server_down', 'ldap'),
    ('msi', 1920, 'Windows Installer error 1920', 'msi_service_start', 'msi_messages'),
    ('msi', 1923, 'Windows Installer error 1923', 'msi_service_install', 'msi_messages'),
    ('msi', 1500, 'Windows Installer error 1500', 'msi_busy', 'msi_messages'),
    # %%nnnn inserts of Security 4625's Failure Reason (msobjs.dll)
    ('logon_insert', 2305, '%%2305', 'account_expired', 'event_4625'),
    ('logon_insert', 2307, '%%2307', 'account_locked', 'event_4625'),
    ('logon_insert', 2308, '%%2308', 'logon_type_not_granted', 'event_4625'),
    ('logon_insert', 2309, '%%2309', 'password_expired', 'event_4625'),
    ('logon_insert', 2310, '%%2310', 'account_disabled', 'event_4625'),
    ('logon_insert', 2311, '%%2311', 'account_restriction', 'event_4625'),
    ('logon_insert', 2313, '%%2313', 'bad_credentials', 'event_4625'),
]

# AADSTS codes (Microsoft Entra sign-in errors)
AADSTS = {
    50053: 'tenant_account_locked', 50055: 'tenant_password_expired', 50057: 'tenant_account_disabled',
    50072: 'mfa_required', 50074: 'mfa_required', 50076: 'mfa_required', 50079: 'mfa_required',
    50105: 'not_assigned_role', 50126: 'tenant_bad_password', 50158: 'mfa_required',
    53000: 'conditional_access_blocked', 53001: 'conditional_access_blocked',
    53003: 'conditional_access_blocked',
    65001: 'consent_required', 90002: 'tenant_not_found', 90072: 'guest_not_allowed',
    700016: 'app_not_found',
}

# .NET / MSAL / PowerShell exception type names (short names, lowercase) -> meaning.
# An interaction-required exception means MFA or Conditional Access whatever its message says.
EXCEPTIONS = {
    'msaluirequiredexception': ('mfa_required', 'msal'),
    'msalinteractionrequiredexception': ('mfa_required', 'msal'),
    'adalclaimchallengeexception': ('mfa_required', 'msal'),
    'interactionrequiredautherror': ('mfa_required', 'msal'),
    'pssecurityexception': ('script_blocked', 'powershell'),
    'endpointnotfoundexception': ('relay_endpoint_unreachable', 'wcf_endpoint'),
    'relayexception': ('relay_endpoint_unreachable', 'servicebus'),
    'websocketexception': ('websocket_failed', 'servicebus'),
    'socketexception': ('cannot_connect', 'net_exceptions'),
    'authenticationexception': ('tls_auth_failed', 'net_exceptions'),
    'httprequestexception': ('http_request_failed', 'net_exceptions'),
    'webexception': ('http_request_failed', 'net_exceptions'),
    'unauthorizedaccessexception': ('access_denied', 'net_exceptions'),
    'adserverdownexception': ('ad_web_services_down', 'net_exceptions'),
    'fileloadexception': ('assembly_mismatch', 'fusion'),
}

# Meanings that only say a request failed, not why: an exception type name such as WebException
# or HttpRequestException wraps TLS, proxy, DNS and server errors alike. A root cause decided
# by these alone is ranked below one decided by a specific error (see _diagnosis._judge).
GENERIC_MEANINGS = frozenset(['http_request_failed', 'tls_auth_failed', 'websocket_failed', 'service_logon_failed'])

_BY_KEY = {(kind, code): (symbol, meaning, source) for kind, code, symbol, meaning, source in CODES}
# the same rows by symbolic name: ERROR_ACCOUNT_DISABLED, STATUS_LOGON_TYPE_NOT_GRANTED, KDC_ERR_ETYPE_NOSUPP ...
_BY_SYMBOL = {symbol.lower(): (kind, code) for kind, code, symbol, meaning, source in CODES
              if re.match(r'^[A-Z][A-Z0-9_]+$', symbol)}
_BY_SYMBOL['kdc_err_etype_notsupp'] = ('kerberos', 14)     # the spelling some tools print

# Literals one of which every line holding a code contains (lowercase): the engine skips
# other lines without running the regex.
# Chosen so the engine's finder needs few extra passes (see the benchmark): %%nnnn inserts come
# after "error:" or "Failure Reason:", Kerberos names with "etype_no", WSAE names with "Exception".
ANCHORS = ['0x', 'error ', 'error:', 'error=', 'code ', 'code:', 'code=', 'status', 'aadsts', 'exception',
           'autherror', 'ldaperr', 'hresult', 'startservice failed', 'error_', 'status_', 'failure reason:',
           'etype_no', 'kdc_err_', ' with 1', ' with 2']

# One pass finds every notation. ERE-compatible where grep needs it (the benchmark).
PATTERN = (r'(0x[0-9a-f]{8})|%%([0-9]{3,5})|aadsts([0-9]{5,6})'
           r'|\b(error|code|err|win32|exit code|return code|result|startservice failed)[^0-9a-z]{0,3}([0-9]{1,5})\b'
           r'|([a-z]+(exception|autherror))\b|ldaperr|ldap error'
           r'|\b((error|status|kdc_err|nte|sec_e|cert_e)_[a-z0-9_]+|wsae[a-z]+)\b'
           # a bare number after "failed with": "fail with 1603", "failed with error 1069"
           r'|\bfail(ed|s|ure)? with (error |exit code |code |status )?([0-9]{4,5})\b')
_RX = re.compile(PATTERN, re.I)
# "LdapErr: DSID-..., comment: AcceptSecurityContext error, data 52e, v1db1 (49)": the LDAP result in
# parentheses, the Win32 code in hex after "data"
_LDAP_RESULT = re.compile(r'\(([0-9]{1,2})\)|ldap error:? ?([0-9]{1,2})\b', re.I)
_EXC_CODE = re.compile(r'\s*\(([0-9]{1,5})\)')
_LDAP_DATA = re.compile(r'\bdata ([0-9a-f]{2,4})\b', re.I)


def lookup(kind, code):
    """Row for (kind, code): {kind, code, symbol, meaning, text, signal, source} or None."""
    row = _BY_KEY.get((kind, code))
    if not row:
        return None
    symbol, meaning, source = row
    text, signal = MEANINGS[meaning]
    return {'kind': kind, 'code': code, 'symbol': symbol, 'meaning': meaning, 'text': text, 'signal': signal,
            'source': SOURCES[source]}


def _hex(value):
    """A 32-bit value in the notations it may stand for: HRESULT, NTSTATUS, or HRESULT wrapping Win32."""
    if (value & 0xFFFF0000) == 0x80070000:          # HRESULT_FROM_WIN32
        row = lookup('win32', value & 0xFFFF)
        if row:
            return dict(row, notation='0x%08X' % value)
    if (value & 0xF0000000) == 0xC0000000:
        row = lookup('ntstatus', value)
        if row:
            return dict(row, notation='0x%08X' % value)
    row = lookup('hresult', value)
    if row:
        return dict(row, notation='0x%08X' % value)
    if (value & 0xFFFF0000) == 0x80070000:
        return {'kind': 'win32', 'code': value & 0xFFFF, 'symbol': None, 'meaning': None,
                'text': 'Win32 error %d (not in the table)' % (value & 0xFFFF), 'signal': None,
                'source': SOURCES['win32_0'], 'notation': '0x%08X' % value}
    return None


def extract(text):
    """Every recognised error number, AADSTS code or exception type in ``text``.

    Returns a list of dicts (see ``lookup``) with ``notation`` (as written). Numbers
    without a row are skipped, except HRESULTs wrapping a Win32 code (kept, meaning unknown).
    """
    found, seen = [], set()
    ldap_context = 'ldap' in text.lower()
    for m in _RX.finditer(text):
        hexa, insert, aadsts, word, num, exc = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)
        failed_with = m.group(12)
        row = None
        if failed_with:
            n = int(failed_with)
            row = lookup('msi', n) or lookup('win32', n)
            if row:
                row = dict(row, notation=m.group(0).strip())
        elif hexa:
            row = _hex(int(hexa, 16))
        elif insert:
            n = int(insert)
            row = lookup('logon_insert', n) or lookup('win32', n)
            if row:
                row = dict(row, notation='%%' + insert)
        elif aadsts:
            meaning = AADSTS.get(int(aadsts))
            if meaning:
                text_, signal = MEANINGS[meaning]
                row = {'kind': 'aadsts', 'code': int(aadsts), 'symbol': 'AADSTS' + aadsts, 'meaning': meaning,
                       'text': text_, 'signal': signal, 'source': SOURCES['aadsts'], 'notation': 'AADSTS' + aadsts}
        elif num:
            n = int(num)
            w = word.lower()
            if ldap_context and n < 100:
                row = lookup('ldap', n)
            if row is None and n >= 5:
                row = lookup('msi', n) if 'error' in w else None
                row = row or lookup('win32', n)
            if row:
                row = dict(row, notation=m.group(0).strip())
        elif m.group(8):
            key = _BY_SYMBOL.get(m.group(8).lower())
            row = lookup(*key) if key else None
            if row:
                row = dict(row, notation=m.group(8))
        elif exc:
            hit = EXCEPTIONS.get(exc.lower())
            code = _EXC_CODE.match(text, m.end())   # SocketException (10060): the Win32 code beside it
            coded = lookup('win32', int(code.group(1))) if code else None
            if coded and ('win32', coded['code'], coded['symbol']) not in seen:
                seen.add(('win32', coded['code'], coded['symbol']))
                found.append(dict(coded, notation='%s (%s)' % (exc, code.group(1))))
            if hit:
                meaning, source = hit
                text_, signal = MEANINGS[meaning]
                row = {'kind': 'exception', 'code': None, 'symbol': exc, 'meaning': meaning, 'text': text_,
                       'signal': signal, 'source': SOURCES[source], 'notation': exc}
        if row:
            key = (row['kind'], row['code'], row['symbol'])
            if key not in seen:
                seen.add(key)
                found.append(row)
    if ldap_context:
        for m in _LDAP_RESULT.finditer(text):
            row = lookup('ldap', int(m.group(1) or m.group(2)))
            if row and ('ldap', row['code'], row['symbol']) not in seen:
                seen.add(('ldap', row['code'], row['symbol']))
                found.append(dict(row, notation=m.group(0)))
        for m in _LDAP_DATA.finditer(text):
            row = lookup('win32', int(m.group(1), 16))
            if row and ('win32', row['code'], row['symbol']) not in seen:
                seen.add(('win32', row['code'], row['symbol']))
                found.append(dict(row, notation=m.group(0)))
    return found
