# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Diagnosis engine: evidence in, ranked root causes out.

Two tables carry all the knowledge:

``SIGNATURES``  what a piece of evidence *says*. A row recognises a message
                (``patterns``: case-insensitive regexes written in the subset
                GNU ``grep -E`` and Python share; ``anchors``: lowercase
                literals one of which every match contains, used to skip
                lines fast) or an event (``event_ids`` + ``providers``), or a
                policy fact, and emits a *signal*.
``CAUSES``      what the signals *mean together*. A row is a root-cause id
                with ``when`` (alternative clauses; every signal spec in a
                clause must be present), ``support`` (raise confidence),
                ``contradict`` (lower it), ``unless`` (signals that explain
                the symptom better) and ``unless_causes`` (other root causes
                that take precedence). So "Unable to create gMSA because KDS
                may not be running" becomes the logon-right cause with 7041,
                the not-managed cause with 7038, the encryption cause with
                Netlogon 9001/9002, and a missing KDS root key only when
                nothing else explains it.

Signal specs are a signal name or ``(name, {attr: value, '!attr': value})``
over the attributes taken from the evidence: ``service`` (agent, updater,
sync, other) and ``account_kind`` (gmsa, virtual, builtin, user, unknown).

Three rules keep the tables honest on evidence nobody wrote for them:

* error numbers in every notation, AADSTS codes and exception types are looked up in
  ``_windows_errors.py`` (the ``windows_error_codes`` row) rather than matched by wording;
* host-wide events count only when they are about this agent: Service Control Manager and
  MsiInstaller events must name the agent, its updater, ADSync or the agent's product, a
  Security 4625 must be a service logon (type 5) or name those accounts;
* a generic message next to a specific error is named a consequence on the root cause that
  explains it (``CONSEQUENCES``, each row citing the Microsoft article), and errors no root
  cause used are returned as ``unexplained_errors``.
"""

from __future__ import annotations

import re

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._evidence import (
    EventItem, FactItem, Inputs, TextItem, bounded_limits, build_finder, iter_evidence, scan_lines)
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import (
    evidence_item, make_finding, sort_findings)
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _windows
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _windows_errors as winerr

SCM = ('service control manager',)

# ---------------------------------------------------------------- signatures
# id, signal, anchors, patterns (ERE-compatible), optional: unless (Python regex),
# event_ids/providers (structured events), description.
SIGNATURES = [
    {'id': 'kds_may_not_be_running', 'signal': 'gmsa_create_failed_kds', 'anchors': ['kds'],
     'patterns': [r'unable to (create|configure|set up) (the |a )?(gmsa|group managed service account)[^.]{0,160}kds',
                  r'kds (service )?(may|might|is|was|does) not (be )?running',
                  r'please (create|run|start)(/| or | and )?(create|run|start)? kds']},
    {'id': 'gmsa_credential_change_failed', 'signal': 'gmsa_credential_change_failed', 'anchors': ['credential'],
     'patterns': [r'fail(ed|ure)? (while |when )?(chang|switch|sett|updat)(ing|e) (the )?(windows )?service credentials? '
                  r'(to|for) (the )?(gmsa|group managed)']},
    {'id': 'scm_7041_text', 'signal': 'logon_type_not_granted', 'anchors': ['logon type', 'user right'],
     'patterns': [r'(has not been|was not|not been|is not) granted the requested logon type',
                  r'does not have the required user right .{0,3}log ?on as a service']},
    # the right named beside the start failure it causes (StartService: 1069 is a missing right)
    {'id': 'logon_right_named_with_failure', 'signal': 'logon_type_not_granted', 'anchors': ['as a service'],
     'patterns': [r'log ?on as a service.{0,160}(1069|logon failure|fails? to start|failed to start|(did|does) not start)',
                  r'(1069|logon failure|fails? to start|failed to start|(did|does) not start).{0,160}'
                  r'(lacks?|without|missing|not have|grant|assign|add(ed)? to) .{0,40}log ?on as a service'],
     'unless': r'deny log ?on as a service'},
    {'id': 'scm_7041', 'signal': 'logon_type_not_granted', 'event_ids': [7041], 'providers': SCM},
    {'id': 'scm_7038_text', 'signal': 'service_logon_failed', 'anchors': ['currently configured password', '7038'],
     'patterns': [r'unable to log ?on as .{1,200} with the currently configured password',
                  # the event named in prose ("an error with Event ID 7038"), as Microsoft's article writes it
                  r'event ?(id)?[ :#]{0,3}7038\b'],
     'unless': r'requested logon type|required user right'},
    {'id': 'scm_7038', 'signal': 'service_logon_failed', 'event_ids': [7038], 'providers': SCM,
     'unless': r'requested logon type|required user right'},
    {'id': 'logon_failure_1069', 'signal': 'service_logon_failure_1069',
     'anchors': ['logon failure', 'log on failure', '1069', 'login', 'to logon', 'of logon'],
     'patterns': [r'(did not|failed to|could not|cannot|can.t) (be )?start(ed)? (due to|because of) (a |an )?'
                  r'(error in the )?log ?(on|in)( failure| error)?', r'error:? 1069\b']},
    # where the SCM text names the service: "Windows could not start the X service", 7000/7023 texts
    {'id': 'scm_service_context', 'signal': 'service_context',
     'anchors': ['could not start the', 'service control manager', 'terminated with the following error',
                 'failed to start due to the following error'],
     'patterns': [r'windows could not start the .{1,160} service', r'service control manager',
                  r'service terminated with the following error', r'failed to start due to the following error']},
    {'id': 'scm_7000', 'signal': 'service_start_failed', 'event_ids': [7000], 'providers': SCM},
    {'id': 'scm_7009', 'signal': 'service_start_timeout', 'event_ids': [7009], 'providers': SCM},
    {'id': 'scm_7034', 'signal': 'service_terminated', 'event_ids': [7034], 'providers': SCM},
    {'id': 'service_terminated_text', 'signal': 'service_terminated', 'anchors': ['terminated unexpectedly'],
     'patterns': [r'service terminated unexpectedly']},
    {'id': 'account_disabled', 'signal': 'account_disabled',
     'anchors': ['account is', 'account has been', 'account was', 'account_disabled'],
     'patterns': [r'account (is|has been|was) (currently )?disabled', r'error_account_disabled']},
    {'id': 'account_expired', 'signal': 'account_expired', 'anchors': ['account expired', 'account has expired',
                                                                       'account is expired', 'account_expired'],
     'patterns': [r'account (has |is )?expired', r'error_account_expired']},
    {'id': 'password_expired', 'signal': 'password_expired', 'anchors': ['expired', 'must be changed', 'must change'],
     'patterns': [r'password (has |is )?expired', r'error_password_expired',
                  r"password must be changed", r'must change (the |their |your |its )?password']},
    {'id': 'account_locked_out', 'signal': 'account_locked_out', 'anchors': ['locked out', 'locked_out'],
     'patterns': [r'account (is |has been |was )?(currently )?locked out', r'error_account_locked_out']},
    {'id': 'wrong_password', 'signal': 'wrong_password', 'anchors': ['password is incorrect', 'bad password', 'logon_failure'],
     'patterns': [r'user ?name or password is incorrect', r'unknown user ?name or bad password', r'error_logon_failure']},
    {'id': 'sync_connector_credentials_invalid', 'signal': 'connector_credentials_invalid',
     'anchors': ['no-start-credentials', 'credentials were invalid'],
     'patterns': [r'no-start-credentials', r'management agent .{1,80} failed to run because the credentials were invalid']},
    # Windows' pending-reboot refusals in words (the codes 350 / 3017 are in _windows_errors)
    {'id': 'reboot_pending_text', 'signal': 'reboot_pending',
     'anchors': ['system reboot is required', 'noaction_reboot'],
     'patterns': [r'no action was taken (as|because) a system reboot is required',
                  r'failed\. a system reboot is required to roll back', r'error_fail_noaction_reboot']},
    # a reboot already pending, named as what stops the run (setup and update scripts that refuse to
    # go on until it is done); a restart *required after* an install (3010 is success) or a log that
    # only mentions a pending restart is not this
    {'id': 'reboot_pending_named', 'signal': 'reboot_pending',
     'anchors': ['pending'],
     'patterns': [r'(error|fail|cannot|can.t|unable|refus|abort|block|not (be )?(run|install|continue|proceed)).{0,80}'
                  r'(pending (for )?(a |the )?(system )?(reboot|restart)|(reboot|restart) (is |was )?(still )?pending)',
                  r'(pending (for )?(a |the )?(system )?(reboot|restart)|(reboot|restart) (is |was )?(still )?pending).{0,80}'
                  r'(error|fail|cannot|can.t|unable|refus|abort|block|first|before)'],
     'unless': r'\b(no|not|without) (a |any )?((reboot|restart) )?pending|pending (reboot|restart)\W{0,3}(false|no|none|0)\b'},
    # Windows Installer's own flag in a verbose log: a cause only beside the install's failure
    {'id': 'msi_reboot_pending_property', 'signal': 'reboot_pending_property', 'anchors': ['msisystemrebootpending'],
     'patterns': [r'msisystemrebootpending ?(=|is|:) ?1']},
    {'id': 'service_start_privileges', 'signal': 'agent_service_start_failed_privileges', 'anchors': ['sufficient privileges'],
     'patterns': [r'service .{0,200}(failed to start|could not be installed|could not be started).{0,200}sufficient privileges',
                  # Windows Installer message 1920, whatever precedes it
                  r'verify that you have sufficient privileges to start system services']},
    {'id': 'netlogon_9001_9002', 'signal': 'netlogon_encryption_mismatch', 'event_ids': [9001, 9002],
     'providers': ('netlogon',)},
    {'id': 'encryption_types_text', 'signal': 'encryption_text', 'anchors': ['encryption type', 'etype_no'],
     'patterns': [r'(does not|doesn.t) support any of the (kerberos )?encryption types',
                  r'encryption types? (do|does) not match', r'encryption types? mismatch',
                  r'no (common|matching) (kerberos )?encryption type',
                  r'kdc has no support for encryption type', r'kdc_err_etype_no(t)?supp',
                  r'encryption type .{0,40}(is |are )?not (supported|enabled|permitted)']},
    {'id': 'context_did_not_match_target', 'signal': 'context_mismatch', 'anchors': ['match the target'],
     'patterns': [r'context did not match the target']},
    {'id': 'install_service_account_retries', 'signal': 'install_sa_retries', 'anchors': ['service account'],
     'patterns': [r'unable to install (the )?service account .{0,80}after [0-9]+ (re)?tries',
                  r'unable to install (the )?service account pgmsa_']},
    {'id': 'no_such_object', 'signal': 'no_such_object', 'anchors': ['no such object', '0x80072030'],
     'patterns': [r'there is no such object on the server', r'0x80072030']},
    {'id': 'msa_container_missing_text', 'signal': 'no_such_object', 'anchors': ['managed service accounts'],
     'patterns': [r'managed service accounts.{0,60}(container )?(not found|missing|does not exist|is missing)']},
    {'id': 'install_adserviceaccount_access_denied', 'signal': 'gmsa_retrieval_denied',
     'anchors': ['serviceaccount', 'service account'],
     'patterns': [r'install-?adserviceaccount.{0,300}access (is )?denied',
                  r'cannot install service account.{0,300}access (is )?denied']},
    {'id': 'gmsa_password_not_permitted', 'signal': 'gmsa_retrieval_denied',
     'anchors': ['retrieve', 'permission to use the group msa'],
     'patterns': [r'(not|isn.t) (allowed|permitted|authorized) to retrieve (the )?(managed )?password',
                  r'does not have permission to use the group msa']},
    {'id': 'network_failure', 'signal': 'network_failure',
     'anchors': ['gateway', 'timed out', 'time-out', 'request timeout', 'registration timeout', 'connection timeout',
                 'operation timeout', 'remote server', 'could not be resolved', 'trust relationship', 'remote certificate',
                 'certificate chain', 'certificate validation', 'certificate revocation', 'actively refused',
                 'forcibly closed', 'proxy authentication', 'proxy_auth', 'proxyauth', '407'],
     'patterns': [r'gateway time-?out', r'\b504\b.{0,20}gateway',
                  r'(operation|request|registration|connection attempt|onboarding|sign-?in|connect(ion)?) (has |was |is )?timed out',
                  r'(request|registration|connection|operation) time-?out',
                  r'unable to connect to the remote server', r'remote name could not be resolved',
                  r'could not establish trust relationship for the ssl/tls',
                  r'remote certificate is invalid',
                  r'certificate (chain|validation|revocation).{0,60}(fail|error|invalid|could not)',
                  r'target machine actively refused', r'existing connection was forcibly closed',
                  r'proxy[ _]?auth(entication)?[ _]?required', r'status ?code[=: ]{1,3}407\b', r'\b407\b.{0,40}proxy'],
     'unless': r'timeout was reached .{0,40}waiting for the'},
    {'id': 'tls_channel_failure', 'signal': 'tls_channel_failure',
     'anchors': ['secure channel', 'tls 1.2', 'common algorithm', 'underlying connection was closed'],
     'patterns': [r'(could not|unable to|cannot|failed to) create (an? )?ssl/tls secure channel',
                  r'tls 1\.2 (is )?(not enabled|disabled)',
                  r'tls 1\.2 (needs to|need to|needed to|must|has to) be (enabled|installed)',
                  r'tls 1\.2 is (now )?(necessary|required)',
                  r'do not possess a common algorithm',
                  # .NET's wording when the server refuses the handshake of an old protocol (TLS 1.0/1.1)
                  r'underlying connection was closed: an unexpected error occurred on a (send|receive)']},
    {'id': 'execution_policy_security_error', 'signal': 'security_error',
     'anchors': ['pssecurity', 'securityerror', 'running scripts', 'execution of scripts', 'execution polic',
                 'executionpolic',
                 'security warning', 'digitally signed'],
     'patterns': [r'pssecurityexception', r'securityerror', r'(running|execution of) scripts is disabled',
                  r'execution ?polic(y|ies).{0,80}(prevent|block|not allow|disallow|error|fail)',
                  r'security warning.{0,80}run only scripts that you trust', r'is not digitally signed']},
    {'id': 'mfa_required', 'signal': 'mfa_required',
     'anchors': ['msaluirequired', 'aadsts5007', 'aadsts50158', 'multi-factor', 'multifactor', 'interaction_required',
                 'strong auth', 'conditional access', 'userinteractive'],
     'patterns': [r'msaluirequiredexception', r'aadsts5007[469]', r'aadsts50158',
                  r'(must|need to|required to|have to) (use|enroll in|complete|perform|register for) multi-?factor',
                  r'multi-?factor authentication.{0,40}(is )?(required|needed|must)',
                  r'interaction_required', r'strong ?authentication (is )?required',
                  r'blocked by conditional access',
                  # a sign-in that needs a prompt, attempted from a service or scheduled task
                  r'not running in userinteractive mode',
                  r'running in userinteractive mode is not a valid operation']},
    {'id': 'credential_manager_error', 'signal': 'vault_error', 'anchors': ['credential manager', 'vaultsvc', 'vault'],
     'patterns': [r'(credential manager|vaultsvc|credential vault).{0,100}(disabled|not running|could not be started|cannot be started|failed|error)',
                  r'(cannot|unable to|failed to|could not) (access|open|start|use).{0,40}(credential manager|vault)',
                  r'vault.{0,40}(exception|error 0x)']},
    {'id': 'msi_fatal_error', 'signal': 'msi_fatal',
     'anchors': ['0x80070643', '1603', 'fatal error during installation', 'installation failed'],
     'patterns': [r'0x80070643', r'(error|exit code|return code|exitcode)[ :=]*1603\b',
                  r'fatal error during installation', r'installation (operation )?failed']},
    {'id': 'msi_install_failed_event', 'signal': 'msi_fatal', 'event_ids': [11708], 'providers': ('msiinstaller',)},
    {'id': 'msi_another_install', 'signal': 'msi_1618', 'anchors': ['0x80070652', '1618', 'another installation'],
     'patterns': [r'0x80070652', r'(error|exit code|return code|exitcode)[ :=]*1618\b',
                  r'another (msi )?installation is (already )?in progress']},
    # the verbose log's line when the _MSIExecute mutex is held by another install
    {'id': 'msi_execution_mutex', 'signal': 'msi_1618', 'anchors': ['execution mutex'],
     'patterns': [r'failed to grab execution mutex']},
    {'id': 'stale_installation', 'signal': 'stale_install',
     'anchors': ['another version', '0x80070666', '1638', 'already exists', 'marked for deletion', 'stuck'],
     'patterns': [r'another version of this product is already installed', r'0x80070666',
                  r'(error|exit code)[ :=]*1638\b', r'specified service already exists',
                  r'marked for deletion', r'stuck (in |at )?(the )?.?start(ing|_pending)']},
    {'id': 'service_start_hang', 'signal': 'service_start_timeout', 'anchors': ['timely fashion', 'timeout was reached'],
     'patterns': [r'did not respond to the start or control request in a timely fashion',
                  r'timeout was reached .{0,40}waiting for the .{0,160}service to connect']},
    {'id': 'protected_users', 'signal': 'protected_users',
     'anchors': ['protected user'],
     'patterns': [r'(member of|added to|in|into) (the |a )?.?protected users?.? (security )?group',
                  r'member of (the )?(group )?.?protected users',
                  r'protected users? (security )?group.{0,80}(block|prevent|not supported|cannot|not able|unable)'],
     'unless': r'not (a )?member of (the )?protected users'},
    {'id': 'account_restriction_text', 'signal': 'account_restriction', 'anchors': ['account restriction'],
     'patterns': [r'user account restriction', r'account restrictions? (is |are )?prevent']},
    {'id': 'newtonsoft_assembly', 'signal': 'newtonsoft_load', 'anchors': ['newtonsoft'],
     'patterns': [r'could not load (file or )?assembly .{0,3}newtonsoft\.json']},
    {'id': 'assembly_load_failure', 'signal': 'assembly_load', 'anchors': ['could not load file or assembly'],
     'patterns': [r'could not load file or assembly.{0,300}(version|manifest definition does not match)']},
    {'id': 'tenant_role_missing', 'signal': 'tenant_role',
     'anchors': ['hybrid identity administrator', 'global administrator', 'insufficient privileges', 'authorization_requestdenied',
                 'guest', 'aadsts50105', 'aadsts90072'],
     'patterns': [r'(does not|doesn.t|do not) have.{0,60}(hybrid identity administrator|global administrator)',
                  r'(requires|required) (the )?(hybrid identity administrator|global administrator) role.{0,40}(not|missing)',
                  r'insufficient privileges to complete the operation', r'authorization_requestdenied',
                  r'guest (user|account)s? (is |are )?(not (allowed|supported|permitted)|cannot)',
                  r'aadsts50105', r'aadsts90072']},
    {'id': 'dotnet_required', 'signal': 'dotnet_old', 'anchors': ['.net framework'],
     'patterns': [r'(requires|require|needs|install).{0,30}\.net framework (version )?4\.(7\.[1-9]|[89])',
                  r'\.net framework 4\.7\.1 (or later |or higher )?(is )?(required|not installed|missing)']},
    {'id': 'unsupported_os_text', 'signal': 'unsupported_os',
     'anchors': ['supported on', 'server core', 'requires windows server'],
     'patterns': [r'(product|application|agent|setup) (is only|is not|isn.t|only) supported on',
                  r'not supported on (this|the) (operating system|version of windows)',
                  r'server core (installation )?(is )?not supported', r'requires windows server']},
    {'id': 'kds_root_key_absent', 'signal': 'kds_root_key_absent', 'anchors': ['root key', 'kds ', 'kdsrootkey'],
     'patterns': [r'(no|cannot find|could not find|missing|not find) (a |the |any )?(kds |kdc )?root key',
                  r'(did not|didn.t|do not|don.t|does not|doesn.t) have (a |the |any )?kds ?root ?key',
                  r'root key (does not exist|not found|is missing|was not found)',
                  r'(kds|kds root key|root key) (was not|wasn.t|has not been|hasn.t been|is not|isn.t) (yet )?(generated|created)']},
    {'id': 'keyset_missing', 'signal': 'kds_key_error', 'anchors': ['0x80090016'], 'patterns': [r'0x80090016']},
    {'id': 'kds_4004', 'signal': 'kds_key_ok', 'event_ids': [4004], 'providers': ('microsoft-windows-kds', 'kds')},
    # STATUS_ACCESS_DENIED as NTSTATUS renders it; about the gMSA only with an install/use of it in the line
    {'id': 'ntstatus_access_denied_text', 'signal': 'access_denied', 'anchors': ['{access denied}'],
     'patterns': [r'\{access denied\}']},
    {'id': 'domain_trust_text', 'signal': 'domain_trust_failed', 'anchors': ['trust relationship'],
     # the documented messages of 1789 / 1788 up to their first words, so a console that wraps the
     # line ("... and the primary" / "domain failed.") still matches
     'patterns': [r'trust relationship between (this workstation|the primary domain) and the (primary|trusted)( domain failed|$)']},
    # The code backbone: every notation of a Windows error number, AADSTS code and exception
    # type (plugin_utils/_windows_errors.py); each hit is looked up, not matched by wording.
    {'id': 'windows_error_codes', 'signal': None, 'extract': True, 'anchors': winerr.ANCHORS,
     'patterns': [winerr.PATTERN]},
    # A Security 4625 copied as text spans many lines: collect them, judge the block once.
    {'id': 'security_4625_text', 'signal': None, 'block': True,
     'anchors': ['an account failed to log on', 'logon type:', 'account name:', 'failure reason:', 'process name:',
                 'account for which logon failed'],
     'patterns': [r'an account failed to log on|logon type:|account name:|failure reason:|process name:'
                  r'|account for which logon failed']},
]

# Where each text signature's wording comes from: a Microsoft document, or two independent
# sources. Rows are ids of SIGNATURES; the corpus fixtures hold more occurrences.
_SUPPORT_ARTICLE = ('https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/'
                    'hybrid-sync-agent-installation-issues')
_TROUBLESHOOT = 'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-troubleshoot'
# Entra Connect services don't start: 7038 / 7041 / 1069 and what each means for the service account
_SCM_EVENTS = 'https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/entra-connect-services-not-start'
_LOGON_AS_SERVICE = ('https://github.com/MicrosoftDocs/windows-itpro-docs/blob/master/windows/security/threat-protection/'
                     'security-policy-settings/log-on-as-a-service.md')
_PROTECTED_USERS = ('https://learn.microsoft.com/windows-server/security/credentials-protection-and-management/'
                    'protected-users-security-group')
SIGNATURE_SOURCES = {
    'kds_may_not_be_running': [_SUPPORT_ARTICLE],
    'gmsa_credential_change_failed': ['https://github.com/MicrosoftDocs/azure-docs/issues/79078', _SUPPORT_ARTICLE],
    'scm_7041_text': [winerr.SOURCES['win32_1300'], winerr.SOURCES['event_4625']],
    'scm_7041': [_SCM_EVENTS, _SUPPORT_ARTICLE],
    'scm_7038_text': [_SCM_EVENTS],
    'scm_7038': [_SCM_EVENTS],
    'logon_failure_1069': [winerr.SOURCES['win32_1000'], winerr.SOURCES['start_service']],
    'logon_right_named_with_failure': [winerr.SOURCES['start_service'], _LOGON_AS_SERVICE],
    'scm_service_context': [_SCM_EVENTS, winerr.SOURCES['start_service']],
    'account_restriction_text': [winerr.SOURCES['event_4625'], _PROTECTED_USERS],
    'scm_7000': [_SCM_EVENTS],
    'scm_7009': [winerr.SOURCES['win32_1000']],
    'scm_7034': [_TROUBLESHOOT],
    'service_terminated_text': [_TROUBLESHOOT],
    'account_disabled': [winerr.SOURCES['win32_1300']],
    'account_expired': [winerr.SOURCES['win32_1700']],
    'password_expired': [winerr.SOURCES['win32_1300'], winerr.SOURCES['win32_1700']],
    'account_locked_out': [winerr.SOURCES['win32_1700']],
    'wrong_password': [winerr.SOURCES['win32_1300']],
    'service_start_privileges': [winerr.SOURCES['msi_messages'], _SUPPORT_ARTICLE],
    'sync_connector_credentials_invalid': ['https://learn.microsoft.com/entra/identity/hybrid/connect/'
                                           'how-to-connect-sync-change-addsacct-pass'],
    'reboot_pending_text': [winerr.SOURCES['win32_0'], winerr.SOURCES['win32_1700']],
    'reboot_pending_named': ['https://learn.microsoft.com/windows/win32/msi/msisystemrebootpending',
                             'https://github.com/wazuh/wazuh/issues/38182',
                             'https://github.com/zoicware/RemoveWindowsAI/issues/239'],
    'msi_reboot_pending_property': ['https://learn.microsoft.com/windows/win32/msi/msisystemrebootpending'],
    'netlogon_9001_9002': [_SUPPORT_ARTICLE],
    'encryption_types_text': [_SUPPORT_ARTICLE, winerr.SOURCES['event_4771']],
    'context_did_not_match_target': ['https://techcommunity.microsoft.com/t5/premier-field-engineering/'
                                     'the-rc4-removal-files-part-1-what-s-in-an-error-message/ba-p/1029309',
                                     'https://github.com/MicrosoftDocs/entra-docs/issues/639'],
    'install_service_account_retries': ['https://github.com/MicrosoftDocs/entra-docs/issues/639', _SUPPORT_ARTICLE],
    'no_such_object': [_SUPPORT_ARTICLE, winerr.SOURCES['ldap']],
    'msa_container_missing_text': [_SUPPORT_ARTICLE],
    'install_adserviceaccount_access_denied': ['https://learn.microsoft.com/powershell/module/activedirectory/'
                                               'install-adserviceaccount', winerr.SOURCES['ntstatus']],
    'gmsa_password_not_permitted': ['https://learn.microsoft.com/powershell/module/activedirectory/'
                                    'test-adserviceaccount'],
    # 407 as RFC 9110 names it and as .NET's HttpStatusCode.ProxyAuthenticationRequired renders it
    'network_failure': [_TROUBLESHOOT, winerr.SOURCES['winsock'], 'https://www.rfc-editor.org/rfc/rfc9110#status.407',
                        'https://learn.microsoft.com/dotnet/api/system.net.httpstatuscode'],
    # "underlying connection was closed ... on a send/receive": two vendors' .NET TLS 1.2 notes
    'tls_channel_failure': ['https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-tls-enforcement',
                            winerr.SOURCES['sspi'],
                            'https://docs.telerik.com/reporting/knowledge-base/web-service-data-source-failing-to-connect-with-tls1.2',
                            'https://razorpay.com/docs/payments/server-integration/dot-net/troubleshooting-faqs/'],
    # "the execution of scripts is disabled": the PowerShell 1.0/2.0 wording of the same refusal
    'execution_policy_security_error': [winerr.SOURCES['powershell'],
                                        'https://sourcedaddy.com/windows-7/powershell-execution-policy.html',
                                        'http://scriptlore.com/powershell/execution-policy/'],
    'mfa_required': [winerr.SOURCES['aadsts'], winerr.SOURCES['msal'],
                     'https://learn.microsoft.com/dotnet/api/system.environment.userinteractive'],
    'credential_manager_error': [_SUPPORT_ARTICLE],
    'msi_fatal_error': [winerr.SOURCES['msi_exit']],
    'msi_install_failed_event': [winerr.SOURCES['msi_exit']],
    'msi_another_install': [winerr.SOURCES['msi_exit']],
    'msi_execution_mutex': ['https://learn.microsoft.com/windows/win32/msi/-msiexecute-mutex',
                            'https://github.com/owasp-modsecurity/ModSecurity/issues/1894',
                            'https://github.com/wixtoolset/issues/issues/5191'],
    'stale_installation': [_SUPPORT_ARTICLE, winerr.SOURCES['win32_1000']],
    'service_start_hang': [winerr.SOURCES['win32_1000']],
    'protected_users': [_SUPPORT_ARTICLE, _PROTECTED_USERS,
                        'https://www.ultimatewindowssecurity.com/securitylog/encyclopedia/event.aspx?eventid=4822',
                        'https://detection-wiki-dev.pages.dev/microsoft-windows-security-auditing/4822'],
    'newtonsoft_assembly': ['https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/reference-version-history',
                            'https://github.com/MicrosoftDocs/azure-docs/issues/104689'],
    'assembly_load_failure': [winerr.SOURCES['fusion']],
    'tenant_role_missing': [winerr.SOURCES['aadsts'],
                            'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-prerequisites'],
    'dotnet_required': ['https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-prerequisites'],
    'unsupported_os_text': ['https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-prerequisites'],
    'kds_root_key_absent': ['https://learn.microsoft.com/windows-server/security/group-managed-service-accounts/'
                            'create-the-key-distribution-services-kds-root-key'],
    'keyset_missing': [winerr.SOURCES['com_security']],
    'kds_4004': ['https://learn.microsoft.com/windows-server/security/group-managed-service-accounts/'
                 'create-the-key-distribution-services-kds-root-key'],
    'domain_trust_text': [winerr.SOURCES['trust'], winerr.SOURCES['win32_1700']],
    'ntstatus_access_denied_text': [winerr.SOURCES['ntstatus']],
    'windows_error_codes': list(dict.fromkeys(winerr.SOURCES.values())),
    'security_4625_text': [winerr.SOURCES['event_4625']],
}

# --------------------------------------------------------------------- causes
_NOT_SYNC = {'!service': 'sync'}
# A clause is a list of signal specs, or {'all': [...], 'unless': [...]} when the clause holds only
# if no more specific signal says otherwise (a bare 1069 means the logon right, StartService says,
# unless a 7038 or a logon status beside it names the password or the account state).
_LOGON_REASONS = ['service_logon_failed', 'wrong_password', 'account_disabled', 'account_expired', 'password_expired',
                  'account_locked_out', 'logon_type_not_granted', 'deny_service_logon_policy',
                  'gpo_service_right_without_all_services', 'managed_account_false', 'protected_users',
                  'agent_service_start_failed_privileges']
CAUSES = [
    {'id': 'service_logon_right_removed_by_gpo', 'base': 0.75,
     'when': [['gpo_service_right_without_all_services']],
     'support': ['logon_type_not_granted', 'agent_service_start_failed_privileges', 'msi_fatal']},
    {'id': 'service_logon_right_missing_all_services', 'base': 0.7,
     'when': [['agent_service_start_failed_privileges'], ['local_service_right_without_all_services'],
              [('logon_type_not_granted', {'account_kind': 'virtual'})],
              [('logon_type_not_granted', {'account_kind': 'unknown', '!service': 'sync'}), 'msi_fatal'],
              # another service's account (user, built-in, unnamed) refused the service logon type;
              # for the agent and its updater the clauses above decide between this and the gMSA's right
              [('logon_type_not_granted', {'!account_kind': 'gmsa', 'service': 'other'})],
              {'all': [('service_logon_failure_1069', {'!account_kind': 'gmsa', 'service': 'other'})],
               'unless': _LOGON_REASONS},
              {'all': [('service_logon_failure_1069', {'account_kind': 'virtual'})], 'unless': _LOGON_REASONS}],
     'support': ['msi_fatal', 'service_logon_failure_1069', 'logon_type_not_granted', 'local_service_right_without_all_services'],
     # a GPO that defines the right is the cause to fix; the local symptom follows from it
     'unless_causes': ['service_logon_right_removed_by_gpo']},
    {'id': 'deny_logon_as_service', 'base': 0.7, 'when': [['deny_service_logon_policy']],
     'support': ['logon_type_not_granted']},
    {'id': 'gmsa_logon_right_missing', 'base': 0.75,
     'when': [[('logon_type_not_granted', {'account_kind': 'gmsa', '!service': 'sync'})],
              [('logon_type_not_granted', _NOT_SYNC), 'gmsa_create_failed_kds'],
              [('logon_type_not_granted', _NOT_SYNC), 'gmsa_credential_change_failed'],
              {'all': [('service_logon_failure_1069', {'account_kind': 'gmsa', '!service': 'sync'})],
               'unless': _LOGON_REASONS}],
     'support': ['gmsa_create_failed_kds', 'gmsa_credential_change_failed', 'service_logon_failure_1069']},
    {'id': 'sync_service_account_rights_missing', 'base': 0.8,
     'when': [[('logon_type_not_granted', {'service': 'sync'})],
              {'all': [('service_logon_failure_1069', {'service': 'sync'})], 'unless': _LOGON_REASONS}],
     'support': ['service_logon_failure_1069']},
    {'id': 'service_not_managed_account', 'base': 0.7,
     'when': [[('service_logon_failed', {'account_kind': 'gmsa'})],
              [('service_logon_failed', _NOT_SYNC), 'gmsa_create_failed_kds'],
              [('service_logon_failed', _NOT_SYNC), 'gmsa_credential_change_failed']],
     'support': [('managed_account_false', {'!service': 'sync'}), 'gmsa_create_failed_kds', 'wrong_password',
                 'service_logon_failure_1069'],
     'contradict': [('managed_account_true', _NOT_SYNC)],
     'unless': ['account_disabled', 'account_expired', 'password_expired', 'account_locked_out']},
    {'id': 'service_account_disabled_or_expired', 'base': 0.65,
     'when': [['account_disabled'], ['account_expired'], ['password_expired'], ['account_locked_out']],
     'support': ['service_logon_failed', 'service_logon_failure_1069']},
    {'id': 'service_account_password_invalid', 'base': 0.65,
     'when': [[('service_logon_failed', {'account_kind': 'user'})], [('wrong_password', {'account_kind': 'user'})],
              [('service_logon_failed', {'service': 'sync', '!account_kind': 'gmsa'})],
              # "The user name or password is incorrect" where the SCM names the failing service
              # (the agent runs as a virtual account or a gMSA: no password of its own to be wrong)
              [('wrong_password', {'account_kind': 'unknown', 'service': 'other'}), 'service_context'],
              ['connector_credentials_invalid']],
     'support': ['wrong_password', 'service_logon_failure_1069'],
     'unless': ['account_disabled', 'account_expired', 'password_expired', 'account_locked_out']},
    {'id': 'kerberos_encryption_mismatch', 'base': 0.8,
     'when': [['netlogon_encryption_mismatch'], ['context_mismatch'], ['install_sa_retries'], ['encryption_text']],
     'support': ['netlogon_encryption_mismatch', 'context_mismatch', 'install_sa_retries', 'encryption_text',
                 'gmsa_create_failed_kds']},
    {'id': 'msa_container_missing', 'base': 0.85, 'when': [['no_such_object']]},
    {'id': 'gmsa_password_retrieval_denied', 'base': 0.85, 'when': [['gmsa_retrieval_denied']]},
    {'id': 'kds_root_key_missing', 'base': 0.6,
     'when': [['gmsa_create_failed_kds'], ['kds_root_key_absent']],
     'support': ['kds_root_key_absent', 'kds_key_error', 'gmsa_credential_change_failed'],
     'contradict': ['kds_key_ok'],
     'unless': ['logon_type_not_granted', 'service_logon_failed', 'netlogon_encryption_mismatch', 'context_mismatch',
                'install_sa_retries', 'encryption_text', 'gmsa_retrieval_denied', 'no_such_object',
                'deny_service_logon_policy']},
    {'id': 'domain_trust_broken', 'base': 0.75, 'when': [['domain_trust_failed']]},
    {'id': 'outbound_connectivity_blocked', 'base': 0.7, 'when': [['network_failure']], 'support': ['tls_channel_failure']},
    {'id': 'tls12_disabled', 'base': 0.7, 'when': [['tls_channel_failure']]},
    {'id': 'execution_policy_blocks_registration', 'base': 0.75, 'when': [['security_error']]},
    {'id': 'mfa_required_headless', 'base': 0.9, 'when': [[('mfa_required', _NOT_SYNC)]]},
    {'id': 'sync_account_mfa_required', 'base': 0.85, 'when': [[('mfa_required', {'service': 'sync'})]]},
    {'id': 'credential_manager_disabled', 'base': 0.8, 'when': [['vault_error']]},
    {'id': 'stale_agent_installation', 'base': 0.65,
     'when': [['stale_install'], [('service_start_timeout', {'!service': 'sync'})]],
     'support': ['service_start_failed', 'stale_install', 'service_start_timeout']},
    # STATUS_ACCOUNT_RESTRICTION alone is generic (logon hours, workstations too): ranked low
    {'id': 'protected_users_membership', 'base': 0.8, 'when': [['protected_users'], ['account_restriction']]},
    {'id': 'assembly_version_mismatch', 'base': 0.85, 'when': [['newtonsoft_load'], ['assembly_load']]},
    {'id': 'tenant_role_missing', 'base': 0.75, 'when': [['tenant_role']]},
    {'id': 'dotnet_too_old', 'base': 0.7, 'when': [['dotnet_old']]},
    {'id': 'unsupported_os', 'base': 0.7, 'when': [['unsupported_os']], 'support': ['msi_fatal']},
    {'id': 'another_install_in_progress', 'base': 0.8, 'when': [['msi_1618']]},
    {'id': 'service_terminated_unexpectedly', 'base': 0.6, 'when': [['service_terminated']]},
    # Windows refused to act until the pending reboot is done (350 / 3017); the 1603 beside it follows
    {'id': 'pending_reboot', 'base': 0.75, 'when': [['reboot_pending'], ['reboot_pending_property', 'msi_fatal']],
     'support': ['msi_fatal']},
    {'id': 'installer_failed_unknown', 'base': 0.5, 'when': [['msi_fatal']],
     'unless_causes': ['any_blocker', 'pending_reboot']},
]

# What a signal says when no root cause explains it (listed in unexplained_errors). Signals that
# report health (kds_key_ok, managed_account_true) are not errors and are not listed.
SIGNAL_MEANINGS = dict(((m[1], m[0]) for m in winerr.MEANINGS.values() if m[1]), **{
    'service_logon_failure_1069': 'the service did not start due to a logon failure (error 1069)',
    'service_logon_failed': 'the service could not log on with its configured password (event 7038)',
    'service_start_failed': 'the service failed to start (event 7000)',
    'service_terminated': 'the service terminated unexpectedly',
    'gmsa_create_failed_kds': 'the wizard could not create or use the gMSA (its KDS message is generic)',
    'gmsa_credential_change_failed': 'the wizard could not switch the service to the gMSA',
    'install_sa_retries': 'the gMSA could not be installed on this host',
    'context_mismatch': 'the provided context did not match the target (gMSA install)',
    'newtonsoft_load': 'an assembly could not be loaded',
    'reboot_pending_property': 'Windows Installer found a reboot already pending (MsiSystemRebootPending)',
    'connector_credentials_invalid': 'a sync connector could not run: its credentials were invalid (event 6000)',
})
# Signals that say a logon or request failed but not why: a root cause they alone decide is
# ranked below one decided by a specific error (confidence lowered in _judge).
GENERIC_SIGNALS = frozenset(['service_logon_failure_1069', 'account_restriction'])
_GENERIC_PENALTY = 0.25
_GENERIC_CAP = 0.45         # a guess: below the 0.5 at which a root cause counts as an alarm

# Documented precedence between messages: a generic message next to a specific Windows error is
# the consequence, not the cause. The report says so on the cause that explains it.
_MSI_1603 = 'https://learn.microsoft.com/troubleshoot/windows-server/application-management/msi-installation-error-1603'
CONSEQUENCES = [
    {'symptom': 'gmsa_create_failed_kds',
     'explained_by': ['gmsa_logon_right_missing', 'service_not_managed_account', 'kerberos_encryption_mismatch',
                      'service_logon_right_missing_all_services', 'service_logon_right_removed_by_gpo',
                      'deny_logon_as_service', 'gmsa_password_retrieval_denied', 'msa_container_missing'],
     'reason': "the wizard shows this KDS text whenever it cannot create or use the gMSA; Microsoft's "
               'article lists logon rights, the managed-account flag, encryption types and password retrieval '
               'as the causes behind it',
     'reference': _SUPPORT_ARTICLE},
    {'symptom': 'msi_fatal', 'explained_by': 'any_blocker',
     'reason': "1603 / 0x80070643 is Windows Installer's generic fatal error; the specific error logged "
               'beside it is the cause',
     'reference': _MSI_1603},
    {'symptom': 'service_logon_failure_1069',
     'explained_by': ['gmsa_logon_right_missing', 'service_logon_right_missing_all_services',
                      'service_logon_right_removed_by_gpo', 'deny_logon_as_service', 'service_not_managed_account',
                      'service_account_password_invalid', 'service_account_disabled_or_expired',
                      'sync_service_account_rights_missing'],
     'reason': 'error 1069 only says the service logon failed; the 7038/7041 event or logon status beside it '
               'says why',
     'reference': _SCM_EVENTS},
]

_SERVICE_HINTS = [('sync', ('adsync', 'azure ad sync', 'entra connect sync', 'microsoft azure ad sync',
                            'directory synchronization', 'sync_service')),
                  ('updater', ('updater',)),
                  ('agent', ('provisioning agent', 'aadconnectprovisioningagent', 'provisioningagent', 'provagent'))]
_ACCOUNT_RE = re.compile(r'log ?on as\s+"?(.+?)"?\s+with the currently|domain and account:\s*(\S[^\r\n]*?)\s*$'
                         r'|account(?: name)?:\s*"?([^\s"]+)', re.I | re.M)
_ANY_ACCOUNT_RE = re.compile(r'(\b[\w.-]+\\[\w.$-]+)')


_SYNC_ACCOUNT_RE = re.compile(r'\bsync_[a-z0-9-]+_[0-9a-f]{6,}', re.I)
_HOST_WIDE_PROVIDERS = ('service control manager', 'msiinstaller')
# names of the agent, its updater, ADSync and the agent's product as SCM and MSI events spell them
_PRODUCT_HINTS = ('provisioning agent', 'aadconnectprovisioningagent', 'provisioningagent', 'agent updater',
                  'aadconnectagentupdater', 'adsync', 'azure ad sync', 'azure ad connect', 'entra connect',
                  'microsoft entra provisioning')
_CONTINUED = re.compile(r'following error:?\s*$', re.I)
_LOGON_TYPE_SERVICE = re.compile(r'logon ?type:?\s*5\b')
_TARGET_USER = re.compile(r'targetusername:\s*([^\s|]+)', re.I)
_GMSA_INSTALL = re.compile(r'install-?adserviceaccount|use-serviceaccount|netaddserviceaccount|'
                           r'(cannot|unable to) install (the )?service account|gmsa|group managed service account')


def _names_product(text):
    low = text.lower()
    return any(h in low for h in _PRODUCT_HINTS) or bool(_SYNC_ACCOUNT_RE.search(low))


def service_of(text, fallback=None):
    low = text.lower()
    if _SYNC_ACCOUNT_RE.search(low):
        return 'sync'
    for kind, hints in _SERVICE_HINTS:
        if any(h in low for h in hints):
            return kind
    return fallback


def account_of(text):
    m = _ACCOUNT_RE.search(text) or _ANY_ACCOUNT_RE.search(text)
    if not m:
        return None, 'unknown'
    acct = next(g for g in m.groups() if g).strip().rstrip('.,;')
    low = acct.lower()
    if low.endswith('$'):
        return acct, 'gmsa'
    if low.startswith('nt service\\'):
        return acct, 'virtual'
    if low.startswith('nt authority\\') or low in ('localsystem', '.\\localsystem'):
        return acct, 'builtin'
    return acct, 'user'


class _Compiled(object):
    def __init__(self, signatures):
        self.text = []
        self.events = {}
        anchors = set()
        for sig in signatures:
            if sig.get('patterns'):
                rx = re.compile('|'.join('(%s)' % p for p in sig['patterns']), re.I)
                unless = re.compile(sig['unless'], re.I) if sig.get('unless') else None
                self.text.append((sig, tuple(a.lower() for a in sig['anchors']), rx, unless))
                anchors.update(a.lower() for a in sig['anchors'])
            for eid in sig.get('event_ids') or []:
                self.events.setdefault(eid, []).append(sig)
        # drop anchors that contain a shorter anchor: the shorter one finds them too
        ordered = sorted(anchors, key=len)
        kept = []
        for a in ordered:
            if not any(k in a for k in kept):
                kept.append(a)
        self.needles = [a.encode('utf-8') for a in kept]
        # finds whole anchors in a few literal-led passes per block: only lines that
        # hold one reach the signatures' regexes
        self.finder = build_finder(self.needles)

    def match_text(self, text):
        low = text.lower()
        for sig, anchors, rx, unless in self.text:
            if any(a in low for a in anchors):
                m = rx.search(text)
                if m and not (unless and unless.search(text)):
                    yield sig, m


_COMPILED = {}


def _compiled(signatures):
    key = id(signatures)
    if key not in _COMPILED:
        _COMPILED[key] = _Compiled(signatures)
    return _COMPILED[key]


class Diagnosis(object):
    """Accumulates signals from evidence; ``result()`` ranks the root causes."""

    MAX_EVIDENCE_PER_SIGNAL = 20
    BLOCK_LINES = 45            # a 4625 rendering is about 40 lines long

    def __init__(self, signatures=None, causes=None, limits=None):
        self.compiled = _compiled(signatures or SIGNATURES)
        self.causes = causes or CAUSES
        self.limits = bounded_limits(limits)
        self.signals = {}       # name -> list of occurrences
        self.counts = {}
        self.lines_scanned = 0
        self.inputs = Inputs(self.limits['max_warnings_per_input'])
        self.signature_hits = {}
        self.recognized = {}    # (kind, code, symbol) -> error number / exception seen, with its meaning
        self.out_of_scope = 0   # host-wide events (other services, products, people's logons) left aside
        self._block = None      # an open multi-line Security 4625 rendering
        self._pending = None    # a line ending in "the following error:" waiting for its next line

    # -- feeding ---------------------------------------------------------
    def _add(self, signal, source, line, text, attrs, sig_id, generic=False):
        if signal == 'access_denied' and _GMSA_INSTALL.search(text.lower()):
            signal = 'gmsa_retrieval_denied'      # denied while installing or using a gMSA
        generic = generic or signal in GENERIC_SIGNALS
        self.counts[signal] = self.counts.get(signal, 0) + 1
        self.signature_hits[sig_id] = self.signature_hits.get(sig_id, 0) + 1
        occ = self.signals.setdefault(signal, [])
        for o in occ:
            if o['source'] == source and o['line'] == line:
                if not generic:
                    o['generic'] = False        # a specific message on the same line outweighs a type name
                return
        if len(occ) >= self.MAX_EVIDENCE_PER_SIGNAL:
            return
        occ.append(dict(attrs, source=source, line=line, text=text.strip()[:500], signature=sig_id, generic=generic))

    def _attrs(self, text, source):
        acct, kind = account_of(text)
        base = str(source).replace('\\', '/').rsplit('/', 1)[-1]
        # the module collects only the agent's events: unnamed, they are the agent's
        fallback = 'agent' if str(source).startswith('agent_evidence:') else service_of(base, 'other')
        return {'service': service_of(text, fallback), 'account': acct, 'account_kind': kind}

    def feed_text_line(self, source, line_no, text):
        if self._block is not None and (line_no - self._block['start'] > self.BLOCK_LINES
                                        or self._block['source'] != source):
            self._close_block()
        in_block = self._block is not None
        # The SCM renders "... due to the following error:" and puts the error on the next line
        # (7000, 7023, 7038 as Event Viewer copies them): judge the two lines as one message.
        pending, self._pending = self._pending, None
        if pending and pending[0] == source and pending[1] + 1 == line_no:
            text, line_no = pending[2].rstrip() + ' ' + text.strip(), pending[1]
        elif pending:
            self._feed_line(*pending)
            pending = None
        if not pending and not in_block and _CONTINUED.search(text):
            self._pending = (source, line_no, text)
            return
        self._feed_line(source, line_no, text)

    def _flush_pending(self):
        pending, self._pending = self._pending, None
        if pending:
            self._feed_line(*pending)

    def _feed_line(self, source, line_no, text):
        in_block = self._block is not None
        for sig, _m in self.compiled.match_text(text):
            if sig.get('block'):
                if 'an account failed to log on' in text.lower():
                    self._close_block()
                    self._block = {'source': source, 'start': line_no, 'lines': []}
                    in_block = True
                if in_block and text not in self._block['lines']:
                    self._block['lines'].append(text)
                    self.signature_hits[sig['id']] = self.signature_hits.get(sig['id'], 0) + 1
            elif in_block:
                # part of a 4625 rendering: judged with the whole block, in scope or not
                if text not in self._block['lines']:
                    self._block['lines'].append(text)
            elif sig.get('extract'):
                self._codes(source, line_no, text, self._attrs(text, source))
            else:
                self._add(sig['signal'], source, line_no, text, self._attrs(text, source), sig['id'])

    def _close_block(self):
        block, self._block = self._block, None
        if not block:
            return
        text = ' '.join(x.strip() for x in block['lines'])
        self._judge_logon_failure(block['source'], block['start'], text, None)

    def _judge_logon_failure(self, source, line, text, label):
        """A Security 4625 counts only when it is about a service logon (type 5) or names the agent or
        ADSync: failed logons of people and attackers are everyday noise on any host."""
        low = text.lower()
        named = _TARGET_USER.search(text)     # XML / .evtx: TargetUserName: <account>
        target = ('Account Name: ' + named.group(1)) if named else \
            text[len(low.split('account for which logon failed', 1)[0]):]
        attrs = self._attrs(target, source)
        attrs['service'] = service_of(text, attrs['service'])
        if not (_LOGON_TYPE_SERVICE.search(low) or _names_product(text)):
            self.out_of_scope += 1
            return
        shown = ('%s: %s' % (label, text)) if label else text
        for sig, _m in self.compiled.match_text(text):
            if sig.get('signal'):
                self._add(sig['signal'], source, line, shown, attrs, sig['id'])
        self._codes(source, line, text, attrs, shown)

    def _codes(self, source, line, text, attrs, shown=None):
        """Error numbers, AADSTS codes and exception types: recorded with their meaning, and the
        meaning's signal added for the causes to reason with."""
        rows = winerr.extract(text)
        if rows:
            self.signature_hits['windows_error_codes'] = self.signature_hits.get('windows_error_codes', 0) + 1
        for row in rows:
            key = (row['kind'], row['code'], row['symbol'])
            rec = self.recognized.get(key)
            if rec is None:
                rec = self.recognized[key] = dict(row, count=0, evidence=evidence_item(source, line, shown or text, 300))
            rec['count'] += 1
            signal = row['signal']
            if signal:
                rec['signal_used'] = ('gmsa_retrieval_denied' if signal == 'access_denied'
                                      and _GMSA_INSTALL.search(text.lower()) else signal)
                self._add(signal, source, line, shown or text, attrs, 'code:' + str(row['notation']),
                          generic=row['meaning'] in winerr.GENERIC_MEANINGS)

    def feed_event(self, source, line, ev):
        text = str(ev.get('message') or '')
        label = 'Event %s (%s)' % (ev.get('id'), ev.get('provider'))
        provider = str(ev.get('provider') or '').lower()
        if ev.get('id') == 4625 and 'security' in provider:
            self._judge_logon_failure(source, line, text, label)
            return
        if (any(p in provider for p in _HOST_WIDE_PROVIDERS) and not _names_product(text)
                and not str(source).startswith('agent_evidence:')):     # the module collects only the agent's
            # SCM and Windows Installer log every service and product of the host: only those
            # naming the agent, its updater, ADSync or the agent's product are evidence here
            self.out_of_scope += 1
            return
        attrs = self._attrs(text, source)
        for sig in self.compiled.events.get(ev.get('id'), []):
            providers = sig.get('providers')
            if providers and provider and not any(p in provider for p in providers):
                continue
            if sig.get('unless') and re.search(sig['unless'], text, re.I):
                continue            # the message names a more specific failure (a 7038 carrying 1385)
            self._add(sig['signal'], source, line, '%s: %s' % (label, text), attrs, sig['id'])
        for sig, _m in self.compiled.match_text(text):
            if sig.get('extract'):
                self._codes(source, line, text, attrs, '%s: %s' % (label, text))
            elif sig.get('signal'):
                self._add(sig['signal'], source, line, '%s: %s' % (label, text), attrs, sig['id'])

    def feed_fact(self, source, line, fact):
        kind = fact.get('kind')
        text = fact.get('text') or ''
        if kind == 'managed_account' and fact.get('managed') is not None:
            svc = service_of(str(fact.get('service') or ''), 'other')
            sig = 'managed_account_true' if fact['managed'] else 'managed_account_false'
            self._add(sig, source, line, '%s managed account: %s' % (fact.get('service'), fact['managed']),
                      {'service': svc, 'account': None, 'account_kind': 'unknown'}, 'sc_qmanagedaccount')
        elif kind == 'user_right':
            right = str(fact.get('right') or '')
            holders = [str(a).lstrip('*') for a in fact.get('accounts') or []]
            accounts = [a.lower() for a in holders]
            has_all = _windows.has_all_services(holders)
            attrs = {'service': 'agent', 'account': None, 'account_kind': 'unknown', 'gpo': fact.get('gpo')}
            if right.lower() == 'seservicelogonright' and not has_all:
                if fact.get('scope') == 'gpo':
                    self._add('gpo_service_right_without_all_services', source, line,
                              "GPO '%s' defines %s" % (fact.get('gpo'), text), attrs, 'gpresult_user_right')
                else:
                    self._add('local_service_right_without_all_services', source, line, text, attrs, 'secedit_user_right')
            elif right.lower() == 'sedenyservicelogonright':
                # A deny entry that takes in the agent: ALL SERVICES, a group of every account, a computer or
                # managed account, or the agent's and Connect Sync's own service accounts.
                bad = _windows.broad_denied(holders) + [a for a in accounts if a.endswith('$')
                                                        or 'aadconnectprovisioningagent' in a or 'adsync' in a]
                if bad:
                    self._add('deny_service_logon_policy', source, line, text, attrs,
                              'secedit_user_right' if fact.get('scope') != 'gpo' else 'gpresult_user_right')

    def feed_text(self, source, chunks):
        rec = self._record_for(source)

        def long_line(n):
            if rec is not None:
                self.inputs.warn(rec, 'line %d longer than %d bytes; only %d bytes were examined'
                                 % (n, self.limits['max_line'], self.limits['max_line']))
        last = 0
        try:
            for line_no, raw in scan_lines(chunks, self.compiled.needles, self.limits['max_line'], long_line,
                                           finder=self.compiled.finder):
                last = line_no
                self.feed_text_line(source, line_no, raw.decode('utf-8', 'replace'))
        except (OSError, EOFError, ValueError) as e:   # truncated zip member, read errors
            if rec is not None:
                self.inputs.warn(rec, 'read stopped after line %d: %s' % (last, e))
        except Exception as e:   # zipfile raises BadZipFile (an Exception subclass) mid-stream
            if rec is not None:
                self.inputs.warn(rec, 'read stopped after line %d: %s: %s' % (last, type(e).__name__, e))
        self._flush_pending()
        self._close_block()

    def _record_for(self, source):
        for rec in reversed(self.inputs.records):
            if rec['path'] == source:
                return rec
        return None

    def consume(self, items):
        for item in items:
            if isinstance(item, TextItem):
                self.feed_text(item.source, item.chunks)
            elif isinstance(item, EventItem):
                self.feed_event(item.source, item.line, item.event)
            elif isinstance(item, FactItem):
                self.feed_fact(item.source, item.line, item.fact)

    def add_paths(self, paths=(), agent_evidence=None):
        it = iter_evidence(paths, agent_evidence, self.inputs, self.limits)
        try:
            self.consume(it)
        except Exception as e:      # last line of defence: a reader bug is an input warning, not a traceback
            rec = self.inputs.add('(reader)', 'internal')
            self.inputs.warn(rec, 'evidence reading stopped: %s: %s' % (type(e).__name__, e), status='partial')

    # -- judging ---------------------------------------------------------
    def _occurrences(self, spec):
        if isinstance(spec, str):
            return self.signals.get(spec, [])
        name, conds = spec
        out = []
        for occ in self.signals.get(name, []):
            ok = True
            for key, value in conds.items():
                if key.startswith('!'):
                    if occ.get(key[1:]) == value:
                        ok = False
                elif occ.get(key) != value:
                    ok = False
            if ok:
                out.append(occ)
        return out

    def result(self):
        causes = []
        found = set()
        deferred = []
        self.explained_signals = set()
        for row in self.causes:
            if row.get('unless_causes'):
                deferred.append(row)
                continue
            rc = self._judge(row)
            if rc:
                causes.append(rc)
                found.add(rc['id'])
        for row in deferred:
            # a list of cause ids; 'any_blocker' in it stands for every blocker
            unless = [row['unless_causes']] if isinstance(row['unless_causes'], str) else row['unless_causes']
            if 'any_blocker' in unless and any(c['severity'] == 'blocker' for c in causes):
                continue
            if found & set(unless):
                continue
            rc = self._judge(row)
            if rc:
                causes.append(rc)
        causes = sort_findings(causes)
        self._mark_consequences(causes)
        return causes

    def _mark_consequences(self, causes):
        """Name the messages judged a consequence, on the highest-ranked cause that explains them."""
        for row in CONSEQUENCES:
            occ = self.signals.get(row['symptom'])
            if not occ:
                continue
            for rc in causes:
                explains = (rc['severity'] == 'blocker' and rc['id'] != 'installer_failed_unknown'
                            if row['explained_by'] == 'any_blocker' else rc['id'] in row['explained_by'])
                if not explains:
                    continue
                self.explained_signals.add(row['symptom'])
                note = {'message': occ[0]['text'][:300], 'source': str(occ[0]['source']), 'line': occ[0]['line'],
                        'judged': 'consequence', 'reason': row['reason'], 'reference': row['reference']}
                rc.setdefault('consequences', []).append(note)
                detail = "Judged a consequence, not the cause: '%s' (%s; %s)" % (
                    note['message'][:160], row['reason'], row['reference'])
                rc['detail'] = (rc['detail'] + '; ' + detail) if rc.get('detail') else detail
                break

    def unexplained_errors(self, causes=None):
        """Error numbers, AADSTS codes and exception types seen whose meaning no root cause used."""
        if causes is None:
            causes = self.result()
        out = []
        for rec in self.recognized.values():
            if rec['meaning'] == 'msi_reboot':        # success codes, not errors
                continue
            if rec.get('signal_used') and rec['signal_used'] in self.explained_signals:
                continue
            out.append({'notation': str(rec['notation']), 'kind': rec['kind'], 'code': rec['code'],
                        'symbol': rec['symbol'], 'meaning': rec['text'], 'reference': rec['source'],
                        'count': rec['count'], 'evidence': rec['evidence']})
        # error messages recognised by their wording (no number) that no root cause used either
        listed = set(rec.get('signal_used') for rec in self.recognized.values())
        for signal, occs in self.signals.items():
            if signal in self.explained_signals or signal in listed or signal not in SIGNAL_MEANINGS:
                continue
            sig_id = occs[0]['signature']
            sources = SIGNATURE_SOURCES.get(sig_id) or [winerr.SOURCES['win32_0']]
            out.append({'notation': occs[0]['text'][:120], 'kind': 'message', 'code': None, 'symbol': sig_id,
                        'meaning': SIGNAL_MEANINGS[signal], 'reference': sources[0], 'count': self.counts[signal],
                        'evidence': evidence_item(occs[0]['source'], occs[0]['line'], occs[0]['text'], 300)})
        return sorted(out, key=lambda x: (-x['count'], x['notation']))

    def _judge(self, row):
        trigger = None
        for clause in row['when']:
            specs, unless = (clause['all'], clause.get('unless', ())) if isinstance(clause, dict) else (clause, ())
            occs = [self._occurrences(spec) for spec in specs]
            if all(occs) and not any(self._occurrences(u) for u in unless):
                trigger = [o for group in occs for o in group]
                break
        if trigger is None:
            return None
        if any(self._occurrences(s) for s in row.get('unless', [])):
            return None
        for spec in [sp for clause in row['when'] for sp in _clause_specs(clause)] + list(row.get('support', [])):
            if self._occurrences(spec):
                self.explained_signals.add(spec if isinstance(spec, str) else spec[0])
        conf = row.get('base', 0.6)
        notes = []
        generic_only = all(o.get('generic') for o in trigger)
        if generic_only:
            # decided by an error that says only that something failed (1069, WebException)
            notes.append('decided by a generic error only (%s)' % trigger[0]['signature'])
        evidence = list(trigger)
        for spec in row.get('support', []):
            occ = self._occurrences(spec)
            if occ and not any(o in trigger for o in occ):
                conf += 0.1
                evidence.extend(occ)
        for spec in row.get('contradict', []):
            occ = self._occurrences(spec)
            if occ:
                conf -= 0.3
                notes.append('contradicted by %s' % (spec if isinstance(spec, str) else spec[0]))
                evidence.extend(occ)
        if generic_only:
            conf = min(conf - _GENERIC_PENALTY, _GENERIC_CAP)
        conf = max(0.05, min(0.98, conf))
        seen, ev = set(), []
        for o in evidence:
            key = (o['source'], o['line'], o['text'])
            if key in seen:
                continue
            seen.add(key)
            ev.append(evidence_item(o['source'], o['line'], o['text']))
            if len(ev) >= 10:
                break
        rc = make_finding(row['id'], ev, source='diagnosis', confidence=conf,
                          detail='; '.join(notes) if notes else None)
        rc['signals'] = sorted(set(o['signature'] for o in evidence))
        return rc


def _clause_specs(clause):
    return clause['all'] if isinstance(clause, dict) else clause


def diagnose(paths=(), agent_evidence=None, findings=None, limits=None):
    """Run the engine; returns {root_causes, inputs, signals, findings, unexplained_errors, ...}.

    ``unexplained_errors``: error numbers, AADSTS codes and exception types found whose meaning
    no root cause used, so evidence that held errors never gives an empty report.
    """
    d = Diagnosis(limits=limits)
    d.add_paths(paths, agent_evidence)
    causes = d.result()
    return {'root_causes': causes, 'inputs': d.inputs.records, 'findings': list(findings or []),
            'unexplained_errors': d.unexplained_errors(causes), 'out_of_scope_events': d.out_of_scope,
            'signals': dict(sorted(d.counts.items())),
            'signature_hits': dict(sorted(d.signature_hits.items()))}


def grep_patterns(signatures=None):
    """All text patterns (for the benchmark's grep -E baseline)."""
    return [p for s in (signatures or SIGNATURES) for p in s.get('patterns') or []]
