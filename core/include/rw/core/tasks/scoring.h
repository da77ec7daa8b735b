// How an eval output is scored, as data (ScoreSpec) plus pure scoring functions: NIAH keyword fraction or
// answer substring, passkey first-integer match, RULER string_match_all / string_match_part. Scores are in
// [0, 1] (RULER's x100 is applied only when aggregating for display). No LLM judge.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

enum class ScoreMethod {
  KeywordFraction,  ///< fraction of references found as case-insensitive substrings (NIAH forks)
  Substring,        ///< 1 when the single reference is a case-insensitive substring, else 0
  FirstInteger,     ///< 1 when the first run of digits in the output equals the reference (passkey)
  MatchAll,         ///< RULER string_match_all: fraction of references contained (after RULER's cleanup)
  MatchPart,        ///< RULER string_match_part: 1 when any reference is contained
};

struct ScoreSpec {
  ScoreMethod method = ScoreMethod::Substring;
  std::vector<std::string> references;
};

/// The score in [0, 1]. Error when a method needing references has none.
double score_output(const ScoreSpec& spec, std::string_view output);

/// ASCII lower-casing (the haystacks and answers are ASCII; other bytes are kept).
std::string ascii_lower(std::string_view text);

/// RULER's prediction cleanup: strip surrounding whitespace, then control characters [\x00-\x1f] -> '\n'.
std::string ruler_clean_prediction(std::string_view output);

/// The first run of ASCII digits in `text` as an integer (passkey parsing: `re.search(r"\d+")`), if any.
std::optional<long long> first_integer(std::string_view text);

}  // namespace rw::core
