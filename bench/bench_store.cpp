// Store benchmark: (1) batched metric logging through MetricWriter vs one autocommitted INSERT per scalar,
// (2) BM25 query latency (CorpusStore::search) over synthetic 100K- and 1M-chunk corpora, (3) corpus import
// throughput (import_corpus) vs reading the same files. Everything synthetic is generated from fixed seeds.
// Prints one JSON object with all figures, plus the queries, their FTS5 MATCH strings and hit ids so the
// driver (run_store_bench.py) can time the same SQL through Python's sqlite3 against the same files.
// Usage: bench_store WORK_DIR CACHE_DIR [--steps N] [--small-chunks N] [--large-chunks N] [--queries N]
//                    [--import-mb N] [--repeats N]
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rw/core/data/chunking.h"
#include "rw/core/data/corpus_import.h"
#include "rw/core/retrieval/bm25_retriever.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/database.h"
#include "rw/core/store/metric_writer.h"
#include "rw/core/store/migrations.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/sha256.h"
#include "rw/core/util/splitmix64.h"

#include "bench_stats.h"

namespace {

using rw::bench::percentile;

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using rw::core::Database;
using rw::core::OpenMode;

using rw::core::remove_tree;  // not std::filesystem::remove_all (see files.h)

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// The benchmark's random numbers: SplitMix64 (identical on every platform), with a modulo range draw.
class Rng : public rw::core::SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // [lo, hi]
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

/// ~50K pseudo-words built from syllables, with Zipf(s) frequencies by rank (rank 0 is the most frequent).
/// Frequent words are short, as in real languages. No word is an English stop word (search() drops those).
class Vocabulary {
 public:
  Vocabulary(size_t size, double exponent, std::uint64_t seed) {
    static constexpr std::string_view kOnsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j", "k", "l",
                                                   "m",  "n",  "p",  "r",  "s",  "t",  "v", "w", "z",
                                                   "br", "tr", "st", "pl", "ch", "sh", "gr"};
    static constexpr std::string_view kVowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou"};
    static constexpr std::string_view kCodas[] = {"", "", "", "", "n", "r", "s", "l", "t", "m", "k", "x"};
    Rng rng(seed);
    std::unordered_set<std::string> seen;
    while (words_.size() < size) {
      const size_t rank = words_.size();
      const std::int64_t syllables = rank < 40 ? 1 : rank < 1500 ? 2 : rng.range(2, 4);
      std::string w;
      for (std::int64_t s = 0; s < syllables; ++s) {
        w += kOnsets[rng.next() % std::size(kOnsets)];
        w += kVowels[rng.next() % std::size(kVowels)];
        w += kCodas[rng.next() % std::size(kCodas)];
      }
      // A word free_text_to_fts_query keeps next to a sentinel is not a stop word.
      if (rw::core::free_text_to_fts_query(w + " qqqq") != "\"" + w + "\" OR \"qqqq\"") continue;
      if (seen.insert(w).second) words_.push_back(std::move(w));
    }
    cdf_.resize(size);
    double total = 0;
    for (size_t r = 0; r < size; ++r) cdf_[r] = total += 1.0 / std::pow(static_cast<double>(r + 1), exponent);
    for (double& c : cdf_) c /= total;
  }

  const std::string& word(size_t rank) const { return words_[rank]; }
  size_t size() const { return words_.size(); }
  size_t sample_rank(Rng& rng) const {
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.unit());
    return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }
  /// Appends n Zipf-sampled words with sentence punctuation and the odd line break.
  void append_words(std::string& out, Rng& rng, std::int64_t n) const {
    for (std::int64_t i = 0; i < n; ++i) {
      out += words_[sample_rank(rng)];
      const std::uint64_t r = rng.next() % 120;
      if (i + 1 == n) break;
      out += r < 8 ? ". " : r < 11 ? ", " : r < 12 ? ".\n" : " ";
    }
  }

 private:
  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

constexpr size_t kVocabularySize = 50'000;
constexpr double kZipfExponent = 1.0;

// ---------------------------------------------------------------------------------------------------------------
// 1. Metric inserts

const char* const kMetricKeys[8] = {"train/loss", "train/lr",      "train/grad_norm", "train/tok_s",
                                    "train/ppl",  "train/step_ms", "mem/peak_gib",    "train/tokens"};

/// A stand-in for a training step: ~tens of microseconds of dependent arithmetic producing the 8 scalars.
struct FakeTrainer {
  double state[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int inner = 500;
  void step(std::int64_t i, double* out) {
    for (int k = 0; k < inner; ++k) {
      for (int j = 0; j < 8; ++j) {
        state[j] = state[j] * 0.9999 + 1e-4 * std::sin(state[(j + 1) & 7] + static_cast<double>(i));
      }
    }
    for (int j = 0; j < 8; ++j) out[j] = state[j];
  }
};

enum class LogMode { None, Batched, Naive };

volatile double g_sink = 0;  // keeps the fake training arithmetic from being optimised away

/// One training loop of `steps` steps logging 8 scalars per step into a fresh store at `path` (no file for None).
/// `train` false skips the fake compute (pure logging). Returns wall seconds including the final flush.
double metric_loop(const fs::path& path, LogMode mode, std::int64_t steps, bool train, double& sink) {
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  std::optional<rw::core::RunStore> store;
  std::int64_t run_id = 0;
  if (mode != LogMode::None) {
    store.emplace(rw::core::RunStore::open(path, OpenMode::ReadWrite));
    run_id = store->create_run("bench", "train");
  }
  FakeTrainer trainer;
  double values[8] = {0};
  const auto start = Clock::now();
  if (mode == LogMode::Batched) {
    rw::core::MetricWriter writer(*store);
    for (std::int64_t i = 0; i < steps; ++i) {
      if (train) {
        trainer.step(i, values);
      } else {
        values[0] = static_cast<double>(i);
      }
      for (int k = 0; k < 8; ++k) writer.add(run_id, kMetricKeys[k], i, values[k] + k);
    }
    writer.flush();
  } else if (mode == LogMode::Naive) {
    auto insert = store->database().prepare(
        "INSERT INTO metrics(run_id, key, step, value, is_nan, ts_ms) VALUES (?1, ?2, ?3, ?4, 0, ?5)");
    for (std::int64_t i = 0; i < steps; ++i) {
      if (train) {
        trainer.step(i, values);
      } else {
        values[0] = static_cast<double>(i);
      }
      for (int k = 0; k < 8; ++k) {
        insert.reset();
        insert.bind(1, run_id).bind(2, kMetricKeys[k]).bind(3, i).bind(4, values[k] + k).bind(5, rw::core::now_ms());
        insert.run();
      }
    }
  } else {
    for (std::int64_t i = 0; i < steps; ++i) {
      trainer.step(i, values);
      for (int k = 0; k < 8; ++k) sink += values[k];
    }
  }
  const double seconds = seconds_since(start);
  if (store) {
    auto count = store->database().prepare("SELECT count(*) FROM metrics");
    count.step();
    RW_CHECK(count.column_int64(0) == steps * 8, "expected {} metric rows, found {}", steps * 8, count.column_int64(0));
  }
  sink += values[0];
  return seconds;
}

json bench_metrics(const fs::path& dir, std::int64_t steps, int repeats) {
  double sink = 0;
  double pure_batched = 1e30, pure_naive = 1e30, loop_none = 1e30, loop_batched = 1e30, loop_naive = 1e30;
  for (int r = 0; r < repeats; ++r) {  // interleaved so drift hits every variant alike; best of `repeats`
    pure_batched =
        std::min(pure_batched, metric_loop(dir / "metrics-batched.sqlite", LogMode::Batched, steps, false, sink));
    pure_naive = std::min(pure_naive, metric_loop(dir / "metrics-naive.sqlite", LogMode::Naive, steps, false, sink));
    loop_none = std::min(loop_none, metric_loop(dir / "unused.sqlite", LogMode::None, steps, true, sink));
    loop_batched =
        std::min(loop_batched, metric_loop(dir / "metrics-batched.sqlite", LogMode::Batched, steps, true, sink));
    loop_naive = std::min(loop_naive, metric_loop(dir / "metrics-naive.sqlite", LogMode::Naive, steps, true, sink));
  }
  g_sink = sink;
  for (const char* name : {"metrics-batched.sqlite", "metrics-naive.sqlite"}) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(dir / (std::string(name) + suffix));
  }
  const double rows = static_cast<double>(steps * 8);
  const double us = 1e6 / static_cast<double>(steps);
  std::cerr << "metrics: batched " << rows / pure_batched << " rows/s, naive " << rows / pure_naive << " rows/s\n";
  return json{{"steps", steps},
              {"rows", steps * 8},
              {"repeats", repeats},
              {"metric_inserts_per_s", rows / pure_batched},
              {"naive_inserts_per_s", rows / pure_naive},
              {"train_step_us", loop_none * us},
              {"log_overhead_us_per_step", (loop_batched - loop_none) * us},
              {"naive_log_overhead_us_per_step", (loop_naive - loop_none) * us}};
}

// ---------------------------------------------------------------------------------------------------------------
// 2. BM25 latency

constexpr std::int64_t kChunksPerDocument = 10;
constexpr int kCorpusVersion = 1;  // bump when the generator changes: cached stores are rebuilt

std::int64_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

/// Reads a file through the page cache and throws the bytes away (warms the cache; returns bytes read).
std::int64_t read_all(const fs::path& path, std::string& buffer) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  RW_CHECK(fd >= 0, "cannot open {}", path.string());
  const auto size = static_cast<size_t>(fs::file_size(path));
  buffer.resize(size);  // the importer reads each file whole into a string too
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, buffer.data() + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return static_cast<std::int64_t>(done);
}

struct BuiltStore {
  fs::path path;
  std::int64_t corpus_id = 0;
  double build_s = 0;
  double db_mb = 0;
  std::int64_t text_bytes = 0;
  bool reused = false;
};

/// Builds (or reuses) a store with n_chunks synthetic chunks of 100-150 words, 10 per document, inserted through
/// CorpusStore::add_document in transactions of 1000 documents.
BuiltStore build_corpus_store(const fs::path& cache_dir, const Vocabulary& vocab, std::int64_t n_chunks) {
  BuiltStore out;
  const std::string stem = fmt::format("bm25-v{}-{}chunks", kCorpusVersion, n_chunks);
  out.path = cache_dir / (stem + ".sqlite");
  const fs::path marker = cache_dir / (stem + ".json");
  if (fs::exists(marker) && fs::exists(out.path)) {
    const json m = json::parse(std::ifstream(marker));
    out.corpus_id = m.at("corpus_id");
    out.build_s = m.at("build_s");
    out.db_mb = m.at("db_mb");
    out.text_bytes = m.at("text_bytes");
    out.reused = true;
    std::cerr << "bm25: reusing " << out.path << "\n";
    return out;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(out.path.string() + suffix);
  const auto start = Clock::now();
  Database db = rw::core::open_store(out.path, OpenMode::ReadWrite);
  rw::core::CorpusStore store(db);
  std::int64_t import_id = 0;
  {
    rw::core::Transaction tx(db);
    rw::core::CorpusRecord record;
    record.name = "synthetic";
    record.tokenizer_id = "words";
    record.tokenizer_name = "words";
    record.chunk_tokens = 150;
    record.chunk_overlap = 0;
    out.corpus_id = store.create_corpus(record).id;
    import_id = store.begin_import(out.corpus_id, R"({"generator":"bench_store"})");
    tx.commit();
  }
  Rng rng(0x5EED0000ULL + static_cast<std::uint64_t>(n_chunks));
  const std::int64_t n_docs = n_chunks / kChunksPerDocument;
  constexpr std::int64_t kDocsPerTransaction = 1000;
  for (std::int64_t d0 = 0; d0 < n_docs; d0 += kDocsPerTransaction) {
    rw::core::Transaction tx(db);
    for (std::int64_t d = d0; d < std::min(n_docs, d0 + kDocsPerTransaction); ++d) {
      rw::core::NewDocument doc;
      doc.source_path = fmt::format("synthetic/doc{:07}.txt", d);
      for (std::int64_t c = 0; c < kChunksPerDocument; ++c) {
        const auto begin = static_cast<std::int64_t>(doc.text.size());
        const std::int64_t words = rng.range(100, 150);
        vocab.append_words(doc.text, rng, words);
        doc.text += c + 1 < kChunksPerDocument ? "\n\n" : "\n";
        doc.chunks.push_back({begin, static_cast<std::int64_t>(doc.text.size()), words});
        doc.n_tokens += words;
      }
      doc.source_end = static_cast<std::int64_t>(doc.text.size());
      doc.content_hash = rw::core::sha256_hex(doc.text);
      out.text_bytes += static_cast<std::int64_t>(doc.text.size());
      RW_CHECK(store.add_document(out.corpus_id, import_id, doc).has_value(), "duplicate synthetic document {}", d);
    }
    tx.commit();
    if ((d0 / kDocsPerTransaction) % 10 == 9) {
      std::cerr << "bm25: " << (d0 + kDocsPerTransaction) * kChunksPerDocument << " / " << n_chunks << " chunks, "
                << seconds_since(start) << " s\n";
    }
  }
  {
    rw::core::Transaction tx(db);
    store.finish_import(import_id, "{}");
    tx.commit();
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  out.build_s = seconds_since(start);
  out.db_mb = static_cast<double>(file_size_or_zero(out.path) + file_size_or_zero(out.path.string() + "-wal")) / 1e6;
  std::ofstream(marker) << json{
      {"corpus_id", out.corpus_id},
      {"build_s", out.build_s},
      {"db_mb", out.db_mb},
      {"text_bytes", out.text_bytes},
      {"chunks", n_chunks}}.dump();
  std::cerr << "bm25: built " << out.path << " in " << out.build_s << " s, " << out.db_mb << " MB\n";
  return out;
}

struct Query {
  std::string text;
  bool frequent = false;  // holds one of the 20 most frequent words
};

/// Queries of 2-5 words, log-uniform in rank over [30, 20000) (mid-frequency, like what people type);
/// about 15% also hold one of the 20 most frequent words (present in a large share of all chunks).
std::vector<Query> make_queries(const Vocabulary& vocab, int n) {
  Rng rng(0x0E4E5ULL);
  std::vector<Query> out;
  for (int q = 0; q < n; ++q) {
    Query query;
    const std::int64_t words = rng.range(2, 5);
    query.frequent = rng.unit() < 0.15;
    for (std::int64_t w = 0; w < words; ++w) {
      size_t rank =
          static_cast<size_t>(std::exp(std::log(30.0) + rng.unit() * (std::log(20000.0) - std::log(30.0))));
      if (query.frequent && w == 0) rank = static_cast<size_t>(rng.range(0, 19));
      if (!query.text.empty()) query.text += ' ';
      query.text += vocab.word(rank);
    }
    out.push_back(std::move(query));
  }
  return out;
}

json time_queries(const BuiltStore& built, const std::vector<Query>& queries) {
  std::string buffer;
  read_all(built.path, buffer);  // page cache warm, as it is after a build or for a store in daily use
  buffer = std::string();
  Database db = rw::core::open_store(built.path, OpenMode::ReadOnly);
  rw::core::Bm25Retriever retriever(db);
  rw::core::RetrieveOptions options;
  options.limit = 10;
  options.corpus_id = built.corpus_id;
  retriever.retrieve(queries.front().text, options);  // first-use costs (schema parse) out of the figures
  std::vector<double> all, mid, frequent;
  json per_query = json::array();
  for (const Query& q : queries) {
    const auto start = Clock::now();
    const std::vector<rw::core::RetrievedChunk> hits = retriever.retrieve(q.text, options);
    const double ms = seconds_since(start) * 1e3;
    all.push_back(ms);
    (q.frequent ? frequent : mid).push_back(ms);
    json ids = json::array();
    for (const auto& h : hits) ids.push_back(h.chunk.id);
    per_query.push_back(json{{"ms", ms}, {"ids", ids}});
  }
  json out{{"path", built.path.string()},
           {"corpus_id", built.corpus_id},
           {"build_s", built.build_s},
           {"reused", built.reused},
           {"db_mb", built.db_mb},
           {"text_mb", static_cast<double>(built.text_bytes) / 1e6},
           {"p50_ms", percentile(all, 0.5)},
           {"p95_ms", percentile(all, 0.95)},
           {"max_ms", *std::max_element(all.begin(), all.end())},
           {"p50_ms_mid", percentile(mid, 0.5)},
           {"p95_ms_mid", percentile(mid, 0.95)},
           {"queries", per_query}};
  if (!frequent.empty()) {
    out["p50_ms_frequent"] = percentile(frequent, 0.5);
    out["p95_ms_frequent"] = percentile(frequent, 0.95);
  }
  std::cerr << "bm25: " << built.path.filename() << " p50 " << out["p50_ms"] << " ms, p95 " << out["p95_ms"] << " ms\n";
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Import

/// ~`total_bytes` of text: files of 1 KB-2 MB (log-uniform) in folders up to three deep, plus four JSONL files.
std::vector<fs::path> make_import_tree(const fs::path& root, const Vocabulary& vocab, std::int64_t total_bytes) {
  Rng rng(0x1A9087ULL);
  std::vector<fs::path> files;
  fs::create_directories(root);
  const std::int64_t jsonl_bytes = total_bytes / 20;
  std::int64_t written = 0;
  std::string text;
  for (int i = 0; written < total_bytes - jsonl_bytes; ++i) {
    const auto size = static_cast<std::int64_t>(std::exp(std::log(1e3) + rng.unit() * (std::log(2e6) - std::log(1e3))));
    fs::path dir = root;
    for (std::int64_t depth = rng.range(0, 3), k = 0; k < depth; ++k) dir /= fmt::format("d{}", rng.range(0, 3));
    fs::create_directories(dir);
    text.clear();
    while (static_cast<std::int64_t>(text.size()) < size) {
      vocab.append_words(text, rng, rng.range(40, 200));
      text += ".\n\n";
    }
    files.push_back(dir / fmt::format("file{:04}.txt", i));
    std::ofstream(files.back(), std::ios::binary) << text;
    written += static_cast<std::int64_t>(text.size());
  }
  for (int j = 0; j < 4; ++j) {
    files.push_back(root / fmt::format("records{}.jsonl", j));
    std::ofstream f(files.back(), std::ios::binary);
    for (std::int64_t bytes = 0; bytes < jsonl_bytes / 4;) {
      text.clear();
      vocab.append_words(text, rng, rng.range(80, 700));
      const std::string line = json{{"id", bytes}, {"text", text}}.dump() + "\n";
      f << line;
      bytes += static_cast<std::int64_t>(line.size());
    }
    written += static_cast<std::int64_t>(fs::file_size(files.back()));
  }
  return files;
}

json bench_import(const fs::path& dir, const Vocabulary& vocab, std::int64_t total_bytes) {
  const fs::path root = dir / "import-src";
  remove_tree(root);
  const auto gen_start = Clock::now();
  const std::vector<fs::path> files = make_import_tree(root, vocab, total_bytes);
  std::cerr << "import: generated " << files.size() << " files in " << seconds_since(gen_start) << " s\n";
  std::string buffer;
  std::int64_t bytes = 0;
  for (const fs::path& f : files) bytes += read_all(f, buffer);  // warm the page cache for both figures
  double raw_s = 1e30;
  for (int r = 0; r < 3; ++r) {
    const auto start = Clock::now();
    std::int64_t again = 0;
    for (const fs::path& f : files) again += read_all(f, buffer);
    raw_s = std::min(raw_s, seconds_since(start));
    RW_CHECK(again == bytes, "file sizes changed while reading");
  }
  buffer = std::string();

  const fs::path store_path = dir / "import.sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(store_path.string() + suffix);
  rw::core::ImportReport report;
  double import_s = 0, db_mb = 0;
  {
    Database db = rw::core::open_store(store_path, OpenMode::ReadWrite);
    rw::core::ImportOptions options;
    options.paths = {root};
    const auto counter = rw::core::make_word_counter();
    const auto start = Clock::now();
    report = rw::core::import_corpus(db, "bench", options, *counter);
    import_s = seconds_since(start);
    db_mb = static_cast<double>(file_size_or_zero(store_path) + file_size_or_zero(store_path.string() + "-wal")) / 1e6;
  }
  RW_CHECK(report.skipped.empty(), "import skipped {} inputs, first: {} ({})", report.skipped.size(),
           report.skipped.front().path, report.skipped.front().reason);
  RW_CHECK(report.bytes_read == bytes, "import read {} bytes, the files hold {}", report.bytes_read, bytes);
  std::cerr << "import: " << static_cast<double>(bytes) / 1e6 / import_s << " MB/s, raw read "
            << static_cast<double>(bytes) / 1e6 / raw_s << " MB/s\n";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(store_path.string() + suffix);
  remove_tree(root);
  return json{{"files", static_cast<std::int64_t>(files.size())},
              {"bytes_read", report.bytes_read},
              {"documents", report.documents_added},
              {"chunks", report.chunks_added},
              {"tokens", report.tokens_added},
              {"import_s", import_s},
              {"report_seconds", report.seconds},
              {"import_mb_s", static_cast<double>(report.bytes_read) / 1e6 / import_s},
              {"raw_read_mb_s", static_cast<double>(bytes) / 1e6 / raw_s},
              {"db_mb", db_mb}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_store WORK_DIR CACHE_DIR [--steps N] [--small-chunks N] [--large-chunks N] "
                 "[--queries N] [--import-mb N] [--repeats N]\n";
    return 2;
  }
  const fs::path work = argv[1], cache = argv[2];
  std::int64_t steps = 20'000, small_chunks = 100'000, large_chunks = 1'000'000, import_mb = 200;
  int n_queries = 200, repeats = 3;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::int64_t value = std::stoll(argv[i + 1]);
    if (flag == "--steps") {
      steps = value;
    } else if (flag == "--small-chunks") {
      small_chunks = value;
    } else if (flag == "--large-chunks") {
      large_chunks = value;
    } else if (flag == "--queries") {
      n_queries = static_cast<int>(value);
    } else if (flag == "--import-mb") {
      import_mb = value;
    } else if (flag == "--repeats") {
      repeats = static_cast<int>(value);
    } else {
      std::cerr << "bench_store: unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    fs::create_directories(work);
    fs::create_directories(cache);
    const auto vocab_start = Clock::now();
    const Vocabulary vocab(kVocabularySize, kZipfExponent, 0xB0CABULL);
    std::cerr << "vocabulary: " << vocab.size() << " words in " << seconds_since(vocab_start) << " s\n";
    json out;
    out["metrics"] = bench_metrics(work, steps, repeats);
    out["import"] = bench_import(work, vocab, import_mb * 1'000'000);
    const std::vector<Query> queries = make_queries(vocab, n_queries);
    json qs = json::array();
    for (const Query& q : queries) {
      qs.push_back(
          json{{"text", q.text}, {"match", rw::core::free_text_to_fts_query(q.text)}, {"frequent", q.frequent}});
    }
    out["queries"] = qs;
    out["bm25_small"] = time_queries(build_corpus_store(cache, vocab, small_chunks), queries);
    out["bm25_large"] = time_queries(build_corpus_store(cache, vocab, large_chunks), queries);
    out["config"] = json{
        {"vocabulary", vocab.size()}, {"zipf_exponent", kZipfExponent}, {"chunks_per_document", kChunksPerDocument},
        {"chunk_words", "100-150"},   {"small_chunks", small_chunks},   {"large_chunks", large_chunks},
        {"queries", n_queries}};
    std::cout << out.dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_store: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
