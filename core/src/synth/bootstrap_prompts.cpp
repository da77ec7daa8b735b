// Bootstrap prompt templates (see bootstrap_prompts.h).
#include "rw/core/synth/bootstrap_prompts.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

/// The placeholders each step fills.
const std::map<std::string, std::set<std::string>, std::less<>>& placeholders() {
  static const std::map<std::string, std::set<std::string>, std::less<>> known = {
      {"instruction", {"passage", "queries"}},
      {"summary", {"instruction", "chunk"}},
      {"merge", {"instruction", "summaries"}},
      {"answer", {"instruction", "summaries"}},
      {"long_output", {"passage"}}};
  return known;
}

/// Walks a template: calls `text` for literal runs and `key` for each placeholder. Error for an unclosed brace.
template <typename Text, typename Key>
void walk(std::string_view tmpl, const std::string& origin, Text text, Key key) {
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t brace = tmpl.find_first_of("{}", i);
    if (brace == std::string_view::npos) {
      text(tmpl.substr(i));
      return;
    }
    text(tmpl.substr(i, brace - i));
    if (brace + 1 < tmpl.size() && tmpl[brace + 1] == tmpl[brace]) {  // {{ or }}
      text(tmpl.substr(brace, 1));
      i = brace + 2;
      continue;
    }
    const size_t close = tmpl[brace] == '{' ? tmpl.find('}', brace) : std::string_view::npos;
    if (close == std::string_view::npos)
      fail("{}: a lone '{}' at byte {} (write {}{} for a literal brace)", origin, tmpl[brace], brace, tmpl[brace],
           tmpl[brace]);
    key(std::string(tmpl.substr(brace + 1, close - brace - 1)));
    i = close + 1;
  }
}

}  // namespace

std::filesystem::path bootstrap_prompt_dir(const std::filesystem::path& project_dir) {
  return project_dir / "prompts" / "bootstrap";
}

std::vector<std::string> bootstrap_prompt_placeholders(std::string_view name) {
  const auto known = placeholders().find(name);
  if (known == placeholders().end()) fail("'{}' is not a step of the Bootstrap workflow", name);
  return {known->second.begin(), known->second.end()};
}

void check_bootstrap_prompt(std::string_view name, std::string_view text, const std::string& origin) {
  const auto allowed = bootstrap_prompt_placeholders(name);
  walk(text, origin, [](std::string_view) {}, [&](const std::string& key) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      fail("{}: the {} prompt has no placeholder {{{}}} (it has: {})", origin, name, key,
           fmt::format("{{{}}}", fmt::join(allowed, "}, {")));
  });
}

BootstrapPrompts::BootstrapPrompts(const std::filesystem::path& override_dir) {
  for (const BuiltinPrompt& p : builtin_bootstrap_prompts()) {
    Template t{std::string(p.text), "built-in"};
    const auto file = override_dir.empty() ? std::filesystem::path() : override_dir / (std::string(p.name) + ".txt");
    if (!file.empty() && std::filesystem::exists(file)) t = {read_text_file(file), file.string()};
    if (t.text.ends_with('\n')) t.text.pop_back();  // files end in a newline; the message does not
    check_bootstrap_prompt(p.name, t.text, t.origin);
    templates_.emplace(std::string(p.name), std::move(t));
  }
}

std::string BootstrapPrompts::fill(std::string_view name, const std::map<std::string, std::string>& values) const {
  const auto it = templates_.find(name);
  if (it == templates_.end()) fail("no Bootstrap prompt template named '{}'", name);
  std::string out;
  walk(it->second.text, it->second.origin, [&](std::string_view text) { out += text; }, [&](const std::string& key) {
    const auto value = values.find(key);
    if (value == values.end()) fail("{}: no value for {{{}}} in the {} prompt", it->second.origin, key, name);
    out += value->second;
  });
  return out;
}

const std::string& BootstrapPrompts::origin(std::string_view name) const {
  const auto it = templates_.find(name);
  if (it == templates_.end()) fail("no Bootstrap prompt template named '{}'", name);
  return it->second.origin;
}

}  // namespace rw::core
