// Small file helpers with the guarantees Ropewalk's stores need (whole-file reads, atomic writes).
#pragma once
#include <filesystem>
#include <string>

namespace rw::core {

/// Whole file as bytes; Error naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// Writes via a temp file in the same folder + fsync + rename: readers see the old or the new file,
/// never a partial one. Error naming the file on failure (the temp file is removed).
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

/// A fresh, unused sibling path: `<path>.<tag>-<pid>-<counter>`.
std::filesystem::path sibling_temp_path(const std::filesystem::path& path, const std::string& tag);

}  // namespace rw::core
