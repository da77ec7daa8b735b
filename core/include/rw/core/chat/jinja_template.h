// A HF chat template (tokenizer_config.json "chat_template", a Jinja2 file) parsed once and rendered many times,
// with the semantics transformers' apply_chat_template gives it: Jinja2 with trim_blocks, lstrip_blocks and
// loop controls, its sandbox's immutable values, and transformers' globals (raise_exception, namespace, dict,
// a json.dumps-like tojson). The subset is what chat templates use: statements for/if/set/break/continue/
// generation/raw, Python expressions, Jinja2's common filters and tests, str and dict methods;
// anything else (macro, include, extends, call, unknown filters or tests, ...) is refused with an Error naming
// the construct, the template's origin and the line, never skipped.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rw/core/chat/chat_format.h"

namespace rw::core {

/// What a chat template sees. Messages become dicts {"role", "content"}.
struct ChatTemplateContext {
  std::vector<ChatMessage> messages;
  bool add_generation_prompt = false;
  /// Undefined in the template when absent (transformers passes only the special tokens a tokenizer has).
  std::optional<std::string> bos_token, eos_token;
  /// Further variables as JSON text by name, e.g. {"tools", "[{...}]"} or {"date_string", "\"26 Jul 2024\""}.
  /// "tools" and "documents" are none unless given here, as transformers passes them.
  std::map<std::string, std::string> json_variables;
};

namespace detail {
struct JinjaProgram;
}

class JinjaChatTemplate {
 public:
  /// Error "<origin>:<line>: ..." for syntax errors and unsupported constructs.
  static JinjaChatTemplate parse(std::string source, std::string origin);
  /// Error "<origin>:<line>: ..." where rendering fails; where the template calls raise_exception(msg) the
  /// message contains msg. Error for an empty conversation, as apply_chat_template refuses one.
  std::string render(const ChatTemplateContext& context) const;
  const std::string& origin() const;

 private:
  std::shared_ptr<const detail::JinjaProgram> program_;
};

/// A parsed chat template with the file it came from and the special tokens it sees: a model folder's own
/// (read_model_chat_template) or a family's built-in one.
struct ModelChatTemplate {
  JinjaChatTemplate jinja;
  std::filesystem::path file;                       ///< where it was read, for messages and reports
  std::optional<std::string> bos_token, eos_token;  ///< the tokenizer's, as the template sees them

  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
  /// The conversation with the generation prompt, tokenized as apply_chat_template(tokenize=True) does: the
  /// template writes any BOS itself, so no special tokens are added.
  Prompt prompt(const std::vector<ChatMessage>& messages) const;
};

/// The folder's own chat template, found where transformers looks: chat_template.jinja first, then
/// tokenizer_config.json's "chat_template" (a string, or a list of named templates of which "default" is used).
/// Nothing when the folder has none; Error naming the file when it has one that cannot be read or parsed (an
/// unsupported construct is named with its line).
std::optional<ModelChatTemplate> read_model_chat_template(const std::filesystem::path& model_dir);
/// As read_model_chat_template, but Error naming the folder when it has no chat template.
ModelChatTemplate require_model_chat_template(const std::filesystem::path& model_dir);

}  // namespace rw::core
