#include "model.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <iostream>

#include "args.h"
#include "rw/core/io/gguf_import.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/generation.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/config/model_summary.h"
#include "rw/core/chat/chat_format.h"
#include "rw/core/chat/jinja_template.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/runtime/device.h"
#include "rw/core/runtime/dtype.h"
#include "rw/core/util/error.h"

namespace rw::app {

using namespace rw::core;

namespace {

// Prints the part of row 0's text not printed yet, holding back an incomplete UTF-8 tail.
class StreamPrinter {
 public:
  explicit StreamPrinter(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}
  void add(int32_t token) {
    ids_.push_back(token);
    const auto text = tokenizer_.decode(ids_, /*skip_special_tokens=*/true);
    if (text.ends_with("\xEF\xBF\xBD")) return;  // U+FFFD: a multi-byte character is still arriving
    if (text.size() > printed_) std::cout << text.substr(printed_) << std::flush;
    printed_ = text.size();
  }
  void finish() {
    const auto text = tokenizer_.decode(ids_, /*skip_special_tokens=*/true);
    if (text.size() > printed_) std::cout << text.substr(printed_);
    std::cout << "\n";
  }

 private:
  const Tokenizer& tokenizer_;
  std::vector<int32_t> ids_;
  size_t printed_ = 0;
};

// --max-new-tokens is a limit, not a length: past the model's context it is lowered to what fits, with a
// warning, rather than refused (EOS usually ends a completion long before either). A prompt already past the
// context is the user's experiment in extrapolation: it runs as asked, with a warning.
void cap_to_context(GenerationConfig& config, int64_t prompt_tokens, const ModelConfig& model,
                    const std::filesystem::path& dir) {
  const int64_t limit = context_limit(model);
  const std::string origin = (dir / "config.json").string();
  if (prompt_tokens >= limit) {
    spdlog::warn("the prompt is {} tokens, past the model's context of {} ({}): the model runs where it was not "
                 "trained",
                 prompt_tokens, limit, origin);
    return;
  }
  if (config.max_new_tokens <= limit - prompt_tokens) return;
  spdlog::warn("--max-new-tokens {}: a {}-token prompt leaves room for {} new tokens in the model's context of {} "
               "({}); generating at most {}",
               config.max_new_tokens, prompt_tokens, limit - prompt_tokens, limit, origin, limit - prompt_tokens);
  config.max_new_tokens = limit - prompt_tokens;
}

}  // namespace

int run_model_info(const std::vector<std::string>& argv) {
  CliArgs args(argv, {}, {"json"});
  if (args.positionals().size() != 1) fail("usage: ropewalk-cli model info DIR [--json]");
  const std::filesystem::path dir = args.positionals()[0];
  const auto config = read_model_config(dir / "config.json");
  std::cout << (args.has("json") ? summary_json(config) + "\n" : format_summary(config));
  return 0;
}

int run_model_import_gguf(const std::vector<std::string>& argv) {
  CliArgs args(argv, {"dtype"}, {"json"});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli model import-gguf FILE.gguf OUT_DIR [--dtype float32|bfloat16] [--json]");
  const std::filesystem::path file = args.positionals()[0], out = args.positionals()[1];
  const at::ScalarType dtype = scalar_type(dtype_from_name(args.get("dtype").value_or("float32")));
  const GgufImportReport report = import_gguf(file, out, dtype);
  if (args.has("json")) {
    nlohmann::json j = {{"out_dir", out.string()},         {"architecture", report.architecture},
                        {"name", report.name},             {"parameters", report.parameters},
                        {"tensor_types", report.tensor_types}, {"chat_template", report.chat_template},
                        {"notes", report.notes}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::string types;
  for (const auto& [type, count] : report.tensor_types) types += fmt::format("{}{} x{}", types.empty() ? "" : ", ", type, count);
  std::cout << fmt::format("imported {} ({}, {:.1f}M parameters; tensors {}) into {}\n",
                           report.name.empty() ? file.filename().string() : report.name, report.architecture,
                           static_cast<double>(report.parameters) / 1e6, types, out.string());
  std::cout << (report.chat_template ? "chat template: chat_template.jinja\n" : "no chat template in the file\n");
  for (const auto& note : report.notes) std::cout << "note: " << note << "\n";
  return 0;
}

int run_generate(const std::vector<std::string>& argv) {
  CliArgs args(argv,
               {"prompt", "max-new-tokens", "temperature", "top-k", "top-p", "repetition-penalty", "seed", "stop",
                "chat", "system", "device", "dtype"},
               {"greedy", "json"});
  if (args.positionals().size() != 1 || !args.has("prompt"))
    fail("usage: ropewalk-cli generate DIR --prompt TEXT [--prompt TEXT ...] [--max-new-tokens N] "
         "[--temperature T] [--top-k K] [--top-p P] [--repetition-penalty R] [--seed S] [--stop TEXT] "
         "[--chat model|plain|llama2|llama3|mistral|qwen2 [--system TEXT]] [--greedy] [--device cpu|cuda|auto] "
         "[--dtype float32|bfloat16|float16] [--json]");
  const std::filesystem::path dir = args.positionals()[0];
  const auto device = resolve_device(args.get_or("device", "auto"));
  std::optional<at::ScalarType> dtype;
  if (auto d = args.get("dtype")) dtype = scalar_type(dtype_from_name(*d));

  auto loaded = load_hf_model(dir, device, dtype);
  auto tokenizer = load_tokenizer(dir);
  check_tokenizer_fits(*tokenizer, loaded.config, dir / "config.json");
  GenerationConfig config = loaded.generation;
  config.max_new_tokens = args.get_int("max-new-tokens", config.max_new_tokens);
  if (args.has("temperature") || args.has("top-k") || args.has("top-p")) config.do_sample = true;
  if (args.has("greedy")) config.do_sample = false;
  config.temperature = args.get_double("temperature", config.temperature);
  config.top_k = args.get_int("top-k", config.top_k);
  config.top_p = args.get_double("top-p", config.top_p);
  config.repetition_penalty = args.get_double("repetition-penalty", config.repetition_penalty);
  config.seed = static_cast<uint64_t>(args.get_int("seed", 0));
  config.stop_strings = args.all("stop");
  fill_special_ids(config, *tokenizer);

  // --chat model: the folder's own template, rendered as transformers' apply_chat_template renders it.
  std::optional<ModelChatTemplate> own_template;
  if (args.get("chat") == "model") {
    own_template = require_model_chat_template(dir);
    std::cerr << "chat template: " << own_template->file.string() << "\n";
  }
  std::vector<std::vector<int64_t>> prompts;
  for (auto text : args.all("prompt")) {
    bool add_special = true;
    if (auto format = args.get("chat")) {
      std::vector<ChatMessage> messages;
      if (auto system = args.get("system")) messages.push_back({"system", *system});
      messages.push_back({"user", text});
      const Prompt prompt = own_template ? own_template->prompt(messages)
                                         : chat_prompt(chat_format_from_name(*format), messages, "");
      text = prompt.text;
      add_special = prompt.add_special_tokens;  // templates write BOS themselves
    }
    const auto ids = tokenizer->encode(text, add_special);
    prompts.emplace_back(ids.begin(), ids.end());
  }
  auto [ids, mask] = left_pad(prompts, *config.pad_token_id);
  cap_to_context(config, ids.size(1), loaded.config, dir);

  std::optional<StreamPrinter> stream;
  if (prompts.size() == 1 && !args.has("json")) stream.emplace(*tokenizer);
  auto result = generate(loaded.model, ids, mask, config, tokenizer.get(), [&](const at::Tensor& next) {
    if (stream) stream->add(static_cast<int32_t>(next[0].item<int64_t>()));
  });
  if (stream) {
    stream->finish();
  } else if (args.has("json")) {
    const char* reasons[] = {"length", "eos", "stop_string"};
    for (size_t i = 0; i < result.text.size(); ++i)
      std::cout << nlohmann::json{{"prompt_ids", prompts[i]}, {"new_ids", result.new_tokens[i]},
                                  {"text", result.text[i]}, {"finish", reasons[static_cast<int>(result.finish[i])]}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
  } else {
    for (size_t i = 0; i < result.text.size(); ++i) std::cout << "[" << i << "] " << result.text[i] << "\n";
  }
  int64_t produced = 0;
  for (const auto& row : result.new_tokens) produced += static_cast<int64_t>(row.size());
  const double decode_rate = result.decode_seconds > 0 ? static_cast<double>(result.decode_steps) / result.decode_seconds : 0;
  std::cerr << fmt::format("[{} prompt tokens x {} rows, prefill {:.2f} s; {} new tokens, {:.1f} tok/s per row decoding, "
                           "on {}]\n",
                           ids.size(1), ids.size(0), result.prefill_seconds, produced, decode_rate, device.str());
  return 0;
}

}  // namespace rw::app
