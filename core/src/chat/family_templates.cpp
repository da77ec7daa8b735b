#include "family_templates.h"

#include <map>
#include <optional>

#include "rw/core/chat/jinja_template.h"
#include "rw/core/util/error.h"

namespace rw::core::detail {
namespace {

struct FamilyTokens {
  ChatFormat format;
  std::optional<std::string> bos, eos;
};

// The special tokens each family's tokenizer gives its template.
const FamilyTokens kFamilyTokens[] = {
    {ChatFormat::Llama2, "<s>", "</s>"},
    {ChatFormat::Llama3, "<|begin_of_text|>", "<|end_of_text|>"},
    {ChatFormat::Mistral, "<s>", "</s>"},
    {ChatFormat::Qwen2, std::nullopt, "<|im_end|>"},
};

/// Every family's template, parsed once (thread-safe static initialization).
const std::map<ChatFormat, ModelChatTemplate>& parsed_families() {
  static const std::map<ChatFormat, ModelChatTemplate> parsed = [] {
    std::map<ChatFormat, ModelChatTemplate> out;
    for (const FamilyTokens& family : kFamilyTokens) {
      const std::string_view name = chat_format_name(family.format);
      const std::string file = "resources/chat/" + std::string(name) + ".jinja";
      for (const BuiltinChatTemplate& t : builtin_chat_templates())
        if (t.name == name)
          out.emplace(family.format, ModelChatTemplate{JinjaChatTemplate::parse(std::string(t.text), file), file,
                                                       family.bos, family.eos});
      RW_CHECK(out.count(family.format), "no built-in chat template resources/chat/{}.jinja", name);
    }
    return out;
  }();
  return parsed;
}

}  // namespace

std::string render_family_template(ChatFormat format, const std::vector<ChatMessage>& messages,
                                   bool add_generation_prompt) {
  const auto& families = parsed_families();
  const auto it = families.find(format);
  if (it == families.end())
    fail("the {} chat format has no template text (its turns end in token ids; see render_chat)",
         chat_format_name(format));
  return it->second.render(messages, add_generation_prompt);
}

}  // namespace rw::core::detail
