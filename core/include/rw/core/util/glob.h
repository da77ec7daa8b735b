// Path globs for corpus import (--include / --exclude), in the gitignore style users know:
//   *  any run of characters except '/'      ?  one character except '/'
//   ** any number of whole folders (a/**/b matches a/b, a/x/b, a/x/y/b; **/x matches x at any depth)
//   [abc] [a-z] [!a-z]  one character from / not from a set
// A pattern without '/' matches the file name at any depth ("*.py" matches "src/x.py").
// As in gitignore, a leading '/' only anchors ("/setup.py"), a trailing '/' selects everything inside such a
// folder ("build/" matches build/x and a/build/y/z), and a backslash makes the next character literal.
// Paths are relative, '/'-separated. Matching is on bytes (UTF-8 names compare byte-wise).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

class Glob {
 public:
  /// Error naming the pattern on an unclosed '[' or an empty pattern.
  explicit Glob(std::string pattern);
  bool matches(std::string_view relative_path) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  bool anchored_ = false;              // pattern contains '/', so it matches from the root
  std::vector<std::string> segments_;  // the pattern split at '/'; "**" segments match any number of folders
};

/// A file is selected when it matches some include (or includes is empty) and no exclude.
class GlobFilter {
 public:
  GlobFilter(const std::vector<std::string>& includes, const std::vector<std::string>& excludes);
  bool selects(std::string_view relative_path) const;

 private:
  std::vector<Glob> includes_, excludes_;
};

}  // namespace rw::core
