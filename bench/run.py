"""Benchmarks (`make bench`). Each script measures against a baseline in the
same run on the same machine and ends with one machine-readable line,
`BENCH-RESULT {json}`; this runner shows each script's own output, collects
those lines and prints them as one table of ratios at the end.

    .venv/bin/python bench/run.py [pages invoices votes]

- pages.py: pages at national scale vs. the founding scale (p50, p95, queries)
- invoices.py: the contributie run vs. bare WeasyPrint of the same invoices
- votes.py: 342 votes at once over HTTP vs. a trivial authenticated POST

Exits non-zero when a script fails; a missed target is shown in the table."""

import json
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["pages", "invoices", "votes"]
MARKER = "BENCH-RESULT "


def run(script: str) -> dict:
    print(f"== {script}.py", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(HERE / f"{script}.py")], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    result = None
    for line in process.stdout:
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or result is None:
        sys.exit(f"{script}.py mislukte (code {process.returncode}).")
    result["seconds"] = time.monotonic() - started
    return result


def machine() -> str:
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or "?"
    return f"{platform.system()} {platform.release()}, {cpus} CPU, Python {platform.python_version()}"


def table(results: dict[str, dict]) -> list[str]:
    rows = ["| benchmark | measured | baseline | ratio | target | met |", "| --- | --- | --- | --- | --- | --- |"]
    if "pages" in results:
        pages = results["pages"]
        for row in pages["rows"]:
            for q in ("p50", "p95"):
                rows.append(
                    f"| page {row['page']} {q} | national {row[f'{q}_national_ms']} ms "
                    f"({row['queries_national']} queries) | founding {row[f'{q}_small_ms']} ms "
                    f"({row['queries_small']} queries) | {row[f'{q}_ratio']:.2f} | ≤ {pages['target']:g} | "
                    f"{'yes' if row[f'{q}_ratio'] <= pages['target'] else 'NO'} |"
                )
    if "invoices" in results:
        inv = results["invoices"]
        rows.append(
            f"| contributie run, {inv['members']} members | {inv['run_s']} s | bare WeasyPrint {inv['bare_s']} s | "
            f"{inv['ratio']:.2f} | ≤ {inv['target']:g} | {'yes' if inv['met'] else 'NO'} |"
        )
    if "votes" in results:
        votes = results["votes"]
        rows.append(
            f"| {votes['count']} votes over HTTP | {votes['votes_per_s']}/s | "
            f"trivial POST {votes['trivial_per_s']}/s | "
            f"{votes['ratio']:.2f} | ≥ {votes['target']:g} | {'yes' if votes['met'] else 'NO'} "
            f"(lost {votes['lost']}, duplicates {votes['duplicates']}) |"
        )
    return rows


def main():
    wanted = sys.argv[1:] or SCRIPTS
    unknown = set(wanted) - set(SCRIPTS)
    if unknown:
        sys.exit(f"Onbekende benchmark: {', '.join(sorted(unknown))}; kies uit {', '.join(SCRIPTS)}.")
    results = {script: run(script) for script in wanted}
    databases = sorted({r["database"] for r in results.values()})
    print(f"\n== Samenvatting {date.today():%Y-%m-%d}; {', '.join(databases)}; {machine()}")
    for line in table(results):
        print(line)
    print("Duur: " + ", ".join(f"{name} {r['seconds']:.0f} s" for name, r in results.items()))


if __name__ == "__main__":
    main()
