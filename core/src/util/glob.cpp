// Glob / GlobFilter: gitignore-style path patterns for corpus import. The pattern is split into
// '/'-separated segments once; matching walks path components against segments, and characters of one
// component against one segment, each with the single-backtrack-point wildcard algorithm, so time is
// bounded by (pattern length x path length) — no exponential backtracking on "*a*a*a*b". Not a
// directory walker: callers hand in relative file paths.
#include "rw/core/util/glob.h"

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr std::string_view kAnyFolders = "**";

/// End (one past ']') of the bracket expression that opens at pattern[open]; npos when it is not closed.
/// As in fnmatch, a ']' right after "[" or "[!" is a literal member.
size_t bracket_end(std::string_view pattern, size_t open) {
  size_t i = open + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;
  while (i < pattern.size() && pattern[i] != ']') i += (pattern[i] == '\\' && i + 1 < pattern.size()) ? 2 : 1;
  return i < pattern.size() ? i + 1 : std::string_view::npos;
}

/// Whether byte c is in the bracket expression pattern[open, end).
bool bracket_matches(std::string_view pattern, size_t open, size_t end, unsigned char c) {
  size_t i = open + 1;
  const bool negated = pattern[i] == '!' || pattern[i] == '^';
  if (negated) ++i;
  const size_t close = end - 1;
  bool found = false;
  // A member is one (possibly escaped) byte; a ']' first in the set is literal (bracket_end allowed it).
  const auto member = [&] {
    if (pattern[i] == '\\' && i + 1 < close) ++i;
    return static_cast<unsigned char>(pattern[i++]);
  };
  while (i < close) {
    const unsigned char lo = member();
    unsigned char hi = lo;
    if (i + 1 < close && pattern[i] == '-') {
      ++i;
      hi = member();
    }
    if (lo <= c && c <= hi) found = true;
  }
  return found != negated;
}

/// One segment (no '/') against one path component: '*' any run, '?' one byte, [..] a set, '\x' literal x.
bool segment_matches(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      star_p = p;  // only the latest star needs a backtrack point: it can absorb whatever an earlier one would
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      const char pc = pattern[p];
      const unsigned char c = static_cast<unsigned char>(name[n]);
      size_t next = p + 1;
      bool ok;
      if (pc == '?') {
        ok = true;
      } else if (pc == '[') {
        next = bracket_end(pattern, p);  // validated when the Glob was built
        ok = bracket_matches(pattern, p, next, c);
      } else if (pc == '\\' && p + 1 < pattern.size()) {
        next = p + 2;
        ok = static_cast<unsigned char>(pattern[p + 1]) == c;
      } else {
        ok = static_cast<unsigned char>(pc) == c;
      }
      if (ok) {
        p = next;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

/// Segments against components; "**" matches any number of whole components (same algorithm, one level up).
bool components_match(const std::vector<std::string>& segments, const std::vector<std::string_view>& components) {
  size_t s = 0, c = 0;
  size_t star_s = std::string_view::npos, star_c = 0;
  while (c < components.size()) {
    if (s < segments.size() && segments[s] == kAnyFolders) {
      star_s = ++s;
      star_c = c;
      continue;
    }
    if (s < segments.size() && segment_matches(segments[s], components[c])) {
      ++s;
      ++c;
      continue;
    }
    if (star_s == std::string_view::npos) return false;
    s = star_s;
    c = ++star_c;
  }
  while (s < segments.size() && segments[s] == kAnyFolders) ++s;
  return s == segments.size();
}

}  // namespace

Glob::Glob(std::string pattern) : pattern_(std::move(pattern)) {
  std::string_view body = pattern_;
  if (body.empty()) fail("glob \"{}\": empty pattern", pattern_);
  const bool leading_slash = body.front() == '/';
  const bool trailing_slash = body.back() == '/';
  if (leading_slash) body.remove_prefix(1);
  if (trailing_slash && !body.empty()) body.remove_suffix(1);

  // Split at '/' outside brackets; validating brackets here keeps segment_matches free of error paths.
  std::vector<std::string> parts;
  std::string current;
  bool has_inner_slash = false;
  for (size_t i = 0; i < body.size();) {
    if (body[i] == '/') {
      has_inner_slash = true;
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
      ++i;
      continue;
    }
    size_t next = i + 1;
    if (body[i] == '[') {
      next = bracket_end(body, i);
      if (next == std::string_view::npos) fail("glob \"{}\": unclosed '[' at offset {}", pattern_, i + leading_slash);
    } else if (body[i] == '\\' && i + 1 < body.size()) {
      next = i + 2;
    }
    current.append(body.substr(i, next - i));
    i = next;
  }
  if (!current.empty()) parts.push_back(std::move(current));
  if (parts.empty()) fail("glob \"{}\": empty pattern", pattern_);

  // gitignore: a '/' at the start or in the middle anchors the pattern at the root; otherwise it may start at
  // any depth. A trailing '/' means "everything inside": at least one more component.
  anchored_ = leading_slash || has_inner_slash;
  if (!anchored_) segments_.emplace_back(kAnyFolders);
  for (auto& part : parts) {
    const bool repeats_any_folders = part == kAnyFolders && !segments_.empty() && segments_.back() == kAnyFolders;
    if (!repeats_any_folders) segments_.push_back(std::move(part));
  }
  // "docs/**" is everything inside docs, not docs itself: the last "**" needs at least one component.
  if (trailing_slash && segments_.back() != kAnyFolders) segments_.emplace_back(kAnyFolders);
  if (segments_.back() == kAnyFolders) segments_.emplace_back("*");
}

bool Glob::matches(std::string_view relative_path) const {
  std::vector<std::string_view> components;
  while (!relative_path.empty()) {
    const size_t slash = relative_path.find('/');
    const std::string_view part = relative_path.substr(0, slash);
    if (!part.empty() && part != ".") components.push_back(part);
    if (slash == std::string_view::npos) break;
    relative_path.remove_prefix(slash + 1);
  }
  return !components.empty() && components_match(segments_, components);
}

GlobFilter::GlobFilter(const std::vector<std::string>& includes, const std::vector<std::string>& excludes) {
  includes_.reserve(includes.size());
  for (const auto& pattern : includes) includes_.emplace_back(pattern);
  excludes_.reserve(excludes.size());
  for (const auto& pattern : excludes) excludes_.emplace_back(pattern);
}

bool GlobFilter::selects(std::string_view relative_path) const {
  const auto hit = [&](const std::vector<Glob>& globs) {
    for (const auto& glob : globs)
      if (glob.matches(relative_path)) return true;
    return false;
  };
  return (includes_.empty() || hit(includes_)) && !hit(excludes_);
}

}  // namespace rw::core
