from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import (
    StandinFailure, opt, run_standin, secret_digest, usable_kds_keys)


def _step(steps, name, changed, skipped=None):
    steps.append({"name": name, "changed": changed, "skipped_reason": skipped})


def behave(module, host):
    info = host.state["host_info"]
    agent = info["agent"]
    tenant = host.state["lab"]["tenant"]
    domain = host.domain or {}
    netbios = domain.get("netbios", "CONTOSO")
    steps = []
    user = opt(module, "tenant_username", "username", "tenant_user", default="")
    password = opt(module, "tenant_password", "password", default="")
    custom = opt(module, "gmsa_name", "custom_gmsa_name", "gmsa", default=None)
    domains = opt(module, "domains", default=None) or [{"name": info["domain"]["name"]}]
    dnames = [d["name"] if isinstance(d, dict) else d for d in domains]
    result = {"tenant_id": agent.get("tenant_id"), "gmsa": None, "domains": [], "steps": steps,
              "service_state": None}
    if not agent.get("installed"):
        raise StandinFailure("Failed to register the provisioning agent: the agent is not installed", **result)
    gmsa = "%s\\%s" % (netbios, custom or "provAgentgMSA$")
    svc = next(s for s in info["services"] if s["role"] == "agent")
    if agent.get("registered") and agent.get("tenant_id") == tenant["id"] \
            and set(dnames) <= set(host.state.get("registered_domains", [])) and svc.get("start_name") == gmsa:
        result.update(gmsa=gmsa, domains=dnames, service_state=svc.get("state"))
        _step(steps, "connect_tenant", False, "already registered to tenant %s" % tenant["id"])
        return False, result
    if module.check_mode:
        _step(steps, "connect_tenant", True)
        return True, result
    _step(steps, "import_module", False)
    host.record("cmdlet", "Import-Module '%sMicrosoft.CloudSync.PowerShell.dll'" % agent["install_dir"])
    host.record("cmdlet", "Connect-AADCloudSyncAzureAD -Credential (PSCredential %s)" % user)
    ep = info["execution_policy"]
    if "Unrestricted" in (ep.get("machine_policy"), ep.get("local_machine")):
        raise StandinFailure("Failed to import the provisioning agent module: AuthorizationManager check failed. "
                             "SecurityError: PSSecurityException (execution policy Unrestricted)", **result)
    if user.lower() != tenant["admin"].lower() or secret_digest(password) != tenant["password_sha256"]:
        raise StandinFailure("Failed to connect to the tenant as %s: AADSTS50126: Error validating credentials "
                             "due to invalid username or password." % user, **result)
    if tenant.get("mfa_required"):
        host.state.setdefault("evidence_files", []).append({
            "path": "C:\\ProgramData\\Microsoft\\Azure AD Connect Provisioning Agent\\Trace\\ProvAgentTrace.log",
            "kind": "trace_log", "size": 300, "truncated": False,
            "content": "MsalUiRequiredException: AADSTS50076: Due to a configuration change made by your "
                       "administrator, or because you moved to a new location, you must use multi-factor "
                       "authentication to access '00000002-0000-0000-c000-000000000000'."})
        raise StandinFailure("Failed to connect to the tenant as %s: the account requires multi-factor "
                             "authentication (AADSTS50076), which cannot be answered from a headless session such "
                             "as WinRM. Error: MsalUiRequiredException: AADSTS50076" % user, **result)
    if tenant.get("cloud", "public") != "public" and host.state.get("agent_environment") != "AzureUSGovernment":
        raise StandinFailure("Failed to connect to the tenant as %s: AADSTS900384: the tenant is in the US "
                             "Government cloud; install the agent with ENVIRONMENTNAME=AzureUSGovernment" % user,
                             **result)
    _step(steps, "connect_tenant", True)
    if custom:
        obj = domain.get("gmsas", {}).get(custom)
        host.record("cmdlet", "Add-AADCloudSyncGMSA -CustomGMSAName %s" % custom)
        if obj is None:
            raise StandinFailure("Failed to use gMSA %s: no such object on the server" % custom, **result)
        host_enc = info["kerberos"].get("supported_encryption_types") or 0x1C
        if not (host_enc & obj.get("encryption_types", 0x1C) & 0x1F):
            host.event("System", "NETLOGON", 9001, "Error",
                       "The gMSA %s could not be installed: the encryption types of the account do not match the "
                       "types supported by this computer." % custom)
            raise StandinFailure("Failed to install gMSA %s: Unable to install service account after 6 retries. "
                                 "Install-ADServiceAccount: The provided context did not match the target." % custom,
                                 **result)
    else:
        host.record("cmdlet", "Add-AADCloudSyncGMSA -Credential (PSCredential %s)" % opt(
            module, "domain_admin_username", "ad_username", "domain_username", default=""))
        if "provAgentgMSA$" not in domain.get("gmsas", {}):
            if not usable_kds_keys(domain):
                host.event("Microsoft-AzureADConnect-ProvisioningAgent/Admin", "AzureADConnectProvisioningAgent",
                           0, "Error", "Unable to create gMSA because KDS may not be running on domain controller. "
                                       "Please create/run KDS manually.")
                raise StandinFailure("Failed to create the gMSA provAgentgMSA$: Unable to create gMSA because KDS "
                                     "may not be running on domain controller. Please create/run KDS manually.",
                                     **result)
            domain.setdefault("gmsas", {})["provAgentgMSA$"] = {"encryption_types": 24, "principals": []}
    _step(steps, "add_gmsa", True)
    for d in domains:
        name = d["name"] if isinstance(d, dict) else d
        pdcs = d.get("preferred_domain_controllers") if isinstance(d, dict) else None
        host.record("cmdlet", "Add-AADCloudSyncADDomain -DomainName %s -Credential (PSCredential)%s"
                    % (name, " -PreferredDomainControllers %s" % ",".join(pdcs) if pdcs else ""))
        _step(steps, "add_domain:%s" % name, True)
    if opt(module, "password_writeback", default=False):
        host.record("cmdlet", "Set-AADCloudSyncPasswordWritebackConfiguration -Enable $true -Credential (PSCredential)")
    host.record("cmdlet", "Restart-Service -Name AADConnectProvisioningAgent")
    agent.update(tenant_id=tenant["id"], registered=True)
    svc.update(start_name=gmsa, managed_account=True, state="Running")
    host.state["registered_domains"] = sorted(set(host.state.get("registered_domains", [])) | set(dnames))
    _step(steps, "restart_service", True)
    result.update(tenant_id=tenant["id"], gmsa=gmsa, domains=dnames, service_state="Running")
    return True, result


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)
