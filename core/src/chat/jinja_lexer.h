// Splits a chat template into text and the tokens inside its tags, with the whitespace control transformers
// configures (trim_blocks: a block or comment tag eats the newline after it; lstrip_blocks: spaces before a
// block or comment tag on its own line go; "{%-"/"-%}" strip all whitespace on that side; "+" keeps it).
// Private to core/chat.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rw::core::detail::jinja {

enum class TokenType { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End };

struct Token {
  TokenType type;
  std::string text;  // Text: the text; String: the decoded value; others: the spelling
  int line;
};

/// Error "<origin>:<line>: ..." for an unterminated tag, comment or string, or a character no token starts with.
std::vector<Token> tokenize(std::string_view source, const std::string& origin);

}  // namespace rw::core::detail::jinja
