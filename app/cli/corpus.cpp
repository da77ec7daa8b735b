// ropewalk-cli corpus commands: `corpus add|stats|search PROJECT ...` (import, token statistics, BM25 search).
#include "corpus.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "rw/core/data/corpus_import.h"
#include "rw/core/retrieval/bm25_retriever.h"
#include "rw/core/runtime/exception_message.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/project.h"
#include "rw/core/util/error.h"
#include "rw/core/worker/progress.h"
#include "rw/core/worker/run_lease.h"
#include "rw/core/worker/stop_signal.h"
#include "rw/core/worker/worker_output.h"

namespace rw::app {

using namespace rw::core;
using json = nlohmann::json;

namespace {

constexpr const char* kDefaultCorpus = "main";

/// --tokenizer DIR, else the project's tokenizer, else the built-in word counter.
std::unique_ptr<TokenCounter> pick_counter(const CliArgs& args, const Project& project) {
  if (auto dir = args.get("tokenizer")) return load_token_counter(*dir);
  if (!project.settings().tokenizer.empty()) return load_token_counter(project.resolve(project.settings().tokenizer));
  return make_word_counter();
}

std::string human_bytes(std::int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

/// Whitespace runs collapsed and cut to about max_chars bytes (at a UTF-8 boundary), for one-line previews.
std::string preview(std::string_view text, size_t max_chars) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= max_chars && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      // Stop only before a new character: drop a lead byte just appended without its continuation.
      if (static_cast<unsigned char>(c) >= 0xC0) out.pop_back();
      return out + "…";
    }
  }
  return out;
}

void print_report(const ImportReport& r, const std::string& corpus) {
  std::cout << fmt::format("corpus '{}': {} documents added ({}, {} tokens, {} chunks), {} duplicates skipped\n",
                           corpus, r.documents_added, human_bytes(r.bytes_added), r.tokens_added, r.chunks_added,
                           r.duplicates);
  std::cout << fmt::format("read {} files ({}) in {:.2f} s ({:.1f} MB/s)\n", r.files_read, human_bytes(r.bytes_read),
                           r.seconds, r.seconds > 0 ? static_cast<double>(r.bytes_read) / 1e6 / r.seconds : 0.0);
  if (r.skipped.empty()) return;
  std::cout << fmt::format("skipped {}:\n", r.skipped.size());
  for (const SkippedInput& s : r.skipped) {
    std::cout << "  " << s.path << (s.line > 0 ? fmt::format(":{}", s.line) : "") << ": " << s.reason << "\n";
  }
}

}  // namespace

int run_corpus_add(const std::vector<std::string>& argv) {
  const CliArgs args(argv,
                     {"corpus", "repo", "jsonl-field", "include", "exclude", "tokenizer", "chunk-tokens",
                      "chunk-overlap", "max-file-bytes", "json", "progress", "run-id"},
                     {"repo", "json"});
  install_stop_signal_handlers();
  if (args.positionals().empty()) fail("usage: ropewalk-cli corpus add PROJECT [PATH...] [options]");
  const Project project = Project::open(args.positionals()[0]);
  const CorpusSettings& defaults = project.settings().corpus;
  ImportOptions options;
  for (size_t i = 1; i < args.positionals().size(); ++i) options.paths.emplace_back(args.positionals()[i]);
  if (options.paths.empty()) options.paths.push_back(project.corpus_dir());  // files dropped into corpus/
  options.mode = args.has("repo") ? ImportMode::Repos : ImportMode::Files;
  options.jsonl_field = args.get_or("jsonl-field", "text");
  options.include = args.has("include") ? args.all("include") : defaults.include;
  options.exclude = args.has("exclude") ? args.all("exclude") : defaults.exclude;
  options.max_file_bytes = args.get_int("max-file-bytes", defaults.max_file_bytes);
  options.chunking.chunk_tokens = args.get_int("chunk-tokens", defaults.chunk_tokens);
  options.chunking.overlap_tokens = args.get_int("chunk-overlap", defaults.chunk_overlap);
  const std::string corpus = args.get_or("corpus", kDefaultCorpus);
  RunStore runs(project.open_store());
  // A run the GUI queued is taken first, so that bad input is recorded as its failure; without one, the
  // paths are checked before a run row is created.
  const LeaseRequest request{.kind = "import", .name = fmt::format("import into {}", corpus)};
  std::optional<RunLease> lease;
  if (args.has("run-id")) lease.emplace(RunLease::adopt(runs, args.get_int("run-id", 0), request));
  std::unique_ptr<TokenCounter> counter;
  try {
    validate_import_options(options);
    counter = pick_counter(args, project);
  } catch (const std::exception& e) {
    if (lease) lease->fail(e.what());
    throw;
  }
  json config = {{"corpus", corpus}, {"mode", options.mode == ImportMode::Repos ? "repos" : "files"}};
  for (const auto& path : options.paths) config["paths"].push_back(std::filesystem::absolute(path).string());
  if (!lease) {
    LeaseRequest create = request;
    create.config_json = config.dump();
    lease.emplace(RunLease::create(runs, create));
  } else {
    runs.set_config(lease->run_id(), config.dump());
  }

  ProgressReporter progress(progress_mode_from_string(args.get_or("progress", args.has("json") ? "none" : "human")),
                            "import", "files");
  // The import is one transaction on its own connection: a stop between files rolls it back whole, and the
  // run row (on `runs`) is written only before and after it, never while it holds the store's write lock.
  Database db = project.open_store();
  ImportReport report;
  const RunState state = run_job(*lease, [&] {
    try {
      report = import_corpus(db, corpus, options, *counter, [&](const ImportProgress& p) {
        if (lease->stop_requested()) throw ImportStopped();
        progress.update(p.files_done, p.files_total,
                        fmt::format("{}, {} documents", human_bytes(p.bytes_done), p.documents_added));
      });
    } catch (const ImportStopped&) {
      progress.finish();
      lease->stop("stopped on request; nothing was imported");
      return RunState::Stopped;
    }
    progress.finish();
    return RunState::Finished;
  }, exception_message);
  json result = state == RunState::Stopped ? json{{"stopped", true}} : json::parse(import_report_to_json(report));
  result["run_id"] = lease->run_id();
  if (WorkerOutput::instance().json()) {
    WorkerOutput::instance().result(result.dump());
  } else if (args.has("json")) {
    std::cout << result.dump() << "\n";
  } else if (state == RunState::Stopped) {
    std::cout << fmt::format("import into corpus '{}' stopped on request; nothing was imported\n", corpus);
  } else {
    print_report(report, corpus);
  }
  return state == RunState::Stopped ? kStoppedExitCode : 0;
}

int run_corpus_stats(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"corpus", "tokenizer", "json"}, {"json"});
  if (args.positionals().size() != 1)
    fail("usage: ropewalk-cli corpus stats PROJECT [--corpus NAME] [--tokenizer DIR]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store();
  CorpusStore store(db);
  const CorpusRecord corpus = store.require_corpus(args.get_or("corpus", kDefaultCorpus), project.dir().string());
  std::string tokenizer_id = corpus.tokenizer_id, tokenizer_name = corpus.tokenizer_name;
  if (args.has("tokenizer")) {
    const auto counter = load_token_counter(*args.get("tokenizer"));
    const std::int64_t counted = count_corpus_tokens(db, corpus.id, *counter);
    if (counted > 0) spdlog::info("counted {} documents under {}", counted, counter->name());
    tokenizer_id = counter->id();
    tokenizer_name = counter->name();
  }
  const CorpusStats st = store.stats(corpus.id, tokenizer_id);
  if (args.has("json")) {
    json out{
        {"corpus", corpus.name},
        {"tokenizer", {{"id", tokenizer_id}, {"name", tokenizer_name}}},
        {"chunk_tokens", corpus.chunk_tokens},
        {"chunk_overlap", corpus.chunk_overlap},
        {"documents", st.documents},
        {"documents_by_kind",
         {{"text", st.documents_by_kind[0]}, {"jsonl", st.documents_by_kind[1]}, {"repo", st.documents_by_kind[2]}}},
        {"bytes", st.bytes},
        {"chunks", st.chunks},
        {"tokens",
         {{"total", st.tokens},
          {"min", st.min_tokens},
          {"median", st.median_tokens},
          {"mean", st.mean_tokens},
          {"p90", st.p90_tokens},
          {"max", st.max_tokens}}},
        {"log2_histogram", st.log2_histogram}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("corpus     {}\ntokenizer  {} ({})\nchunks     {} of up to {} tokens, overlap {}\n",
                           corpus.name, tokenizer_name, tokenizer_id, st.chunks, corpus.chunk_tokens,
                           corpus.chunk_overlap);
  std::cout << fmt::format("documents  {} (text {}, jsonl {}, repo {}), {}\n", st.documents, st.documents_by_kind[0],
                           st.documents_by_kind[1], st.documents_by_kind[2], human_bytes(st.bytes));
  std::cout << fmt::format("tokens     {} total; per document min {}, median {}, mean {:.0f}, p90 {}, max {}\n",
                           st.tokens, st.min_tokens, st.median_tokens, st.mean_tokens, st.p90_tokens, st.max_tokens);
  std::int64_t peak = 1;
  for (const std::int64_t n : st.log2_histogram) peak = std::max(peak, n);
  for (size_t i = 0; i < st.log2_histogram.size(); ++i) {
    const std::int64_t n = st.log2_histogram[i];
    if (n == 0) continue;
    const std::int64_t lo = i == 0 ? 0 : std::int64_t{1} << i;
    std::cout << fmt::format("  {:>9} - {:<9} {:>8}  {}\n", lo, (std::int64_t{2} << i) - 1, n,
                             std::string(static_cast<size_t>(40 * n / peak), '#'));
  }
  return 0;
}

int run_corpus_search(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"corpus", "top-k", "fts", "json"}, {"fts", "json"});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli corpus search PROJECT QUERY [--corpus NAME] [--top-k N]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  CorpusStore store(db);
  RetrieveOptions options;
  options.corpus_id = store.require_corpus(args.get_or("corpus", kDefaultCorpus), project.dir().string()).id;
  options.limit = args.get_int("top-k", 10);
  if (options.limit <= 0) fail("--top-k must be positive, got {}", options.limit);
  Bm25Retriever retriever(db);
  const std::string& query = args.positionals()[1];
  const std::vector<RetrievedChunk> hits =
      args.has("fts") ? retriever.retrieve_fts(query, options) : retriever.retrieve(query, options);
  if (args.has("json")) {
    json out = json::array();
    for (const RetrievedChunk& h : hits) {
      out.push_back({{"chunk_id", h.chunk.id},
                     {"document_id", h.chunk.document_id},
                     {"chunk_index", h.chunk.idx},
                     {"byte_begin", h.chunk.byte_begin},
                     {"byte_end", h.chunk.byte_end},
                     {"n_tokens", h.chunk.n_tokens},
                     {"source_path", h.source_path},
                     {"score", h.score},
                     {"text", h.text}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (hits.empty()) std::cout << "no matches\n";
  for (size_t i = 0; i < hits.size(); ++i) {
    const RetrievedChunk& h = hits[i];
    std::cout << fmt::format("{:>2}. {:.3f}  doc {} chunk {} [{}, {})  {}\n    {}\n", i + 1, h.score,
                             h.chunk.document_id, h.chunk.idx, h.chunk.byte_begin, h.chunk.byte_end, h.source_path,
                             preview(h.text, 240));
  }
  return 0;
}

}  // namespace rw::app
