from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import copy

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import (
    StandinFailure, opt, run_standin, service_logon_blocked)

AGENT_VERSION = "1.1.1586.0"
INSTALL_DIR = "C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\"
BURN_LOG = "C:\\Windows\\Temp\\Microsoft_Entra_Provisioning_Agent_Package_20250612101502.log"
MSI_LOG = BURN_LOG[:-4] + "_000_ProvisioningAgentSetup.log"
BURN_FAIL = [
    "[0A18:1F44][2025-06-12T10:17:58]e000: Error 0x80070643: Failed to install MSI package.",
    "[0A18:1F44][2025-06-12T10:17:58]i319: Applied execute package: ProvisioningAgentSetup, result: 0x80070643, restart: None",
    "[0A18:0B2C][2025-06-12T10:18:03]i399: Apply complete, result: 0x80070643, restart: None, ba requested restart:  No",
]
CAUSES = {
    "logon_right": [
        "Service 'Microsoft Entra Connect Provisioning Agent' (AADConnectProvisioningAgent) failed to start. "
        "Verify that you have sufficient privileges to start system services.",
        "MSI (s) (4C:7C) [10:17:55:412]: Product: Microsoft Entra Provisioning Agent -- Error 1920. Service "
        "'Microsoft Entra Connect Provisioning Agent' (AADConnectProvisioningAgent) failed to start. Verify that "
        "you have sufficient privileges to start system services.",
    ],
    "stale": [
        "MSI (s) (4C:7C) [10:17:55:412]: Product: Microsoft Entra Provisioning Agent -- Error 1923. Service "
        "'Microsoft Entra Connect Provisioning Agent' (AADConnectProvisioningAgent) could not be installed. "
        "Verify that you have sufficient privileges to install system services.",
        "The specified service already exists.",
    ],
    "unknown": [
        "MSI (s) (4C:7C) [10:17:55:412]: Product: Microsoft Entra Provisioning Agent -- Installation failed.",
    ],
    "vault": [
        "CustomAction ConfigureCredentialVault returned actual error code 1058 (The service cannot be started, "
        "either because it is disabled or because it has no enabled devices associated with it.)",
    ],
}


def _installed_agent(host, env):
    info = host.state["host_info"]
    tmpl = host.state["lab"]["templates"]["installed"]
    info["agent"] = dict(copy.deepcopy(tmpl["agent"]), tenant_id=None, registered=False)
    info["services"] = copy.deepcopy(tmpl["services"])
    for svc in info["services"]:
        if svc["role"] == "agent":
            svc.update(start_name="NT SERVICE\\AADConnectProvisioningAgent", managed_account=False)
    info["leftovers"] = {"install_dir_exists": True, "program_data_exists": True,
                         "package_cache_dirs": [], "orphan_services": []}
    host.state["agent_environment"] = env


def _fail_install(host, cause, exit_code=1603):
    host.state.setdefault("evidence_files", [])
    lines = CAUSES[cause]
    host.state["evidence_files"] = [
        {"path": BURN_LOG, "kind": "burn_log", "size": 900, "truncated": False, "content": "\r\n".join(BURN_FAIL)},
        {"path": MSI_LOG, "kind": "msi_log", "size": 4718832, "truncated": True, "content": "\r\n".join(lines)}]
    host.event("Application", "MsiInstaller", 11708, "Information",
               "Product: Microsoft Entra Provisioning Agent -- Installation failed.")
    if cause == "logon_right":
        host.event("System", "Service Control Manager", 7000, "Error",
                   "The Microsoft Entra Connect Provisioning Agent service failed to start due to the following "
                   "error: \r\nThe service did not start due to a logon failure.")
        host.event("System", "Service Control Manager", 7041, "Error",
                   "The AADConnectProvisioningAgent service was unable to log on as NT SERVICE\\"
                   "AADConnectProvisioningAgent with the currently configured password due to the following error:"
                   "\r\nLogon failure: the user has not been granted the requested logon type at this computer.")
    return BURN_FAIL + ["--- %s ---" % MSI_LOG] + lines


def behave(module, host):
    p = module.params
    info = host.state["host_info"]
    lab = host.state["lab"]
    state = opt(module, "state", default="present")
    path = opt(module, "path", "installer", "src", default="")
    cloud = opt(module, "environment", "cloud", default=None)
    env = "AzureUSGovernment" if cloud in ("us_government", "AzureUSGovernment", "usgov") else None
    agent = info["agent"]
    leftovers = info.get("leftovers", {})
    before = agent.get("version")
    result = {"state": state, "version_before": before, "version_after": before, "exit_code": None,
              "attempts": 0, "reboot_required": False, "log_paths": [], "log_excerpt": [],
              "command": "", "removed": [], "kept": []}
    if "timed_out" in RETURN:
        result["timed_out"] = False
    stale = bool(leftovers.get("orphan_services") or leftovers.get("package_cache_dirs")) and not agent.get("installed")
    if state == "absent":
        if not agent.get("installed") and not stale and not agent.get("uninstall_entries"):
            return False, result
        result["removed"] = [e["display_name"] for e in agent.get("uninstall_entries", [])] or ["AADConnectProvisioningAgent"]
        if module.check_mode:
            return True, result
        for e in agent.get("uninstall_entries", []):
            host.record("uninstaller", e.get("quiet_uninstall_string") or e.get("uninstall_string") + " /quiet")
        info["agent"] = copy.deepcopy(host.state["lab"]["templates"]["absent"]["agent"])
        info["services"] = copy.deepcopy(host.state["lab"]["templates"]["absent"]["services"])
        info["leftovers"] = {"install_dir_exists": False, "program_data_exists": False,
                             "package_cache_dirs": [], "orphan_services": []}
        result["version_after"] = None
        return True, result

    wanted = opt(module, "minimum_version", "version", default=None)
    if agent.get("installed") and (not wanted or before == wanted):
        return False, result
    if not path:
        raise StandinFailure("Failed to install the provisioning agent: no installer path given", **result)
    if path.lower() not in host.state.get("files", {}) and not path.startswith("\\\\"):
        raise StandinFailure("Failed to install the provisioning agent: installer '%s' not found" % path, **result)
    # As the real module builds it: each argument escaped for CreateProcess (quoted only when it has spaces).
    argv = [path, "/quiet"] + (["/norestart"] if opt(module, "norestart", default=True) else []) + (
        ["ENVIRONMENTNAME=AzureUSGovernment"] if env else [])
    command = " ".join('"%s"' % a if " " in a else a for a in argv)
    result["command"] = command
    if module.check_mode:
        result["version_after"] = AGENT_VERSION
        return True, result
    if stale and opt(module, "remove_stale", default=False):
        result["removed"] = list(leftovers.get("orphan_services", [])) + list(leftovers.get("package_cache_dirs", []))
        info["leftovers"] = {"install_dir_exists": False, "program_data_exists": False,
                             "package_cache_dirs": [], "orphan_services": []}
        agent["uninstall_entries"] = []
        for svc in info.get("services", []):
            svc.update(exists=False, state=None, start_mode=None, start_name=None, managed_account=None, path=None)
        host.record("uninstaller", "sc.exe delete AADConnectProvisioningAgent")
        stale = False
    # a GPO refresh between preflight and install (scenario: installer_1603_logon_right)
    for right, gpo in lab.pop("gpo_refresh_at_install", {}).items():
        host.state["rights"][right]["gpo"] = gpo
        host.apply_group_policy()
    retries = int(opt(module, "retry_1618_count", "retries", default=3) or 0)
    codes = lab.setdefault("installer_exit_codes", [])
    result["log_paths"] = [BURN_LOG]
    cause = "unknown"  # an exit code the scenario scripted, with no cause the lab acts out
    while True:
        result["attempts"] += 1
        host.record("installer", command + ' /log "%s"' % BURN_LOG)
        code = codes.pop(0) if codes else 0
        if code == 0 or code in (3010, 1641):
            if stale:
                code, cause = 1603, "stale"
            elif service_logon_blocked(host):
                code, cause = 1603, "logon_right"
            elif info.get("credential_manager", {}).get("start_mode") == "Disabled":
                code, cause = 1603, "vault"
        if code == 1618 and result["attempts"] <= retries:
            continue
        break
    result["exit_code"] = code
    if code in (0, 3010, 1641):
        _installed_agent(host, env)
        result["version_after"] = AGENT_VERSION
        if code != 0:
            result["reboot_required"] = True
            info["pending_reboot"] = {"required": True, "reasons": ["installer exit code %d" % code]}
        return True, result
    if code == 1618:
        raise StandinFailure("Failed to install the provisioning agent: another installation is in progress "
                             "(1618) after %d attempts" % result["attempts"], **result)
    result["log_paths"] = [BURN_LOG, MSI_LOG]
    result["log_excerpt"] = _fail_install(host, cause)
    raise StandinFailure("Failed to install the provisioning agent: the installer returned 1603 (0x80070643, fatal "
                         "error during installation). See log_excerpt.", **result)


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)
