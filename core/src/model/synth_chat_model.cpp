// LlamaSynthModel (see synth_chat_model.h).
#include "rw/core/model/synth_chat_model.h"

#include <algorithm>

#include "rw/core/tasks/eval_items.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"

namespace rw::core {

std::string model_weights_sha256(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".safetensors") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) fail("{}: no *.safetensors weights", dir.string());
  if (files.size() == 1) return sha256_file_hex(files[0]);
  std::string list;
  for (const auto& f : files) list += f.filename().string() + ":" + sha256_file_hex(f) + "\n";
  return sha256_hex(list);
}

LlamaSynthModel::LlamaSynthModel(const std::filesystem::path& dir, std::string_view prompt_format, double temperature,
                                 at::Device device)
    : loaded_(load_hf_model(dir, device)), tokenizer_(load_tokenizer(dir)), temperature_(temperature) {
  check_tokenizer_fits(*tokenizer_, loaded_.config, dir / "config.json");
  std::string format_text;
  if (prompt_format == "model") {
    own_template_ = require_model_chat_template(dir);
    format_text = "the model's chat template " + own_template_->file.filename().string();
  } else {
    format_ = resolve_prompt_format(prompt_format, dir);
    format_text = std::string(chat_format_name(format_));
  }
  loaded_.model->eval();
  generator_ = std::make_unique<LlamaTextGenerator>(loaded_.model, *tokenizer_, loaded_.generation);
  description_ = fmt::format("{} (weights sha256 {}, prompt format {})", std::filesystem::absolute(dir).string(),
                             model_weights_sha256(dir), format_text);
}

LlamaSynthModel::~LlamaSynthModel() = default;

std::vector<std::string> LlamaSynthModel::reply(const std::vector<std::string>& user_messages,
                                                std::int64_t max_new_tokens, std::uint64_t seed) {
  std::vector<Prompt> prompts;
  for (const std::string& m : user_messages) prompts.push_back(prompt_for(m));
  GenerationConfig decoding = greedy_decoding(max_new_tokens);
  if (temperature_ > 0) {
    decoding.do_sample = true;
    decoding.temperature = temperature_;
    decoding.seed = seed;
  }
  std::vector<std::string> out;
  for (GeneratedText& g : generator_->generate(prompts, decoding)) out.push_back(std::move(g.text));
  return out;
}

Prompt LlamaSynthModel::prompt_for(const std::string& user_message) const {
  if (!own_template_) return task_prompt(format_, user_message, "");
  return own_template_->prompt({{"user", user_message}});
}

std::int64_t LlamaSynthModel::prompt_tokens(const std::string& user_message) const {
  const Prompt p = prompt_for(user_message);
  return static_cast<std::int64_t>(tokenizer_->encode(p.text, p.add_special_tokens).size());
}

}  // namespace rw::core
