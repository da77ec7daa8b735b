// rw::core::Error (thrown at API boundaries with context) and RW_CHECK (invariants, with file:line).
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace rw::core {

/// Where in a user's file an error was found, when known (the worker protocol's error event carries it so
/// the GUI can point at the field). Empty strings = unknown.
struct ErrorContext {
  std::string file;       ///< the file (or "command line") the value came from
  std::string json_path;  ///< e.g. "stages[1].rope.theta"
  std::string key;        ///< the last key of the path, e.g. "theta"
};

/// The one exception type core throws. The message names the thing (file, tensor, key) and the cause.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorContext context = {})
      : std::runtime_error(message), context_(std::move(context)) {}
  const ErrorContext& context() const { return context_; }

 private:
  ErrorContext context_;
};

/// Formats and throws an Error.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

namespace detail {
[[noreturn]] void check_failed(const char* file, int line, const char* condition, const std::string& message);
}  // namespace detail

}  // namespace rw::core

/// RW_CHECK(cond, "fmt {}", args...) throws rw::core::Error with file:line when cond is false.
#define RW_CHECK(cond, ...)                                                                              \
  do {                                                                                                   \
    if (!(cond)) ::rw::core::detail::check_failed(__FILE__, __LINE__, #cond, ::fmt::format(__VA_ARGS__)); \
  } while (false)
