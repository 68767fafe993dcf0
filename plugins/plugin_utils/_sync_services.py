# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entra Connect Sync (ADSync) service rules: the service's account, its logon rights and their GPO source.

Inputs are the results of ``service_account_info`` (for the one service) and ``logon_right_info``
(the three rights of ``_windows.ADSYNC_RIGHTS`` and their Deny twins). Same engine and finding model
as the prerequisite rules (``_rules.evaluate`` with ``rules=RULES``); ``plan_repairs`` lists the local
grants the connect_sync_services role may make: only for a right no GPO defines.
"""

from __future__ import annotations

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _rules, _windows
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import (
    UNKNOWN_IDS, evidence_item, failure_message)
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._rules import Context, Hit

SOURCE = "Microsoft Entra Connect services don't start (KB 2995030)"
# account status flag (service_account_info) -> how the finding words it
ACCOUNT_PROBLEMS = (('enabled', False, 'disabled'), ('expired', True, 'expired'), ('locked_out', True, 'locked out'),
                    ('password_expired', True, 'password expired'),
                    ('must_change_password', True, 'must change password at next logon'))


def _service(ctx: Context) -> dict:
    return ctx.host.get('service') or {}


def _account(ctx: Context) -> dict:
    return _service(ctx).get('account') or {}


def _account_name(ctx: Context) -> str:
    account = _account(ctx)
    return account.get('name') or _service(ctx).get('start_name') or ''


def _holds(ctx: Context, holders: object) -> bool:
    return _windows.holds(holders, _account_name(ctx), [_account(ctx).get('sid')])


def _rights_lacking(ctx: Context) -> list[tuple[str, dict]]:
    """(right, its logon_right_info entry) for each right the account does not hold."""
    out = []
    for right in _windows.ADSYNC_RIGHTS:
        entry = ctx.rights.get(right)
        if isinstance(entry, dict) and not _holds(ctx, entry.get('holders')):
            out.append((right, entry))
    return out


def _missing(ctx: Context) -> Hit | None:
    svc = _service(ctx)
    # exists null = the query failed (sync_service_unreadable says so): not proof the service is absent
    if not svc or svc.get('exists') is False:
        return Hit([evidence_item('service_account_info', 'services[%s].exists' % ctx.options.get('service_name'),
                                  'service %s not found' % ctx.options.get('service_name'))])
    return None


def _status(ctx: Context) -> Hit | None:
    account = _account(ctx)
    bad = [label for key, value, label in ACCOUNT_PROBLEMS if account.get(key) is value]
    if bad:
        return Hit([evidence_item('service_account_info', 'services[%s].account' % _service(ctx).get('name'),
                                  '%s is %s' % (_account_name(ctx), ', '.join(bad)))])
    return None


def _service_unreadable(ctx: Context) -> Hit | None:
    svc = _service(ctx)
    if svc and svc.get('exists') is None:
        return Hit([evidence_item('service_account_info', 'services[%s].exists' % svc.get('name'), 'null (not read)')])
    return None


def _status_unreadable(ctx: Context) -> Hit | None:
    account = _account(ctx)
    unread = [label for key, dummy_value, label in ACCOUNT_PROBLEMS if account.get(key) is None]
    if unread:
        return Hit([evidence_item('service_account_info', 'services[%s].account' % _service(ctx).get('name'),
                                  '%s: not read: %s' % (_account_name(ctx), ', '.join(unread)))])
    return None


def _gpo(ctx: Context) -> Hit | None:
    evidence = []
    for right, entry in _rights_lacking(ctx):
        gpo = entry.get('gpo') or {}
        if gpo.get('defined'):
            evidence.append(evidence_item('logon_right_info', 'rights.%s.gpo' % right, "GPO '%s' %s defines %s (%s) with only: %s" % (
                gpo.get('name'), gpo.get('id') or '', _windows.RIGHT_DISPLAY_NAMES.get(right, right), right,
                ', '.join(gpo.get('account_list') or []) or '(nothing)')))
    if evidence:
        return Hit(evidence, detail='Add %s to each right named in the evidence, in that GPO.' % _account_name(ctx))
    return None


def _local(ctx: Context) -> Hit | None:
    evidence = []
    for right, entry in _rights_lacking(ctx):
        if not (entry.get('gpo') or {}).get('defined'):
            evidence.append(evidence_item('logon_right_info', 'rights.%s.holders' % right,
                                          '%s is not a holder' % _account_name(ctx)))
    for right in _windows.ADSYNC_RIGHTS:
        deny = ctx.rights.get(_windows.deny_twin(right))
        if isinstance(deny, dict) and _holds(ctx, deny.get('holders')):
            evidence.append(evidence_item('logon_right_info', 'rights.%s.holders' % _windows.deny_twin(right),
                                          '%s is denied' % _account_name(ctx)))
    return Hit(evidence) if evidence else None


def _exists(ctx: Context) -> bool:
    return bool(_service(ctx).get('exists'))


def _account_known(ctx: Context) -> bool:
    return _exists(ctx) and bool(_account_name(ctx))


RULES = [
    {'id': 'sync_service_missing', 'needs': [], 'source': SOURCE, 'check': _missing},
    {'id': 'sync_service_unreadable', 'needs': [], 'source': SOURCE, 'check': _service_unreadable},
    {'id': 'logon_rights_unreadable', 'needs': [_rules.rights_read], 'source': SOURCE, 'check': _rules.rights_unreadable},
    {'id': 'logon_right_gpo_unreadable', 'needs': [_rules.rights_read], 'source': SOURCE,
     'check': _rules.rights_gpo_unreadable},
    {'id': 'service_account_disabled_or_expired', 'needs': [_account_known], 'source': SOURCE, 'check': _status},
    {'id': 'service_account_status_unreadable', 'needs': [_account_known], 'source': SOURCE,
     'check': _status_unreadable},
    {'id': 'sync_service_account_right_removed_by_gpo', 'needs': [_account_known], 'source': SOURCE, 'check': _gpo},
    {'id': 'sync_service_account_rights_missing', 'needs': [_account_known], 'source': SOURCE, 'check': _local},
]


def _for_account(rule: dict) -> dict:
    """A rights row applied to the account named by preflight's deprecated sync_service_account option."""
    def check(ctx: Context) -> Hit | None:
        service = {'exists': True, 'account': {'name': ctx.options['sync_service_account']}}
        return rule['check'](Context({'service': service}, ctx.rights_result, None, ctx.options))
    return dict(rule, needs=['options.sync_service_account'], check=check)


# Preflight's deprecated sync_service_account option: the same rights rows, not a copy of them.
ACCOUNT_RIGHTS_RULES = [_for_account(rule) for rule in RULES if rule['id'] in (
    'sync_service_account_right_removed_by_gpo', 'sync_service_account_rights_missing')]


def _context(service_info: dict | None, logon_rights: dict | None, service_name: str) -> Context:
    service = next((s for s in (service_info or {}).get('services') or [] if s.get('name', '').lower() == service_name.lower()), {})
    return Context({'service': service}, logon_rights, None, {'service_name': service_name})


def evaluate(service_info: dict | None, logon_rights: dict | None, service_name: str = _windows.ADSYNC_SERVICE) -> dict:
    """Apply the table; same result shape as ``_rules.evaluate``, ``healthy`` instead of ``ready``."""
    ctx = _context(service_info, logon_rights, service_name)
    verdict = _rules.evaluate({'service': _service(ctx)}, logon_rights, None, ctx.options, rules=RULES)
    # nothing read is not healthy: an unknown fails the check as a blocker does, under its own id
    verdict['inconclusive'] = [f['id'] for f in verdict['findings'] if f['id'] in UNKNOWN_IDS]
    verdict['healthy'] = verdict.pop('ready') and not verdict['inconclusive']
    return verdict


def plan_repairs(service_info: dict | None, logon_rights: dict | None, service_name: str = _windows.ADSYNC_SERVICE) -> list[dict]:
    """[{id, action: grant_right, right, account}] for each right the account lacks and no GPO defines
    (a local grant under a GPO would be undone at the next refresh)."""
    ctx = _context(service_info, logon_rights, service_name)
    # RSoP not read: a GPO may define the rights, and would undo a local grant
    if not _account_known(ctx) or (logon_rights or {}).get('rsop_available') is False:
        return []
    account = _account(ctx).get('sid') or _account_name(ctx)
    return [{'id': 'sync_service_account_rights_missing', 'action': 'grant_right', 'right': right, 'account': account}
            for right, entry in _rights_lacking(ctx) if not (entry.get('gpo') or {}).get('defined')]


def message(verdict: dict, host: str | None, service_name: str, report: str | None) -> str:
    """The text the role fails with; empty when healthy."""
    if verdict['healthy']:
        return ''
    return failure_message('%s on %s:' % (service_name, host), verdict['findings'], report)
