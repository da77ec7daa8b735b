#!/usr/bin/env python3
"""Store benchmark: runs bench_store (batched metric logging, BM25 search over synthetic 100K / 1M chunk
corpora, corpus import) and times the references in the same run on the same files: one autocommitted
INSERT per scalar (measured by bench_store), the same BM25 SQL through Python's sqlite3 module against the
same store files, and raw reads of the files that are imported (measured by bench_store).
The 100K / 1M stores are built once into the cache folder and reused by later runs.
Writes bench/results/store-cpu-<date>.json (BENCH.md format).

Usage: run_store_bench.py BUILD_DIR [--cache-dir DIR] [--steps N] [--small-chunks N] [--large-chunks N]
                          [--queries N] [--import-mb N] [--repeats N] [--drop-cache]
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_name, write_result

# The reference: the straightforward FTS5 query for the same OR-ed words (ranked through the joins that
# filter by corpus), then the texts of the hits kept. CorpusStore::search ranks inside FTS5 first and drops
# words BM25 weights at zero (core/src/store/corpus_store.cpp).
RANK_SQL = ("SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f "
            "JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH ?1"
            " AND d.corpus_id = ?3 ORDER BY score DESC, f.rowid LIMIT ?2")
FETCH_SQL = ("SELECT c.id, c.document_id, c.idx, c.byte_begin, c.byte_end, c.n_tokens, d.source_path, "
             "CAST(substr(CAST(d.text AS BLOB), c.byte_begin + 1, c.byte_end - c.byte_begin) AS TEXT) "
             "FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1")
LIMIT = 10


def percentile(values, q):
    """Nearest rank, as bench_store computes it."""
    values = sorted(values)
    rank = -(-q * len(values) // 1)  # ceil
    return values[min(max(int(rank), 1), len(values)) - 1]


def warm(path):
    with open(path, "rb") as f:
        while f.read(16 << 20):
            pass


def python_search(db, match, corpus_id):
    ranked = db.execute(RANK_SQL, (match, LIMIT, corpus_id)).fetchall()
    hits = []
    for chunk_id, score in ranked:
        hits.append((db.execute(FETCH_SQL, (chunk_id,)).fetchone(), score))
    return [h[0][0] for h in hits]


def time_python(store, queries):
    """Same queries, the reference SQL, same file, one timed pass after a warm-up query (as bench_store does)."""
    warm(store["path"])
    db = sqlite3.connect(f"file:{store['path']}?mode=ro", uri=True)
    python_search(db, queries[0]["match"], store["corpus_id"])
    times, same = [], 0
    for q, ours in zip(queries, store["queries"]):
        start = time.perf_counter()
        ids = python_search(db, q["match"], store["corpus_id"])
        times.append((time.perf_counter() - start) * 1e3)
        same += ids == ours["ids"]
    db.close()
    return {"p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95), "same_results": same}


def cmake_cache(build_dir, key):
    try:
        for line in open(os.path.join(build_dir, "CMakeCache.txt")):
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def compiler_version(build_dir):
    compiler = cmake_cache(build_dir, "CMAKE_CXX_COMPILER")
    try:
        return subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return os.path.basename(compiler)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "ropewalk-store-bench-cache"))
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--small-chunks", type=int, default=100_000)
    ap.add_argument("--large-chunks", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--import-mb", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--drop-cache", action="store_true", help="delete the cached 100K / 1M stores afterwards")
    args = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ropewalk-store-bench-") as work:
        cmd = [os.path.join(args.build_dir, "bench", "bench_store"), work, args.cache_dir, "--steps", str(args.steps),
               "--small-chunks", str(args.small_chunks), "--large-chunks", str(args.large_chunks),
               "--queries", str(args.queries), "--import-mb", str(args.import_mb), "--repeats", str(args.repeats)]
        ours = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=sys.stderr, text=True).stdout)
    queries = ours["queries"]
    small, large = ours["bm25_small"], ours["bm25_large"]
    py_small = time_python(small, queries)
    print(f"python sqlite3 100k: p50 {py_small['p50_ms']:.2f} ms, p95 {py_small['p95_ms']:.2f} ms", file=sys.stderr)
    py_large = time_python(large, queries)
    print(f"python sqlite3 1m: p50 {py_large['p50_ms']:.2f} ms, p95 {py_large['p95_ms']:.2f} ms", file=sys.stderr)
    if args.drop_cache:
        shutil.rmtree(args.cache_dir, ignore_errors=True)

    m, imp = ours["metrics"], ours["import"]
    git = ["git", "-C", repo]
    commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                text=True).stdout.strip())
    today = datetime.date.today().isoformat()
    n_frequent = sum(q["frequent"] for q in queries)
    result = {
        "benchmark": "store",
        "device": cpu_name(),
        "date": today,
        "commit": commit,
        "software": {"sqlite": sqlite3.sqlite_version, "python": platform.python_version(),
                     "cxx": compiler_version(args.build_dir),
                     "build_type": cmake_cache(args.build_dir, "CMAKE_BUILD_TYPE")},
        "config": {
            "worktree_has_uncommitted_changes": dirty,
            "store": "SQLite WAL, synchronous=NORMAL, on the /tmp disk",
            "metric_steps": m["steps"], "metric_scalars_per_step": 8, "metric_rows": m["rows"],
            "metric_writer": "default options (flush at 512 rows or 1000 ms)",
            "simulated_train_step_us": round(m["train_step_us"], 1), "repeats": m["repeats"],
            "bm25_chunks": [args.small_chunks, args.large_chunks], "chunks_per_document": 10,
            "chunk_words": "100-150", "vocabulary": ours["config"]["vocabulary"],
            "zipf_exponent": ours["config"]["zipf_exponent"],
            "queries": len(queries), "query_words": "2-5, rank log-uniform in [30, 20000)",
            "queries_with_a_top20_word": n_frequent, "search_limit": LIMIT,
            "percentiles": "nearest rank, one timed pass per store, page cache warm",
            "db_mb_100k": round(small["db_mb"], 1), "db_mb_1m": round(large["db_mb"], 1),
            "text_mb_1m": round(large["text_mb"], 1), "store_1m_reused_from_cache": large["reused"],
            "import_mb": args.import_mb, "import_files": imp["files"], "import_documents": imp["documents"],
            "import_chunks": imp["chunks"], "import_tokenizer": "words", "import_chunking": "512/64",
            "mb": "1e6 bytes",
            "wall_s": round(time.perf_counter() - started, 1),
        },
        "metrics": {
            "metric_inserts_per_s": round(m["metric_inserts_per_s"]),
            "log_overhead_us_per_step": round(m["log_overhead_us_per_step"], 2),
            "bm25_p50_ms_100k": round(small["p50_ms"], 2), "bm25_p95_ms_100k": round(small["p95_ms"], 2),
            "bm25_p50_ms_1m": round(large["p50_ms"], 2), "bm25_p95_ms_1m": round(large["p95_ms"], 2),
            "bm25_p50_ms_1m_mid_queries": round(large["p50_ms_mid"], 2),
            "bm25_p95_ms_1m_mid_queries": round(large["p95_ms_mid"], 2),
            "bm25_p50_ms_1m_top20_queries": round(large.get("p50_ms_frequent", 0), 2),
            "bm25_max_ms_1m": round(large["max_ms"], 2),
            "index_build_s_1m": round(large["build_s"], 1), "index_build_s_100k": round(small["build_s"], 1),
            "import_mb_s": round(imp["import_mb_s"], 2),
        },
        "reference": {
            "name": "naive autocommitted INSERT per scalar / straightforward FTS5 join query via Python sqlite3 / raw file read",
            "metrics": {
                "metric_inserts_per_s": round(m["naive_inserts_per_s"]),
                "log_overhead_us_per_step": round(m["naive_log_overhead_us_per_step"], 2),
                "bm25_p50_ms_100k": round(py_small["p50_ms"], 2), "bm25_p95_ms_100k": round(py_small["p95_ms"], 2),
                "bm25_p50_ms_1m": round(py_large["p50_ms"], 2), "bm25_p95_ms_1m": round(py_large["p95_ms"], 2),
                "bm25_same_top10_100k": f"{py_small['same_results']}/{len(queries)}",
                "bm25_same_top10_1m": f"{py_large['same_results']}/{len(queries)}",
                "raw_read_mb_s": round(imp["raw_read_mb_s"], 1),
            },
        },
        "ratio": {
            "metric_inserts_per_s": round(m["metric_inserts_per_s"] / m["naive_inserts_per_s"], 2),
            "log_overhead_us_per_step": round(m["naive_log_overhead_us_per_step"] / m["log_overhead_us_per_step"], 2),
            "bm25_p50_ms_100k": round(py_small["p50_ms"] / small["p50_ms"], 3),
            "bm25_p95_ms_100k": round(py_small["p95_ms"] / small["p95_ms"], 3),
            "bm25_p50_ms_1m": round(py_large["p50_ms"] / large["p50_ms"], 3),
            "bm25_p95_ms_1m": round(py_large["p95_ms"] / large["p95_ms"], 3),
            "import_mb_s": round(imp["import_mb_s"] / imp["raw_read_mb_s"], 4),
        },
    }
    write_result(result, "store", "cpu")


if __name__ == "__main__":
    main()
