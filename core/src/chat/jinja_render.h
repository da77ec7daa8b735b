// Renders a parsed chat template with its variables. Private to core/chat.
#pragma once
#include <string>
#include <vector>

#include "jinja_ast.h"

namespace rw::core::detail::jinja {

/// Error "<origin>:<line>: ..." where the template fails or raises.
std::string render_template(const std::vector<StmtPtr>& body, const std::string& origin, Dict variables);

}  // namespace rw::core::detail::jinja
