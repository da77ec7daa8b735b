// Byte-level BPE from tokenizer.json (see bpe_tokenizer.h): JSON parsing of the HF pipeline, then
// encode = added-token split -> normalize -> added-token split (normalized tokens) -> pre-tokenize ->
// BPE per pre-token -> post-processor template; decode = byte-level unmapping with added tokens verbatim.
#include "rw/core/tokenizer/bpe_tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "added_tokens.h"
#include "bpe_model.h"
#include "byte_level.h"
#include "pre_tokenizer.h"
#include "rw/core/util/error.h"
#include "text_util.h"

namespace rw::core {

using json = nlohmann::json;
using detail::NormalForm;
using detail::PreTokenizerStep;

struct BpeTokenizer::Impl {
  std::vector<NormalForm> normalizers;
  std::vector<PreTokenizerStep> pre_steps;
  std::unique_ptr<detail::BpeModel> model;
  detail::AddedTokenMatcher raw_matcher, normalized_matcher;
  std::unordered_map<std::string, int32_t> added_by_content;
  std::unordered_map<int32_t, AddedToken> added_by_id;
  std::unordered_map<std::string, int32_t> vocab;  // byte-level spelling -> id
  std::vector<std::string> id_tokens;              // "" where no token has that id
  std::vector<std::string> id_bytes;               // what the ByteLevel decoder emits for a model token
  std::vector<int32_t> prefix, suffix;             // post-processor, with add_special_tokens
  std::optional<int32_t> template_first_special;

  std::string normalize(std::string_view text) const {
    std::string out(text);
    for (NormalForm form : normalizers) out = detail::normalize(out, form);
    return out;
  }
  void encode_words(std::string_view text, std::vector<int32_t>& ids) const {
    const std::function<void(std::string_view)> emit = [this, out = &ids](std::string_view word) {
      model->encode_word(word, *out);
    };
    detail::pre_tokenize(pre_steps, text, emit);
  }
  void encode_segment(std::string_view segment, std::vector<int32_t>& ids) const {
    if (normalizers.empty() && normalized_matcher.empty()) return encode_words(segment, ids);
    const std::string normalized = normalize(segment);
    if (normalized_matcher.empty()) return encode_words(normalized, ids);
    std::vector<detail::AddedTokenMatcher::Piece> pieces;
    normalized_matcher.split(normalized, pieces);
    for (const auto& p : pieces) {
      if (p.token >= 0)
        ids.push_back(normalized_matcher.token(p.token).id);
      else
        encode_words(std::string_view(normalized).substr(p.begin, p.end - p.begin), ids);
    }
  }
};

namespace {

json read_json_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("{}: cannot open file", file.string());
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    fail("{}: malformed JSON: {}", file.string(), e.what());
  }
}

std::string type_of(const json& node) { return node.is_object() ? node.value("type", std::string()) : ""; }

bool has_byte_level(const json& pre) {
  if (!pre.is_object()) return false;
  const std::string type = type_of(pre);
  if (type == "ByteLevel") return true;
  if (type == "Sequence" && pre.contains("pretokenizers"))
    for (const auto& p : pre.at("pretokenizers"))
      if (has_byte_level(p)) return true;
  return false;
}

void parse_normalizer(const json& node, std::vector<NormalForm>& out) {
  if (node.is_null()) return;
  const std::string type = type_of(node);
  if (type == "NFC") {
    out.push_back(NormalForm::NFC);
  } else if (type == "NFD") {
    out.push_back(NormalForm::NFD);
  } else if (type == "NFKC") {
    out.push_back(NormalForm::NFKC);
  } else if (type == "NFKD") {
    out.push_back(NormalForm::NFKD);
  } else if (type == "Sequence") {
    for (const auto& n : node.at("normalizers")) parse_normalizer(n, out);
  } else {
    fail("normalizer type \"{}\" is not supported (only NFC, NFD, NFKC, NFKD, Sequence)", type);
  }
}

detail::SplitBehavior parse_behavior(const std::string& name) {
  using B = detail::SplitBehavior;
  if (name == "Isolated") return B::Isolated;
  if (name == "Removed") return B::Removed;
  if (name == "MergedWithPrevious") return B::MergedWithPrevious;
  if (name == "MergedWithNext") return B::MergedWithNext;
  if (name == "Contiguous") return B::Contiguous;
  fail("Split behavior \"{}\" is not supported", name);
}

void parse_pre_tokenizer(const json& node, std::vector<PreTokenizerStep>& out) {
  if (node.is_null()) return;
  const std::string type = type_of(node);
  PreTokenizerStep step;
  if (type == "Sequence") {
    for (const auto& p : node.at("pretokenizers")) parse_pre_tokenizer(p, out);
    return;
  } else if (type == "Split") {
    const json& pattern = node.at("pattern");
    if (pattern.contains("Regex"))
      step.regex = std::make_shared<detail::Regex>(pattern.at("Regex").get<std::string>(), false);
    else if (pattern.contains("String"))
      step.regex = std::make_shared<detail::Regex>(pattern.at("String").get<std::string>(), true);
    else
      fail("Split pattern must have \"Regex\" or \"String\"");
    step.behavior = parse_behavior(node.at("behavior").get<std::string>());
    step.invert = node.value("invert", false);
  } else if (type == "ByteLevel") {
    static const auto gpt2 = std::make_shared<detail::Regex>(detail::kGpt2Pattern, false);
    step.kind = PreTokenizerStep::Kind::ByteLevel;
    step.add_prefix_space = node.value("add_prefix_space", true);
    if (node.value("use_regex", true)) step.regex = gpt2;
  } else {
    fail("pre_tokenizer type \"{}\" is not supported with byte-level BPE (only Split, ByteLevel, Sequence)",
         type);
  }
  out.push_back(std::move(step));
}

// Each processor wraps what the previous ones produced, as HF's Sequence does.
void parse_post_processor(const json& node, std::vector<int32_t>& prefix, std::vector<int32_t>& suffix,
                          std::optional<int32_t>& first_special) {
  if (node.is_null()) return;
  const std::string type = type_of(node);
  std::vector<int32_t> pre, post;
  if (type == "ByteLevel") {
    return;
  } else if (type == "Sequence") {
    for (const auto& p : node.at("processors")) parse_post_processor(p, prefix, suffix, first_special);
    return;
  } else if (type == "TemplateProcessing") {
    const json& specials = node.at("special_tokens");
    bool seen_sequence = false;
    for (const auto& item : node.at("single")) {
      if (item.contains("SpecialToken")) {
        const std::string name = item.at("SpecialToken").at("id").get<std::string>();
        if (!specials.contains(name)) fail("TemplateProcessing uses \"{}\", missing from special_tokens", name);
        for (const auto& id : specials.at(name).at("ids")) (seen_sequence ? post : pre).push_back(id.get<int32_t>());
      } else if (item.contains("Sequence")) {
        if (item.at("Sequence").at("id").get<std::string>() != "A") fail("single template must use sequence A");
        seen_sequence = true;
      } else {
        fail("TemplateProcessing item {} is not understood", item.dump());
      }
    }
    if (!seen_sequence) fail("TemplateProcessing single template has no sequence");
  } else if (type == "RobertaProcessing" || type == "BertProcessing") {
    pre.push_back(node.at("cls").at(1).get<int32_t>());
    post.push_back(node.at("sep").at(1).get<int32_t>());
  } else {
    fail("post_processor type \"{}\" is not supported", type);
  }
  if (!pre.empty()) first_special = pre.front();
  prefix.insert(prefix.begin(), pre.begin(), pre.end());
  suffix.insert(suffix.end(), post.begin(), post.end());
}

void check_decoder(const json& node) {
  const std::string type = type_of(node);
  if (type == "ByteLevel") return;
  if (type == "Sequence") {
    for (const auto& d : node.at("decoders")) check_decoder(d);
    return;
  }
  fail("decoder {} is not supported with byte-level BPE (only ByteLevel)", node.is_null() ? "null" : "\"" + type + "\"");
}

std::vector<std::pair<std::string, std::string>> parse_merges(const json& merges) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(merges.size());
  for (const auto& m : merges) {
    if (m.is_string()) {  // legacy "a b" form; byte-level tokens never contain a space
      const std::string s = m.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        fail("merge \"{}\" is not two tokens separated by one space", s);
      out.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2) {
      out.emplace_back(m.at(0).get<std::string>(), m.at(1).get<std::string>());
    } else {
      fail("merge {} is neither \"a b\" nor [a, b]", m.dump());
    }
  }
  return out;
}

bool nonempty_string(const json& model, const char* key) {
  return model.contains(key) && model.at(key).is_string() && !model.at(key).get<std::string>().empty();
}

/// Fills impl from a parsed tokenizer.json already known to be a byte-level BPE.
void build(const json& root, BpeTokenizer::Impl& impl) {
  const json& model = root.at("model");
  if (model.contains("dropout") && model.at("dropout").is_number() && model.at("dropout").get<double>() > 0)
    fail("BPE dropout is not supported");
  if (nonempty_string(model, "continuing_subword_prefix") || nonempty_string(model, "end_of_word_suffix"))
    fail("BPE continuing_subword_prefix/end_of_word_suffix are not supported");

  parse_normalizer(root.value("normalizer", json()), impl.normalizers);
  parse_pre_tokenizer(root.at("pre_tokenizer"), impl.pre_steps);
  for (size_t i = 0; i + 1 < impl.pre_steps.size(); ++i)
    if (impl.pre_steps[i].kind == PreTokenizerStep::Kind::ByteLevel)
      fail("a pre-tokenizer after ByteLevel is not supported");
  if (impl.pre_steps.back().kind != PreTokenizerStep::Kind::ByteLevel) fail("ByteLevel must be the last pre-tokenizer");
  parse_post_processor(root.value("post_processor", json()), impl.prefix, impl.suffix, impl.template_first_special);
  check_decoder(root.value("decoder", json()));

  int32_t max_id = -1;
  for (const auto& [token, id] : model.at("vocab").items()) {
    const auto value = id.get<int32_t>();
    if (value < 0) fail("vocab id {} of '{}' is negative", value, token);
    impl.vocab.emplace(token, value);
    max_id = std::max(max_id, value);
  }
  detail::BpeModelOptions options;
  options.ignore_merges = model.value("ignore_merges", false);
  if (model.contains("unk_token") && model.at("unk_token").is_string())
    options.unk_token = model.at("unk_token").get<std::string>();
  options.fuse_unk = model.value("fuse_unk", false);
  options.byte_fallback = model.value("byte_fallback", false);
  impl.model = std::make_unique<detail::BpeModel>(impl.vocab, parse_merges(model.at("merges")), options);

  for (const auto& t : root.value("added_tokens", json::array())) {
    AddedToken token;
    token.id = t.at("id").get<int32_t>();
    token.content = t.at("content").get<std::string>();
    token.special = t.value("special", false);
    token.normalized = t.value("normalized", !token.special);
    token.lstrip = t.value("lstrip", false);
    token.rstrip = t.value("rstrip", false);
    token.single_word = t.value("single_word", false);
    if (token.id < 0) fail("added token '{}' has negative id {}", token.content, token.id);
    if (!detail::is_valid_utf8(token.content)) fail("added token {} is not valid UTF-8", token.id);
    max_id = std::max(max_id, token.id);
    if (token.normalized)
      impl.normalized_matcher.add(token, impl.normalize(token.content));
    else
      impl.raw_matcher.add(token, token.content);
    impl.added_by_content[token.content] = token.id;
    impl.added_by_id[token.id] = token;
  }

  impl.id_tokens.assign(static_cast<size_t>(max_id + 1), std::string());
  impl.id_bytes.assign(static_cast<size_t>(max_id + 1), std::string());
  for (const auto& [token, id] : impl.vocab) {
    impl.id_tokens[static_cast<size_t>(id)] = token;
    // HF's ByteLevel decoder keeps a token's own UTF-8 when any character is outside the byte alphabet.
    auto raw = detail::is_valid_utf8(token) ? detail::from_byte_level(token) : std::nullopt;
    impl.id_bytes[static_cast<size_t>(id)] = raw ? *raw : token;
  }
  for (const auto& [id, token] : impl.added_by_id) impl.id_tokens[static_cast<size_t>(id)] = token.content;
}

std::string not_byte_level_reason(const json& root) {
  if (!root.is_object() || !root.contains("model") || !root.at("model").is_object())
    return "no \"model\" object";
  const json& model = root.at("model");
  const std::string type = model.contains("type") ? model.at("type").get<std::string>()
                           : model.contains("merges") ? "BPE"
                                                      : "(untyped)";
  if (type != "BPE") return fmt::format("model type \"{}\" is not supported (only byte-level BPE)", type);
  if (!has_byte_level(root.value("pre_tokenizer", json())))
    return "BPE without a ByteLevel pre-tokenizer is not a byte-level BPE (e.g. Metaspace/sentencepiece style)";
  return {};
}

/// The parsed pipeline, or nullptr and the reason when the file is well-formed but not a byte-level BPE.
std::unique_ptr<BpeTokenizer::Impl> load_impl(const std::filesystem::path& tokenizer_json, std::string& reason) {
  const json root = read_json_file(tokenizer_json);
  auto impl = std::make_unique<BpeTokenizer::Impl>();
  try {
    reason = not_byte_level_reason(root);
    if (!reason.empty()) return nullptr;
    build(root, *impl);
  } catch (const json::exception& e) {
    fail("{}: unexpected structure: {}", tokenizer_json.string(), e.what());
  } catch (const Error& e) {
    fail("{}: {}", tokenizer_json.string(), e.what());
  }
  return impl;
}

std::unique_ptr<BpeTokenizer::Impl> load_impl_or_fail(const std::filesystem::path& tokenizer_json) {
  std::string reason;
  auto impl = load_impl(tokenizer_json, reason);
  if (!impl) fail("{}: {}", tokenizer_json.string(), reason);
  return impl;
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  for (const auto& [id, token] : impl_->added_by_id)
    if (token.special) special_ids_.insert(id);
  bos_id_ = impl_->template_first_special;
}

BpeTokenizer::BpeTokenizer(const std::filesystem::path& tokenizer_json)
    : BpeTokenizer(load_impl_or_fail(tokenizer_json)) {
  file_ = tokenizer_json;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::try_load(const std::filesystem::path& tokenizer_json,
                                                     std::string& reason) {
  auto impl = load_impl(tokenizer_json, reason);
  if (!impl) return nullptr;
  std::unique_ptr<BpeTokenizer> tokenizer(new BpeTokenizer(std::move(impl)));
  tokenizer->file_ = tokenizer_json;
  return tokenizer;
}

BpeTokenizer::~BpeTokenizer() = default;

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::string repaired;
  if (!detail::is_valid_utf8(text)) text = repaired = detail::utf8_lossy(text);
  std::vector<int32_t> ids;
  if (add_special_tokens) ids = impl_->prefix;
  std::vector<detail::AddedTokenMatcher::Piece> pieces;
  impl_->raw_matcher.split(text, pieces);
  for (const auto& p : pieces) {
    if (p.token >= 0)
      ids.push_back(impl_->raw_matcher.token(p.token).id);
    else
      impl_->encode_segment(text.substr(p.begin, p.end - p.begin), ids);
  }
  if (add_special_tokens) ids.insert(ids.end(), impl_->suffix.begin(), impl_->suffix.end());
  return ids;
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  // Model tokens are unmapped to bytes and made UTF-8 chunk by chunk; added tokens are written verbatim
  // between chunks (HF decodes them outside the decoder).
  std::string result, chunk;
  for (int32_t id : ids) {
    if (auto it = impl_->added_by_id.find(id); it != impl_->added_by_id.end()) {
      if (skip_special_tokens && it->second.special) continue;
      result += detail::utf8_lossy(chunk);
      chunk.clear();
      result += it->second.content;
    } else if (id >= 0 && static_cast<size_t>(id) < impl_->id_bytes.size()) {
      chunk += impl_->id_bytes[static_cast<size_t>(id)];
    }
  }
  result += detail::utf8_lossy(chunk);
  return result;
}

int32_t BpeTokenizer::vocab_size() const { return static_cast<int32_t>(impl_->id_tokens.size()); }

std::optional<int32_t> BpeTokenizer::token_to_id(std::string_view token) const {
  const std::string key(token);
  if (auto it = impl_->added_by_content.find(key); it != impl_->added_by_content.end()) return it->second;
  if (auto it = impl_->vocab.find(key); it != impl_->vocab.end()) return it->second;
  return std::nullopt;
}

std::string BpeTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size() || impl_->id_tokens[static_cast<size_t>(id)].empty())
    fail("token id {} is not in the vocabulary (size {})", id, vocab_size());
  return impl_->id_tokens[static_cast<size_t>(id)];
}

}  // namespace rw::core
