// Rebuilding HF tokenizer files from GGUF metadata (see gguf_vocabulary.h). transformers' recipe, which
// this follows so both tokenize alike: a byte-level BPE over the file's tokens (a token spelled outside
// the byte alphabet is respelled byte by byte) and merges; control tokens become special added tokens,
// user-defined ones plain added tokens; the pre-tokenizer split comes from tokenizer.ggml.pre for the
// vocabularies known to need their own, GPT-2's otherwise; BOS/EOS are added as the file's flags say.
#include "rw/core/tokenizer/gguf_vocabulary.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "byte_level.h"
#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

namespace rw::core {
namespace {

using json = nlohmann::ordered_json;

constexpr int32_t kControl = 3;
constexpr int32_t kUserDefined = 4;

constexpr std::string_view kLlama3Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kTekkenSplit =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kGpt4oSplit =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

/// tokenizer.ggml.pre values whose split differs from GPT-2's, as transformers maps them.
constexpr std::pair<std::string_view, std::string_view> kPreTokenizerSplits[] = {
    {"llama3", kLlama3Split},     {"llama-v3", kLlama3Split},   {"llama-bpe", kLlama3Split},
    {"falcon3", kLlama3Split},    {"falcon-h1", kLlama3Split},  {"pixtral", kLlama3Split},
    {"midm-2.0", kLlama3Split},   {"lfm2", kLlama3Split},       {"jina-v5-nano", kLlama3Split},
    {"dbrx", kLlama3Split},       {"smaug-bpe", kLlama3Split},  {"tekken", kTekkenSplit},
    {"qwen2", kQwen2Split},       {"deepseek-r1-qwen", kQwen2Split}, {"kormo", kQwen2Split},
    {"f2llmv2", kQwen2Split},     {"megrez", kQwen2Split},      {"gpt-4o", kGpt4oSplit},
    {"llama4", kGpt4oSplit},      {"kanana2", kGpt4oSplit},     {"talkie", kGpt4oSplit},
    {"minimax-m2", kGpt4oSplit},
};

/// Pre-types whose split is GPT-2's regex, so ByteLevel's own split is exact.
constexpr std::string_view kGpt2SplitPreTypes[] = {"default", "gpt2", "gpt-2", ""};

bool in_byte_alphabet(std::string_view token) {
  size_t i = 0;
  while (i < token.size())
    if (detail::unicode_to_byte(next_code_point(token, i)) < 0) return false;
  return true;
}

json byte_level_node(bool add_prefix_space, bool use_regex) {
  return {{"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space}, {"trim_offsets", true}, {"use_regex", use_regex}};
}

json pre_tokenizer(const GgufVocabulary& v, bool add_prefix_space, std::vector<std::string>& notes) {
  for (const auto& [name, regex] : kPreTokenizerSplits)
    if (v.pre == name)
      return {{"type", "Sequence"},
              {"pretokenizers",
               json::array({{{"type", "Split"},
                             {"pattern", {{"Regex", std::string(regex)}}},
                             {"behavior", "Isolated"},
                             {"invert", false}},
                            byte_level_node(false, false)})}};
  bool gpt2 = false;
  for (auto name : kGpt2SplitPreTypes) gpt2 = gpt2 || v.pre == name;
  if (!gpt2)
    notes.push_back("tokenizer.ggml.pre '" + v.pre +
                    "' has no split of its own in transformers; GPT-2's split is used, as transformers does");
  return byte_level_node(add_prefix_space, true);
}

json special_piece(const std::string& token) { return {{"SpecialToken", {{"id", token}, {"type_id", 0}}}}; }

/// transformers' TemplateProcessing for the add_bos/add_eos flags.
json post_processor(const GgufVocabulary& v, const std::string* bos, const std::string* eos) {
  json single = json::array(), pair = json::array(), specials = json::object();
  auto special = [&](const std::string& token, int64_t id) {
    specials[token] = {{"id", token}, {"ids", json::array({id})}, {"tokens", json::array({token})}};
  };
  const bool with_bos = v.add_bos.value_or(false) && bos, with_eos = v.add_eos.value_or(false) && eos;
  if (with_bos) single.push_back(special_piece(*bos)), special(*bos, *v.bos_id);
  single.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
  if (with_eos) single.push_back(special_piece(*eos)), special(*eos, *v.eos_id);
  pair = single;
  if (with_bos) pair.push_back({{"SpecialToken", {{"id", *bos}, {"type_id", 1}}}});
  pair.push_back({{"Sequence", {{"id", "B"}, {"type_id", 1}}}});
  if (with_eos) pair.push_back({{"SpecialToken", {{"id", *eos}, {"type_id", 1}}}});
  return {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", specials}};
}

}  // namespace

TokenizerFiles build_tokenizer_files(const GgufVocabulary& v) {
  auto error = [&](const std::string& what) { fail("GGUF file {}: {}", v.origin, what); };
  if (v.model != "gpt2")
    error("tokenizer.ggml.model '" + v.model +
          "' is not supported: Ropewalk rebuilds byte-level BPE ('gpt2') vocabularies; SentencePiece ('llama') "
          "and others are not supported yet");
  if (v.tokens.empty()) error("tokenizer.ggml.tokens is empty");
  if (!v.token_types.empty() && v.token_types.size() != v.tokens.size())
    error(fmt::format("tokenizer.ggml.token_type has {} entries for {} tokens", v.token_types.size(), v.tokens.size()));
  const auto token_of = [&](const std::optional<int64_t>& id, const char* key) -> const std::string* {
    if (!id) return nullptr;
    if (*id < 0 || *id >= static_cast<int64_t>(v.tokens.size()))
      error(fmt::format("tokenizer.ggml.{} is {}, outside the {} tokens", key, *id, v.tokens.size()));
    return &v.tokens[static_cast<size_t>(*id)];
  };
  const std::string* bos = token_of(v.bos_id, "bos_token_id");
  const std::string* eos = token_of(v.eos_id, "eos_token_id");
  const std::string* unk = token_of(v.unk_id, "unknown_token_id");
  const std::string* pad = token_of(v.pad_id, "padding_token_id");

  TokenizerFiles files;
  json vocab = json::object();
  std::unordered_map<std::string, size_t> spelled;
  for (size_t id = 0; id < v.tokens.size(); ++id) {
    const std::string& token = v.tokens[id];
    if (!is_valid_utf8(token)) error(fmt::format("token {} is not valid UTF-8", id));
    std::string spelling = in_byte_alphabet(token) ? token : detail::to_byte_level(token);
    // A later token with the same spelling wins, as in the dict transformers builds.
    spelled[spelling] = id;
    vocab[spelling] = id;
  }
  if (vocab.size() != v.tokens.size())
    files.notes.push_back(fmt::format("{} tokens share a spelling with another token; the later one is used",
                                      v.tokens.size() - vocab.size()));
  json merges = json::array();
  for (size_t i = 0; i < v.merges.size(); ++i) {
    const auto space = v.merges[i].find(' ');
    if (space == std::string::npos || v.merges[i].find(' ', space + 1) != std::string::npos)
      error(fmt::format("tokenizer.ggml.merges[{}] \"{}\" is not two tokens separated by one space", i, v.merges[i]));
    merges.push_back({v.merges[i].substr(0, space), v.merges[i].substr(space + 1)});
  }

  json added = json::array();
  for (size_t id = 0; id < v.token_types.size(); ++id) {
    const int32_t type = v.token_types[id];
    const std::string& token = v.tokens[id];
    // A control token spelled outside the byte alphabet is a mislabel transformers skips.
    const bool control = type == kControl && in_byte_alphabet(token);
    const bool user = type == kUserDefined && spelled.count(token) != 0;
    if (!control && !user) continue;
    added.push_back({{"id", id}, {"content", token}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", control}});
  }

  const bool add_prefix_space = false;
  json tokenizer = {{"version", "1.0"},
                    {"truncation", nullptr},
                    {"padding", nullptr},
                    {"added_tokens", added},
                    {"normalizer", nullptr},
                    {"pre_tokenizer", pre_tokenizer(v, add_prefix_space, files.notes)},
                    {"post_processor", post_processor(v, bos, eos)},
                    {"decoder", byte_level_node(true, true)},
                    {"model",
                     {{"type", "BPE"},
                      {"dropout", nullptr},
                      {"unk_token", nullptr},
                      {"continuing_subword_prefix", ""},
                      {"end_of_word_suffix", ""},
                      {"fuse_unk", false},
                      {"byte_fallback", false},
                      {"ignore_merges", false},
                      {"vocab", vocab},
                      {"merges", merges}}}};
  files.tokenizer_json = tokenizer.dump(2, ' ', false, json::error_handler_t::strict);

  json config = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                 {"add_bos_token", v.add_bos.value_or(false)},
                 {"add_eos_token", v.add_eos.value_or(false)}};
  const std::pair<const char*, const std::string*> specials[] = {
      {"bos_token", bos}, {"eos_token", eos}, {"unk_token", unk}, {"pad_token", pad}};
  for (const auto& [key, token] : specials) config[key] = token ? json(*token) : json(nullptr);
  files.tokenizer_config_json = config.dump(2);
  return files;
}

}  // namespace rw::core
