# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Day-2 health rules: does an installed agent keep working?

The same finding model and the same engine as the prerequisite rules
(``_rules.evaluate`` with ``rules=RULES``); only the table differs. Inputs are
the results of ``agent_host_info`` and ``logon_right_info`` plus options::

    {gmsa_name: str (expected gMSA; default: the account the agent runs as, when it is a gMSA),
     min_version: str ('1.1.1586.0'),
     scm_events: [agent_evidence events] (absent = not gathered: the rule is skipped),
     since: datetime | ISO 8601 (events older than this are ignored), now: datetime}

Rows whose meaning is the same as a prerequisite rule reuse that rule's row
(``tls12_disabled``, ``service_not_managed_account``, ``deny_logon_as_service``).
``plan_repairs`` turns findings into the safe local fixes the health role may
apply; nothing here ever plans a Group Policy change.
"""

from __future__ import annotations

import datetime
from typing import Any
import json
import os
import re

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _reports, _rules, _windows
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import evidence_item
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._rules import Context, Hit, parse_time

SCM_PROVIDER = 'Service Control Manager'
SCM_EVENTS = {
    7000: 'failed to start',
    7034: 'terminated unexpectedly',
    7038: 'could not log on with its configured password (or the managed-account flag is FALSE)',
    7041: "could not log on: the account lacks the requested logon type ('Log on as a service')",
}
SERVICE_RIGHT = _windows.SERVICE_LOGON_RIGHT
GPO_PATH = _windows.USER_RIGHTS_GPO_PATH + ' > ' + _windows.RIGHT_DISPLAY_NAMES[SERVICE_RIGHT]
TLS_VALUES = (
    ('tls12_client', 'enabled', r'SCHANNEL\Protocols\TLS 1.2\Client', 'Enabled', 1),
    ('tls12_client', 'disabled_by_default', r'SCHANNEL\Protocols\TLS 1.2\Client', 'DisabledByDefault', 0),
    ('tls12_server', 'enabled', r'SCHANNEL\Protocols\TLS 1.2\Server', 'Enabled', 1),
    ('tls12_server', 'disabled_by_default', r'SCHANNEL\Protocols\TLS 1.2\Server', 'DisabledByDefault', 0),
    ('dotnet', 'schusestrongcrypto_64', r'.NETFramework\v4.0.30319', 'SchUseStrongCrypto', 1),
    ('dotnet', 'schusestrongcrypto_32', r'WOW6432Node\...\.NETFramework\v4.0.30319', 'SchUseStrongCrypto', 1),
    ('dotnet', 'systemdefaulttlsversions_64', r'.NETFramework\v4.0.30319', 'SystemDefaultTlsVersions', 1),
    ('dotnet', 'systemdefaulttlsversions_32', r'WOW6432Node\...\.NETFramework\v4.0.30319', 'SystemDefaultTlsVersions', 1),
)
_PREREQ = {row['id']: row for row in _rules.RULES}


# ----------------------------------------------------------------- facts
def parse_version(value: Any) -> tuple[int, ...]:
    """'1.1.1586.0' -> (1, 1, 1586, 0); ValueError when it is not dotted numbers."""
    text = str(value or '').strip()
    if not re.match(r'^\d+(\.\d+){0,3}$', text):
        raise ValueError("'%s' is not a version like 1.1.1586.0" % text)
    parts = [int(p) for p in text.split('.')]
    return tuple(parts + [0] * (4 - len(parts)))


def _service(ctx: Context, role: str) -> dict | None:
    return next((s for s in ctx.host.get('services') or [] if s.get('role') == role), None)


def _installed(ctx: Context) -> bool:
    return (ctx.host.get('agent') or {}).get('installed') is True


def _agent_exists(ctx: Context) -> bool:
    svc = _service(ctx, 'agent')
    return _installed(ctx) and bool(svc and svc.get('exists'))


def _short(account: Any) -> str:
    """'CONTOSO\\provAgentgMSA$' / 'provAgentgMSA$@contoso.com' / 'provAgentgMSA' -> 'provagentgmsa'."""
    return _windows.short_account_name(account).rstrip('$')


def _gmsa(ctx: Context) -> tuple[str, str] | None:
    """(name to match, entry to write) of the gMSA the agent should run as, or None."""
    svc = _service(ctx, 'agent') or {}
    start = str(svc.get('start_name') or '')
    wanted = ctx.options.get('gmsa_name')
    if wanted:
        wanted = str(wanted) if str(wanted).endswith('$') or '@' in str(wanted) else str(wanted) + '$'
        # the service's domain-qualified spelling is the exact entry a GPO editor takes
        entry = start if start and _short(start) == _short(wanted) and '\\' in start else wanted
        return wanted, entry
    if _windows.account_kind(start) == 'gmsa':
        return start, start
    return None


def _holder_sids(right: dict, name: str) -> list[str | None]:
    return [h.get('sid') for h in right.get('holders') or []
            if isinstance(h, dict) and h.get('name') and _short(h['name']) == _short(name)]


# ----------------------------------------------------------------- checks
def _not_installed(ctx: Context) -> Hit | None:
    agent = ctx.host.get('agent') or {}
    if agent.get('installed') is False:
        return Hit([evidence_item('agent_host_info', 'agent.installed',
                                  'registry key absent; agent services: %s' % ', '.join(
                                      '%s exists=%s' % (s.get('name'), s.get('exists'))
                                      for s in ctx.host.get('services') or []) or 'none')])
    return None


def _tenant(ctx: Context) -> Hit | None:
    agent = ctx.host.get('agent') or {}
    if not agent.get('tenant_id'):
        return Hit([evidence_item('agent_host_info', 'agent.tenant_id',
                                  'TenantID is not set (agent %s installed in %s)' % (
                                      agent.get('version'), agent.get('install_dir')))])
    return None


def _version(ctx: Context) -> Hit | None:
    have = ctx.get('host.agent.version')
    want = ctx.options.get('min_version')
    if parse_version(have) < parse_version(want):
        return Hit([evidence_item('agent_host_info', 'agent.version', '%s < minimum %s' % (have, want))])
    return None


def _running(ctx: Context) -> Hit | None:
    svc = _service(ctx, 'agent')
    name = (svc or {}).get('name') or (ctx.host.get('agent') or {}).get('service_name')
    if not svc or not svc.get('exists'):
        return Hit([evidence_item('agent_host_info', 'services[agent]', 'service %s does not exist' % name)],
                   automatic=False, detail='The service is missing although the agent is installed.',
                   how='Reinstall the agent (provisioning_agent_package state=absent, then the install_agent playbook).')
    if str(svc.get('state') or '').lower() == 'running':
        return None
    disabled = str(svc.get('start_mode') or '').lower() == 'disabled'
    return Hit([evidence_item('agent_host_info', 'services[%s].state' % name, '%s is %s (start mode %s)' % (
        name, svc.get('state'), svc.get('start_mode')))],
        automatic=not disabled,
        how=('The start mode is Disabled: someone disabled it; set it back to Automatic deliberately, '
             'the health role does not.') if disabled else None)


def _account(ctx: Context) -> Hit | None:
    svc = _service(ctx, 'agent')
    start = str(svc.get('start_name') or '')
    wanted = ctx.options.get('gmsa_name')
    if wanted:
        ok = bool(start) and _short(start) == _short(wanted) and _windows.account_kind(start) == 'gmsa'
        expected = wanted
    else:
        ok = _windows.account_kind(start) == 'gmsa'
        expected = 'a gMSA (an account ending in $)'
    if ok:
        return None
    return Hit([evidence_item('agent_host_info', 'services[%s].start_name' % svc.get('name'),
                              '%s runs as %s; expected %s' % (svc.get('name'), start or '(unknown)', expected))])


def _right_missing(ctx: Context) -> Hit | None:
    name, entry = _gmsa(ctx)
    right = ctx.rights.get(SERVICE_RIGHT) or {}
    if _windows.holds(right.get('holders'), name):
        return None
    gpo = right.get('gpo') or {}
    holders = ', '.join(sorted(h.get('name') or h.get('sid') or '?' for h in right.get('holders') or [])) or '(none)'
    ev = [evidence_item('logon_right_info', 'rights.SeServiceLogonRight.holders',
                        '%s is not a holder; holders: %s' % (name, holders))]
    if gpo.get('defined'):
        ev.append(_gpo_evidence(gpo))
        return Hit(ev, automatic=False, how=_gpo_how(gpo, entry),
                   detail="GPO '%s' defines the right without the gMSA: a local grant would be undone at the "
                          'next policy refresh.' % gpo.get('name'))
    return Hit(ev, automatic=True,
               how='No GPO defines the right: the health role with entra_sync_health_repair: true grants it '
                   'locally (ansible.windows.win_user_right name=SeServiceLogonRight users=%s action=add).' % entry)


def _right_at_risk(ctx: Context) -> Hit | None:
    name, entry = _gmsa(ctx)
    right = ctx.rights.get(SERVICE_RIGHT) or {}
    gpo = right.get('gpo') or {}
    if not gpo.get('defined') or not _windows.holds(right.get('holders'), name):
        return None     # no GPO, or already lost (gmsa_logon_right_missing says so)
    if _windows.holds(gpo.get('account_list'), name, _holder_sids(right, name)):
        return None
    return Hit([evidence_item('logon_right_info', 'rights.SeServiceLogonRight.holders',
                              '%s holds the right now, through a local grant only' % name), _gpo_evidence(gpo)],
               automatic=False, how=_gpo_how(gpo, entry),
               detail="The next Group Policy refresh (security settings are re-applied at least every 16 hours) "
                      "replaces the local list with the GPO's, and the agent can no longer log on (event 7041).")


def _gpo_evidence(gpo: dict) -> dict:
    return evidence_item('logon_right_info', 'rights.SeServiceLogonRight.gpo', "GPO '%s' %s (precedence %s) defines: %s" % (
        gpo.get('name'), gpo.get('id'), gpo.get('precedence'), ', '.join(gpo.get('account_list') or []) or '(empty)'))


def _gpo_how(gpo: dict, entry: str) -> str:
    keep = list(gpo.get('account_list') or [])
    return ("In GPO '%s' %s: %s, add the entry '%s' (keep the existing %s), then run gpupdate /force on the "
            'host. The collection never edits a GPO.' % (
                gpo.get('name'), gpo.get('id') or '', GPO_PATH, entry,
                ', '.join(keep) if keep else 'entries: none'))


def _tls_disabled(ctx: Context) -> Hit | None:
    hit = _PREREQ['tls12_disabled']['check'](ctx)
    return hit if hit is not None and hit.severity == 'blocker' else None   # unset values: tls12_keys_not_set


def _tls_unset(ctx: Context) -> Hit | None:
    tls = ctx.host.get('tls') or {}
    ev = []
    for group, key, path, value, want in TLS_VALUES:
        if (tls.get(group) or {}).get(key) is None:
            ev.append(evidence_item('agent_host_info', 'tls.%s.%s' % (group, key),
                                    '%s\\%s is not set (expected %d)' % (path, value, want)))
    return Hit(ev) if ev else None


def _not_managed(ctx: Context) -> Hit | None:
    hit = _PREREQ['service_not_managed_account']['check'](ctx)
    if hit is not None:
        hit.how = ('The health role with entra_sync_health_repair: true runs sc.exe managedaccount <service> TRUE '
                   'and restarts the service.')
    return hit


def _updater(ctx: Context) -> Hit | None:
    svc = _service(ctx, 'updater')
    if not svc or not svc.get('exists'):
        return Hit([evidence_item('agent_host_info', 'services[updater]',
                                  'no updater service found (%s)' % ((svc or {}).get('name') or 'no entry'))],
                   automatic=False, how='Reinstall the agent to restore the updater (provisioning_agent role).')
    if str(svc.get('state') or '').lower() == 'running':
        return None
    disabled = str(svc.get('start_mode') or '').lower() == 'disabled'
    return Hit([evidence_item('agent_host_info', 'services[%s].state' % svc.get('name'), '%s is %s (start mode %s)' % (
        svc.get('name'), svc.get('state'), svc.get('start_mode')))], automatic=not disabled,
        how='The start mode is Disabled: set it back deliberately; the health role does not.' if disabled else None)


def agent_events(events: list | None, since: datetime.datetime | str | None = None) -> list[dict]:
    """SCM events 7000/7034/7038/7041 of the agent (not the updater) since ``since``, oldest first."""
    since = parse_time(since) if isinstance(since, str) else since
    out = []
    for e in events or []:
        if not isinstance(e, dict) or e.get('provider') != SCM_PROVIDER:
            continue
        try:
            eid = int(e.get('id'))
        except (TypeError, ValueError):
            continue
        if eid not in SCM_EVENTS or 'updater' in str(e.get('message') or '').lower():
            continue
        t = parse_time(e.get('time_created'))
        if since is not None and t is not None and t < since:
            continue
        out.append(e)
    return sorted(out, key=lambda e: str(e.get('time_created') or ''))


def _events(ctx: Context) -> Hit | None:
    found = agent_events(ctx.options.get('scm_events'), ctx.options.get('since'))
    if not found:
        return None
    counts = {}
    for e in found:
        counts[int(e['id'])] = counts.get(int(e['id']), 0) + 1
    detail = '; '.join('%d x %d (%s)' % (n, eid, SCM_EVENTS[eid]) for eid, n in sorted(counts.items()))
    return Hit([evidence_item('agent_evidence', 'System/%s/%s' % (e.get('id'), e.get('record_id')),
                              '%s %s: %s' % (e.get('time_created'), e.get('id'), ' '.join(str(e.get('message') or '').split())),
                              max_text=300) for e in found[-10:]], detail=detail)


def _rights_known(ctx: Context) -> bool:
    return isinstance(ctx.rights.get(SERVICE_RIGHT), dict)


SRC_HEALTH = 'Day-2 health (how-to-troubleshoot, Hybrid Sync Agent Installation Issues)'

RULES = [
    {'id': 'agent_not_installed', 'needs': ['host.agent'], 'source': _rules.SRC_INSTALL, 'check': _not_installed},
    {'id': 'agent_tenant_id_missing', 'needs': [_installed], 'source': _rules.SRC_INSTALL, 'check': _tenant},
    {'id': 'agent_service_not_running', 'needs': [_installed], 'source': SRC_HEALTH, 'check': _running},
    {'id': 'agent_service_account_changed', 'needs': [_agent_exists], 'source': _rules.SRC_GMSA, 'check': _account},
    dict(_PREREQ['service_not_managed_account'], check=_not_managed),
    {'id': 'gmsa_logon_right_missing', 'needs': [_rights_known, _gmsa], 'source': _rules.SRC_SUPPORT,
     'check': _right_missing},
    {'id': 'gmsa_logon_right_at_risk_from_gpo', 'needs': [_rights_known, _gmsa], 'source': _rules.SRC_SUPPORT,
     'check': _right_at_risk},
    _PREREQ['deny_logon_as_service'],
    {'id': 'agent_updater_not_running', 'needs': [_installed], 'source': SRC_HEALTH, 'check': _updater},
    {'id': 'agent_version_below_minimum', 'needs': [_installed, 'host.agent.version', 'options.min_version'],
     'source': 'reference-version-history (Microsoft Learn)', 'check': _version},
    dict(_PREREQ['tls12_disabled'], check=_tls_disabled),
    {'id': 'tls12_keys_not_set', 'needs': ['host.tls'], 'source': _rules.SRC_PREREQ, 'check': _tls_unset},
    {'id': 'agent_service_control_events', 'needs': [lambda c: 'scm_events' in c.options], 'source': SRC_HEALTH,
     'check': _events},
]


def evaluate(host_info: dict | None = None, logon_rights: dict | None = None, options: dict | None = None) -> dict:
    """Apply the health table; same result shape as ``_rules.evaluate``, ``healthy`` instead of ``ready``."""
    verdict = _rules.evaluate(host_info, logon_rights, None, options, rules=RULES)
    verdict['healthy'] = verdict.pop('ready')
    return verdict


# ----------------------------------------------------------------- repair
def plan_repairs(host_info: dict | None, logon_rights: dict | None, findings: list[dict] | None,
                 options: dict | None = None) -> list[dict]:
    """The safe local fixes for ``findings``, in the order to apply them.

    [{id, action: grant_right|set_managed_account|start_service|restart_service, service?, right?, account?}].
    Only findings whose remediation is automatic here: a right is granted only when no GPO defines it, a
    service is started only when it exists and is not Disabled. Never a GPO change.
    """
    ctx = _rules.Context(host_info, logon_rights, None, options)
    auto = {f['id'] for f in findings or [] if (f.get('remediation') or {}).get('automatic')}
    plan, restart = [], []
    if 'gmsa_logon_right_missing' in auto and _gmsa(ctx):
        gpo = (ctx.rights.get(SERVICE_RIGHT) or {}).get('gpo') or {}
        if not gpo.get('defined'):
            plan.append({'id': 'gmsa_logon_right_missing', 'action': 'grant_right', 'right': SERVICE_RIGHT,
                         'account': _gmsa(ctx)[1]})
    if 'service_not_managed_account' in auto:
        for svc in ctx.host.get('services') or []:
            if svc.get('exists') and _windows.account_kind(svc.get('start_name')) == 'gmsa' and svc.get('managed_account') is False:
                plan.append({'id': 'service_not_managed_account', 'action': 'set_managed_account',
                             'service': svc['name']})
                restart.append(svc)
    for fid, role in (('agent_service_not_running', 'agent'), ('agent_updater_not_running', 'updater')):
        svc = _service(ctx, role)
        if fid in auto and svc and svc.get('exists') and str(svc.get('start_mode') or '').lower() != 'disabled':
            plan.append({'id': fid, 'action': 'start_service', 'service': svc['name']})
            if svc in restart:
                restart.remove(svc)
    for svc in restart:
        if str(svc.get('state') or '').lower() == 'running':
            plan.append({'id': 'service_not_managed_account', 'action': 'restart_service', 'service': svc['name']})
    return plan


# ----------------------------------------------------------------- time and reports
def resolve_since(since: str | None = None, report_dir: str | None = None, hours: int = 24,
                  now: datetime.datetime | None = None) -> tuple[datetime.datetime, str]:
    """Start of the event window: ``since`` if given, else the time of the previous health report in
    ``report_dir``, else ``hours`` before ``now``. Returns (datetime, how it was chosen)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if since:
        t = parse_time(since)
        if t is None:
            raise ValueError("since '%s' is not an ISO 8601 time" % since)
        return t, 'given'
    previous = last_check(report_dir)
    if previous is not None and previous <= now:
        return previous, 'previous check'
    return now - datetime.timedelta(hours=hours), 'last %d hours' % hours


def last_check(report_dir: str | None) -> datetime.datetime | None:
    """generated_at of the health report.json in ``report_dir`` (None when absent or not a health report)."""
    path = os.path.join(report_dir, _reports.FILES['json']) if report_dir else None
    if not path or not os.path.isfile(path):
        return None
    try:
        with open(path, encoding='utf-8') as fh:
            report = json.load(fh)
    except (OSError, ValueError):
        return None
    if not any(r.get('kind') == 'health' for r in report.get('rules') or [] if isinstance(r, dict)):
        return None
    return parse_time(report.get('generated_at'))


def build_report(verdict: dict, host: str | None = None, now: datetime.datetime | None = None) -> dict:
    """The shared report (report.json schema) with the rules labelled ``health``."""
    results = [dict(r, host=host) for r in verdict['results']]
    report = _reports.build_report(findings=[dict(f, host=host) for f in verdict['findings']],
                                   rule_results=results, hosts=[host] if host else [], now=now)
    for r in report['rules']:
        r['kind'] = 'health'
    return report


def summary(verdict: dict, host: str | None = None, checked_at: str | None = None, since: str | None = None) -> dict:
    """One line per host for monitoring: status blocker|warning|healthy and the ids."""
    blockers = list(verdict['blockers'])
    warnings = list(verdict['warnings_ids'])
    return {'host': host, 'status': 'blocker' if blockers else 'warning' if warnings else 'healthy',
            'healthy': not blockers, 'blockers': blockers, 'warnings': warnings,
            'checked_at': checked_at, 'since': since}
