#include "args.h"

#include "rw/core/util/error.h"

namespace rw::app {

using rw::core::fail;

CliArgs::CliArgs(const std::vector<std::string>& argv, const std::set<std::string>& known,
                 const std::set<std::string>& switches) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const auto& arg = argv[i];
    if (!arg.starts_with("--")) {
      positionals_.push_back(arg);
      continue;
    }
    auto name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (!known.count(name) && !switches.count(name)) fail("unknown option --{}", name);
    if (switches.count(name)) {
      if (value) fail("option --{} takes no value", name);
      values_[name].push_back("1");
      continue;
    }
    if (!value) {
      if (i + 1 >= argv.size()) fail("option --{} needs a value", name);
      value = argv[++i];
    }
    values_[name].push_back(*value);
  }
}

std::optional<std::string> CliArgs::get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CliArgs::all(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string CliArgs::get_or(const std::string& flag, const std::string& fallback) const {
  return get(flag).value_or(fallback);
}

int64_t CliArgs::get_int(const std::string& flag, int64_t fallback) const {
  auto v = get(flag);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const auto n = std::stoll(*v, &used);
    if (used == v->size()) return n;
  } catch (const std::exception&) {
  }
  fail("option --{} needs an integer, got '{}'", flag, *v);
}

double CliArgs::get_double(const std::string& flag, double fallback) const {
  auto v = get(flag);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const auto x = std::stod(*v, &used);
    if (used == v->size()) return x;
  } catch (const std::exception&) {
  }
  fail("option --{} needs a number, got '{}'", flag, *v);
}

}  // namespace rw::app
