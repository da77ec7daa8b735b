// What to tell a user about an exception: its message, without the C++ backtrace LibTorch appends to
// its own errors (that is for LibTorch's developers); an allocation failure (std::bad_alloc, LibTorch's CPU
// allocator) reads "out of memory: ..." with the size when known.
#pragma once
#include <exception>
#include <string>

namespace rw::core {

std::string exception_message(const std::exception& e);

}  // namespace rw::core
