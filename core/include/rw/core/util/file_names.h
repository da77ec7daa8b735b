// A user-given name (a run, a dataset, a model) as part of a file or folder name.
#pragma once
#include <string>
#include <string_view>

namespace rw::core {

/// `name` with every character other than ASCII letters, digits, '.', '-' and '_' replaced by '_', so it can
/// neither leave the folder it is written in nor hold characters file systems refuse. May be empty.
std::string file_name_chars(std::string_view name);

}  // namespace rw::core
