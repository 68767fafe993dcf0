# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paths of the shared fixtures (imported by the tests of this folder)."""
from __future__ import annotations

import json
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULE_RESULTS = os.path.join(ROOT, 'tests', 'fixtures', 'module_results')
EVIDENCE = os.path.join(ROOT, 'tests', 'fixtures', 'evidence')


def load(module, scenario):
    with open(os.path.join(MODULE_RESULTS, module, scenario + '.json')) as fh:
        return json.load(fh)
