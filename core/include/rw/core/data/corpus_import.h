// Corpus import: turns files, folders, JSONL files and source repositories into corpus documents with
// provenance, token counts and BM25-indexed chunks. One import is one transaction: it is stored whole or
// not at all. Files that cannot be used are skipped with a reason in the report. SQL is in corpus_store.h.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rw/core/data/chunking.h"
#include "rw/core/store/database.h"
#include "rw/core/util/error.h"

namespace rw::core {

enum class ImportMode {
  Files,  // each path is a text/JSONL file or a folder searched recursively for them
  Repos,  // each path is a repository folder that becomes one document (files under path headers)
};

struct ImportOptions {
  std::vector<std::filesystem::path> paths;
  ImportMode mode = ImportMode::Files;
  /// Files ending in .jsonl / .ndjson are read as one document per line, from this string field.
  std::string jsonl_field = "text";
  std::vector<std::string> include;  // globs on paths relative to the folder given (glob.h)
  std::vector<std::string> exclude;
  std::int64_t max_file_bytes = 64LL << 20;
  ChunkingOptions chunking;
};

struct SkippedInput {
  std::string path;
  std::int64_t line = 0;  // 1-based JSONL line; 0 for a whole file
  std::string reason;
};

struct ImportReport {
  std::int64_t import_id = 0;
  std::int64_t corpus_id = 0;
  std::int64_t files_read = 0;
  std::int64_t documents_added = 0;
  std::int64_t duplicates = 0;   // documents whose text the corpus already had (or this import twice)
  std::int64_t bytes_read = 0;   // of files read
  std::int64_t bytes_added = 0;  // document text stored
  std::int64_t tokens_added = 0;
  std::int64_t chunks_added = 0;
  std::vector<SkippedInput> skipped;
  double seconds = 0;
};

struct ImportProgress {
  std::int64_t files_done = 0;
  std::int64_t files_total = 0;
  std::int64_t bytes_done = 0;
  std::int64_t documents_added = 0;
};
/// Called after each file. Throwing from it cancels the import (nothing is stored); ImportStopped is the
/// exception for a stop the user asked for.
using ImportProgressFn = std::function<void(const ImportProgress&)>;
class ImportStopped : public Error {
 public:
  ImportStopped() : Error("the import was stopped on request") {}
};

/// Error naming the problem when the options cannot import: no paths, a path that does not exist, chunk
/// sizes, the size limit or the JSONL field. import_corpus checks this first; workers call it before they
/// create a run, so bad input leaves no run row.
void validate_import_options(const ImportOptions& options);

/// Header written before each file of a repository document; the file's content follows it.
std::string repo_file_header(const std::string& relative_path);

/// Imports into corpus `corpus_name` of the store, creating the corpus (with counter's id and the chunk
/// options) when it does not exist. Error before anything is written when: a path does not exist, the
/// corpus exists with another tokenizer or chunk settings (names both), options are invalid, or a glob
/// is malformed. Bad files are skipped (binary, invalid UTF-8, empty, unreadable, too large, JSONL line
/// not JSON / without the field / field not a string) and listed in the report, which is also stored
/// with the import.
ImportReport import_corpus(Database& db, const std::string& corpus_name, const ImportOptions& options,
                           const TokenCounter& counter, const ImportProgressFn& progress = {});

/// The report as JSON (what is stored in corpus_imports.report_json and printed by `corpus add --json`).
std::string import_report_to_json(const ImportReport& report);

/// Counts tokens of every document of the corpus that has no count under `counter` yet and stores them
/// (one transaction). Returns how many documents were counted.
std::int64_t count_corpus_tokens(Database& db, std::int64_t corpus_id, const TokenCounter& counter);

}  // namespace rw::core
