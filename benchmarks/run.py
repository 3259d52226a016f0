"""Run every benchmark and print its figures: ``make bench``.

The cloud-call and status-lag benchmarks need a real OpenStack (the devcloud); they are skipped with
a message when none answers. Each benchmark exits non-zero over its budget.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def cloud_answers() -> bool:
    url = os.environ.get("SKIFF_TEST_OS_AUTH_URL", "http://127.0.0.1:5000/v3")
    try:
        urllib.request.urlopen(url, timeout=3)
    except OSError:
        return False
    return True


def main() -> int:
    failures = 0
    scripts = ["page_weight.py", "step_swap.py", "memory.py"]
    if cloud_answers():
        scripts += ["cloud_calls.py", "status_lag.py"]
    else:
        print("cloud_calls.py, status_lag.py: skipped, no OpenStack (run ../shared/devcloud/up.sh)")
    for script in scripts:
        if not os.path.exists(os.path.join(HERE, script)):
            continue
        print(f"== {script}")
        failures += subprocess.call([sys.executable, os.path.join(HERE, script)]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
