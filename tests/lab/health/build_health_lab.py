"""Build (or reset) the health lab: the lab of tests/lab with the Day-2 hosts of tests/lab/health/hosts.

    .venv/bin/python tests/lab/health/build_health_lab.py [--lab-dir .cache/health-lab]

tests/lab/build_lab.py's build in its own directory (so it never disturbs the main lab), with the
hosts of tests/lab/health/hosts and one more stand-in, ``ansible.windows.win_command``
(``sc.exe managedaccount``, the health role's repair). Event times in the descriptions are relative
(``-PT1H``): WinSim reads them against the time of the run.
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import build_lab  # noqa: E402  (tests/lab/build_lab.py)

EXTRA_STANDINS = [(os.path.join(HERE, "standins", "win_command.py"), "ansible.windows")]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(build_lab.REPO, ".cache", "health-lab"))
    lab = os.path.abspath(p.parse_args(argv).lab_dir)
    os.makedirs(lab, exist_ok=True)
    try:
        manifest = build_lab.build(lab, build_lab.load_scenarios(os.path.join(HERE, "hosts")),
                                   extra_standins=EXTRA_STANDINS)
    except build_lab.LabBuildError as e:
        print("health lab build failed: %s" % e, file=sys.stderr)
        return 1
    print("health lab ready in %s: %d hosts" % (lab, len(manifest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
