# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud catalog: what differs between the public and the US Government cloud.

Microsoft publishes two endpoint lists that do not agree: the cloud sync
prerequisites page (``how-to-prerequisites``) and the troubleshooting page
(``how-to-troubleshoot``), which adds sign-in and CRL hosts. Both are kept,
each row names its ``source``; callers choose (default: both).

A wildcard cannot be probed, so every wildcard row names ``probe_host``, a
concrete host under it; reports say which host stood in for the wildcard.
The probe hosts are a best guess (Microsoft names none): a failed probe of a
wildcard row is a warning, not a blocker, unless nothing on 443 answers.
"""

from __future__ import annotations

import copy

SOURCE_PREREQ = 'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-prerequisites'
SOURCE_TROUBLE = 'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-troubleshoot'
SOURCE_INSTALL = 'https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-install'
SOURCES = {'prerequisites': SOURCE_PREREQ, 'troubleshoot': SOURCE_TROUBLE}


def _row(host: str, port: int, purpose: str, source: str, probe_host: str | None = None) -> dict:
    return {'host': host, 'port': port, 'purpose': purpose,
            'probe_host': probe_host or (None if host.startswith('*') else host),
            'wildcard': host.startswith('*'), 'source': source}


_P, _T = 'prerequisites', 'troubleshoot'

CLOUDS = {
    'AzureCloud': {
        'name': 'AzureCloud',
        'display_name': 'Microsoft Entra ID (public / commercial cloud)',
        # None: the installer picks the public cloud by default; one Microsoft
        # sample passes "AzureCloud" but no page documents it, so we pass nothing.
        'environment_name': None,
        'authority': 'https://login.microsoftonline.com',
        'graph': 'https://graph.microsoft.com',
        'endpoints': [
            _row('*.msappproxy.net', 443, 'agent service bus / application proxy', _P, 'proxy.msappproxy.net'),
            _row('*.servicebus.windows.net', 443, 'Azure Service Bus relay', _P, 'watchdog.servicebus.windows.net'),
            _row('*.microsoftonline.com', 443, 'sign-in and registration', _P, 'login.microsoftonline.com'),
            _row('*.microsoft.com', 443, 'agent services and updates', _P, 'www.microsoft.com'),
            _row('*.msappproxy.com', 443, 'agent registration', _P, 'www.msappproxy.com'),
            _row('*.windowsazure.com', 443, 'agent registration', _P, 'manage.windowsazure.com'),
            _row('login.windows.net', 443, 'sign-in', _P),
            _row('mscrl.microsoft.com', 80, 'certificate revocation (CRL)', _P),
            _row('crl.microsoft.com', 80, 'certificate revocation (CRL)', _P),
            _row('ocsp.msocsp.com', 80, 'certificate status (OCSP)', _P),
            _row('www.microsoft.com', 80, 'certificate revocation', _P),
            # Troubleshooting page: additional sign-in, registration and CRL hosts.
            _row('*.msauth.net', 443, 'sign-in assets', _T, 'aadcdn.msauth.net'),
            _row('*.msftauth.net', 443, 'sign-in assets', _T, 'aadcdn.msftauth.net'),
            _row('enterpriseregistration.windows.net', 443, 'device/agent registration', _T),
            _row('management.azure.com', 443, 'Azure Resource Manager', _T),
            _row('login.microsoftonline.com', 443, 'sign-in', _T),
            _row('crl3.digicert.com', 80, 'certificate revocation (DigiCert CRL)', _T),
            _row('crl4.digicert.com', 80, 'certificate revocation (DigiCert CRL)', _T),
            _row('ocsp.digicert.com', 80, 'certificate status (DigiCert OCSP)', _T),
        ],
    },
    'AzureUSGovernment': {
        'name': 'AzureUSGovernment',
        'display_name': 'Microsoft Entra ID for US Government',
        'environment_name': 'AzureUSGovernment',
        'authority': 'https://login.microsoftonline.us',
        'graph': 'https://graph.microsoft.us',
        'endpoints': [
            _row('*.msappproxy.us', 443, 'agent service bus / application proxy', _P, 'proxy.msappproxy.us'),
            _row('*.servicebus.usgovcloudapi.net', 443, 'Azure Service Bus relay', _P,
                 'watchdog.servicebus.usgovcloudapi.net'),
            _row('login.windows.us', 443, 'sign-in', _P),
            _row('*.microsoftonline.us', 443, 'sign-in and registration', _P, 'login.microsoftonline.us'),
            _row('mscrl.microsoft.us', 80, 'certificate revocation (CRL)', _P),
            _row('crl.microsoft.us', 80, 'certificate revocation (CRL)', _P),
            _row('ocsp.msocsp.us', 80, 'certificate status (OCSP)', _P),
            _row('www.microsoft.us', 80, 'certificate revocation', _P),
            _row('login.microsoftonline.us', 443, 'sign-in', _T),
            _row('crl3.digicert.com', 80, 'certificate revocation (DigiCert CRL)', _T),
            _row('ocsp.digicert.com', 80, 'certificate status (DigiCert OCSP)', _T),
        ],
    },
}

# The clouds are named as the installer's ENVIRONMENTNAME and Azure PowerShell name them. The old
# names (public, us_government) and common spellings still work; roles warn that they are deprecated.
ALIASES = {'public': 'AzureCloud', 'commercial': 'AzureCloud', 'global': 'AzureCloud',
           'us_government': 'AzureUSGovernment', 'usgov': 'AzureUSGovernment', 'gcc_high': 'AzureUSGovernment'}
DEPRECATED_NAMES = ('public', 'us_government')


class UnknownCloudError(ValueError):
    pass


def cloud_names() -> list[str]:
    return sorted(CLOUDS)


def cloud_choices() -> list[str]:
    """The names an option accepts: the clouds, then the deprecated names."""
    return cloud_names() + list(DEPRECATED_NAMES)


def canonical_cloud(name: str | None) -> str:
    """'us_government' / 'azureusgovernment' -> 'AzureUSGovernment'; UnknownCloudError otherwise."""
    text = str(name or 'AzureCloud').strip()
    by_lower = {key.lower(): key for key in CLOUDS}
    key = by_lower.get(text.lower()) or ALIASES.get(text.lower())
    if key is None:
        raise UnknownCloudError("Unknown cloud '%s'; expected one of: %s" % (name, ', '.join(cloud_names())))
    return key


def get_cloud(name: str | None = 'AzureCloud') -> dict:
    """Return a copy of the catalog entry for ``name`` (aliases accepted)."""
    return copy.deepcopy(CLOUDS[canonical_cloud(name)])


def endpoints(name: str = 'AzureCloud', sources: object = None, port: int | None = None) -> list[dict]:
    """Endpoint rows of a cloud.

    ``sources``: None (both lists), or an iterable of 'prerequisites' / 'troubleshoot'.
    Each row gains ``source_url``. Rows are returned in catalog order.
    """
    cloud = get_cloud(name)
    wanted = None if sources is None else set([sources] if isinstance(sources, str) else sources)
    if wanted is not None and not wanted <= set(SOURCES):
        raise ValueError('Unknown endpoint source(s): %s' % ', '.join(sorted(wanted - set(SOURCES))))
    out = []
    for row in cloud['endpoints']:
        if wanted is not None and row['source'] not in wanted:
            continue
        if port is not None and int(row['port']) != int(port):
            continue
        row = dict(row, source_url=SOURCES[row['source']])
        out.append(row)
    return out


def probe_targets(name: str = 'AzureCloud', sources: object = None) -> list[dict]:
    """Unique (probe_host, port) pairs to test, each with the rows it stands for."""
    targets = {}
    for row in endpoints(name, sources):
        key = (row['probe_host'], row['port'])
        t = targets.setdefault(key, {'host': key[0], 'port': key[1], 'stands_for': []})
        if row['host'] not in t['stands_for']:
            t['stands_for'].append(row['host'])
    return list(targets.values())


def installer_properties(name: str = 'AzureCloud') -> dict:
    """MSI/Burn properties for the quiet install: {} for AzureCloud, ENVIRONMENTNAME for US Gov."""
    env = get_cloud(name)['environment_name']
    return {'ENVIRONMENTNAME': env} if env else {}
