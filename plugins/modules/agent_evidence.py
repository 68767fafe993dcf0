#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: agent_evidence
short_description: Collect the events, logs and service flags a provisioning agent failure diagnosis needs
version_added: 0.1.0
description:
- Collects, bounded in size and time, what the controller-side diagnosis reads to find the root cause of a failed
  provisioning agent install or registration, or of an Entra Connect Sync (ADSync) service that does not start.
- Events since a given time. These are System events 7000, 7009, 7034, 7038 and 7041 from the Service Control
  Manager for the given services, Netlogon 9001 and 9002 (gMSA encryption types), KDS 4004, the agent's
  C(Microsoft-AzureADConnect-ProvisioningAgent/Admin) channel, and Windows Installer events of the agent.
- Files, newest first, each cut to its last O(max_file_bytes) and all within O(max_total_bytes). These are the
  installer's Burn bundle and MSI logs in the temp folders, the newest agent trace logs, the agent configuration
  file, and O(extra_paths).
- The output of C(sc.exe qmanagedaccount) for the services.
- Returns text and records only; no judgement. Pass the result to the C(hybrid_identity.entra_sync.diagnose) action.
options:
  since:
    description:
    - Collect events and installer logs written since this time, as ISO 8601 (for example C(2025-06-12T08:00:00Z)).
      A time without offset is taken as UTC.
    - Mutually exclusive with O(hours).
    type: str
  hours:
    description:
    - Collect events and installer logs from the last this many hours. When neither this nor O(since) is given,
      the last 24 hours are collected.
    type: int
  services:
    description:
    - Services whose Service Control Manager events and managed-account flags are collected. Events are matched by
      service name and display name, and by the agent's and updater's display names over the product's history.
    type: list
    elements: str
    default: [AADConnectProvisioningAgent, AzureADConnectAgentUpdater, ADSync]
  max_events:
    description:
    - Most events returned per query (Service Control Manager, Netlogon, KDS per log, Admin channel, Windows Installer).
    type: int
    default: 200
  max_file_bytes:
    description:
    - Most bytes read from the end of each file.
    type: int
    default: 262144
  max_total_bytes:
    description:
    - Most bytes of file content returned in all; files past the budget are skipped with a warning.
    type: int
    default: 2097152
  trace_files:
    description:
    - How many of the newest agent trace logs (C(C:\ProgramData\Microsoft\Azure AD Connect Provisioning Agent\Trace)) to collect.
    type: int
    default: 3
  include_installer_logs:
    description:
    - Collect the installer's Burn and MSI logs from the temp folders.
    type: bool
    default: true
  extra_paths:
    description:
    - More files to collect, as absolute paths or wildcard patterns, for example the O(hybrid_identity.entra_sync.provisioning_agent_package#module:log_path)
      given to the installer.
    type: list
    elements: str
    default: []
  kds_log_names:
    description:
    - Event logs searched for KDS event 4004. Where the Key Distribution Service logs it is not fixed by the facts
      this collection rests on, so more than one log is searched; events not from a KDS provider are dropped.
    - An empty list reads no KDS event and reports none missing.
    type: list
    elements: str
    default: [Microsoft-Windows-KdsSvc/Operational, System]
  timeout:
    description:
    - Seconds after which no further source is read; what was collected is returned with a warning.
    type: int
    default: 120
notes:
- KDS event 4004 is logged on domain controllers; on a member server its absence proves nothing. Run this module
  against a domain controller too (with O(services) empty of agent services if wanted) to collect it.
- Reading the System log and the agent's channel needs administrative rights.
- File contents are returned as text. The agent's configuration file holds its proxy settings; no credential is
  known to be stored in it.
- Events of all sources are returned in one list ordered by time, newest first (sorted with a script block, which
  Windows PowerShell 5.1 applies to the ordered dictionaries the records are).
- A log that cannot be read (absent, access denied) gives a warning that names it; it is never reported as a log
  without events. The agent's Admin channel is only expected when the agent's registry key exists. A file that
  cannot be read gives a warning and the others are still collected.
- Confirmed by Pester on a simulated Windows (C(tests/unit/powershell/agent_evidence.Tests.ps1)), with the commands'
  parameter sets taken from PSScriptAnalyzer's Windows PowerShell 5.1 profiles. A real host still has to confirm the
  error ids C(Get-WinEvent) gives for a missing log and for no match, the rendering of events whose provider has no
  message file, and the label C(sc.exe qmanagedaccount) prints.
extends_documentation_fragment:
- ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms:
    - windows
seealso:
- module: hybrid_identity.entra_sync.provisioning_agent_package
- module: hybrid_identity.entra_sync.agent_host_info
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Collect evidence after a failed install
  hybrid_identity.entra_sync.agent_evidence:
    hours: 4
    extra_paths:
      - C:\Windows\Temp\entra_agent_install.log
  register: evidence

- name: Collect ADSync evidence since a given time
  hybrid_identity.entra_sync.agent_evidence:
    since: '2025-06-12T08:00:00Z'
    services: [ADSync]
    include_installer_logs: false
    trace_files: 0
'''

RETURN = r'''
since:
  description: Start of the collection window (ISO 8601, UTC).
  returned: success
  type: str
  sample: '2025-06-12T08:00:00.0000000Z'
events:
  description: Events found, newest first.
  returned: success
  type: list
  elements: dict
  contains:
    log:
      description: Event log name.
      type: str
      sample: System
    provider:
      description: Event provider.
      type: str
      sample: Service Control Manager
    id:
      description: Event id.
      type: int
      sample: 7041
    level:
      description: Level as Windows displays it (C(Error), C(Warning), C(Information)).
      type: str
      sample: Error
    time_created:
      description: When the event was logged (ISO 8601, UTC).
      type: str
      sample: '2025-06-12T10:21:07.1230000Z'
    message:
      description: The rendered message (the insertion strings joined by C( | ) when it cannot be rendered).
      type: str
      sample: The AADConnectProvisioningAgent service was unable to log on as CONTOSO\provAgentgMSA$ ...
    record_id:
      description: Record id in its log.
      type: int
      sample: 40211
files:
  description: Files collected, each cut to its tail.
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: Path on the target.
      type: str
      sample: C:\Windows\Temp\Microsoft_Entra_Provisioning_Agent_Package_20250612101502.log
    kind:
      description: C(burn_log), C(msi_log), C(installer_log), C(trace_log) or C(agent_config).
      type: str
      sample: burn_log
    size:
      description: Size of the whole file in bytes.
      type: int
      sample: 48213
    truncated:
      description: Whether only the end of the file is in RV(files[].content).
      type: bool
      sample: false
    content:
      description: The text (decoded from UTF-16 for MSI logs written that way).
      type: str
      sample: "[0A18:1F44][2025-06-12T10:17:58]e000: Error 0x80070643: Failed to install MSI package."
managed_accounts:
  description: The C(sc.exe qmanagedaccount) output per service (the agent service always, others when they exist).
  returned: success
  type: list
  elements: dict
  contains:
    service:
      description: Service name.
      type: str
      sample: AADConnectProvisioningAgent
    output:
      description: The command's output as text.
      type: str
      sample: "[SC] QueryManagedAccount SUCCESS ... MANAGED ACCOUNT : TRUE"
    managed:
      description: The parsed flag; C(null) when the output did not say (for example the service does not exist).
      type: bool
      sample: true
collected_bytes:
  description: Bytes of file content returned.
  returned: success
  type: int
  sample: 52110
'''
