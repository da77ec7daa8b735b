// Small file helpers with the guarantees Ropewalk's stores need (whole-file reads, atomic writes).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

/// Whole file as bytes; Error naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// Writes the concatenation of `pieces` via a uniquely named temp file in the same folder, fsync, rename
/// over `path`, and an fsync of the folder: readers see the old or the new file, never a partial one.
/// Error naming the file on failure (the temp file is removed).
void write_file_atomic(const std::filesystem::path& path, const std::vector<std::string_view>& pieces);
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

/// fsyncs a folder so renames and unlinks in it are durable.
void fsync_directory(const std::filesystem::path& dir);

/// Removes a file or a folder with everything in it (symlinks are removed, never followed); nothing when
/// the path does not exist. Error naming the entry that could not be removed. Use this, not
/// std::filesystem::remove_all: the torch wheel's libtorch.so exports its own std::filesystem functions,
/// which our binaries bind to, and its remove_all crashes on nested folders.
void remove_tree(const std::filesystem::path& path);

/// A fresh, unused sibling path: `<path>.<tag>-<pid>-<counter>`.
std::filesystem::path sibling_temp_path(const std::filesystem::path& path, const std::string& tag);

}  // namespace rw::core
