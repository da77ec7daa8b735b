// Token counters (words, or a real tokenizer with a per-word cache) and chunk_by_tokens, which packs the
// words of a document greedily into overlapping chunks. Runs on every imported document, so the word
// loop works on string_views into the text and keeps only the current chunk's words in memory.
// Not the training-sequence packer (that one works on token ids, not text spans).
#include "rw/core/data/chunking.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "rw/core/util/utf8.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;

/// ASCII whitespace as the word counter defines it: space, \t, \n, \v, \f, \r.
inline bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

class WordCounter final : public TokenCounter {
 public:
  std::int64_t count(std::string_view text) const override {
    std::int64_t words = 0;
    bool in_word = false;
    for (const char c : text) {
      const bool space = is_space(c);
      words += !space && !in_word;
      in_word = !space;
    }
    return words;
  }
  std::string id() const override { return "words"; }
  std::string name() const override { return "words"; }
};

/// Thread-safe: the cache is guarded by a mutex, encode runs outside it.
class TokenizerCounter final : public TokenCounter {
 public:
  TokenizerCounter(std::shared_ptr<const Tokenizer> tokenizer, std::string id, std::string name)
      : tokenizer_(std::move(tokenizer)), id_(std::move(id)), name_(std::move(name)) {}

  std::int64_t count(std::string_view text) const override {
    // Long texts are rare as words (and never repeat as pieces of split words): not worth a cache slot.
    if (text.size() > kMaxCachedBytes) return encoded_size(text);
    {
      std::lock_guard lock(mutex_);
      if (const auto it = cache_.find(text); it != cache_.end()) return it->second;
    }
    const std::int64_t n = encoded_size(text);
    std::lock_guard lock(mutex_);
    if (cache_.size() < kMaxCachedWords) cache_.emplace(text, n);
    return n;
  }
  std::string id() const override { return id_; }
  std::string name() const override { return name_; }

 private:
  static constexpr size_t kMaxCachedBytes = 64;
  static constexpr size_t kMaxCachedWords = size_t{1} << 20;  // bounds memory on corpora with huge vocabularies

  struct Hash {
    using is_transparent = void;  // find(string_view) without building a std::string per word
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::int64_t encoded_size(std::string_view text) const {
    return static_cast<std::int64_t>(tokenizer_->encode(text, /*add_special_tokens=*/false).size());
  }

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::string id_, name_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> cache_;
};

/// A word (or a piece of a word too long for one chunk). A chunk that starts here starts at `begin`, after
/// the word's leading whitespace; `count` includes that whitespace.
struct Unit {
  std::int64_t begin = 0, end = 0, count = 0;
};

/// Yields the words of a text in order, splitting those over `limit` tokens into pieces.
class UnitReader {
 public:
  UnitReader(std::string_view text, const TokenCounter& counter, std::int64_t limit)
      : text_(text), counter_(counter), limit_(limit) {}

  bool next(Unit& unit) {
    if (next_piece_ < pieces_.size()) {
      unit = pieces_[next_piece_++];
      return true;
    }
    const size_t word_begin = pos_;
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    if (pos_ == text_.size()) return false;  // trailing whitespace belongs to no chunk
    const size_t core_begin = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    const std::int64_t n = count(word_begin, pos_);
    if (n <= limit_) {
      unit = {static_cast<std::int64_t>(core_begin), static_cast<std::int64_t>(pos_), n};
      return true;
    }
    split(word_begin, core_begin, pos_);
    next_piece_ = 1;
    unit = pieces_[0];
    return true;
  }

 private:
  /// A word with non-whitespace counts at least 1, so every unit moves a chunk forward.
  std::int64_t count(size_t begin, size_t end) const {
    return std::max<std::int64_t>(1, counter_.count(text_.substr(begin, end - begin)));
  }

  /// Cuts text[core, end) at character boundaries into the longest pieces that count <= limit_ (the first
  /// counted with the word's leading whitespace). Galloping, then bisecting, keeps the encode calls per
  /// piece logarithmic in the piece length even inside a megabyte-long word.
  void split(size_t word_begin, size_t core, size_t end) {
    pieces_.clear();
    boundaries_.clear();
    for (size_t i = core; i < end;) {
      boundaries_.push_back(i);
      const long n = utf8_sequence_length(text_, i);
      i += n > 0 ? static_cast<size_t>(n) : 1;  // each byte of an ill-formed sequence is a character of its own
    }
    boundaries_.push_back(end);
    const size_t last = boundaries_.size() - 1;
    size_t first = 0;
    size_t count_from = word_begin;
    while (first < last) {
      const auto count_to = [&](size_t b) { return count(count_from, boundaries_[b]); };
      // One character always goes, even when it alone is over the limit: the chunker must advance.
      size_t good = first + 1, bad = last + 1;
      std::int64_t good_count = count_to(good);
      for (size_t step = 1; good < last; step *= 2) {
        const size_t probe = std::min(good + step, last);
        const std::int64_t n = count_to(probe);
        if (n > limit_) {
          bad = probe;
          break;
        }
        good = probe;
        good_count = n;
      }
      while (bad - good > 1) {
        const size_t mid = good + (bad - good) / 2;
        const std::int64_t n = count_to(mid);
        if (n <= limit_) {
          good = mid;
          good_count = n;
        } else {
          bad = mid;
        }
      }
      pieces_.push_back(
          {static_cast<std::int64_t>(boundaries_[first]), static_cast<std::int64_t>(boundaries_[good]), good_count});
      first = good;
      count_from = boundaries_[good];
    }
  }

  std::string_view text_;
  const TokenCounter& counter_;
  std::int64_t limit_;
  size_t pos_ = 0;
  std::vector<Unit> pieces_;  // of the word being split; reused across words
  size_t next_piece_ = 0;
  std::vector<size_t> boundaries_;
};

/// The last folder name of a path, also for "a/b/" and ".".
std::string folder_name(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p.filename().string();
}

}  // namespace

std::unique_ptr<TokenCounter> make_word_counter() { return std::make_unique<WordCounter>(); }

std::unique_ptr<TokenCounter> make_tokenizer_counter(std::shared_ptr<const Tokenizer> tokenizer,
                                                     std::string tokenizer_id, std::string name) {
  if (!tokenizer) fail("token counter \"{}\": no tokenizer given", name);
  return std::make_unique<TokenizerCounter>(std::move(tokenizer), std::move(tokenizer_id), std::move(name));
}

std::unique_ptr<TokenCounter> load_token_counter(const fs::path& model_dir) {
  // load_tokenizer names the folder when it is missing or has no tokenizer file.
  std::shared_ptr<const Tokenizer> tokenizer = load_tokenizer(model_dir);
  fs::path file = model_dir / "tokenizer.json";
  if (!fs::exists(file)) file = model_dir / "tokenizer.model";
  if (!fs::exists(file)) fail("{}: no tokenizer.json or tokenizer.model to identify the tokenizer", model_dir.string());
  const std::string id = "sha256:" + sha256_file_hex(file).substr(0, 16);
  return make_tokenizer_counter(std::move(tokenizer), id, folder_name(model_dir));
}

std::vector<ChunkSpan> chunk_by_tokens(std::string_view text, const TokenCounter& counter,
                                       const ChunkingOptions& options) {
  const std::int64_t limit = options.chunk_tokens, overlap = options.overlap_tokens;
  if (limit <= 0) fail("chunking: chunk_tokens must be > 0 (got {})", limit);
  if (overlap < 0 || overlap >= limit)
    fail("chunking: overlap_tokens must be >= 0 and < chunk_tokens {} (got {})", limit, overlap);

  std::vector<ChunkSpan> chunks;
  UnitReader reader(text, counter, limit);
  Unit next;
  bool has_next = reader.next(next);
  std::vector<Unit> window;  // the units of the chunk being built; it starts as the previous chunk's overlap
  std::int64_t sum = 0;
  while (has_next) {
    // Greedy fill; a lone unit over the limit (one character that counts more) still makes a chunk.
    while (has_next && (window.empty() || sum + next.count <= limit)) {
      window.push_back(next);
      sum += next.count;
      has_next = reader.next(next);
    }
    chunks.push_back({window.front().begin, window.back().end, sum});
    if (!has_next) break;
    // The next chunk repeats the shortest-start suffix of this one that totals <= overlap and still leaves
    // room for the next unit, so every chunk ends beyond the previous one. Drop at least one unit.
    size_t drop = 1;
    sum -= window.front().count;
    while (drop < window.size() && (sum > overlap || sum + next.count > limit)) sum -= window[drop++].count;
    window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  return chunks;
}

}  // namespace rw::core
