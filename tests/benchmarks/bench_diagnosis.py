#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (not a pytest test): the diagnosis engine against grep -E -c.

Generates a log of --size-mb (default 500) with realistic trace-log noise and a
few planted signatures in a temporary folder, then measures in the same run:

* ``LC_ALL=C grep -E -i -c`` with every text pattern of the signature table;
* the engine (in a subprocess) over the same file: wall time and peak RSS
  (resource.getrusage(RUSAGE_SELF).ru_maxrss in the child).

CPU time (user + system) is printed beside wall time for both: on a busy
machine it is the steadier figure. The goal is judged on wall time.

Goal: engine within 3x grep's time, peak RSS under 100 MB, every planted
signature found.

    .venv/bin/python tests/benchmarks/bench_diagnosis.py [SIZE_MB | --size-mb 500] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, '.venv', 'collections')

PLANTED = [
    ('gmsa_create_failed_kds', 'ProvisioningAgent Error: 0 : [{ts}] Unable to create gMSA because KDS may not be running on domain controller. '
                               'Please create/run KDS manually.'),
    ('logon_type_not_granted', 'Logon failure: the user has not been granted the requested logon type at this computer.'),
    ('context_mismatch', "Install-ADServiceAccount : Cannot install service account. Error Message: 'The provided context did not match the target.'."),
    ('msi_fatal', '[0A18:1F44][{ts}]e000: Error 0x80070643: Failed to install MSI package.'),
    ('mfa_required', 'ProvisioningAgent Error: 0 : [{ts}] Microsoft.Identity.Client.MsalUiRequiredException: '
                     'AADSTS50076: multi-factor authentication required.'),
    ('no_such_object', 'ProvisioningAgent Error: 0 : [{ts}] There is no such object on the server. (Exception from HRESULT: 0x80072030)'),
    ('newtonsoft_load', "Add-AADCloudSyncADDomain : Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0, Culture=neutral' "
                        "or one of its dependencies."),
    ('network_failure', 'ProvisioningAgent Error: 0 : [{ts}] Registration failed: The remote server returned an error: (504) Gateway Timeout.'),
]

NOISE = [
    'ProvisioningAgent Verbose: 0 : [{ts}] Heartbeat sent. CorrelationId: {guid}',
    'ProvisioningAgent Information: 0 : [{ts}] Processing job {guid} for domain contoso.com, {n} objects exported.',
    'ProvisioningAgent Verbose: 0 : [{ts}] LDAP search base=OU=Users,DC=contoso,DC=com filter=(objectClass=user) returned {n} entries',
    'ProvisioningAgent Information: 0 : [{ts}] Certificate thumbprint {hexs} loaded for service bus connection; expires in {n} days.',
    'ProvisioningAgent Verbose: 0 : [{ts}] Password hash sync batch {n} completed for {n} users (no errors).',
    'ProvisioningAgent Verbose: 0 : [{ts}] Connection to servicebus established in {n} ms, keep-alive timeout 60000 ms.',
    'ProvisioningAgent Information: 0 : [{ts}] User CN=User{n},OU=Staff,DC=contoso,DC=com account disabled flag unchanged, skipping.',
    'ProvisioningAgent Verbose: 0 : [{ts}] Token cache hit for tenant {guid}; access token expires at {ts}.',
    'MSI (s) (4C:7C) [10:17:55:{n}]: Executing op: RegAddValue(Name=Version,Value={n},)',
    '[0A18:1F44][{ts}]i000: Setting string variable \'WixBundleLog\' to value \'C:\\Windows\\Temp\\Bundle_{n}.log\'',
]


def _line(rng, template):
    # same order of random draws as before: ts, guid, n, hexs
    ts = '2025-06-12 10:%02d:%02dZ' % (rng.randrange(60), rng.randrange(60))
    guid = '%08x-%04x-%04x-%04x-%012x' % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
                                          rng.getrandbits(16), rng.getrandbits(48))
    return template.format(ts=ts, guid=guid, n=rng.randrange(100000), hexs='%040X' % rng.getrandbits(160))


def generate(path, size_mb, seed=7):
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    # pre-render a pool of noise lines, then write blocks made of them
    pool = [_line(rng, rng.choice(NOISE)) for pool_index in range(20000)]
    block = '\r\n'.join(pool).encode() + b'\r\n'
    written = 0
    plant_at = sorted(rng.sample(range(1, max(2, target // len(block))), len(PLANTED)))
    planted = []
    with open(path, 'wb') as fh:
        i = 0
        while written < target:
            fh.write(block)
            written += len(block)
            i += 1
            while plant_at and plant_at[0] == i:
                plant_at.pop(0)
                signal, tmpl = PLANTED[len(planted)]
                fh.write((_line(rng, tmpl) + '\r\n').encode())
                planted.append(signal)
    return written, planted


CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis
t, c = time.perf_counter(), time.process_time()
d = _diagnosis.Diagnosis()
candidates = [0]
feed_line = d.feed_text_line


def counting_feed(*args):
    candidates[0] += 1
    return feed_line(*args)


d.feed_text_line = counting_feed
d.add_paths([sys.argv[2]])
causes = d.result()
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({'elapsed': elapsed, 'cpu': cpu, 'candidates': candidates[0],
                  'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  'signals': d.counts, 'root_causes': [c['id'] for c in causes],
                  'warnings': [w for r in d.inputs.records for w in r['warnings']]}))
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('size', nargs='?', type=int, metavar='SIZE_MB', help='size of the generated log in MB (default 500)')
    ap.add_argument('--size-mb', type=int, default=500)
    ap.add_argument('--keep', action='store_true', help='keep the generated log')
    opts = ap.parse_args()
    if opts.size:
        opts.size_mb = opts.size
    sys.path.insert(0, COLLECTIONS)
    from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis

    tmp = tempfile.mkdtemp(prefix='entra_sync_bench_')
    try:
        log = os.path.join(tmp, 'AzureADConnectProvisioningAgent_bench.log')
        t = time.perf_counter()
        size, planted = generate(log, opts.size_mb)
        print('generated %.0f MB in %.1f s, planted: %s' % (size / 1048576.0, time.perf_counter() - t, ', '.join(planted)))

        patterns = _diagnosis.grep_patterns()
        cmd = ['grep', '-E', '-i', '-c'] + [a for p in patterns for a in ('-e', p)] + [log]
        env = dict(os.environ, LC_ALL='C')
        subprocess.run(['cat', log], stdout=subprocess.DEVNULL, check=True)   # same warm page cache for both
        t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        g = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)   # exit 1 = no match
        grep_s, after = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
        grep_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print('grep -E -i -c (%d patterns): %.2f s (%.2f s CPU), %s matching lines%s' % (
            len(patterns), grep_s, grep_cpu, g.stdout.strip(), (' (stderr: %s)' % g.stderr.strip()) if g.stderr else ''))

        t = time.perf_counter()
        e = subprocess.run([sys.executable, '-c', CHILD, COLLECTIONS, log], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t
        if e.returncode:
            print(e.stderr)
            return 2
        res = json.loads(e.stdout)
        found = [s for s in planted if res['signals'].get(s)]
        missing = sorted(set(planted) - set(found))
        rss_mb = res['maxrss_kb'] / 1024.0
        ratio = res['elapsed'] / grep_s if grep_s else float('inf')
        cpu_ratio = res['cpu'] / grep_cpu if grep_cpu else float('inf')
        print('engine: %.2f s scan (%.2f s wall incl. start-up; %.2f s CPU), peak RSS %.1f MB, %.2fx grep (CPU: %.2fx)' % (
            res['elapsed'], wall, res['cpu'], rss_mb, ratio, cpu_ratio))
        print('candidate lines checked against the signatures: %d' % res['candidates'])
        print('planted found: %d/%d%s' % (len(found), len(planted), (' missing: %s' % ', '.join(missing)) if missing else ''))
        print('signals: %s' % json.dumps(res['signals'], sort_keys=True))
        print('root causes: %s' % ', '.join(res['root_causes']))
        ok = ratio <= 3 and rss_mb < 100 and not missing
        print('GOAL %s (within 3x grep: %s, RSS < 100 MB: %s, all planted found: %s)' % (
            'MET' if ok else 'NOT MET', ratio <= 3, rss_mb < 100, not missing))
        return 0 if ok else 1
    finally:
        if opts.keep:
            print('kept %s' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
