# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guard: controller code never recognises a module's warning by its English text.

A module says "unknown" with null values; the warning is for people. Matching its wording breaks the
first time a module rewords it (the health action once dropped "No KDS event 4004 ..." that way).
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[3]
WARN_CALL = re.compile(r"""\.Warn\(\s*(["'])(.*?)\1""")
MIN_WORDS = 4     # a shorter fixed part ("Failed to read", a cmdlet name) is ordinary prose, not the warning


def module_warning_texts() -> set[str]:
    """The fixed leading text of each $module.Warn(...) in the PowerShell modules (up to the first variable)."""
    texts = set()
    for ps1 in (ROOT / 'plugins' / 'modules').glob('*.ps1'):
        for match in WARN_CALL.finditer(ps1.read_text(encoding='utf-8-sig')):
            fixed = re.split(r'[$`{]', match.group(2))[0].strip()
            if len(fixed.split()) >= MIN_WORDS:
                texts.add(fixed)
    return texts


def controller_sources() -> list[pathlib.Path]:
    return sorted((ROOT / 'plugins' / 'action').glob('*.py')) + sorted((ROOT / 'plugins' / 'plugin_utils').glob('*.py'))


def test_the_guard_finds_module_warnings():
    assert any(text.startswith('No KDS event 4004') for text in module_warning_texts())


def test_no_controller_code_contains_a_module_warning_text():
    found = [(path.name, text) for path in controller_sources() for text in module_warning_texts()
             if text in path.read_text(encoding='utf-8')]
    assert found == []
