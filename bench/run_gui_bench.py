#!/usr/bin/env python3
"""GUI benchmark: runs bench_gui offscreen (store write -> chart repaint latency for every point, a full
chart redraw with 4 runs x 100K loss points against QtCharts given every point, and the longest event-loop
stall while the sample inspector opens and scrolls a 1.5M-character sample, against a text view given the
text and its segment colours at once) and writes
bench/results/gui-cpu-<date>.json (BENCH.md format).

Usage: run_gui_bench.py BUILD_DIR [--points N] [--interval-ms N] [--redraw-points N] [--repeats N]
"""
import argparse
import json
import os
import subprocess
import tempfile

from bench_common import cpu_name, result_header, write_result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--redraw-points", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run([os.path.join(args.build_dir, "bench", "bench_gui"), work, "--points", str(args.points),
                              "--interval-ms", str(args.interval_ms), "--redraw-points", str(args.redraw_points),
                              "--repeats", str(args.repeats)], env=env, check=True, capture_output=True, text=True)
    measured = json.loads(out.stdout)
    qt = subprocess.run(["qtpaths6", "--qt-version"], capture_output=True, text=True).stdout.strip() or "6"
    result = result_header("gui", cpu_name(), {"qt": qt})
    result["clean_tree"] = not dirty
    result["config"] = {"platform": "offscreen", "chart_size": [1200, 700], "poll_interval_ms": 200, "batch_ms": 40,
                        "latency_points": args.points, "write_interval_ms": args.interval_ms,
                        "redraw_runs": measured["redraw"]["runs"], "redraw_points_per_run": args.redraw_points}
    result["metrics"] = {
        "store_to_screen_ms_p50": round(measured["latency"]["store_to_screen_ms_p50"], 1),
        "store_to_screen_ms_p95": round(measured["latency"]["store_to_screen_ms_p95"], 1),
        "store_to_screen_ms_max": round(measured["latency"]["store_to_screen_ms_max"], 1),
        "redraw_ms_100k_points": round(measured["redraw"]["redraw_ms_100k_points"], 1),
        "drawn_points_total": measured["redraw"]["drawn_points_total"],
        "inspector_1m_stall_ms": round(measured["inspector"]["inspector_1m_stall_ms"], 1),
        "inspector_1m_stall_ms_max": round(measured["inspector"]["inspector_1m_stall_ms_max"], 1),
        "inspector_1m_open_ms": round(measured["inspector"]["inspector_1m_open_ms"], 1),
        "inspector_formatted_blocks": measured["inspector"]["formatted_blocks"],
    }
    result["config"]["inspector_sample"] = {"characters": measured["inspector"]["characters"],
                                            "blocks": measured["inspector"]["blocks"],
                                            "segments": measured["inspector"]["segments"],
                                            "trials": measured["inspector"]["trials"], "budget_stall_ms": 100}
    result["reference"] = {"name": "qtcharts-full-series; plaintextedit-eager-format",
                           "metrics": {"redraw_ms_100k_points": round(measured["redraw"]["reference_redraw_ms"], 1),
                                       "inspector_1m_stall_ms": round(measured["inspector"]["reference_stall_ms"], 1)}}
    result["ratio"] = {"redraw_speedup": round(measured["redraw"]["reference_redraw_ms"] /
                                               measured["redraw"]["redraw_ms_100k_points"], 2),
                       "inspector_stall_speedup": round(measured["inspector"]["reference_stall_ms"] /
                                                        measured["inspector"]["inspector_1m_stall_ms"], 2)}
    if dirty:
        print("the tree has uncommitted changes: the result is printed, not written")
        print(json.dumps(result, indent=2))
        return
    write_result(result, "gui", "cpu")


if __name__ == "__main__":
    main()
