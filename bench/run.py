"""Benchmarks (`make bench`). Each prints ratios measured in one run against a
baseline on the same machine. The national-scale page benchmarks come with the
national-scale demo data (issue 8)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("invoices.py", "votes.py"):
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
