"""Helpers shared by the benchmark drivers (bench/run_*_bench.py)."""
import os
import platform


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
