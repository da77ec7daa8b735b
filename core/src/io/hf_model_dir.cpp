#include "rw/core/io/hf_model_dir.h"

#include <ATen/ATen.h>
#include <fmt/ranges.h>

#include <set>

#include "rw/core/io/model_weights.h"
#include "rw/core/runtime/dtype.h"
#include "rw/core/runtime/memory_budget.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

// Buffers some exporters write that carry no learned state.
bool is_ignorable(const std::string& name) { return name.ends_with("rotary_emb.inv_freq"); }

const char* const kTokenizerFiles[] = {"tokenizer.json", "tokenizer.model", "tokenizer_config.json",
                                       "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt"};

}  // namespace

void assign_weights(LlamaForCausalLM& model, const std::map<std::string, at::Tensor>& weights,
                    const std::string& origin) {
  const bool tied = model->config().tie_word_embeddings;
  std::set<std::string> used;
  at::NoGradGuard no_grad;
  for (auto& item : model->named_parameters(/*recurse=*/true)) {
    const auto& name = item.key();
    auto it = weights.find(name);
    if (it == weights.end()) fail("{}: tensor '{}' is missing", origin, name);
    auto& param = item.value();
    if (it->second.sizes() != param.sizes())
      fail("{}: tensor '{}' has shape {} but the config implies {}", origin, name, it->second.sizes(), param.sizes());
    param.copy_(it->second);
    used.insert(name);
  }
  std::vector<std::string> extra;
  for (const auto& [name, tensor] : weights) {
    if (used.count(name) || is_ignorable(name)) continue;
    if (tied && name == "lm_head.weight") continue;  // some exporters save the tied copy too
    extra.push_back(name);
  }
  if (!extra.empty())
    fail("{}: unexpected tensor(s) not in a {} with this config: {}", origin, model->config().architecture(),
         fmt::join(extra, ", "));
}

LoadedModel load_hf_model(const std::filesystem::path& dir, at::Device device, std::optional<at::ScalarType> dtype) {
  if (!std::filesystem::is_directory(dir)) fail("{}: not a model directory", dir.string());
  const auto config_path = dir / "config.json";
  if (!std::filesystem::exists(config_path)) fail("{}: missing config.json", dir.string());
  LoadedModel loaded;
  loaded.config = read_model_config(config_path);
  check_model_fits(loaded.config, config_path.string());
  loaded.generation = read_generation_config(dir, loaded.config);
  loaded.model = LlamaForCausalLM(loaded.config);
  assign_weights(loaded.model, read_model_weights(dir), dir.string());
  loaded.model->to(device, dtype.value_or(scalar_type(loaded.config.dtype)));
  loaded.model->eval();
  return loaded;
}

void check_tokenizer_fits(const Tokenizer& tokenizer, const ModelConfig& config,
                          const std::filesystem::path& config_file) {
  const int64_t largest = tokenizer.vocab_size() - 1;
  if (largest < config.vocab_size) return;
  const std::string tokenizer_file = tokenizer.file().empty() ? std::string("the tokenizer") : tokenizer.file().string();
  throw Error(fmt::format("{} has token ids up to {}, but {} has vocab_size {}: ids from {} on have no embedding row "
                          "(use the tokenizer this model was made with, or a config whose vocab_size covers it)",
                          tokenizer_file, largest, config_file.string(), config.vocab_size, config.vocab_size),
              ErrorContext{config_file.string(), "vocab_size", "vocab_size"});
}

void save_hf_model(LlamaForCausalLM& model, const std::filesystem::path& dir, const SaveOptions& options) {
  ModelConfig config = model->config();
  const auto params = model->named_parameters(/*recurse=*/true);
  const at::ScalarType dtype = options.dtype.value_or(params.size() ? params.begin()->value().scalar_type() : at::kFloat);
  config.dtype = dtype_of(dtype);

  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : params) tensors.emplace_back(item.key(), item.value().detach().to(at::kCPU, dtype));

  const auto target = std::filesystem::absolute(dir).lexically_normal();
  std::filesystem::create_directories(target.parent_path());
  const auto staging = sibling_temp_path(target, "saving");
  try {
    std::filesystem::create_directory(staging);
    write_file_atomic(staging / "config.json", model_config_to_json(config));
    if (options.generation) write_file_atomic(staging / "generation_config.json", generation_config_to_json(*options.generation));
    write_model_weights(staging, tensors, options.max_shard_bytes);
    if (options.tokenizer_from) {
      for (const char* name : kTokenizerFiles) {
        const auto source = *options.tokenizer_from / name;
        if (std::filesystem::exists(source)) std::filesystem::copy_file(source, staging / name);
      }
    }
    // Swap into place: the old directory is moved aside first and removed only once the new one is in.
    std::filesystem::path previous;
    if (std::filesystem::exists(target)) {
      previous = sibling_temp_path(target, "replaced");
      std::filesystem::rename(target, previous);
    }
    std::filesystem::rename(staging, target);
    if (!previous.empty()) remove_tree(previous);
  } catch (const std::filesystem::filesystem_error& e) {
    remove_tree(staging);
    fail("{}: cannot save model ({})", target.string(), e.what());
  } catch (...) {
    remove_tree(staging);
    throw;
  }
}

}  // namespace rw::core
