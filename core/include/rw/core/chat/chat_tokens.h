// A conversation as training tokens with a loss mask: rendered in its chat format (chat_format.h) and
// tokenized so that the mask marks exactly the tokens of the assistant replies (or every token). Not
// packing (data/packing.h) and not reading samples (data/sample_stream.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_format.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// Which tokens of an SFT sample are trained: Responses = the assistant replies with the end-of-turn
/// token the format writes after each (Llama-3 <|eot_id|>, Qwen2 <|im_end|>, Llama-2/Mistral </s>, plain
/// EOS); All = every token.
enum class LossOn { Responses, All };

struct RenderedChat {
  std::vector<std::int32_t> ids;
  std::vector<std::uint8_t> loss_mask;  // per id: 1 = trained (a target), 0 = context only
  /// True when a prefix's tokens were not a prefix of the whole conversation's tokens, so the pieces
  /// between mask boundaries were tokenized separately (the ids then differ slightly from tokenizing the
  /// whole text at once; the mask is exact either way).
  bool tokenized_in_pieces = false;
};

/// Renders and tokenizes a conversation with its loss mask. The mask is computed on the tokens of the
/// whole rendered conversation: each assistant reply's byte range in the rendered text comes from
/// rendering the conversation up to the reply (with the generation prompt) and up to its end, and the
/// token counts of those prefixes give the mask boundaries. Error naming the cause when the template
/// refuses the conversation (e.g. Llama-2 roles not alternating) or a reply cannot be located, and for the
/// completion format, which has no roles.
RenderedChat render_chat(ChatFormat format, const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                         LossOn loss_on);

}  // namespace rw::core
