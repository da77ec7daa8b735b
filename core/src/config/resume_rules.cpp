// Run-config changes on resume (see resume_rules.h), decided on the configs' canonical JSON.
#include "rw/core/config/resume_rules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace rw::core {
namespace {

using json = nlohmann::ordered_json;

json canonical(const RunConfig& c) { return json::parse(run_config_to_json(c)); }

/// The first path where a and b differ ("" when equal), with the two values.
std::string first_difference(const json& a, const json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string sub = path.empty() ? key : path + "." + key;
      if (!b.contains(key)) return fmt::format("{}: {} -> (removed)", sub, value.dump());
      if (auto d = first_difference(value, b.at(key), sub); !d.empty()) return d;
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key))
        return fmt::format("{}: (unset) -> {}", path.empty() ? key : path + "." + key, value.dump());
    }
    return "";
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (auto d = first_difference(a[i], b[i], fmt::format("{}[{}]", path, i)); !d.empty()) return d;
    }
    return "";
  }
  return a == b ? "" : fmt::format("{}: {} -> {}", path, a.dump(), b.dump());
}

constexpr const char* kFreeKeys[] = {"description", "eval", "checkpoint"};

/// A stage's JSON without its length (steps or tokens): what must not change once the stage has begun.
json without_length(json stage) {
  stage.erase("steps");
  stage.erase("tokens");
  return stage;
}

}  // namespace

std::string resume_refusal(const RunConfig& trained, const RunConfig& now, std::int64_t stage,
                           std::int64_t stage_step) {
  json a = canonical(trained), b = canonical(now);
  for (const char* key : kFreeKeys) {
    a.erase(key);
    b.erase(key);
  }
  json stages_a = a["stages"], stages_b = b["stages"];
  a.erase("stages");
  b.erase("stages");
  if (auto d = first_difference(a, b, ""); !d.empty()) return d;
  const auto current = static_cast<size_t>(stage);
  if (stages_b.size() <= current)
    return fmt::format("stages: {} stages, but the run stopped in stages[{}]", stages_b.size(), stage);
  for (size_t i = 0; i <= current; ++i) {
    const bool in_progress = i == current;
    if (in_progress && stage_steps(now, now.stages[i]) < stage_step)
      return fmt::format("stages[{}].steps: {} -> {}, fewer than the {} steps it has done", i,
                         stage_steps(trained, trained.stages[i]), stage_steps(now, now.stages[i]), stage_step);
    const json sa = in_progress ? without_length(stages_a.at(i)) : stages_a.at(i);
    const json sb = in_progress ? without_length(stages_b.at(i)) : stages_b.at(i);
    if (auto d = first_difference(sa, sb, fmt::format("stages[{}]", i)); !d.empty()) return d;
  }
  return "";
}

std::string resume_changes(const RunConfig& trained, const RunConfig& now) {
  const json a = canonical(trained), b = canonical(now);
  std::vector<std::string> changed;
  for (const auto& [key, value] : b.items()) {
    if (key == "stages") continue;
    if (!a.contains(key) || a.at(key) != value) changed.push_back(key);
  }
  const json &sa = a.at("stages"), &sb = b.at("stages");
  for (size_t i = 0; i < std::max(sa.size(), sb.size()); ++i) {
    if (i >= sb.size()) {
      changed.push_back(fmt::format("stages[{}] removed", i));
    } else if (i >= sa.size()) {
      changed.push_back(fmt::format("stages[{}] added", i));
    } else if (sa[i] != sb[i]) {
      const bool length_only = without_length(sa[i]) == without_length(sb[i]);
      changed.push_back(length_only ? fmt::format("stages[{}].steps", i) : fmt::format("stages[{}]", i));
    }
  }
  return fmt::format("{}", fmt::join(changed, ", "));
}

}  // namespace rw::core
