"""The Python the functions run on when deployed, found on this machine: bundles are compiled for
it, and started and measured with it (a bundle's wheels and .pyc files are for that version only).

Lambda's `python3.12` runs on Amazon Linux 2023 (infra/terraform/aws/functions.tf `python_version`);
Cloud Run functions run `python312` (infra/terraform/gcp/functions.tf).
"""

from __future__ import annotations

import glob
import shutil
from pathlib import Path

PYTHON_VERSION = "3.12"


class NoTargetPython(RuntimeError):
    pass


def target_python() -> str:
    # pyenv's installs first: its shim on PATH may refuse a version the folder has not selected.
    pattern = str(Path.home() / f".pyenv/versions/{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}")
    installed = sorted(glob.glob(pattern))
    found = installed[-1] if installed else shutil.which(f"python{PYTHON_VERSION}")
    if found is None:
        raise NoTargetPython(
            f"python{PYTHON_VERSION} is needed: the deployed functions run on it, so their bundles "
            "are compiled, started and measured with it"
        )
    return found
