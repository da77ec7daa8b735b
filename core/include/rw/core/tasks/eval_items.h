// An eval suite's cell prompts, built one way for the runner that scores them and for a person who opens one
// cell later (cell_prompt.h): the texts a suite reads, the prompt format it resolves to, and the item of any
// (task, length, depth) cell of its grid. Torch-free: the workbench rebuilds prompts without a model.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_format.h"
#include "rw/core/config/eval_suite.h"
#include "rw/core/tasks/task_item.h"

namespace rw::core {

class Database;
class NiahBuilder;
class RulerBuilder;
class Tokenizer;

/// The texts a suite reads, loaded once.
struct EvalTexts {
  std::string haystack;       ///< NIAH haystack and RULER essay
  std::string haystack_name;  ///< "ropewalk-lighthouse-cc0", "file:<name>", "corpus:<name>"
  std::vector<std::string> ppl_documents;
};

/// Reads the suite's haystack (file, project corpus through `project_db`, or the built-in text) and ppl
/// texts. Error naming the file or corpus when missing or empty, or a corpus without a project store.
EvalTexts load_eval_texts(const EvalSuite& suite, Database* project_db);

/// Resolves a suite's prompt_format setting: "auto" = detect_chat_format(model_dir) or completion.
ChatFormat resolve_prompt_format(std::string_view setting, const std::filesystem::path& model_dir);

/// The grid tasks of a suite as stored: "niah", "passkey", "ruler/<task>" (ruler expands to its tasks).
std::vector<std::string> grid_tasks(const EvalSuite& suite);

/// Builds the items of a suite's grid cells; the NIAH and RULER builders (which tokenize the haystack once)
/// are made on first use.
class EvalItemBuilder {
 public:
  /// Keeps references to all four: they must outlive the builder.
  EvalItemBuilder(const EvalSuite& suite, const EvalTexts& texts, const Tokenizer& tokenizer, ChatFormat format);
  ~EvalItemBuilder();

  /// The item of a cell: `task` as grid_tasks names it, `length` one of the suite's lengths, `depth_index`
  /// an index into its depth_percents (the item's seed mixes it in).
  EvalItem item(const std::string& task, std::int64_t length, std::int64_t depth_index);

 private:
  const EvalSuite& suite_;
  const EvalTexts& texts_;
  const Tokenizer& tokenizer_;
  ChatFormat format_;
  std::unique_ptr<NiahBuilder> niah_;
  std::unique_ptr<RulerBuilder> ruler_;
};

}  // namespace rw::core
