// A Ropewalk project: one folder holding project.ropewalk.json (settings the user edits), store.db (the
// run store), corpus/, checkpoints/, exports/. This file reads, validates and writes the settings and
// lays out the folder; the tables live in the store (migrations.h, run_store.h, corpus_store.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

/// Defaults for corpus import (the CLI and GUI can override them per import).
struct CorpusSettings {
  std::int64_t chunk_tokens = 512;
  std::int64_t chunk_overlap = 64;
  std::vector<std::string> include;          // globs (glob.h); empty = every file
  std::vector<std::string> exclude;          // globs, e.g. ".git/**", "*.lock"
  std::int64_t max_file_bytes = 64LL << 20;  // larger files are skipped with a reason
};

struct ProjectSettings {
  int format = 1;    // version of this file's layout
  std::string name;  // shown in the UI; not empty
  std::string description;
  /// Tokenizer for corpus token statistics and chunking: an HF model folder, relative to the project
  /// folder or absolute. Empty: the built-in word counter.
  std::string tokenizer;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  CorpusSettings corpus;
};

/// Parses project.ropewalk.json text. Error naming `source` and the key (as a JSON path, e.g.
/// "corpus.chunk_tokens") on unknown keys, wrong types, bad values (chunk_overlap >= chunk_tokens,
/// non-positive sizes, a bad glob, an unknown device) or a newer format. Missing keys take defaults,
/// except "name", which is required.
ProjectSettings parse_project_settings(std::string_view json_text, std::string_view source);
/// Every key, pretty-printed with 2-space indent and a trailing newline (what init writes).
std::string project_settings_to_json(const ProjectSettings& settings);

class Project {
 public:
  static constexpr const char* kSettingsFile = "project.ropewalk.json";

  /// Creates the folder layout and settings file (name defaults to the folder's name) and an empty store
  /// at the latest schema. Error if `dir` already holds a project.ropewalk.json; an existing empty or
  /// non-project folder is fine (files in it are left alone).
  static Project init(const std::filesystem::path& dir, const ProjectSettings& settings);
  /// Opens an existing project: reads and validates the settings; creates missing subfolders.
  /// Error naming the folder when it has no project.ropewalk.json.
  static Project open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const ProjectSettings& settings() const { return settings_; }
  /// Validates and writes settings atomically (write_file_atomic).
  void save_settings(const ProjectSettings& settings);

  std::filesystem::path settings_path() const { return dir_ / kSettingsFile; }
  std::filesystem::path store_path() const { return dir_ / "store.db"; }
  std::filesystem::path corpus_dir() const { return dir_ / "corpus"; }
  std::filesystem::path checkpoints_dir() const { return dir_ / "checkpoints"; }
  std::filesystem::path exports_dir() const { return dir_ / "exports"; }
  /// A path from the settings: absolute as is, relative against dir().
  std::filesystem::path resolve(const std::string& path) const;

  /// open_store(store_path(), mode): migrates when read-write.
  Database open_store(OpenMode mode = OpenMode::ReadWrite) const;

 private:
  Project(std::filesystem::path dir, ProjectSettings settings) : dir_(std::move(dir)), settings_(std::move(settings)) {}
  std::filesystem::path dir_;
  ProjectSettings settings_;
};

}  // namespace rw::core
