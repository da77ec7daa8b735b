// sentencepiece-backed Tokenizer and in-process training (see sentencepiece_tokenizer.h, tokenizer.h).
#include "rw/core/tokenizer/sentencepiece_tokenizer.h"

#include <fmt/format.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <unordered_map>

#include "added_tokens.h"
#include "rw/core/util/error.h"
#include "text_util.h"

namespace rw::core {

struct SentencePieceTokenizer::Impl {
  sentencepiece::SentencePieceProcessor sp;
  int32_t piece_size = 0;
  int32_t size = 0;  // piece_size, or more when added tokens extend the vocabulary
  detail::AddedTokenMatcher matcher;
  std::unordered_map<int32_t, AddedToken> added_by_id;
  std::unordered_map<std::string, int32_t> added_by_content;
  bool add_bos = true, add_eos = false;

  void add(const AddedToken& token) {
    matcher.add(token, token.content);
    added_by_id[token.id] = token;
    added_by_content[token.content] = token.id;
    size = std::max(size, token.id + 1);
  }
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::filesystem::path& model_file,
                                               const SpecialTokensConfig& config)
    : impl_(std::make_unique<Impl>()) {
  if (!std::filesystem::is_regular_file(model_file)) fail("{}: file not found", model_file.string());
  file_ = model_file;
  const auto status = impl_->sp.Load(model_file.string());
  if (!status.ok()) fail("{}: cannot load sentencepiece model: {}", model_file.string(), status.ToString());
  impl_->piece_size = impl_->size = impl_->sp.GetPieceSize();

  // Control pieces (<s>, </s>, ...) and <unk> are what HF registers as special added tokens; sentencepiece
  // itself would read "<s>" in text as characters.
  for (int32_t id = 0; id < impl_->piece_size; ++id) {
    if (!impl_->sp.IsControl(id) && !impl_->sp.IsUnknown(id)) continue;
    AddedToken token;
    token.id = id;
    token.content = impl_->sp.IdToPiece(id);
    impl_->add(token);
  }
  for (const auto& token : config.added_tokens) {
    if (token.id < 0 || token.content.empty()) fail("{}: added token {} '{}' is invalid", model_file.string(), token.id, token.content);
    impl_->add(token);
  }
  for (const auto& [id, token] : impl_->added_by_id)
    if (token.special) special_ids_.insert(id);

  auto id_or_none = [](int id) { return id >= 0 ? std::optional<int32_t>(id) : std::nullopt; };
  bos_id_ = id_or_none(impl_->sp.bos_id());
  eos_id_ = id_or_none(impl_->sp.eos_id());
  pad_id_ = id_or_none(impl_->sp.pad_id());
  impl_->add_bos = config.add_bos_token.value_or(true);
  impl_->add_eos = config.add_eos_token.value_or(false);
  apply_special_tokens_config(config);
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::string repaired;
  if (!detail::is_valid_utf8(text)) text = repaired = detail::utf8_lossy(text);
  std::vector<int32_t> ids;
  if (add_special_tokens && impl_->add_bos && bos_id_) ids.push_back(*bos_id_);
  std::vector<detail::AddedTokenMatcher::Piece> pieces;
  impl_->matcher.split(text, pieces);
  std::vector<int> segment_ids;
  for (const auto& p : pieces) {
    if (p.token >= 0) {
      ids.push_back(impl_->matcher.token(p.token).id);
      continue;
    }
    segment_ids.clear();
    const auto status = impl_->sp.Encode(std::string(text.substr(p.begin, p.end - p.begin)), &segment_ids);
    if (!status.ok()) fail("sentencepiece encode failed: {}", status.ToString());
    ids.insert(ids.end(), segment_ids.begin(), segment_ids.end());
  }
  if (add_special_tokens && impl_->add_eos && eos_id_) ids.push_back(*eos_id_);
  return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  std::string out, piece;
  std::vector<int> run;
  auto flush = [&] {
    if (run.empty()) return;
    const auto status = impl_->sp.Decode(run, &piece);
    if (!status.ok()) fail("sentencepiece decode failed: {}", status.ToString());
    out += piece;
    run.clear();
  };
  for (int32_t id : ids) {
    if (auto it = impl_->added_by_id.find(id); it != impl_->added_by_id.end()) {
      flush();
      if (!(skip_special_tokens && it->second.special)) out += it->second.content;
    } else if (id >= 0 && id < impl_->piece_size) {
      run.push_back(id);
    }
  }
  flush();
  return out;
}

int32_t SentencePieceTokenizer::vocab_size() const { return impl_->size; }

std::optional<int32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  const std::string key(token);
  if (auto it = impl_->added_by_content.find(key); it != impl_->added_by_content.end()) return it->second;
  const int id = impl_->sp.PieceToId(key);
  if (id < 0 || (impl_->sp.IsUnknown(id) && impl_->sp.IdToPiece(id) != key)) return std::nullopt;
  return id;
}

std::string SentencePieceTokenizer::id_to_token(int32_t id) const {
  if (auto it = impl_->added_by_id.find(id); it != impl_->added_by_id.end()) return it->second.content;
  if (id < 0 || id >= impl_->piece_size) fail("token id {} is not in the vocabulary (size {})", id, vocab_size());
  return impl_->sp.IdToPiece(id);
}

void train_sentencepiece(const std::vector<std::filesystem::path>& text_files,
                         const std::filesystem::path& model_prefix, const SentencePieceTrainOptions& options) {
  if (text_files.empty()) fail("train_sentencepiece: no training text files given");
  std::string inputs;
  for (const auto& file : text_files) {
    if (!std::filesystem::is_regular_file(file)) fail("{}: training text file not found", file.string());
    // sentencepiece takes its lists comma-separated, with no escaping.
    if (file.string().find(',') != std::string::npos) fail("{}: sentencepiece cannot read a path with ','", file.string());
    inputs += (inputs.empty() ? "" : ",") + file.string();
  }
  if (options.model_type != "bpe" && options.model_type != "unigram")
    fail("train_sentencepiece: model_type \"{}\" is not bpe or unigram", options.model_type);
  std::string symbols;
  for (const auto& s : options.user_defined_symbols) {
    if (s.empty() || s.find(',') != std::string::npos) fail("train_sentencepiece: user-defined symbol '{}' is empty or has ','", s);
    symbols += (symbols.empty() ? "" : ",") + s;
  }
  if (model_prefix.has_parent_path()) std::filesystem::create_directories(model_prefix.parent_path());

  std::unordered_map<std::string, std::string> args{
      {"input", inputs},
      {"model_prefix", model_prefix.string()},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"model_type", options.model_type},
      {"character_coverage", fmt::format("{}", options.character_coverage)},
      {"byte_fallback", options.byte_fallback ? "true" : "false"},
      {"num_threads", std::to_string(options.num_threads)},
      // The defaults (nmt_nfkc, collapsing whitespace) would make decode(encode(text)) != text.
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"minloglevel", "1"},  // keep the trainer's INFO chatter out of test logs
  };
  if (!symbols.empty()) args["user_defined_symbols"] = symbols;
  sentencepiece::SetRandomGeneratorSeed(options.seed);
  const auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (!status.ok()) fail("train_sentencepiece({}): {}", model_prefix.string(), status.ToString());
}

}  // namespace rw::core
