#include "jinja_lexer.h"

#include <algorithm>
#include <cctype>

#include "python_text.h"
#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

namespace rw::core::detail::jinja {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Jinja normalizes every line break to "\n" and drops one trailing newline (keep_trailing_newline=False).
std::string normalize_newlines(std::string_view source) {
  std::string out;
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string source, const std::string& origin) : src_(std::move(source)), origin_(origin) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      const size_t tag = next_tag(pos_);
      if (tag == std::string::npos) {
        emit_text(src_.substr(pos_));
        break;
      }
      const char kind = src_[tag + 1];
      const char sign = tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+') ? src_[tag + 2] : 0;
      if (kind == '%' && lex_raw(tag, sign)) continue;
      emit_text(strip_before(src_.substr(pos_, tag - pos_), sign, kind != '{'));
      advance_to(tag + 2 + (sign ? 1 : 0));
      if (kind == '#')
        skip_comment();
      else
        lex_tag(kind == '{');
    }
    tokens_.push_back({TokenType::End, "", line_});
    return std::move(tokens_);
  }

 private:
  [[noreturn]] void error(int line, const std::string& what) const { fail("{}:{}: {}", origin_, line, what); }

  size_t next_tag(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string::npos && i + 1 < src_.size(); i = src_.find('{', i + 1))
      if (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#') return i;
    return std::string::npos;
  }

  void advance_to(size_t to) {
    line_ += static_cast<int>(std::count(src_.begin() + static_cast<long>(pos_), src_.begin() + static_cast<long>(to), '\n'));
    pos_ = to;
  }

  /// The text before a tag after "-" (strip all trailing whitespace) or lstrip_blocks (for block and comment
  /// tags: the spaces after the last newline, or after a previous tag that ended a line).
  std::string strip_before(std::string text, char sign, bool lstrip) const {
    if (sign == '-') return python_strip(text, StripSide::Right);
    if (sign == '+' || !lstrip) return text;
    const size_t line_start = text.rfind('\n') + 1;  // npos + 1 == 0
    if (line_start == 0 && !line_starting_) return text;
    const std::string_view rest = std::string_view(text).substr(line_start);
    if (rest.empty() || python_strip(rest, StripSide::Left) != "") return text;
    return text.substr(0, line_start);
  }

  /// Text that starts at pos_ (the line counter still points at its first line).
  void emit_text(std::string text) {
    if (!text.empty()) tokens_.push_back({TokenType::Text, std::move(text), line_});
  }

  /// After a tag's closing delimiter: "-" strips all whitespace, "+" nothing, else trim_blocks eats one "\n"
  /// (block and comment tags only).
  void after_tag_end(char sign, bool trim_newline) {
    size_t end = pos_;
    if (sign == '-') {
      while (end < src_.size()) {
        size_t next = end;
        if (!python_isspace(next_code_point(src_, next))) break;
        end = next;
      }
    } else if (sign != '+' && trim_newline && end < src_.size() && src_[end] == '\n') {
      ++end;
    }
    line_starting_ = end > pos_ ? src_[end - 1] == '\n' : false;
    advance_to(end);
  }

  void skip_comment() {
    const int start_line = line_;
    const size_t close = src_.find("#}", pos_);
    if (close == std::string::npos) error(start_line, "unterminated comment '{#' (no '#}')");
    const char sign = close > pos_ && (src_[close - 1] == '-' || src_[close - 1] == '+') ? src_[close - 1] : 0;
    advance_to(close + 2);
    after_tag_end(sign, true);
  }

  /// Matches "{%[-+]? *word *[-+]?%}" at `at`; returns the position after it and the closing sign.
  bool match_word_tag(size_t at, std::string_view word, size_t& after, char& close_sign) const {
    size_t i = at + 2;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) ++i;
    while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) ++i;
    if (src_.compare(i, word.size(), word) != 0) return false;
    i += word.size();
    while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) ++i;
    close_sign = 0;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) close_sign = src_[i++];
    if (src_.compare(i, 2, "%}") != 0) return false;
    after = i + 2;
    return true;
  }

  /// {% raw %}...{% endraw %}: the text between is output as is.
  bool lex_raw(size_t tag, char sign) {
    size_t body = 0;
    char begin_close = 0;
    if (!match_word_tag(tag, "raw", body, begin_close)) return false;
    emit_text(strip_before(src_.substr(pos_, tag - pos_), sign, true));
    const int start_line = line_;
    advance_to(body);
    after_tag_end(begin_close == '-' ? '-' : '+', false);  // "{% raw %}" never trims the newline after it
    for (size_t end_tag = next_tag(pos_); end_tag != std::string::npos; end_tag = next_tag(end_tag + 1)) {
      size_t after = 0;
      char close = 0;
      if (src_[end_tag + 1] != '%' || !match_word_tag(end_tag, "endraw", after, close)) continue;
      const char end_sign = src_[end_tag + 2] == '-' || src_[end_tag + 2] == '+' ? src_[end_tag + 2] : 0;
      emit_text(strip_before(src_.substr(pos_, end_tag - pos_), end_sign, true));
      advance_to(after);
      after_tag_end(close, true);
      return true;
    }
    error(start_line, "'{% raw %}' is not closed (no '{% endraw %}')");
  }

  void lex_tag(bool variable) {
    const int start_line = line_;
    tokens_.push_back({variable ? TokenType::VarBegin : TokenType::BlockBegin, variable ? "{{" : "{%", line_});
    std::string brackets;
    while (true) {
      while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_]))) advance_to(pos_ + 1);
      if (pos_ >= src_.size())
        error(start_line, fmt::format("unterminated '{}' (no '{}' before the end of the template)",
                                      variable ? "{{" : "{%", variable ? "}}" : "%}"));
      if (brackets.empty() && close_tag(variable)) return;
      lex_token(brackets);
    }
  }

  bool close_tag(bool variable) {
    const std::string_view close = variable ? "}}" : "%}";
    char sign = 0;
    size_t at = pos_;
    if ((src_[at] == '-' || (!variable && src_[at] == '+')) && src_.compare(at + 1, 2, close) == 0) sign = src_[at++];
    if (src_.compare(at, 2, close) != 0) return false;
    tokens_.push_back({variable ? TokenType::VarEnd : TokenType::BlockEnd, std::string(close), line_});
    advance_to(at + 2);
    after_tag_end(sign, !variable);
    return true;
  }

  void lex_token(std::string& brackets) {
    const char c = src_[pos_];
    if (is_name_start(c)) {
      size_t end = pos_ + 1;
      while (end < src_.size() && is_name_char(src_[end])) ++end;
      push(TokenType::Name, src_.substr(pos_, end - pos_), end);
    } else if (is_digit(c)) {
      lex_number();
    } else if (c == '\'' || c == '"') {
      lex_string(c);
    } else {
      static const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
                                               "]",  "(",  ")",  "{",  "}",  "<",  ">", "=", ".", ":", "|", ",", ";"};
      for (const char* op : kOperators) {
        const std::string_view spelled(op);
        if (src_.compare(pos_, spelled.size(), spelled) != 0) continue;
        if (spelled == "(" || spelled == "[" || spelled == "{") brackets += op[0];
        if (spelled == ")" || spelled == "]" || spelled == "}") {
          const char open = spelled == ")" ? '(' : spelled == "]" ? '[' : '{';
          if (brackets.empty() || brackets.back() != open) error(line_, fmt::format("unexpected '{}'", spelled));
          brackets.pop_back();
        }
        push(TokenType::Operator, std::string(spelled), pos_ + spelled.size());
        return;
      }
      error(line_, fmt::format("unexpected character '{}' in a tag", src_.substr(pos_, utf8_char_length())));
    }
  }

  size_t utf8_char_length() const {
    size_t next = pos_;
    next_code_point(src_, next);
    return next - pos_;
  }

  void push(TokenType type, std::string text, size_t end) {
    tokens_.push_back({type, std::move(text), line_});
    advance_to(end);
  }

  size_t digits_from(size_t i) const {  // digits with single "_" separators, as Python allows
    while (i < src_.size() && (is_digit(src_[i]) || (src_[i] == '_' && i + 1 < src_.size() && is_digit(src_[i + 1])))) ++i;
    return i;
  }

  void lex_number() {
    size_t end = digits_from(pos_);
    bool is_float = false;
    if (end + 1 < src_.size() && src_[end] == '.' && is_digit(src_[end + 1])) end = digits_from(end + 1), is_float = true;
    if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
      size_t exp = end + 1;
      if (exp < src_.size() && (src_[exp] == '+' || src_[exp] == '-')) ++exp;
      if (exp < src_.size() && is_digit(src_[exp])) end = digits_from(exp), is_float = true;
    }
    std::string text = src_.substr(pos_, end - pos_);
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    push(is_float ? TokenType::Float : TokenType::Integer, std::move(text), end);
  }

  void lex_string(char quote) {
    const int start_line = line_;
    std::string value;
    size_t i = pos_ + 1;
    while (true) {
      if (i >= src_.size()) error(start_line, "unterminated string literal");
      const char c = src_[i];
      if (c == quote) break;
      if (c != '\\' || i + 1 >= src_.size()) {
        value += c, ++i;
        continue;
      }
      i = decode_escape(i, value);
    }
    push(TokenType::String, std::move(value), i + 1);
  }

  /// Python's unicode-escape decoding of one backslash sequence at src_[i]; returns the position after it.
  size_t decode_escape(size_t i, std::string& out) const {
    const char e = src_[i + 1];
    auto hex = [&](size_t at, size_t n) {
      char32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        const char h = at + k < src_.size() ? src_[at + k] : 0;
        if (!std::isxdigit(static_cast<unsigned char>(h))) error(line_, "truncated \\x, \\u or \\U escape in a string");
        v = v * 16 + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
      }
      return v;
    };
    switch (e) {
      case '\n': return i + 2;  // a line continuation
      case '\\': out += '\\'; return i + 2;
      case '\'': out += '\''; return i + 2;
      case '"': out += '"'; return i + 2;
      case 'n': out += '\n'; return i + 2;
      case 't': out += '\t'; return i + 2;
      case 'r': out += '\r'; return i + 2;
      case 'a': out += '\a'; return i + 2;
      case 'b': out += '\b'; return i + 2;
      case 'f': out += '\f'; return i + 2;
      case 'v': out += '\v'; return i + 2;
      case 'x': append_utf8(out, hex(i + 2, 2)); return i + 4;
      case 'u': append_utf8(out, hex(i + 2, 4)); return i + 6;
      case 'U': append_utf8(out, hex(i + 2, 8)); return i + 10;
      case 'N': error(line_, "\\N{...} escapes are not supported by Ropewalk's chat-template interpreter");
      default:
        if (e >= '0' && e <= '7') {
          char32_t v = 0;
          size_t k = i + 1;
          for (; k < i + 4 && k < src_.size() && src_[k] >= '0' && src_[k] <= '7'; ++k) v = v * 8 + static_cast<char32_t>(src_[k] - '0');
          append_utf8(out, v);
          return k;
        }
        out += '\\';  // Python keeps unknown escapes as written
        return i + 1;
    }
  }

  std::string src_;
  const std::string& origin_;
  size_t pos_ = 0;
  int line_ = 1;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const std::string& origin) {
  return Lexer(normalize_newlines(source), origin).run();
}

}  // namespace rw::core::detail::jinja
