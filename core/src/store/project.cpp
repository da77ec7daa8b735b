// Project: strict parsing and writing of project.ropewalk.json, and the folder layout (init / open).
// Every bad setting is refused with the file and the JSON path of the key. Not the store's tables
// (migrations.cpp) and not what jobs do with the settings. Every key, for users: docs/project-file.md.
#include "rw/core/store/project.h"

#include <system_error>

#include "rw/core/util/glob.h"
#include "rw/core/store/migrations.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/strict_json.h"

namespace rw::core {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::json;

constexpr int kLatestFormat = 1;
constexpr const char* kSubfolders[] = {"corpus", "checkpoints", "exports"};

using strict_json::is_valid_device;
using strict_json::ObjectReader;
using strict_json::parse_strict;

void check_globs(const std::vector<std::string>& patterns, const std::string& path, std::string_view source) {
  for (size_t i = 0; i < patterns.size(); ++i) {
    try {
      Glob glob(patterns[i]);
    } catch (const Error& e) {
      fail("{}: \"{}[{}]\": {}", source, path, i, e.what());
    }
  }
}

CorpusSettings parse_corpus(const ObjectReader& in, std::string_view source) {
  in.refuse_unknown_keys({"chunk_tokens", "chunk_overlap", "include", "exclude", "max_file_bytes"});
  CorpusSettings c;
  in.read("chunk_tokens", c.chunk_tokens);
  in.read("chunk_overlap", c.chunk_overlap);
  in.read("include", c.include);
  in.read("exclude", c.exclude);
  in.read("max_file_bytes", c.max_file_bytes);
  if (c.chunk_tokens <= 0)
    fail("{}: \"{}\" must be a positive number of tokens, got {}", source, in.path_of("chunk_tokens"), c.chunk_tokens);
  if (c.chunk_overlap < 0)
    fail("{}: \"{}\" must not be negative, got {}", source, in.path_of("chunk_overlap"), c.chunk_overlap);
  if (c.chunk_overlap >= c.chunk_tokens)
    fail("{}: \"{}\" ({}) must be smaller than \"{}\" ({}), or chunking would never advance", source,
         in.path_of("chunk_overlap"), c.chunk_overlap, in.path_of("chunk_tokens"), c.chunk_tokens);
  if (c.max_file_bytes <= 0)
    fail("{}: \"{}\" must be a positive number of bytes, got {}", source, in.path_of("max_file_bytes"),
         c.max_file_bytes);
  check_globs(c.include, in.path_of("include"), source);
  check_globs(c.exclude, in.path_of("exclude"), source);
  return c;
}

// ---- folder and store ----------------------------------------------------------------------------

// Absolute, normalized, without a trailing separator (so filename() is the folder's name).
fs::path normalize_dir(const fs::path& dir) {
  if (dir.empty()) fail("project folder: the path is empty");
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  return p;
}

void create_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    fail("{}: cannot create folder: {}", dir.string(), ec ? ec.message() : "a file of that name is in the way");
}

// Mirrors the settings into the store's one projects row and writes the settings file inside the same
// transaction: when the file cannot be written the row change rolls back.
void record_settings(Database& db, const fs::path& settings_path, const ProjectSettings& settings,
                     const std::string& text) {
  Transaction tx(db);
  db.prepare("UPDATE projects SET name = ?1, settings_json = ?2 WHERE id = (SELECT min(id) FROM projects)")
      .bind(1, settings.name)
      .bind(2, text)
      .run();
  if (db.changes() == 0) {
    db.prepare("INSERT INTO projects(name, settings_json, created_ms) VALUES(?1, ?2, ?3)")
        .bind(1, settings.name)
        .bind(2, text)
        .bind(3, now_ms())
        .run();
  }
  write_file_atomic(settings_path, text);
  tx.commit();
}

}  // namespace

ProjectSettings parse_project_settings(std::string_view json_text, std::string_view source) {
  const json root = parse_strict(json_text, source);
  const ObjectReader in(root, "", source);
  in.refuse_unknown_keys({"format", "name", "description", "tokenizer", "device", "corpus"});
  ProjectSettings s;
  s.format = in.read_format(kLatestFormat);
  if (!in.find("name")) fail("{}: missing required key \"name\"", source);
  in.read("name", s.name);
  if (s.name.empty()) fail("{}: \"name\" must not be empty", source);
  in.read("description", s.description);
  in.read("tokenizer", s.tokenizer);
  in.read("device", s.device);
  if (!is_valid_device(s.device))
    fail("{}: \"device\" must be auto, cpu, cuda or cuda:N, got \"{}\"", source, s.device);
  s.corpus = parse_corpus(in.object("corpus"), source);
  return s;
}

std::string project_settings_to_json(const ProjectSettings& s) {
  // ordered_json keeps the order a person reading the file expects (format and name first).
  const nlohmann::ordered_json corpus = {{"chunk_tokens", s.corpus.chunk_tokens},
                                         {"chunk_overlap", s.corpus.chunk_overlap},
                                         {"include", s.corpus.include},
                                         {"exclude", s.corpus.exclude},
                                         {"max_file_bytes", s.corpus.max_file_bytes}};
  const nlohmann::ordered_json root = {{"format", s.format},       {"name", s.name},     {"description", s.description},
                                       {"tokenizer", s.tokenizer}, {"device", s.device}, {"corpus", corpus}};
  try {
    return root.dump(2) + "\n";
  } catch (const json::type_error& e) {
    fail("project settings hold text that is not valid UTF-8 ({})", e.what());
  }
}

Project Project::init(const fs::path& dir, const ProjectSettings& settings) {
  Project project(normalize_dir(dir), settings);
  if (project.settings_.name.empty()) project.settings_.name = project.dir_.filename().string();
  // Validate before touching the disk, so refused settings leave nothing behind.
  const auto text = project_settings_to_json(project.settings_);
  project.settings_ = parse_project_settings(text, project.settings_path().string());
  if (fs::exists(project.settings_path()))
    fail("{}: already a Ropewalk project ({} exists); open it instead", project.dir_.string(), kSettingsFile);
  create_folder(project.dir_);
  for (const char* sub : kSubfolders) create_folder(project.dir_ / sub);
  // The settings file is written last: a folder without it is never taken for a project, and a
  // retried init reuses the store (its one projects row is updated, not duplicated).
  auto db = project.open_store();
  record_settings(db, project.settings_path(), project.settings_, text);
  return project;
}

Project Project::open(const fs::path& dir) {
  const fs::path folder = normalize_dir(dir);
  if (!fs::exists(folder)) fail("{}: no such project folder", folder.string());
  if (!fs::is_directory(folder)) fail("{}: not a folder", folder.string());
  const fs::path settings_path = folder / kSettingsFile;
  if (!fs::exists(settings_path)) fail("{}: not a Ropewalk project (it has no {})", folder.string(), kSettingsFile);
  Project project(folder, parse_project_settings(read_text_file(settings_path), settings_path.string()));
  for (const char* sub : kSubfolders) create_folder(folder / sub);
  return project;
}

void Project::save_settings(const ProjectSettings& settings) {
  const auto text = project_settings_to_json(settings);
  auto checked = parse_project_settings(text, settings_path().string());
  auto db = open_store();
  record_settings(db, settings_path(), checked, text);
  settings_ = std::move(checked);
}

fs::path Project::resolve(const std::string& path) const {
  const fs::path p(path);
  return p.is_absolute() ? p : (dir_ / p).lexically_normal();
}

Database Project::open_store(OpenMode mode) const { return ::rw::core::open_store(store_path(), mode); }

}  // namespace rw::core
