// A test tokenizer with one token per byte, so token positions are character positions and '.' is one
// token: the task builders' tests measure prompts with it exactly.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/tokenizer/tokenizer.h"

namespace rw::test {

/// ids: 0 <pad>, 1 <s> (BOS), 2 </s> (EOS), byte b -> b + 3.
class ByteTokenizer : public rw::core::Tokenizer {
 public:
  ByteTokenizer() {
    bos_id_ = 1;
    eos_id_ = 2;
    pad_id_ = 0;
    special_ids_ = {0, 1, 2};
  }
  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override {
    std::vector<int32_t> out;
    if (add_special_tokens) out.push_back(1);
    for (const char c : text) out.push_back(static_cast<unsigned char>(c) + 3);
    return out;
  }
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const override {
    std::string out;
    for (const int32_t id : ids) {
      if (id >= 3 && id < 259)
        out += static_cast<char>(id - 3);
      else if (!skip_special_tokens && id >= 0 && id < 3)
        out += id == 0 ? "<pad>" : id == 1 ? "<s>" : "</s>";
    }
    return out;
  }
  int32_t vocab_size() const override { return 259; }
  std::optional<int32_t> token_to_id(std::string_view token) const override {
    if (token.size() == 1) return static_cast<unsigned char>(token[0]) + 3;
    return std::nullopt;
  }
  std::string id_to_token(int32_t id) const override { return decode({id}, false); }
};

}  // namespace rw::test
