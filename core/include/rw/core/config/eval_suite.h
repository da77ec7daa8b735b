// EvalSuite: which evals run, on which length x depth grid, with which settings — the typed source of
// truth, read strictly from JSON (unknown keys refused with their JSON path, as run configs are) and
// written back with every key. Used by `ropewalk-cli eval` and by training runs for periodic evals.
// Not the running of it (eval_runner.h).
// Every key, default and rule, for users: docs/eval-suite.md (test_config_docs keeps it in step with the parser).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/tasks/niah.h"
#include "rw/core/tasks/passkey.h"
#include "rw/core/tasks/ruler.h"

namespace rw::core {

enum class EvalTaskKind { Niah, Passkey, Ruler, Perplexity };

/// "niah", "passkey", "ruler", "ppl".
std::string_view eval_task_name(EvalTaskKind kind);

struct HaystackSource {
  std::string file;    ///< a text file; relative paths are resolved by resolve_suite_paths
  std::string corpus;  ///< a corpus of the project store: its documents concatenated in id order
  bool builtin() const { return file.empty() && corpus.empty(); }
};

struct PerplexitySettings {
  std::vector<std::string> texts;     ///< held-out documents, one per file
  std::vector<std::int64_t> lengths;  ///< empty = the suite's lengths
  std::int64_t bucket_tokens = 256;
  std::int64_t block_rows = 1024;
};

struct EvalSuite {
  std::vector<EvalTaskKind> tasks{EvalTaskKind::Niah};
  std::vector<std::int64_t> lengths;   ///< default: round(linspace(1000, 16000, 35))
  std::vector<double> depth_percents;  ///< default: round(linspace(0, 100, 35))
  std::int64_t batch_size = 4;
  std::uint64_t seed = 42;
  std::string prompt_format = "auto";
  HaystackSource haystack;
  NiahSettings niah;
  PasskeySettings passkey;
  std::vector<RulerTask> ruler_tasks = all_ruler_tasks();
  PerplexitySettings ppl;

  EvalSuite();
  bool has(EvalTaskKind kind) const;
};

/// Parses suite JSON. Error `<source>: "<json path>" <cause>` on malformed JSON, unknown keys (with a
/// "did you mean"), wrong types, empty or unsorted-irrelevant bad values (lengths < 1, depths outside
/// 0..100, duplicate lengths or depths, unknown tasks or formats, both haystack file and corpus).
EvalSuite parse_eval_suite(std::string_view json_text, std::string_view source);
/// Every key, pretty-printed (2-space indent, trailing newline); parse_eval_suite reads it back equal.
std::string eval_suite_to_json(const EvalSuite& suite);

/// Makes relative file paths (haystack.file, ppl.texts) absolute against `base`.
void resolve_suite_paths(EvalSuite& suite, const std::filesystem::path& base);

}  // namespace rw::core
