# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Windows means by the raw values the modules return: one place for it.

The PowerShell modules report what they read (SIDs, account names, the
msDS-SupportedEncryptionTypes bits, error text); every rule, plan and
diagnosis on the controller interprets those values with this module, so a
well-known SID, an encryption-type bit or an error class is spelt once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# ----------------------------------------------------------------- services
AGENT_SERVICE = 'AADConnectProvisioningAgent'
UPDATER_SERVICE = 'AADConnectAgentUpdater'
ADSYNC_SERVICE = 'ADSync'
CREDENTIAL_MANAGER_SERVICE = 'VaultSvc'
DEFAULT_GMSA = 'provAgentgMSA$'
# gMSAs the agent creates per domain for password writeback start with this.
WRITEBACK_GMSA_PREFIX = 'pgmsa_'

# ----------------------------------------------------------------- well-known accounts
ALL_SERVICES_SID = 'S-1-5-80-0'
ALL_SERVICES_NAME = 'NT SERVICE\\ALL SERVICES'
WELL_KNOWN_SIDS: dict[str, str] = {
    ALL_SERVICES_SID: ALL_SERVICES_NAME,
    'S-1-1-0': 'Everyone',
    'S-1-5-6': 'NT AUTHORITY\\SERVICE',
    'S-1-5-11': 'NT AUTHORITY\\Authenticated Users',
    'S-1-5-18': 'NT AUTHORITY\\SYSTEM',
    'S-1-5-19': 'NT AUTHORITY\\LOCAL SERVICE',
    'S-1-5-20': 'NT AUTHORITY\\NETWORK SERVICE',
    'S-1-5-32-544': 'BUILTIN\\Administrators',
    'S-1-5-32-545': 'BUILTIN\\Users',
}
# Groups that hold every service account: one of them in a Deny right denies every service.
BROAD_SERVICE_GROUP_SIDS: tuple[str, ...] = (ALL_SERVICES_SID, 'S-1-1-0', 'S-1-5-11', 'S-1-5-32-545', 'S-1-5-6')

# ----------------------------------------------------------------- user rights
SERVICE_LOGON_RIGHT = 'SeServiceLogonRight'
BATCH_LOGON_RIGHT = 'SeBatchLogonRight'
INTERACTIVE_LOGON_RIGHT = 'SeInteractiveLogonRight'
RIGHT_DISPLAY_NAMES: dict[str, str] = {
    SERVICE_LOGON_RIGHT: 'Log on as a service',
    BATCH_LOGON_RIGHT: 'Log on as a batch job',
    INTERACTIVE_LOGON_RIGHT: 'Allow log on locally',
    'SeDenyServiceLogonRight': 'Deny log on as a service',
    'SeDenyBatchLogonRight': 'Deny log on as a batch job',
    'SeDenyInteractiveLogonRight': 'Deny log on locally',
}
# The rights the Connect Sync (ADSync) service account needs (KB 2995030).
ADSYNC_RIGHTS: tuple[str, ...] = (SERVICE_LOGON_RIGHT, BATCH_LOGON_RIGHT, INTERACTIVE_LOGON_RIGHT)
USER_RIGHTS_GPO_PATH = ('Computer Configuration > Policies > Windows Settings > Security Settings > '
                        'Local Policies > User Rights Assignment')


def deny_twin(right: str) -> str:
    """SeServiceLogonRight -> SeDenyServiceLogonRight: the right that wins over it."""
    return right.replace('Se', 'SeDeny', 1)


# ----------------------------------------------------------------- TLS 1.2
_SCHANNEL = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\'
_DOTNET = 'HKLM:\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319'
_DOTNET_32 = 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319'
# TLS 1.2 for SCHANNEL (client and server) and .NET 4 (64 and 32 bit): the superset of the
# cloud sync and Connect Sync prerequisite pages. (registry path, value name, data)
TLS12_REGISTRY_VALUES: tuple[tuple[str, str, int], ...] = (
    (_SCHANNEL + 'Client', 'Enabled', 1),
    (_SCHANNEL + 'Client', 'DisabledByDefault', 0),
    (_SCHANNEL + 'Server', 'Enabled', 1),
    (_SCHANNEL + 'Server', 'DisabledByDefault', 0),
    (_DOTNET, 'SchUseStrongCrypto', 1),
    (_DOTNET, 'SystemDefaultTlsVersions', 1),
    (_DOTNET_32, 'SchUseStrongCrypto', 1),
    (_DOTNET_32, 'SystemDefaultTlsVersions', 1),
)

# ----------------------------------------------------------------- Kerberos encryption types
# msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7).
ENCRYPTION_TYPE_BITS: dict[int, str] = {1: 'DES_CBC_CRC', 2: 'DES_CBC_MD5', 4: 'RC4_HMAC', 8: 'AES128', 16: 'AES256'}
ENCRYPTION_TYPE_MASK = 0x1F
AES_BITS = 0x18
# What a Windows host allows when the SupportedEncryptionTypes policy value is absent: RC4, AES128, AES256.
HOST_DEFAULT_ENCRYPTION_TYPES = 0x1C


def encryption_type_names(bits: int | None) -> str:
    """0x18 -> 'AES128,AES256'; 'none' when no known bit is set."""
    value = bits or 0
    return ','.join(name for bit, name in sorted(ENCRYPTION_TYPE_BITS.items()) if value & bit) or 'none'


def effective_host_encryption_types(host_bits: int | None) -> int:
    """The types a host accepts: its policy value, or the Windows default when the value is absent."""
    return HOST_DEFAULT_ENCRYPTION_TYPES if host_bits is None else host_bits


def encryption_overlap(host_bits: int | None, account_bits: int) -> int:
    """Bits both the host and the account allow; 0 means no Kerberos ticket can be issued between them."""
    return effective_host_encryption_types(host_bits) & account_bits & ENCRYPTION_TYPE_MASK


# ----------------------------------------------------------------- account names and kinds
def normalise_account(value: object) -> str:
    """'*S-1-5-80-0' -> 's-1-5-80-0'; names compare case-insensitively."""
    return str(value or '').strip().lstrip('*').lower()


def short_account_name(value: object) -> str:
    """'CONTOSO\\provAgentgMSA$' / 'provAgentgMSA$@contoso.com' -> 'provagentgmsa$'."""
    return normalise_account(value).rsplit('\\', maxsplit=1)[-1].split('@')[0]


def account_kind(start_name: object) -> str:
    """What kind of account a service logs on as, from its start name alone:
    gmsa (ends in $), virtual (NT SERVICE\\...), builtin (LocalSystem and the NT AUTHORITY accounts), user."""
    name = normalise_account(start_name)
    if not name:
        return 'unknown'
    if name.endswith('$'):
        return 'gmsa'
    if name.startswith('nt service\\'):
        return 'virtual'
    if name in ('localsystem', '.\\localsystem') or name.startswith('nt authority\\'):
        return 'builtin'
    return 'user'


def holder_keys(holders: Iterable[object] | None) -> set[str]:
    """Every spelling a right's holders answer to: SID, full name and name without its domain."""
    keys: set[str] = set()
    for holder in holders or []:
        values = [holder.get('sid'), holder.get('name')] if isinstance(holder, Mapping) else [holder]
        for value in values:
            if value:
                keys.add(normalise_account(value))
                if '\\' in str(value):
                    keys.add(normalise_account(str(value).split('\\', 1)[1]))
    return keys


def holds(holders: Iterable[object] | None, account: str, sids: Iterable[str | None] = ()) -> bool:
    """Whether ``account`` (by name, name without domain, or one of ``sids``) is among ``holders``."""
    keys = holder_keys(holders)
    if normalise_account(account) in keys or normalise_account(str(account).rsplit('\\', maxsplit=1)[-1]) in keys:
        return True
    return any(normalise_account(sid) in keys for sid in sids if sid)


def has_all_services(holders: Iterable[object] | None) -> bool:
    """Whether NT SERVICE\\ALL SERVICES is among ``holders`` (by SID or name)."""
    keys = holder_keys(holders)
    return bool({normalise_account(ALL_SERVICES_SID), normalise_account(ALL_SERVICES_NAME), 'all services'} & keys)


def broad_denied(holders: Iterable[object] | None) -> list[str]:
    """Display names of the groups in ``holders`` that hold every service account."""
    keys = holder_keys(holders)
    return [WELL_KNOWN_SIDS[sid] for sid in BROAD_SERVICE_GROUP_SIDS
            if normalise_account(sid) in keys or normalise_account(WELL_KNOWN_SIDS[sid]) in keys
            or normalise_account(WELL_KNOWN_SIDS[sid].rsplit('\\', maxsplit=1)[-1]) in keys]
