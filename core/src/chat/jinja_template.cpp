#include "rw/core/chat/jinja_template.h"

#include <algorithm>

#include "jinja_ast.h"
#include "jinja_render.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace detail {

struct JinjaProgram {
  std::string origin;
  std::vector<jinja::StmtPtr> body;
};

}  // namespace detail

JinjaChatTemplate JinjaChatTemplate::parse(std::string source, std::string origin) {
  auto program = std::make_shared<detail::JinjaProgram>();
  program->origin = std::move(origin);
  program->body = detail::jinja::parse_template(source, program->origin);
  JinjaChatTemplate t;
  t.program_ = std::move(program);
  return t;
}

const std::string& JinjaChatTemplate::origin() const { return program_->origin; }

std::string JinjaChatTemplate::render(const ChatTemplateContext& context) const {
  using namespace detail::jinja;
  if (context.messages.empty())  // apply_chat_template refuses this before the template runs
    fail("{}: cannot apply a chat template to an empty conversation; provide at least one message", program_->origin);
  List messages;
  for (const ChatMessage& m : context.messages) messages.emplace_back(Dict{{"role", Value(m.role)}, {"content", Value(m.content)}});
  // What transformers' render_jinja_template passes: tools and documents are None when not given.
  Dict variables = {{"messages", Value(std::move(messages))},
                    {"add_generation_prompt", Value(context.add_generation_prompt)},
                    {"tools", Value(None{})},
                    {"documents", Value(None{})}};
  if (context.bos_token) variables.emplace_back("bos_token", Value(*context.bos_token));
  if (context.eos_token) variables.emplace_back("eos_token", Value(*context.eos_token));
  for (const auto& [name, json] : context.json_variables) {
    Value value = from_json_text(json, fmt::format("{}: template variable '{}'", program_->origin, name));
    auto it = std::find_if(variables.begin(), variables.end(), [&](auto& kv) { return kv.first == name; });
    if (it != variables.end()) it->second = std::move(value);
    else variables.emplace_back(name, std::move(value));
  }
  return render_template(program_->body, program_->origin, std::move(variables));
}

}  // namespace rw::core
