# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the cloud catalog (documentation: the .yml file of each filter)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _catalog


def cloud_endpoints(cloud='public', sources=None, port=None):
    try:
        return _catalog.endpoints(cloud, sources, port)
    except ValueError as e:
        raise AnsibleFilterError('cloud_endpoints: %s' % e)


def cloud_probe_targets(cloud='public', sources=None, as_strings=False):
    try:
        targets = _catalog.probe_targets(cloud, sources)
    except ValueError as e:
        raise AnsibleFilterError('cloud_probe_targets: %s' % e)
    return ['%s:%s' % (t['host'], t['port']) for t in targets] if as_strings else targets


def cloud_info(cloud='public'):
    try:
        info = _catalog.get_cloud(cloud)
    except ValueError as e:
        raise AnsibleFilterError('cloud_info: %s' % e)
    info['installer_properties'] = _catalog.installer_properties(cloud)
    return info


class FilterModule(object):
    def filters(self):
        return {'cloud_endpoints': cloud_endpoints, 'cloud_probe_targets': cloud_probe_targets,
                'cloud_info': cloud_info}
