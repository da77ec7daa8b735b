// Minimal command-line parsing for ropewalk-cli: positionals, --flag value, --flag=value, repeats.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rw::app {

class CliArgs {
 public:
  /// `switches` are flags without a value; every other --flag takes one. Unknown flags are errors
  /// (checked against `known`), so a typo never silently falls back to a default.
  CliArgs(const std::vector<std::string>& argv, const std::set<std::string>& known,
          const std::set<std::string>& switches = {});
  const std::vector<std::string>& positionals() const { return positionals_; }
  bool has(const std::string& flag) const { return values_.count(flag) != 0; }
  std::optional<std::string> get(const std::string& flag) const;
  std::vector<std::string> all(const std::string& flag) const;
  std::string get_or(const std::string& flag, const std::string& fallback) const;
  int64_t get_int(const std::string& flag, int64_t fallback) const;
  double get_double(const std::string& flag, double fallback) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace rw::app
