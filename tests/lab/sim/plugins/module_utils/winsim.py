# -*- coding: utf-8 -*-
"""The lab's stand-ins of ansible.windows / microsoft.ad act on the WinSim host description.

Lab only, never shipped. A stand-in runs under its host's ``bin/<host>/python`` wrapper
(tests/lab/build_lab.py), which exports ``WINSIM_SCENARIO`` (the host's description, the file
the real PowerShell modules read and change through WinSim) and ``WINSIM_DOMAIN`` (its domain's
file, shared by every host of the domain: changed only under an exclusive lock on
``<file>.lock``). The sections and their format are WinSim's (tests/windows_sim/areas/*.ps1).
"""

from __future__ import annotations

import fcntl
import json
import os
import re

from ansible.module_utils.basic import AnsibleModule


class StandinFailure(Exception):
    """Fails the module with ``msg`` and the extra result keys."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def _load(path):
    with open(path, encoding="utf-8-sig") as f:  # pwsh's Set-Content -Encoding utf8 may write a BOM
        return json.load(f)


def _save(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)  # a module reading it meanwhile sees the old or the new file, never half


class WinSimHost:
    """One host description; ``domain()`` opens the domain file under its lock."""

    def __init__(self, path=None, domain_path=None):
        self.path = path or os.environ.get("WINSIM_SCENARIO")
        if not self.path or not os.path.exists(self.path):
            raise StandinFailure("lab: WINSIM_SCENARIO names no host description (%s); run through the "
                                 "host's bin/<host>/python wrapper" % self.path)
        self.state = _load(self.path)
        self.domain_path = domain_path if domain_path is not None else os.environ.get("WINSIM_DOMAIN")
        self._domain = None
        self._lock = None

    def section(self, name, default):
        if self.state.get(name) is None:
            self.state[name] = default
        return self.state[name]

    # -- accounts: the `accounts` map is what LSA translates (Security.ps1); on a domain member LSA asks
    # a domain controller for the rest: the domain file's objects (read without the lock: read only)
    def sid_of(self, user):
        """The SID of an account name or ``*SID``/SID string; fails as LookupAccountName does."""
        match = re.match(r"^\*?(S-1-[0-9-]+)$", user, re.I)
        if match:
            return match.group(1).upper()
        for sid, name in self.section("accounts", {}).items():
            if name.lower() == user.lower() or ("\\" not in user and name.split("\\")[-1].lower() == user.lower()):
                return sid
        domain = self._domain if self._domain is not None else (
            _load(self.domain_path) if self.domain_path and os.path.exists(self.domain_path) else {})
        netbios, _sep, sam = user.rpartition("\\")
        for obj in (domain.get("objects") or {}).values():
            if str(obj.get("sAMAccountName", "")).lower() == sam.lower() and obj.get("objectSid") and (
                    not netbios or netbios.lower() == str(domain.get("netbios", "")).lower()):
                return obj["objectSid"]
        raise StandinFailure("Failed to translate the account '%s': No mapping between account names and "
                             "security IDs was done." % user)

    def name_of(self, sid):
        return self.section("accounts", {}).get(sid, sid)

    # -- registry: "HKLM:\\PATH" -> {value: data}, keys compared without case (Registry.ps1)
    @staticmethod
    def registry_path(path):
        p = re.sub(r"^(Microsoft\.PowerShell\.Core\\)?Registry::", "", path.replace("/", "\\"))
        p = re.sub(r"^HKEY_LOCAL_MACHINE", "HKLM:", p, flags=re.I)
        p = re.sub(r"^HKEY_CURRENT_USER", "HKCU:", p, flags=re.I)
        m = re.match(r"^(HKLM|HKCU):?\\*(.*)$", p, re.I)
        return ("%s:\\%s" % (m.group(1).upper(), m.group(2)) if m else p).rstrip("\\")

    def registry_key(self, path, create=False):
        """(key name as the description spells it, its values) or (None, None)."""
        wanted = self.registry_path(path).lower()
        registry = self.section("registry", {})
        for key, values in registry.items():
            if self.registry_path(key).lower() == wanted:
                if values is None:
                    values = registry[key] = {}
                return key, values
        if not create:
            return None, None
        registry[self.registry_path(path)] = {}
        return self.registry_path(path), registry[self.registry_path(path)]

    # -- services: a list of Get-Service records (Services.ps1)
    def service(self, name):
        for svc in self.section("services", []):
            if svc.get("Name", "").lower() == name.lower():
                return svc
        return None

    # -- the domain file: objects and kds_root_keys of every host of the domain
    def domain(self):
        if self._domain is None:
            if not self.domain_path or not os.path.exists(self.domain_path):
                raise StandinFailure("lab: this host has no domain file (WINSIM_DOMAIN=%s)" % self.domain_path)
            self._lock = open(self.domain_path + ".lock", "w")  # pylint: disable=consider-using-with
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self._domain = _load(self.domain_path)
        return self._domain

    def save(self):
        _save(self.path, self.state)
        if self._domain is not None:
            _save(self.domain_path, self._domain)

    def close(self):
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None


def run_standin(argument_spec, behave, supports_check_mode=True, **module_kwargs):
    """``behave(module, host)`` returns ``(changed, result)`` and may change ``host.state`` and
    ``host.domain()`` freely; nothing is written in check mode."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=supports_check_mode, **module_kwargs)
    host = None
    try:
        host = WinSimHost()
        changed, result = behave(module, host)
        if changed and not module.check_mode:
            host.save()
    except StandinFailure as e:
        module.fail_json(msg=e.msg, **e.result)
    finally:
        if host is not None:
            host.close()
    module.exit_json(changed=changed, **result)
