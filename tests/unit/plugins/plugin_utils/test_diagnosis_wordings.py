# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fourth round (issue 12): wordings and codes added on documented grounds, each with the texts it
must not take (a restart required *after* an install, a reboot that is not pending, another 407)."""
from __future__ import annotations

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _windows_errors


def top(tmp_path, text, name='evidence.log'):
    path = tmp_path / name
    path.write_bytes(text.encode('utf-8'))
    causes = _diagnosis.diagnose([str(path)])['root_causes']
    return causes[0]['id'] if causes else None


@pytest.mark.parametrize('text, expected', [
    # Windows Installer's property and scripts that refuse to run until the pending reboot is done
    ('Property(S): MsiSystemRebootPending = 1\r\nProduct: X -- Installation failed.\r\n', 'pending_reboot'),
    # the flag alone, in the log of an install that went through, or an update log that mentions
    # a pending restart, raises nothing
    ('Property(S): MsiSystemRebootPending = 1\r\nProduct: X -- Installation completed successfully.\r\n', None),
    ('Installation Successful: Windows successfully installed the following update: KB5034441. Restart pending.\r\n',
     None),
    ('[ ! ERROR ] Windows Update is currently installing or pending for reboot!\r\n', 'pending_reboot'),
    ('Setup cannot continue: a system restart is pending.\r\n', 'pending_reboot'),
    # a restart required to finish an install that succeeded (3010) is not a pending reboot
    ('Windows Installer reconfigured the product. A restart is required to complete the install.\r\n', None),
    ('Property(S): MsiSystemRebootPending = 0\r\nInstallation failed.\r\n', 'installer_failed_unknown'),
    ('Check: no pending reboot found\r\nInstallation failed.\r\n', 'installer_failed_unknown'),
    ('Pending reboot: False\r\nInstallation failed.\r\n', 'installer_failed_unknown'),
])
def test_a_reboot_already_pending_named_in_words(tmp_path, text, expected):
    assert top(tmp_path, text) == expected


@pytest.mark.parametrize('text, expected', [
    ('MSI (c) (30:78) [18:48:44:759]: Failed to grab execution mutex. System error 258.\r\n',
     'another_install_in_progress'),
    ('Error 1500. Another installation is in progress.\r\n', 'another_install_in_progress'),
    ('MSI (s) (98:BC) [11:22:21:656]: Grabbed execution mutex.\r\n', None),
])
def test_windows_installer_busy_in_its_log_wordings(tmp_path, text, expected):
    assert top(tmp_path, text) == expected


@pytest.mark.parametrize('text, expected', [
    ('Invoke-WebRequest fails with "Notification: PROXY_AUTH_REQUIRED"\r\n', 'outbound_connectivity_blocked'),
    ('Response status: ProxyAuthenticationRequired\r\n', 'outbound_connectivity_blocked'),
    ('Proxy authentication is not required on this network.\r\n', None),
])
def test_a_proxy_that_wants_authentication_in_its_renderings(tmp_path, text, expected):
    assert top(tmp_path, text) == expected


@pytest.mark.parametrize('text, expected', [
    ('hello.ps1 cannot be loaded because the execution of scripts is disabled on this system.\r\n',
     'execution_policy_blocks_registration'),
    ('Execution of scripts was enabled by policy.\r\n', None),
])
def test_the_powershell_1_wording_of_the_execution_policy(tmp_path, text, expected):
    assert top(tmp_path, text) == expected


@pytest.mark.parametrize('text', [
    # a console that wraps the documented 1789 message at its width
    'Unable to retrieve the session collection properties. The trust relationship between this workstation and the primary\r\n'
    'domain failed.\r\n',
    'Trusted DC Connection Status Status = 1787 0x6fb ERROR_NO_TRUST_SAM_ACCOUNT\r\n',
    'I_NetServerAuthenticate2 failed: 0xC000018B\r\n',
])
def test_a_broken_computer_trust_in_its_other_notations(tmp_path, text):
    assert top(tmp_path, text) == 'domain_trust_broken'


def test_a_trust_sentence_that_says_nothing_failed_is_not_a_broken_trust(tmp_path):
    assert top(tmp_path, 'Could not verify the trust relationship between the domains: none configured.\r\n') is None


@pytest.mark.parametrize('text, meaning', [
    ('ERROR_NO_TRUST_SAM_ACCOUNT', 'domain_trust_failed'),
    ('Status = 0xC000018A', 'domain_trust_failed'),
    ('Error 1500. Another installation is in progress.', 'msi_busy'),
])
def test_new_code_rows_map_to_one_meaning(text, meaning):
    assert meaning in [r['meaning'] for r in _windows_errors.extract(text)]


def test_the_new_wordings_decide_nothing_without_their_signatures(tmp_path, monkeypatch):
    """The cases above pass because of the rows added, not by chance: without them they fall."""
    added = {'reboot_pending_named', 'msi_reboot_pending_property', 'msi_execution_mutex'}
    monkeypatch.setattr(_diagnosis, 'SIGNATURES', [s for s in _diagnosis.SIGNATURES if s['id'] not in added])
    assert top(tmp_path, '[ ! ERROR ] Windows Update is currently installing or pending for reboot!\r\n') is None
    assert top(tmp_path, 'MSI (c): Failed to grab execution mutex. System error 258.\r\n') is None
