#include "python_text.h"

#include <unicode/uchar.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

namespace rw::core::detail {
namespace {

std::string icu_case(std::string_view s, bool upper) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  // The root locale gives the language-independent full mappings Python uses (e.g. "ß".upper() == "SS").
  if (upper)
    u.toUpper(icu::Locale::getRoot());
  else
    u.toLower(icu::Locale::getRoot());
  std::string out;
  u.toUTF8String(out);
  return out;
}

bool is_cased(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_CASED); }

void append_title(std::string& out, char32_t c) { append_utf8(out, static_cast<char32_t>(u_totitle(static_cast<UChar32>(c)))); }

}  // namespace

bool python_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string python_strip(std::string_view s, StripSide side, const std::optional<std::string>& chars) {
  const std::u32string set = chars ? to_code_points(*chars) : std::u32string();
  auto strippable = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : python_isspace(c); };
  size_t begin = 0;
  while (side != StripSide::Right && begin < s.size()) {
    size_t next = begin;
    if (!strippable(next_code_point(s, next))) break;
    begin = next;
  }
  size_t end = s.size();
  while (side != StripSide::Left && end > begin) {
    size_t start = end;
    if (!strippable(prev_code_point(s, end, start))) break;
    end = start;
  }
  return std::string(s.substr(begin, end - begin));
}

std::vector<std::string> python_split(std::string_view s, const std::optional<std::string>& sep, long maxsplit) {
  std::vector<std::string> parts;
  if (sep) {
    if (sep->empty()) fail("str.split(): empty separator");
    size_t start = 0;
    for (size_t at; (maxsplit < 0 || static_cast<long>(parts.size()) < maxsplit) &&
                    (at = s.find(*sep, start)) != std::string_view::npos;
         start = at + sep->size())
      parts.emplace_back(s.substr(start, at - start));
    parts.emplace_back(s.substr(start));
    return parts;
  }
  size_t i = 0;
  while (true) {
    size_t word = i;  // skip a whitespace run
    while (word < s.size()) {
      size_t next = word;
      if (!python_isspace(next_code_point(s, next))) break;
      word = next;
    }
    if (word >= s.size()) break;
    if (maxsplit >= 0 && static_cast<long>(parts.size()) >= maxsplit) {  // the rest, right-stripped, is one part
      parts.push_back(python_strip(s.substr(word), StripSide::Right));
      break;
    }
    size_t end = word;
    while (end < s.size()) {
      size_t next = end;
      if (python_isspace(next_code_point(s, next))) break;
      end = next;
    }
    parts.emplace_back(s.substr(word, end - word));
    i = end;
  }
  return parts;
}

std::vector<std::string> python_splitlines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0, i = 0;
  while (i < s.size()) {
    size_t next = i;
    const char32_t c = next_code_point(s, next);
    const bool is_break = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
                          c == 0x2028 || c == 0x2029;
    if (is_break) {
      lines.emplace_back(s.substr(start, i - start));
      if (c == '\r' && next < s.size() && s[next] == '\n') ++next;
      start = next;
    }
    i = next;
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string python_upper(std::string_view s) { return icu_case(s, true); }
std::string python_lower(std::string_view s) { return icu_case(s, false); }

std::string python_title(std::string_view s) {
  std::string out;
  bool previous_cased = false;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = next_code_point(s, i);
    if (previous_cased)
      out += python_lower(s.substr(start, i - start));
    else
      append_title(out, c);
    previous_cased = is_cased(c);
  }
  return out;
}

std::string python_capitalize(std::string_view s) {
  if (s.empty()) return {};
  size_t i = 0;
  std::string out;
  append_title(out, next_code_point(s, i));
  return out + python_lower(s.substr(i));
}

std::string python_replace(std::string_view s, std::string_view old, std::string_view with, long count) {
  std::string out;
  long done = 0;
  if (old.empty()) {  // "ab".replace("", "-") == "-a-b-"
    for (size_t i = 0; i <= s.size();) {
      if (count < 0 || done < count) out += with, ++done;
      if (i == s.size()) break;
      const size_t start = i;
      next_code_point(s, i);
      out += s.substr(start, i - start);
    }
    return out;
  }
  size_t start = 0;
  for (size_t at; (count < 0 || done < count) && (at = s.find(old, start)) != std::string_view::npos; ++done) {
    out += s.substr(start, at - start);
    out += with;
    start = at + old.size();
  }
  out += s.substr(start);
  return out;
}

std::u32string to_code_points(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i));
  return out;
}

std::string from_code_points(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

}  // namespace rw::core::detail
