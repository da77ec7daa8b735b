// load_tokenizer (picks byte-level BPE or sentencepiece for an HF model directory), the special-token
// config readers, and the Tokenizer base's shared parts.
#include "rw/core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>

#include "rw/core/tokenizer/bpe_tokenizer.h"
#include "rw/core/tokenizer/sentencepiece_tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {

using json = nlohmann::json;

namespace {

std::optional<json> read_optional_json(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("{}: cannot open file", file.string());
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    fail("{}: malformed JSON: {}", file.string(), e.what());
  }
  if (!j.is_object()) fail("{}: expected a JSON object at the top level", file.string());
  return j;
}

/// HF writes special tokens either as "<s>" or as {"content": "<s>", ...}; null means none.
std::optional<std::string> token_string(const json& value, const std::filesystem::path& file, const std::string& key) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value.at("content").is_string())
    return value.at("content").get<std::string>();
  fail("{}: \"{}\" must be a string, null or an object with a string \"content\"", file.string(), key);
}

void fill_tokens(const json& j, const std::filesystem::path& file, SpecialTokensConfig& config) {
  const std::pair<const char*, std::optional<std::string>*> fields[] = {
      {"bos_token", &config.bos_token},
      {"eos_token", &config.eos_token},
      {"pad_token", &config.pad_token},
      {"unk_token", &config.unk_token}};
  for (const auto& [key, target] : fields)
    if (!*target && j.contains(key)) *target = token_string(j.at(key), file, key);
}

void read_added_tokens_decoder(const json& decoder, const std::filesystem::path& file, SpecialTokensConfig& config) {
  if (!decoder.is_object()) fail("{}: \"added_tokens_decoder\" must be an object", file.string());
  try {
    for (const auto& [key, t] : decoder.items()) {
      AddedToken token;
      token.id = std::stoi(key);
      token.content = t.at("content").get<std::string>();
      token.special = t.value("special", false);
      token.normalized = t.value("normalized", false);
      token.lstrip = t.value("lstrip", false);
      token.rstrip = t.value("rstrip", false);
      token.single_word = t.value("single_word", false);
      config.added_tokens.push_back(std::move(token));
    }
  } catch (const std::exception& e) {
    fail("{}: bad \"added_tokens_decoder\" entry: {}", file.string(), e.what());
  }
}

}  // namespace

SpecialTokensConfig read_special_tokens_config(const std::filesystem::path& model_dir) {
  SpecialTokensConfig config;
  const auto config_file = model_dir / "tokenizer_config.json";
  if (auto j = read_optional_json(config_file)) {
    fill_tokens(*j, config_file, config);
    if (j->contains("add_bos_token") && j->at("add_bos_token").is_boolean())
      config.add_bos_token = j->at("add_bos_token").get<bool>();
    if (j->contains("add_eos_token") && j->at("add_eos_token").is_boolean())
      config.add_eos_token = j->at("add_eos_token").get<bool>();
    if (j->contains("added_tokens_decoder")) read_added_tokens_decoder(j->at("added_tokens_decoder"), config_file, config);
  }
  const auto map_file = model_dir / "special_tokens_map.json";
  if (auto j = read_optional_json(map_file)) fill_tokens(*j, map_file, config);
  return config;
}

void Tokenizer::apply_special_tokens_config(const SpecialTokensConfig& config) {
  auto resolve = [&](const std::optional<std::string>& token, std::optional<int32_t>& target, const char* what) {
    if (!token) return;
    if (auto id = token_to_id(*token)) {
      target = *id;
      special_ids_.insert(*id);
    } else {
      spdlog::warn("tokenizer config: {} '{}' is not in the vocabulary; ignored", what, *token);
    }
  };
  resolve(config.bos_token, bos_id_, "bos_token");
  resolve(config.eos_token, eos_id_, "eos_token");
  resolve(config.pad_token, pad_id_, "pad_token");
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir) {
  if (!std::filesystem::is_directory(model_dir)) fail("{}: model directory not found", model_dir.string());
  const auto json_file = model_dir / "tokenizer.json";
  const auto model_file = model_dir / "tokenizer.model";
  const SpecialTokensConfig config = read_special_tokens_config(model_dir);
  std::string reason;
  if (std::filesystem::exists(json_file)) {
    if (auto bpe = BpeTokenizer::try_load(json_file, reason)) {
      bpe->apply_special_tokens_config(config);
      return bpe;
    }
  }
  if (std::filesystem::exists(model_file)) return std::make_unique<SentencePieceTokenizer>(model_file, config);
  if (!reason.empty()) fail("{}: {}, and there is no tokenizer.model beside it", json_file.string(), reason);
  fail("{}: no tokenizer.json or tokenizer.model in the model directory", model_dir.string());
}

}  // namespace rw::core
