"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip into each sanity-test virtual environment with a
script it fetches from a host that is unreachable here, and it first looks in
~/.ansible/test/cache/get_pip_<version>.py. hack/setup.sh copies this file
there. It installs the bundled pip with ensurepip (no network) and then asks
that pip for the exact packages ansible-test requested, from the package index.
"""

import subprocess
import sys

# Options that only the real get-pip.py understands.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main():
    requested = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
    completed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *requested], check=False)
    sys.exit(completed.returncode)


if __name__ == "__main__":
    main()
