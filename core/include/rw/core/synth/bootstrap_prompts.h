// The prompt templates of the Bootstrap workflow: the defaults compiled in from resources/synth/bootstrap/
// (one user message each, `{name}` placeholders), each replaced by PROJECT/prompts/bootstrap/NAME.txt when
// the project has one. Not the workflow (bootstrap_samples.cpp).
#pragma once
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

struct BuiltinPrompt {
  std::string_view name;  ///< instruction | summary | merge | answer | long_output
  std::string_view text;
};

/// The compiled-in templates (generated from resources/synth/bootstrap/*.txt).
std::span<const BuiltinPrompt> builtin_bootstrap_prompts();

/// Where a project keeps its overrides: PROJECT/prompts/bootstrap.
std::filesystem::path bootstrap_prompt_dir(const std::filesystem::path& project_dir);

/// The placeholders step `name` fills ("instruction" -> passage, queries); Error for an unknown step.
std::vector<std::string> bootstrap_prompt_placeholders(std::string_view name);

/// Checks a template for step `name`: every placeholder one the step fills, every brace closed or doubled.
/// Error starting with `origin` (a file, or "built-in") naming the cause.
void check_bootstrap_prompt(std::string_view name, std::string_view text, const std::string& origin);

class BootstrapPrompts {
 public:
  /// The built-in templates, each overridden by `override_dir`/NAME.txt when that file exists (an empty
  /// path: none). Error naming a file that cannot be read or uses a placeholder its step does not have.
  explicit BootstrapPrompts(const std::filesystem::path& override_dir = {});

  /// The template `name` with every `{key}` replaced by values[key] and `{{`/`}}` by braces. Error naming the
  /// template when it has no such name.
  std::string fill(std::string_view name, const std::map<std::string, std::string>& values) const;
  /// "built-in" or the override file's path (provenance).
  const std::string& origin(std::string_view name) const;

 private:
  struct Template {
    std::string text, origin;
  };
  std::map<std::string, Template, std::less<>> templates_;
};

}  // namespace rw::core
