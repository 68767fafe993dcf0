# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prerequisite rules: one table, one engine.

Inputs are the results of the ``agent_host_info`` and ``logon_right_info``
modules and, when gathered on a domain controller, domain facts::

    {kds_root_keys: [{key_id, effective_time (ISO 8601), ...}]  (kds_root_key_info shape; null = not read;
                    a key is usable 10 hours after its effective_time),
     gmsa: {name, exists, usable, can_retrieve_password, account_encryption_types,
            host_encryption_types, ...}  (gmsa_host shape; the overlap is computed here from the raw bits),
     msa_container_exists: bool,
     schema_version: int, schema_has_external_directory_object_id: bool,
     domain_functional_level: str|int, forest_functional_level: str|int,
     dc_os_builds: [int]}

Each row of ``RULES`` names the facts it needs (the engine marks the rule
*skipped* when they are unknown, never failed: unknown is not a blocker), the
document it rests on, and a check returning ``None`` (pass) or a ``Hit``.
"""

from __future__ import annotations

import datetime
from typing import Any

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _windows
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import (
    evidence_item, failure_message, make_finding, sort_findings)

DOTNET_471_RELEASE = 461308
MIN_SERVER_BUILD = 14393          # Windows Server 2016
SERVER_2025_BUILD = 26100
MIN_MEMORY_BYTES = 4 * 1024 ** 3

SRC_PREREQ = 'how-to-prerequisites (Microsoft Learn, cloud sync)'
SRC_SUPPORT = 'Hybrid Sync Agent Installation Issues (Entra support article)'
SRC_GMSA = 'how-to-gmsa-cmdlets / gmsa-cloud-sync (Microsoft Learn)'
SRC_INSTALL = 'how-to-install (Microsoft Learn, cloud sync)'

# AD-level requirement: Microsoft's pages disagree; the rule checks all three
# and uses the strictest. Each sub-check names its source.
AD_LEVEL_SOURCES = [
    ('dc_2016', 'at least one domain controller on Windows Server 2016 or later',
     'Hybrid Sync Agent Installation Issues (2021 support article)'),
    ('functional_level_2012r2', 'domain and forest functional level Windows Server 2012 R2 or later',
     'Hybrid Sync Agent Installation Issues (2021 support article)'),
    ('schema_2012', 'schema and a domain controller at Windows Server 2012 or later',
     'how-to-prerequisites (current)'),
    ('schema_ms_ds_external_directory_object_id', 'schema holds msDS-ExternalDirectoryObjectId (2016 schema)',
     'how-to-prerequisites (newest)'),
]
FUNCTIONAL_LEVELS = {'windows2000': 0, 'windows2003interim': 1, 'windows2003': 2, 'windows2008': 3,
                     'windows2008r2': 4, 'windows2012': 5, 'windows2012r2': 6, 'windows2016': 7,
                     'windows2025': 10}


class Hit(object):
    """A triggered rule: evidence plus optional per-outcome overrides."""

    def __init__(self, evidence: list[dict], severity: str | None = None, detail: str | None = None,
                 automatic: bool | None = None, how: str | None = None) -> None:
        self.evidence = evidence
        self.severity = severity
        self.detail = detail
        self.automatic = automatic
        self.how = how


class Context(object):
    def __init__(self, host_info: dict | None = None, logon_rights: dict | None = None,
                 domain_facts: dict | None = None, options: dict | None = None) -> None:
        self.host = host_info or {}
        self.rights_result = logon_rights or {}
        self.rights = (logon_rights or {}).get('rights') or {}
        self.domain = domain_facts or {}
        self.options = options or {}

    def get(self, path: str, default: Any = None) -> Any:
        """Dotted lookup: 'host.os.build', 'rights.SeServiceLogonRight', 'domain.gmsa.usable'."""
        root, separator, rest = path.partition('.')
        cur = {'host': self.host, 'rights': self.rights, 'domain': self.domain,
               'options': self.options}.get(root)
        for part in rest.split('.') if rest else []:
            if not isinstance(cur, dict):
                return default
            cur = cur.get(part)
        return default if cur is None else cur


def _ev(ctx: Context, path: str, text: str | None = None) -> dict:
    src = {'host': 'agent_host_info', 'rights': 'logon_right_info', 'domain': 'domain_facts',
           'options': 'options'}[path.split('.')[0]]
    value = ctx.get(path)
    return evidence_item(src, path.split('.', 1)[1], text if text is not None else '%s = %r' % (path.split('.')[-1], value))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _gmsa_name(ctx: Context) -> str | None:
    name = ctx.options.get('gmsa_name') or ctx.get('domain.gmsa.name')
    if not name:
        for svc in ctx.host.get('services') or []:
            if svc.get('role') == 'agent' and _windows.account_kind(svc.get('start_name')) == 'gmsa':
                name = svc['start_name']
    return name


# ----------------------------------------------------------------- checks
def _os(ctx: Context) -> Hit | None:
    os_ = ctx.host.get('os') or {}
    ev, problems = [], []
    if os_.get('installation_type') == 'Client' or os_.get('product_type') == 'workstation':
        problems.append('client Windows')
        ev.append(_ev(ctx, 'host.os.product_type', '%s (%s)' % (os_.get('caption'), os_.get('product_type'))))
    if os_.get('server_core') or os_.get('installation_type') == 'Server Core':
        problems.append('Server Core')
        ev.append(_ev(ctx, 'host.os.installation_type'))
    build = _int(os_.get('build'))
    if build is not None and build < MIN_SERVER_BUILD:
        problems.append('older than Windows Server 2016')
        ev.append(_ev(ctx, 'host.os.build'))
    if problems:
        return Hit(ev, detail='Unsupported: ' + ', '.join(problems))
    return None


def _domain(ctx: Context) -> Hit | None:
    if ctx.get('host.domain.joined') is False:
        return Hit([_ev(ctx, 'host.domain.joined')])


def _domain_read(ctx: Context) -> bool:
    return isinstance(ctx.host.get('domain'), dict)


def _domain_unreadable(ctx: Context) -> Hit | None:
    # null = the CIM query failed: neither joined nor a workgroup host
    if ctx.host['domain'].get('joined') is None:
        return Hit([evidence_item('agent_host_info', 'domain.joined', 'null (not read)')])
    return None


def _proxy_unreadable(ctx: Context) -> Hit | None:
    # null = the agent's config file could not be read: the probes may not have gone the agent's way
    if ctx.host['proxy'].get('configured') is None:
        return Hit([evidence_item('agent_host_info', 'proxy.configured', 'null (the agent configuration was not read)')])
    return None


def rights_read(ctx: Context) -> bool:
    """Whether logon_right_info ran (its result, or the failure the action kept): else its rules are skipped."""
    return 'rights' in ctx.rights_result


def rights_unreadable(ctx: Context) -> Hit | None:
    # logon_right_info failed (LSA refused or did not answer): no holder list was read, so none is "missing"
    error = ctx.rights_result.get('read_error')
    if error:
        return Hit([evidence_item('logon_right_info', 'rights', 'not read: %s' % error)])
    return None


def rights_gpo_unreadable(ctx: Context) -> Hit | None:
    # the holders were read but RSoP was not: whether a GPO owns the rights (and would undo a local grant) is unknown
    if ctx.rights and ctx.rights_result.get('rsop_available') is False:
        return Hit([evidence_item('logon_right_info', 'rsop_available', 'false (root\\rsop\\computer not read)')])
    return None


def _gmsa_unreadable(ctx: Context) -> Hit | None:
    g = ctx.domain['gmsa']
    if g.get('exists') is not None:
        return None
    error = g.get('ad_error') or {}
    types = ', '.join(error.get('types') or []) or 'no error type'
    return Hit([evidence_item('gmsa_host', 'exists', '%s: null (not read)' % g.get('name')),
                evidence_item('gmsa_host', 'ad_error', '%s: %s' % (types, error.get('message') or 'no message'))])


def _memory(ctx: Context) -> Hit | None:
    mem = _int(ctx.get('host.os.total_memory_bytes'))
    if mem is not None and mem < MIN_MEMORY_BYTES * 0.95:   # firmware reserves a little
        return Hit([_ev(ctx, 'host.os.total_memory_bytes', '%.1f GB' % (mem / 1024.0 ** 3))])


def _dotnet(ctx: Context) -> Hit | None:
    rel = _int(ctx.get('host.dotnet.release'))
    if rel is not None and rel < DOTNET_471_RELEASE:
        return Hit([_ev(ctx, 'host.dotnet.release', 'Release = %d (< %d)' % (rel, DOTNET_471_RELEASE))])


def _execution_policy(ctx: Context) -> Hit | None:
    pol = ctx.host.get('execution_policy') or {}
    ev, severity, gpo_set = [], None, False
    for scope in ('machine_policy', 'user_policy', 'local_machine', 'current_user'):
        value = str(pol.get(scope) or 'Undefined')
        if value.lower() in ('undefined', 'remotesigned'):
            continue
        ev.append(_ev(ctx, 'host.execution_policy.' + scope, '%s = %s' % (scope, value)))
        if scope in ('machine_policy', 'user_policy'):
            gpo_set = True
        severity = 'blocker' if value.lower() == 'unrestricted' or severity == 'blocker' else 'warning'
    if ev:
        return Hit(ev, severity=severity, automatic=not gpo_set,
                   detail='Documented values are Undefined or RemoteSigned; Unrestricted makes '
                          'registration fail with a security error.',
                   how=None if not gpo_set else 'Policy is set by Group Policy: change it in the GPO.')


def _tls(ctx: Context) -> Hit | None:
    tls = ctx.host.get('tls') or {}
    ev, explicit = [], False
    for side in ('tls12_client', 'tls12_server'):
        vals = tls.get(side) or {}
        if _int(vals.get('enabled')) == 0 or _int(vals.get('disabled_by_default')) == 1:
            explicit = True
            ev.append(_ev(ctx, 'host.tls.' + side, '%s: Enabled=%s DisabledByDefault=%s'
                          % (side, vals.get('enabled'), vals.get('disabled_by_default'))))
    dotnet = tls.get('dotnet') or {}
    for key in ('schusestrongcrypto_64', 'schusestrongcrypto_32', 'systemdefaulttlsversions_64',
                'systemdefaulttlsversions_32'):
        v = _int(dotnet.get(key))
        if v == 0:
            explicit = True
            ev.append(_ev(ctx, 'host.tls.dotnet.' + key))
        elif v is None and key.startswith('schusestrongcrypto'):
            ev.append(_ev(ctx, 'host.tls.dotnet.' + key, '%s not set' % key))
    if ev:
        return Hit(ev, severity='blocker' if explicit else 'warning',
                   detail=None if explicit else 'SchUseStrongCrypto is not set; .NET 4.7+ usually '
                   'negotiates TLS 1.2 anyway, Microsoft asks for the value.')


def _vault(ctx: Context) -> Hit | None:
    if str(ctx.get('host.credential_manager.start_mode', '')).lower() == 'disabled':
        return Hit([_ev(ctx, 'host.credential_manager.start_mode')])


def _stale(ctx: Context) -> Hit | None:
    agent = ctx.host.get('agent') or {}
    left = ctx.host.get('leftovers') or {}
    ev = []
    folders = []
    if not agent.get('installed'):
        # Folders alone do not block setup (the installer lays its files over them, and the removal never deletes
        # them): they are evidence beside a real sign (an uninstall entry, a service left behind), not a sign.
        for key in ('install_dir_exists', 'program_data_exists'):
            if left.get(key):
                folders.append(_ev(ctx, 'host.leftovers.' + key))
        for d in left.get('package_cache_dirs') or []:
            folders.append(evidence_item('agent_host_info', 'leftovers.package_cache_dirs', d))
        if agent.get('uninstall_entries'):
            ev.append(evidence_item('agent_host_info', 'agent.uninstall_entries',
                                    ', '.join(e.get('display_name') or '?' for e in agent['uninstall_entries'])))
    for name in left.get('orphan_services') or []:
        ev.append(evidence_item('agent_host_info', 'leftovers.orphan_services', name))
    for svc in ctx.host.get('services') or []:
        state = str(svc.get('state') or '').lower().replace(' ', '')
        if svc.get('role') == 'agent' and svc.get('exists') and not agent.get('registered') \
                and state in ('stopped', 'startpending', 'starting'):
            ev.append(evidence_item('agent_host_info', 'services[%s].state' % svc.get('name'),
                                    '%s is %s and the agent is not registered' % (svc.get('name'), svc.get('state'))))
    if ev:
        return Hit(ev + folders)


def _right(ctx: Context, name: str) -> dict | None:
    r = ctx.rights.get(name)
    return r if isinstance(r, dict) else None


def _holder_list(right: dict) -> str:
    return ', '.join(sorted(h.get('name') or h.get('sid') or '?' for h in right.get('holders') or [])) or '(no holders)'


def _service_right_local(ctx: Context) -> Hit | None:
    r = _right(ctx, _windows.SERVICE_LOGON_RIGHT)
    if (r.get('gpo') or {}).get('defined'):
        return None      # the GPO rule reports it
    if not _windows.has_all_services(r.get('holders')):
        return Hit([evidence_item('logon_right_info', 'rights.SeServiceLogonRight.holders', _holder_list(r))])


def _service_right_gpo(ctx: Context) -> Hit | None:
    r = _right(ctx, _windows.SERVICE_LOGON_RIGHT)
    gpo = r.get('gpo') or {}
    if not gpo.get('defined'):
        return None
    if not _windows.has_all_services(gpo.get('account_list')):
        return Hit([evidence_item('logon_right_info', 'rights.SeServiceLogonRight.gpo',
                                  "GPO '%s' (%s) defines: %s" % (gpo.get('name'), gpo.get('id'),
                                                                 ', '.join(gpo.get('account_list') or []) or '(empty)'))],
                   detail="Winning GPO: %s" % gpo.get('name'))


def _gmsa_right(ctx: Context) -> Hit | None:
    name = _gmsa_name(ctx)
    if not name:
        return None
    r = _right(ctx, _windows.SERVICE_LOGON_RIGHT)
    # The gMSA itself must hold the right (NT SERVICE\ALL SERVICES covers the
    # install-time virtual account, not the gMSA logon checked by event 7041).
    if not _windows.holds(r.get('holders'), name):
        gpo = r.get('gpo') or {}
        return Hit([evidence_item('logon_right_info', 'rights.SeServiceLogonRight.holders',
                                  '%s is not a holder' % name)],
                   automatic=not gpo.get('defined'),
                   how=("Add %s to the GPO '%s'." % (name, gpo.get('name'))) if gpo.get('defined') else None)


def _deny(ctx: Context) -> Hit | None:
    r = _right(ctx, 'SeDenyServiceLogonRight')
    holders = r.get('holders')
    bad = _windows.broad_denied(holders)
    for extra in (_gmsa_name(ctx), _windows.DEFAULT_GMSA, 'NT SERVICE\\' + _windows.AGENT_SERVICE):
        if extra and _windows.holds(holders, extra):
            bad.append(extra)
    bad.extend(k for k in _windows.holder_keys(holders) if k.startswith(_windows.WRITEBACK_GMSA_PREFIX))
    if bad:
        gpo = r.get('gpo') or {}
        return Hit([evidence_item('logon_right_info', 'rights.SeDenyServiceLogonRight.holders', ', '.join(bad))],
                   detail=("Set by GPO '%s'" % gpo.get('name')) if gpo.get('defined') else None,
                   how=("Remove the entry from the GPO '%s' (%s)." % (gpo.get('name'), gpo.get('id')))
                   if gpo.get('defined') else None)


def _not_managed(ctx: Context) -> Hit | None:
    ev = []
    for svc in ctx.host.get('services') or []:
        if svc.get('exists') and _windows.account_kind(svc.get('start_name')) == 'gmsa' and svc.get('managed_account') is False:
            ev.append(evidence_item('agent_host_info', 'services[%s].managed_account' % svc.get('name'),
                                    '%s runs as %s, managed account = FALSE' % (svc.get('name'), svc.get('start_name'))))
    if ev:
        return Hit(ev)


def _gmsa_exists(ctx: Context) -> Hit | None:
    g = ctx.domain.get('gmsa') or {}
    if g.get('exists') is False:
        custom = bool(ctx.options.get('custom_gmsa'))
        return Hit([evidence_item('gmsa_host', 'exists', '%s not found' % g.get('name'))],
                   severity='blocker' if custom else 'warning',
                   detail=None if custom else 'The default gMSA is created during registration.')


def parse_time(value: object) -> datetime.datetime | None:
    """An ISO 8601 time (a trailing Z accepted) as an aware datetime, UTC when no zone is given; None when unreadable."""
    try:
        text = str(value).replace('Z', '+00:00')
        t = datetime.datetime.fromisoformat(text)
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        return t
    except (TypeError, ValueError):
        return None


# Domain controllers use a KDS root key only 10 hours after its EffectiveTime
# (Add-KdsRootKey -EffectiveImmediately sets it to now; microsoft.ad.kds_root_key
# and kds_root_key_info document the same 10 hours, which is why the lab-only
# shortcut backdates EffectiveTime by 10 hours).
KDS_USABLE_AFTER = datetime.timedelta(hours=10)


def _now(ctx: Context) -> datetime.datetime:
    now = ctx.options.get('now')
    if isinstance(now, datetime.datetime):
        return now if now.tzinfo else now.replace(tzinfo=datetime.timezone.utc)
    return (parse_time(now) if now else None) or datetime.datetime.now(datetime.timezone.utc)


def _kds_times(keys: list) -> list[tuple[Any, datetime.datetime | None]]:
    """(key, effective time or None) for each listed key; a non-dict entry has no known time."""
    return [(k, parse_time(k.get('effective_time')) if isinstance(k, dict) else None) for k in keys]


def _kds_known(ctx: Context) -> bool:
    """The KDS verdict is decidable: the key list is known (null = not read) and either one key is
    usable already or every key's effective time is known. Otherwise the rule is skipped."""
    keys = ctx.domain.get('kds_root_keys')
    if not isinstance(keys, list):
        return False
    times = [t for dummy_key, t in _kds_times(keys)]
    now = _now(ctx)
    return all(t is not None for t in times) or any(t is not None and t + KDS_USABLE_AFTER <= now for t in times)


def _kds(ctx: Context) -> Hit | None:
    keys = ctx.domain['kds_root_keys']
    if not keys:
        return Hit([evidence_item('domain_facts', 'kds_root_keys', 'Get-KdsRootKey returned no key')])
    now = _now(ctx)
    times = _kds_times(keys)
    if any(t is not None and t + KDS_USABLE_AFTER <= now for dummy_key, t in times):
        return None
    # _kds_known guarantees every time is known here, and none is usable yet
    ev = []
    for index, (key, t) in sorted(enumerate(times), key=lambda it: it[1][1]):
        ev.append(evidence_item('domain_facts', 'kds_root_keys[%s].effective_time' % (key.get('key_id') or key.get('id') or index),
                                'effective time %s; usable by domain controllers from %s' % (
                                    t.isoformat(), (t + KDS_USABLE_AFTER).isoformat())))
    usable_at = min(t for dummy_key, t in times) + KDS_USABLE_AFTER
    wait = usable_at - now
    hours, rest = divmod(int(wait.total_seconds()) // 60, 60)
    return Hit(ev[:5],
               detail='A KDS root key exists but is not usable yet: domain controllers use a key only 10 hours after '
                      'its effective time. It becomes usable at %s (in %dh%02dm).' % (usable_at.isoformat(), hours, rest),
               automatic=False,
               how='Wait until %s, then run preflight again; creating another key does not make one usable sooner. '
                   'Only in a lab with a single domain controller may a key be backdated by 10 hours '
                   '(microsoft.ad.kds_root_key effective_time_hours: 0).' % usable_at.isoformat())


def _host_encryption_types(ctx: Context) -> int | None:
    """The host's SupportedEncryptionTypes value: as gmsa_host read it, else as agent_host_info did (None = absent)."""
    gmsa = ctx.domain.get('gmsa') or {}
    value = _int(gmsa.get('host_encryption_types'))
    return value if value is not None else _int(ctx.get('host.kerberos.supported_encryption_types'))


def gmsa_encryption_overlap(ctx: Context) -> int | None:
    """Encryption types both the host and the gMSA allow, from the raw bits; None when the gMSA's are unknown."""
    account = _int((ctx.domain.get('gmsa') or {}).get('account_encryption_types'))
    if account is None:
        return None
    return _windows.encryption_overlap(_host_encryption_types(ctx), account)


def _enc(ctx: Context) -> Hit | None:
    gmsa = ctx.domain.get('gmsa') or {}
    host = _host_encryption_types(ctx)
    if not gmsa and host is not None and not host & _windows.AES_BITS:
        return Hit([evidence_item('agent_host_info', 'kerberos.supported_encryption_types',
                                  'host allows %s only; no AES' % _windows.encryption_type_names(host))],
                   severity='warning',
                   detail='gMSA facts were not given; a gMSA limited to AES will not overlap this host.')
    if gmsa_encryption_overlap(ctx) != 0:
        return None
    account = _int(gmsa.get('account_encryption_types'))
    return Hit([evidence_item('agent_host_info', 'kerberos.supported_encryption_types', 'host: %s (%s)' % (
        _windows.encryption_type_names(_windows.effective_host_encryption_types(host)),
        'Windows default' if host is None else host)),
        evidence_item('gmsa_host', 'account_encryption_types', 'gMSA: %s (%s)' % (
            _windows.encryption_type_names(account), account))])


def _encryption_known(ctx: Context) -> bool:
    """The gMSA's encryption types were read, or no gMSA was given and the host's are known; a gMSA read that
    failed (null) is an unknown, not an overlap."""
    gmsa = ctx.domain.get('gmsa')
    if gmsa:
        return _int(gmsa.get('account_encryption_types')) is not None
    return ctx.get('host.kerberos.supported_encryption_types') is not None


def _gmsa_retrieve(ctx: Context) -> Hit | None:
    if ctx.get('domain.gmsa.can_retrieve_password') is False:
        return Hit([evidence_item('gmsa_host', 'can_retrieve_password',
                                  'allowed: %s' % ', '.join(ctx.get('domain.gmsa.principals_allowed_to_retrieve', [])))])


def _gmsa_usable(ctx: Context) -> Hit | None:
    g = ctx.domain.get('gmsa') or {}
    if g.get('exists') and g.get('usable') is False and g.get('can_retrieve_password') is not False \
            and gmsa_encryption_overlap(ctx) != 0:
        return Hit([evidence_item('gmsa_host', 'usable', 'Test-ADServiceAccount returned False')])


def _msa_container(ctx: Context) -> Hit | None:
    if ctx.domain.get('msa_container_exists') is False:
        return Hit([evidence_item('domain_facts', 'msa_container_exists', 'CN=Managed Service Accounts not found')])


def _level(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    v = str(value).lower().replace(' ', '').replace('server', '').replace('domain', '').replace('forest', '')
    if v.isdigit():
        return int(v)
    return FUNCTIONAL_LEVELS.get(v)


def _ad_level(ctx: Context) -> Hit | None:
    d = ctx.domain
    failed = []
    builds = [b for b in (_int(x) for x in d.get('dc_os_builds') or []) if b]
    if builds and max(builds) < MIN_SERVER_BUILD:
        failed.append(AD_LEVEL_SOURCES[0])
    for key in ('domain_functional_level', 'forest_functional_level'):
        lvl = _level(d.get(key))
        if lvl is not None and lvl < FUNCTIONAL_LEVELS['windows2012r2']:
            failed.append((AD_LEVEL_SOURCES[1][0], '%s = %s' % (key, d.get(key)), AD_LEVEL_SOURCES[1][2]))
    schema = _int(d.get('schema_version'))
    if schema is not None and schema < 56:
        failed.append(AD_LEVEL_SOURCES[2])
    if d.get('schema_has_external_directory_object_id') is False or (schema is not None and schema < 87):
        failed.append(AD_LEVEL_SOURCES[3])
    if failed:
        return Hit([evidence_item('domain_facts', f[0], '%s (source: %s)' % (f[1], f[2])) for f in failed],
                   detail='Microsoft sources disagree on the AD level; this rule applies the strictest '
                          '(all of: %s).' % '; '.join(s[1] for s in AD_LEVEL_SOURCES))


def _tier0(ctx: Context) -> Hit | None:
    if not ctx.options.get('tier0_acknowledged'):
        return Hit([evidence_item('options', 'tier0_acknowledged', 'false')])


def _ntlm(ctx: Context) -> Hit | None:
    lm = _int(ctx.get('host.ntlm.lm_compatibility_level'))
    restrict = _int(ctx.get('host.ntlm.restrict_sending_ntlm_traffic'))
    if restrict == 2 or (lm is not None and lm >= 5):
        return None
    return Hit([evidence_item('agent_host_info', 'ntlm', 'LmCompatibilityLevel=%s RestrictSendingNTLMTraffic=%s'
                              % ('default(3)' if lm is None else lm, 'not set' if restrict is None else restrict))])


def _reboot(ctx: Context) -> Hit | None:
    if ctx.get('host.pending_reboot.required') is True:
        return Hit([evidence_item('agent_host_info', 'pending_reboot.reasons',
                                  ', '.join(ctx.get('host.pending_reboot.reasons', [])) or 'required')])


def _server2025(ctx: Context) -> Hit | None:
    build = _int(ctx.get('host.os.build'))
    if build is None or build < SERVER_2025_BUILD or ctx.get('host.os.product_type') == 'workstation':
        return None
    min_ubr = _int(ctx.options.get('server_2025_min_ubr'))
    ubr = _int(ctx.get('host.os.ubr'))
    if min_ubr is not None and ubr is not None and ubr >= min_ubr:
        return None
    return Hit([_ev(ctx, 'host.os.ubr', 'build %s.%s' % (build, 'unknown' if ubr is None else ubr))],
               detail='The UBR that carries KB5070773 is not published here; set option '
                      'server_2025_min_ubr to verify it, otherwise confirm the update by hand.')


def _route(row: dict) -> str:
    """'direct' or 'agent_proxy proxy.contoso.com:8080': the way a probe went (older results name none: direct)."""
    route = row.get('route') or 'direct'
    return route if not row.get('proxy') else '%s %s' % (route, row['proxy'])


def _proxy_auth_required(row: dict) -> bool:
    """The proxy answered the CONNECT with 407: it wants credentials, the firewall is not the problem."""
    return bool(row.get('proxy')) and str(row.get('proxy_status') or '').split(' ')[1:2] == ['407']


def _reach_some(ctx: Context) -> Hit | None:
    rows = [r for r in ctx.host.get('reachability') or [] if r.get('reachable') is False]
    if rows:
        return Hit([evidence_item('agent_host_info', 'reachability', '%s:%s via %s: %s' % (
            r.get('host'), r.get('port'), _route(r), r.get('proxy_status') or r.get('error') or 'unreachable'))
            for r in rows])


def _reach_all(ctx: Context) -> Hit | None:
    rows = [r for r in ctx.host.get('reachability') or [] if int(r.get('port') or 0) == 443]
    if not rows or not all(r.get('reachable') is False for r in rows):
        return None
    routes = sorted(set(_route(r) for r in rows))
    evidence = [evidence_item('agent_host_info', 'reachability', 'none of %d endpoints on 443 reachable via %s' % (
        len(rows), ', '.join(routes)))]
    auth = sorted(set(r['proxy'] for r in rows if _proxy_auth_required(r)))
    if not auth:
        return Hit(evidence)
    evidence.append(evidence_item('agent_host_info', 'reachability[].proxy_status', '; '.join(
        '%s: %s' % (r['proxy'], r.get('proxy_status')) for r in rows if _proxy_auth_required(r))))
    return Hit(evidence, detail='The proxy %s answered 407 (Proxy Authentication Required): it refused the '
                                'connection for lack of credentials; the firewall did not block it.' % ', '.join(auth),
               how='Let the proxy %s allow the host (or the agent\'s account) without authentication, or exempt the '
                   'Microsoft endpoints from it; the agent cannot answer a proxy authentication challenge '
                   'headless.' % ', '.join(auth))


def _registration_credentials(ctx: Context) -> Hit | None:
    if (ctx.host.get('agent') or {}).get('registered'):
        return None
    if not ctx.options.get('registration_credentials_given'):
        return Hit([evidence_item('options', 'registration_credentials_given',
                                  'the agent is not registered and no tenant user name and password were given')])


def _rights_known(ctx: Context, name: str) -> bool:
    return _right(ctx, name) is not None


# One row per rule: id, facts it needs (dotted paths or callables), source, check.
RULES = [
    {'id': 'unsupported_os', 'needs': ['host.os'], 'source': SRC_PREREQ, 'check': _os},
    {'id': 'not_domain_joined', 'needs': ['host.domain.joined'], 'source': SRC_PREREQ, 'check': _domain},
    {'id': 'domain_membership_unreadable', 'needs': [_domain_read], 'source': SRC_PREREQ, 'check': _domain_unreadable},
    {'id': 'insufficient_memory', 'needs': ['host.os.total_memory_bytes'], 'source': SRC_PREREQ, 'check': _memory},
    {'id': 'dotnet_too_old', 'needs': ['host.dotnet.release'], 'source': SRC_PREREQ, 'check': _dotnet},
    {'id': 'execution_policy_blocks_registration', 'needs': ['host.execution_policy'], 'source': SRC_PREREQ,
     'check': _execution_policy},
    {'id': 'tls12_disabled', 'needs': ['host.tls'], 'source': SRC_PREREQ, 'check': _tls},
    {'id': 'credential_manager_disabled', 'needs': ['host.credential_manager.start_mode'], 'source': SRC_SUPPORT,
     'check': _vault},
    {'id': 'stale_agent_installation', 'needs': ['host.agent'], 'source': SRC_SUPPORT, 'check': _stale},
    {'id': 'logon_rights_unreadable', 'needs': [rights_read], 'source': SRC_SUPPORT, 'check': rights_unreadable},
    {'id': 'logon_right_gpo_unreadable', 'needs': [rights_read, 'host.domain.joined'], 'source': SRC_SUPPORT,
     'check': rights_gpo_unreadable},
    {'id': 'service_logon_right_missing_all_services', 'needs': [lambda c: _rights_known(c, 'SeServiceLogonRight')],
     'source': SRC_SUPPORT, 'check': _service_right_local},
    {'id': 'service_logon_right_removed_by_gpo', 'needs': [lambda c: _rights_known(c, 'SeServiceLogonRight')],
     'source': SRC_SUPPORT, 'check': _service_right_gpo},
    {'id': 'gmsa_logon_right_missing', 'needs': [lambda c: _rights_known(c, 'SeServiceLogonRight'), _gmsa_name],
     'source': SRC_SUPPORT, 'check': _gmsa_right},
    {'id': 'deny_logon_as_service', 'needs': [lambda c: _rights_known(c, 'SeDenyServiceLogonRight')],
     'source': SRC_SUPPORT, 'check': _deny},
    {'id': 'kds_root_key_missing', 'needs': [_kds_known], 'source': SRC_GMSA, 'check': _kds},
    {'id': 'kerberos_encryption_mismatch', 'needs': [_encryption_known],
     'source': SRC_SUPPORT, 'check': _enc},
    {'id': 'gmsa_missing', 'needs': ['domain.gmsa.exists'], 'source': SRC_GMSA, 'check': _gmsa_exists},
    {'id': 'gmsa_unreadable', 'needs': ['domain.gmsa'], 'source': SRC_GMSA, 'check': _gmsa_unreadable},
    {'id': 'service_not_managed_account', 'needs': ['host.services'], 'source': SRC_SUPPORT, 'check': _not_managed},
    {'id': 'gmsa_password_retrieval_denied', 'needs': ['domain.gmsa.can_retrieve_password'], 'source': SRC_GMSA,
     'check': _gmsa_retrieve},
    {'id': 'gmsa_not_usable', 'needs': ['domain.gmsa.usable'], 'source': SRC_GMSA, 'check': _gmsa_usable},
    {'id': 'msa_container_missing', 'needs': ['domain.msa_container_exists'], 'source': SRC_SUPPORT,
     'check': _msa_container},
    {'id': 'ad_level_too_low', 'needs': [lambda c: any(k in c.domain for k in (
        'dc_os_builds', 'domain_functional_level', 'forest_functional_level', 'schema_version',
        'schema_has_external_directory_object_id'))], 'source': 'strictest of: ' + '; '.join(
        sorted(set(s[2] for s in AD_LEVEL_SOURCES))), 'check': _ad_level},
    {'id': 'tier0_host', 'needs': [], 'source': SRC_PREREQ, 'check': _tier0},
    {'id': 'registration_credentials_missing', 'needs': ['host.agent', 'options.registration_credentials_given'],
     'source': SRC_INSTALL, 'check': _registration_credentials},
    {'id': 'ntlm_enabled', 'needs': ['host.ntlm'], 'source': SRC_PREREQ, 'check': _ntlm},
    {'id': 'pending_reboot', 'needs': ['host.pending_reboot'], 'source': SRC_INSTALL, 'check': _reboot},
    {'id': 'server_2025_update_missing', 'needs': ['host.os.build'], 'source': SRC_PREREQ, 'check': _server2025},
    {'id': 'endpoint_unreachable', 'needs': ['host.reachability'], 'source': SRC_PREREQ, 'check': _reach_some},
    {'id': 'outbound_connectivity_blocked', 'needs': ['host.reachability'], 'source': SRC_PREREQ,
     'check': _reach_all},
    {'id': 'agent_proxy_config_unreadable', 'needs': [lambda c: isinstance(c.host.get('proxy'), dict)],
     'source': SRC_PREREQ, 'check': _proxy_unreadable},
]


def _needs_met(ctx: Context, needs: list) -> bool:
    for need in needs:
        if callable(need):
            if not need(ctx):
                return False
        elif ctx.get(need) in (None, {}, []):
            return False
    return True


def evaluate(host_info: dict | None = None, logon_rights: dict | None = None, domain_facts: dict | None = None,
             options: dict | None = None, rules: list[dict] | None = None) -> dict:
    """Apply every rule; return {findings, results, blockers, warnings_ids, ready}.

    ``results`` has one entry per rule: {id, status: passed|failed|skipped, message, source}
    (JUnit renders one test case from each). A rule whose facts are unknown is
    skipped, never failed.
    """
    ctx = Context(host_info, logon_rights, domain_facts, options)
    findings, results = [], []
    for rule in rules or RULES:
        rid = rule['id']
        try:
            needs_met = _needs_met(ctx, rule['needs'])
        except Exception as e:     # malformed facts: skip, never block
            results.append({'id': rid, 'status': 'skipped', 'source': rule['source'],
                            'message': 'could not evaluate: %s: %s' % (type(e).__name__, e)})
            continue
        if not needs_met:
            results.append({'id': rid, 'status': 'skipped', 'source': rule['source'],
                            'message': 'facts not available'})
            continue
        try:
            hit = rule['check'](ctx)
        except Exception as e:     # a malformed fact must not hide the other rules
            results.append({'id': rid, 'status': 'skipped', 'source': rule['source'],
                            'message': 'could not evaluate: %s: %s' % (type(e).__name__, e)})
            continue
        if hit is None:
            results.append({'id': rid, 'status': 'passed', 'source': rule['source'], 'message': 'ok'})
            continue
        finding = make_finding(rid, hit.evidence, source=rule['source'], detail=hit.detail, severity=hit.severity)
        if hit.automatic is not None:
            finding['remediation']['automatic'] = bool(hit.automatic and finding['remediation']['automatic'])
        if hit.how:
            finding['remediation']['how'] = hit.how
        findings.append(finding)
        results.append({'id': rid, 'status': 'failed', 'source': rule['source'], 'severity': finding['severity'],
                        'message': finding['title'] + ('' if not hit.detail else ' - ' + hit.detail)})
    findings = sort_findings(findings)
    blockers = [f['id'] for f in findings if f['severity'] == 'blocker']
    return {'findings': findings, 'results': results, 'blockers': blockers,
            'warnings_ids': [f['id'] for f in findings if f['severity'] == 'warning'],
            'ready': not blockers}


# ----------------------------------------------------------------- repair plan
# Findings that stop the provisioning_agent role before it changes anything.
# Unknown user rights stop it too: the installer would end in 1603 if the service cannot log on.
AGENT_STOPPERS = ('registration_credentials_missing', 'logon_rights_unreadable')

# The local or domain fixes the prerequisites role may apply: the finding each clears, the switch
# (a key of ``allowed``) that permits it, and the step the role runs. A fix is planned only when its
# finding is present, the rule marked it automatic (no GPO owns the setting) and its switch is on.
REPAIRS: list[tuple[str, str, str]] = [
    ('service_logon_right_missing_all_services', 'service_logon_right', 'grant_right'),
    ('gmsa_logon_right_missing', 'service_logon_right', 'grant_right'),
    ('tls12_disabled', 'tls', 'set_registry'),
    ('credential_manager_disabled', 'credential_manager', 'set_start_mode'),
    ('execution_policy_blocks_registration', 'execution_policy', 'set_execution_policy'),
    ('stale_agent_installation', 'stale_install', 'remove_agent'),
    ('kds_root_key_missing', 'kds_root_key', 'create_kds_root_key'),
    ('kerberos_encryption_mismatch', 'gmsa_encryption_types', 'set_gmsa_encryption_types'),
]


# How a service may be known as this agent's before the plan may remove it: never by display name, which
# the Pass-through Authentication agent's updater shares.
REMOVABLE_IDENTIFIED_BY = ('registry_key', 'service_name')


def _stale_removal(host: dict) -> list[dict]:
    """The remove_agent step: the services it may delete (found by registry key or service name, and not the
    updater while another Entra agent that shares it is installed); no step when nothing else is left to remove."""
    others = list(host.get('other_entra_agents') or [])
    services = [svc['name'] for svc in host.get('services') or []
                if svc.get('exists') and svc.get('name') and svc.get('identified_by') in REMOVABLE_IDENTIFIED_BY
                and not (svc.get('role') == 'updater' and others)]
    left = host.get('leftovers') or {}
    agent = host.get('agent') or {}
    other_leftovers = not agent.get('installed') and bool(
        left.get('install_dir_exists') or left.get('program_data_exists') or left.get('package_cache_dirs')
        or any(e.get('identified_by') == 'product_code' for e in agent.get('uninstall_entries') or []))
    if not services and not other_leftovers:
        return []
    return [{'services': services, 'keep_updater': bool(others), 'other_entra_agents': others}]


def _repair_steps(finding_id: str, action: str, options: dict, present: set[str],
                  host: dict | None = None) -> list[dict]:
    """The parameters of one planned fix, one entry per change the role makes."""
    if finding_id == 'gmsa_logon_right_missing':
        # only a named gMSA that exists can be granted a right; a missing one is reported as gmsa_missing
        if not options.get('gmsa_name') or 'gmsa_missing' in present:
            return []
        return [{'right': _windows.SERVICE_LOGON_RIGHT, 'account': options['gmsa_name']}]
    if action == 'grant_right':
        return [{'right': _windows.SERVICE_LOGON_RIGHT, 'account': _windows.ALL_SERVICES_NAME}]
    if action == 'set_registry':
        return [{'path': path, 'name': name, 'data': data} for path, name, data in _windows.TLS12_REGISTRY_VALUES]
    if action == 'set_start_mode':
        return [{'service': _windows.CREDENTIAL_MANAGER_SERVICE, 'start_mode': 'manual'}]
    if action == 'remove_agent':
        return _stale_removal(host or {})
    if action == 'set_gmsa_encryption_types':
        # only a custom gMSA is ours to change; the default one is created by registration
        return [{'gmsa': options['gmsa_name']}] if options.get('gmsa_name') else []
    return [{}]


def plan_repairs(findings: list[dict], allowed: dict | None, options: dict | None = None,
                 host_info: dict | None = None) -> list[dict]:
    """The fixes to apply for ``findings``, in order: [{id, action, ...parameters}]. ``host_info`` (agent_host_info)
    says which services a stale-install removal may touch; without it no removal is planned."""
    allowed = allowed or {}
    by_id = {f['id']: f for f in findings}
    plan = []
    for finding_id, switch, action in REPAIRS:
        finding = by_id.get(finding_id)
        if finding is None or not allowed.get(switch) or not finding['remediation'].get('automatic'):
            continue
        # a right granted here while a GPO may define it would be undone at the next policy refresh
        if action == 'grant_right' and 'logon_right_gpo_unreadable' in by_id:
            continue
        plan.extend(dict(step, id=finding_id, action=action)
                    for step in _repair_steps(finding_id, action, options or {}, set(by_id), host_info))
    return plan


def may_proceed(blockers: list[str], repairs: list[dict], check_mode: bool) -> bool:
    """Whether the role may go on: nothing blocks, or (check mode, where nothing changes) a planned fix clears every blocker."""
    if not blockers:
        return True
    return check_mode and set(blockers) <= {r['id'] for r in repairs}


def plan_agent(host_info: dict, agent_version: str | None, findings: list[dict], host: str | None) -> dict:
    """What the provisioning_agent role does on this host: install (absent, or another version wanted),
    register (no tenant yet), the domains to register when none are given (the host's own), and
    ``message``, set when the agent cannot be registered and the role must stop before any change."""
    agent = host_info.get('agent') or {}
    domain = (host_info.get('domain') or {}).get('name')
    stop = [f for f in findings if f['id'] in AGENT_STOPPERS]
    return {'install': not agent.get('installed') or bool(agent_version and agent.get('version') != agent_version),
            'register': not agent.get('registered'),
            'installed': bool(agent.get('installed')),
            'service': next((svc for svc in host_info.get('services') or [] if svc.get('role') == 'agent'), {}),
            'default_domains': [{'name': domain}] if domain else [],
            'message': failure_message('Cannot install the agent on %s:' % host, stop) if stop else ''}
