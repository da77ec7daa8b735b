"""Helpers shared by the benchmark drivers (bench/run_*_bench.py)."""
import datetime
import json
import os
import platform
import subprocess


def cpu_name(threads=None):
    """The CPU model and core count (and the threads used, when given), for a result's "device"."""
    suffix = f"{os.cpu_count()} cores" + (f", {threads} threads" if threads else "")
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({suffix})"
    except OSError:
        pass
    return f"{platform.processor()} ({suffix})"


def write_result(result, benchmark, device_kind):
    """Writes bench/results/<benchmark>-<device_kind>-<date>.json (BENCH.md) and prints it; returns the path."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                        f"{benchmark}-{device_kind}-{result['date']}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=2))
    return path


def result_header(benchmark, device, software):
    """The fields every result starts with (BENCH.md): benchmark, device, today's date, the short commit."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {"benchmark": benchmark, "device": device, "date": datetime.date.today().isoformat(), "commit": commit,
            "software": software}
