// Scoring functions (see scoring.h).
#include "rw/core/tasks/scoring.h"

#include <cctype>

#include "rw/core/util/error.h"

namespace rw::core {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ruler_clean_prediction(std::string_view output) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  std::size_t b = 0, e = output.size();
  while (b < e && is_space(output[b])) ++b;
  while (e > b && is_space(output[e - 1])) --e;
  std::string out(output.substr(b, e - b));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '\n';
  }
  return out;
}

std::optional<long long> first_integer(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return std::nullopt;
  long long value = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (value > 100'000'000'000'000'000LL) return value;  // absurdly long digit runs: no overflow, never equal
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

double score_output(const ScoreSpec& spec, std::string_view output) {
  if (spec.references.empty()) fail("eval scoring: no reference answer to score against");
  const auto contains = [](const std::string& haystack, const std::string& needle) {
    return haystack.find(ascii_lower(needle)) != std::string::npos;
  };
  switch (spec.method) {
    case ScoreMethod::KeywordFraction:
    case ScoreMethod::MatchAll: {
      const std::string text =
          ascii_lower(spec.method == ScoreMethod::MatchAll ? ruler_clean_prediction(output) : std::string(output));
      std::size_t found = 0;
      for (const std::string& r : spec.references) found += contains(text, r) ? 1 : 0;
      return static_cast<double>(found) / static_cast<double>(spec.references.size());
    }
    case ScoreMethod::Substring:
      return contains(ascii_lower(output), spec.references.front()) ? 1.0 : 0.0;
    case ScoreMethod::MatchPart: {
      const std::string text = ascii_lower(ruler_clean_prediction(output));
      for (const std::string& r : spec.references) {
        if (contains(text, r)) return 1.0;
      }
      return 0.0;
    }
    case ScoreMethod::FirstInteger: {
      const auto got = first_integer(output);
      const auto want = first_integer(spec.references.front());
      return got && want && *got == *want ? 1.0 : 0.0;
    }
  }
  return 0.0;
}

}  // namespace rw::core
