// The haystack text Ropewalk ships for NIAH and RULER's essay tasks when none is given: an original short
// story written for Ropewalk and dedicated to the public domain (CC0), so it may be redistributed. The
// gkamradt original uses Paul Graham essays, which are copyrighted and not redistributable; scores on
// different haystacks are not strictly comparable, so every score records the haystack's name.
// The text is also committed as resources/eval/haystack_lighthouse.txt; a test checks they are equal.
#pragma once
#include <string_view>

namespace rw::core {

inline constexpr std::string_view kBuiltinHaystackName = "ropewalk-lighthouse-cc0";

/// The built-in haystack text (about 1,400 words of English prose, no digits).
std::string_view builtin_haystack_text();

}  // namespace rw::core
