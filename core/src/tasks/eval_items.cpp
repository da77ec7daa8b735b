// Eval cell items (see eval_items.h).
#include "rw/core/tasks/eval_items.h"

#include <algorithm>

#include "rw/core/store/corpus_store.h"
#include "rw/core/tasks/default_haystack.h"
#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tasks/niah.h"
#include "rw/core/tasks/passkey.h"
#include "rw/core/tasks/ruler.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {

EvalTexts load_eval_texts(const EvalSuite& suite, Database* project_db) {
  EvalTexts texts;
  if (!suite.haystack.file.empty()) {
    texts.haystack = read_text_file(suite.haystack.file);
    texts.haystack_name = "file:" + std::filesystem::path(suite.haystack.file).filename().string();
  } else if (!suite.haystack.corpus.empty()) {
    if (!project_db) fail("eval: haystack corpus '{}' needs a project (--project)", suite.haystack.corpus);
    CorpusStore corpora(*project_db);
    const auto corpus = corpora.require_corpus(suite.haystack.corpus, "eval: haystack");
    for (std::int64_t after = 0;;) {
      const auto docs = corpora.list_documents(corpus.id, after, 256);
      if (docs.empty()) break;
      for (const auto& d : docs) {
        if (!texts.haystack.empty()) texts.haystack += "\n\n";
        texts.haystack += corpora.document_text(d.id);
        after = d.id;
      }
    }
    texts.haystack_name = "corpus:" + suite.haystack.corpus;
  } else {
    texts.haystack = std::string(builtin_haystack_text());
    texts.haystack_name = std::string(kBuiltinHaystackName);
  }
  if (texts.haystack.empty()) fail("eval: the haystack ({}) is empty", texts.haystack_name);
  for (const std::string& path : suite.ppl.texts) {
    texts.ppl_documents.push_back(read_text_file(path));
    if (texts.ppl_documents.back().empty()) fail("eval: perplexity text {} is empty", path);
  }
  return texts;
}

ChatFormat resolve_prompt_format(std::string_view setting, const std::filesystem::path& model_dir) {
  if (setting == "auto") return detect_chat_format(model_dir).value_or(ChatFormat::Completion);
  return chat_format_from_name(setting);
}

std::vector<std::string> grid_tasks(const EvalSuite& suite) {
  std::vector<std::string> out;
  for (const EvalTaskKind kind : suite.tasks) {
    if (kind == EvalTaskKind::Niah) out.emplace_back("niah");
    if (kind == EvalTaskKind::Passkey) out.emplace_back("passkey");
    if (kind == EvalTaskKind::Ruler) {
      for (const RulerTask t : suite.ruler_tasks) out.push_back("ruler/" + std::string(ruler_task_name(t)));
    }
  }
  return out;
}


EvalItemBuilder::EvalItemBuilder(const EvalSuite& suite, const EvalTexts& texts, const Tokenizer& tokenizer,
                                 ChatFormat format)
    : suite_(suite), texts_(texts), tokenizer_(tokenizer), format_(format) {}

EvalItemBuilder::~EvalItemBuilder() = default;

EvalItem EvalItemBuilder::item(const std::string& task, std::int64_t length, std::int64_t depth_index) {
  if (depth_index < 0 || depth_index >= static_cast<std::int64_t>(suite_.depth_percents.size()))
    fail("eval: depth index {} is outside the suite's {} depths", depth_index, suite_.depth_percents.size());
  const double depth = suite_.depth_percents[static_cast<std::size_t>(depth_index)];
  const std::uint64_t seed = item_seed(SeedSpace::Eval, suite_.seed, task, length, depth_index);
  if (task == "niah") {
    // The haystack is tokenized once, as long as the longest length needs.
    if (!niah_) {
      const std::int64_t max_length = *std::max_element(suite_.lengths.begin(), suite_.lengths.end());
      niah_ = std::make_unique<NiahBuilder>(tokenizer_, suite_.niah, texts_.haystack, max_length);
    }
    return niah_->item(length, depth, format_);
  }
  if (task == "passkey") return passkey_item(tokenizer_, length, depth, seed, suite_.passkey);
  if (!task.starts_with("ruler/")) fail("eval: unknown task \"{}\"", task);
  if (!ruler_) ruler_ = std::make_unique<RulerBuilder>(tokenizer_, texts_.haystack);
  return ruler_->item(ruler_task_from_name(task.substr(6)), length, depth, seed, format_);
}

}  // namespace rw::core
