// How an SFT sample (a conversation) becomes training tokens with a loss mask: the chat format (one of
// the families' official templates, or the built-in "plain" format for from-scratch models that have
// none) and which tokens the loss is on. Not the templates themselves (tokenizer/chat_template.h) and
// not packing (packing.h) or reading samples (sample_stream.h).
//
// The "plain" format, for a tokenizer with BOS and EOS ids:
//   [BOS] "System:\n{content}\n" "User:\n{content}\n" "Assistant:\n{content}" [EOS] "\n" "User:\n..." ...
// i.e. each message is its role name, a colon and a newline, then the content and "\n"; an assistant reply
// ends with the EOS token instead, and "\n" follows it only when another message does. The newline after the colon (not
// a space) keeps the reply's first token from merging with the prompt, so the prompt's tokens are a prefix of the
// conversation's. The text between BOS/EOS ids is tokenized without special tokens. Without BOS nothing is prepended;
// without EOS the "\n" after a reply ends it (and is trained as its end-of-turn).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/tokenizer/chat_template.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// A chat family's official template (chat_template.h) or Plain (see the file comment).
enum class ChatFormat { Llama2, Llama3, Mistral, Qwen2, Plain };

/// Which tokens of an SFT sample are trained: Responses = the assistant replies with the end-of-turn
/// token the format writes after each (Llama-3 <|eot_id|>, Qwen2 <|im_end|>, Llama-2/Mistral </s>, plain
/// EOS); All = every token.
enum class LossOn { Responses, All };

/// "llama2" | "llama3" | "mistral" | "qwen2" | "plain"; Error listing them otherwise.
ChatFormat chat_format_from_name(std::string_view name);
std::string_view chat_format_name(ChatFormat format);
/// The template family of a format; nothing for Plain.
std::optional<ChatFamily> chat_format_family(ChatFormat format);
/// The format that renders with a family's official template.
ChatFormat chat_format_of(ChatFamily family);

/// The plain format's text of a prompt: the system and user messages, then the generation prompt
/// "Assistant:\n". Tokenized after BOS (add_special_tokens) it gives the same tokens as render_chat of a
/// conversation made of these messages and a reply, up to the reply's first token. Error for other roles.
std::string plain_chat_prompt(const std::vector<ChatMessage>& messages);

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
/// refuses the conversation (e.g. Llama-2 roles not alternating) or a reply cannot be located.
RenderedChat render_chat(ChatFormat format, const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                         LossOn loss_on);

}  // namespace rw::core
