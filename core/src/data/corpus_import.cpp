// Corpus import (see corpus_import.h): walking folders, reading and checking files, JSONL lines and
// repository documents, then chunking and storing them through CorpusStore in one transaction.
#include "rw/core/data/corpus_import.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "rw/core/util/glob.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "rw/core/util/utf8.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct FileEntry {
  fs::path path;
  std::string relative;  // to the folder the user named, '/'-separated (what globs see)
};

/// A file read whole, or why it cannot be used.
struct FileRead {
  std::string bytes;
  std::string problem;
};

bool is_jsonl(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jsonl" || ext == ".ndjson";
}

bool all_whitespace(std::string_view s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos; }

FileRead read_file(const fs::path& path, std::int64_t max_bytes) {
  FileRead r;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return {{}, "cannot read: " + ec.message()};
  if (static_cast<std::int64_t>(size) > max_bytes) {
    return {{}, fmt::format("larger than the {} byte limit ({} bytes)", max_bytes, size)};
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {{}, fmt::format("cannot read: {}", std::strerror(errno))};
  r.bytes.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < r.bytes.size()) {
    const ssize_t n = ::read(fd, r.bytes.data() + done, r.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.problem = fmt::format("cannot read: {}", std::strerror(errno));
      break;
    }
    if (n == 0) break;  // shrank while we read: keep what is there
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  r.bytes.resize(done);
  return r;
}

/// Why bytes are not usable text, or "" when they are.
std::string text_problem(std::string_view bytes) {
  if (bytes.empty()) return "empty file";
  if (const auto nul = bytes.find('\0'); nul != std::string_view::npos) {
    return fmt::format("binary file (NUL byte at offset {})", nul);
  }
  if (const auto bad = find_invalid_utf8(bytes)) return fmt::format("not UTF-8 (invalid bytes at offset {})", *bad);
  if (all_whitespace(bytes)) return "empty file (only whitespace)";
  return {};
}

/// Offset of the text after a UTF-8 byte order mark.
size_t bom_length(std::string_view bytes) { return bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0; }

std::string json_type_name(const json& v) { return v.type_name(); }

class Importer {
 public:
  Importer(Database& db, const ImportOptions& options, const TokenCounter& counter, const ImportProgressFn& progress)
      : store_(db),
        options_(options),
        counter_(counter),
        progress_fn_(progress),
        filter_(options.include, options.exclude) {}

  ImportReport run(const std::string& corpus_name, Database& db) {
    const auto start = std::chrono::steady_clock::now();
    Transaction tx(db);
    report_.corpus_id = find_or_create_corpus(corpus_name);
    report_.import_id = store_.begin_import(report_.corpus_id, options_json());
    std::vector<std::pair<FileEntry, fs::path>> work;  // (file or repo, the root the user named)
    for (const fs::path& p : options_.paths) {
      if (options_.mode == ImportMode::Repos) {
        work.push_back({FileEntry{p, p.filename().string()}, p});
      } else if (fs::is_directory(p)) {
        std::vector<FileEntry> files;
        walk(p, p, files);
        for (FileEntry& f : files) work.push_back({std::move(f), p});
      } else {
        work.push_back({FileEntry{p, p.filename().string()}, p});
      }
    }
    progress_.files_total = static_cast<std::int64_t>(work.size());
    for (const auto& [entry, root] : work) {
      if (options_.mode == ImportMode::Repos) {
        import_repo(root);
      } else {
        import_file(entry);
      }
      ++progress_.files_done;
      progress_.documents_added = report_.documents_added;
      if (progress_fn_) progress_fn_(progress_);
    }
    report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    store_.finish_import(report_.import_id, import_report_to_json(report_));
    tx.commit();
    return report_;
  }

 private:
  std::int64_t find_or_create_corpus(const std::string& name) {
    const ChunkingOptions& c = options_.chunking;
    if (auto existing = store_.find_corpus(name)) {
      if (existing->tokenizer_id != counter_.id() || existing->chunk_tokens != c.chunk_tokens ||
          existing->chunk_overlap != c.overlap_tokens) {
        fail(
            "corpus '{}' was chunked with tokenizer {} ({}), {} tokens per chunk, overlap {}; this import uses {} "
            "({}), {} / {}. Import with the corpus's settings or into another corpus",
            name, existing->tokenizer_name, existing->tokenizer_id, existing->chunk_tokens, existing->chunk_overlap,
            counter_.name(), counter_.id(), c.chunk_tokens, c.overlap_tokens);
      }
      return existing->id;
    }
    CorpusRecord record;
    record.name = name;
    record.tokenizer_id = counter_.id();
    record.tokenizer_name = counter_.name();
    record.chunk_tokens = c.chunk_tokens;
    record.chunk_overlap = c.overlap_tokens;
    return store_.create_corpus(record).id;
  }

  std::string options_json() const {
    json paths = json::array();
    for (const fs::path& p : options_.paths) paths.push_back(p.string());
    return json{{"paths", paths},
                {"mode", options_.mode == ImportMode::Repos ? "repos" : "files"},
                {"jsonl_field", options_.jsonl_field},
                {"include", options_.include},
                {"exclude", options_.exclude},
                {"max_file_bytes", options_.max_file_bytes},
                {"chunk_tokens", options_.chunking.chunk_tokens},
                {"chunk_overlap", options_.chunking.overlap_tokens},
                {"tokenizer_id", counter_.id()},
                {"tokenizer_name", counter_.name()}}
        .dump();
  }

  void skip(const fs::path& path, std::string reason, std::int64_t line = 0) {
    report_.skipped.push_back({path.string(), line, std::move(reason)});
  }

  // Own recursion (not recursive_directory_iterator) so an unreadable folder is reported, symlinked
  // folders are not followed (no loops), and the order is sorted and therefore reproducible.
  void walk(const fs::path& root, const fs::path& dir, std::vector<FileEntry>& out) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return skip(dir, "cannot open folder: " + ec.message());
    std::vector<fs::directory_entry> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return skip(dir, "cannot list folder: " + ec.message());
      entries.push_back(*it);
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const fs::directory_entry& e : entries) {
      const fs::file_status link = e.symlink_status(ec);
      const fs::file_status target = e.status(ec);
      if (fs::is_directory(target)) {
        if (e.path().filename() == ".git") continue;  // version-control internals, never corpus text
        if (fs::is_symlink(link)) {
          skip(e.path(), "symbolic link to a folder (not followed)");
        } else {
          walk(root, e.path(), out);
        }
        continue;
      }
      const std::string relative = e.path().lexically_relative(root).generic_string();
      if (!filter_.selects(relative)) continue;
      if (!fs::is_regular_file(target)) {
        skip(e.path(), fs::exists(target) ? "not a regular file" : "broken symbolic link");
        continue;
      }
      out.push_back({e.path(), relative});
    }
  }

  void import_file(const FileEntry& entry) {
    FileRead file = read_file(entry.path, options_.max_file_bytes);
    if (!file.problem.empty()) return skip(entry.path, file.problem);
    ++report_.files_read;
    report_.bytes_read += static_cast<std::int64_t>(file.bytes.size());
    progress_.bytes_done += static_cast<std::int64_t>(file.bytes.size());
    if (std::string problem = text_problem(file.bytes); !problem.empty()) return skip(entry.path, problem);
    if (is_jsonl(entry.path)) return import_jsonl(entry.path, file.bytes);
    const size_t begin = bom_length(file.bytes);
    NewDocument doc;
    doc.kind = DocumentKind::Text;
    doc.source_path = entry.path.string();
    doc.source_begin = static_cast<std::int64_t>(begin);
    doc.source_end = static_cast<std::int64_t>(file.bytes.size());
    doc.text = file.bytes.substr(begin);
    add(doc);
  }

  void import_jsonl(const fs::path& path, const std::string& bytes) {
    size_t line_begin = bom_length(bytes);
    for (std::int64_t line_no = 1; line_begin < bytes.size(); ++line_no) {
      size_t line_end = bytes.find('\n', line_begin);
      if (line_end == std::string::npos) line_end = bytes.size();
      const std::string_view line = std::string_view(bytes).substr(line_begin, line_end - line_begin);
      const size_t begin = line_begin;
      line_begin = line_end + 1;
      if (all_whitespace(line)) continue;
      json value;
      try {
        value = json::parse(line);
      } catch (const json::parse_error& e) {
        skip(path, fmt::format("not valid JSON: {}", e.what()), line_no);
        continue;
      }
      if (!value.is_object()) {
        skip(path, fmt::format("a JSON {}, not an object", json_type_name(value)), line_no);
        continue;
      }
      const auto field = value.find(options_.jsonl_field);
      if (field == value.end()) {
        skip(path, fmt::format("no field \"{}\"", options_.jsonl_field), line_no);
        continue;
      }
      if (!field->is_string()) {
        skip(path, fmt::format("field \"{}\" is a {}, not a string", options_.jsonl_field, json_type_name(*field)),
             line_no);
        continue;
      }
      NewDocument doc;
      doc.kind = DocumentKind::Jsonl;
      doc.source_path = path.string();
      doc.source_begin = static_cast<std::int64_t>(begin);
      doc.source_end = static_cast<std::int64_t>(begin + line.size());
      doc.text = field->get<std::string>();
      if (all_whitespace(doc.text)) {
        skip(path, fmt::format("field \"{}\" is empty", options_.jsonl_field), line_no);
        continue;
      }
      add(doc);
    }
  }

  void import_repo(const fs::path& repo) {
    if (!fs::is_directory(repo)) return skip(repo, "not a folder (a repository import needs a folder)");
    std::vector<FileEntry> files;
    walk(repo, repo, files);
    NewDocument doc;
    doc.kind = DocumentKind::Repo;
    doc.source_path = repo.string();
    for (const FileEntry& f : files) {
      FileRead file = read_file(f.path, options_.max_file_bytes);
      if (!file.problem.empty()) {
        skip(f.path, file.problem);
        continue;
      }
      ++report_.files_read;
      report_.bytes_read += static_cast<std::int64_t>(file.bytes.size());
      progress_.bytes_done += static_cast<std::int64_t>(file.bytes.size());
      if (std::string problem = text_problem(file.bytes); !problem.empty()) {
        skip(f.path, problem);
        continue;
      }
      if (!doc.text.empty()) doc.text += '\n';
      doc.text += repo_file_header(f.relative);
      const auto begin = static_cast<std::int64_t>(doc.text.size());
      doc.text.append(file.bytes, bom_length(file.bytes));
      doc.parts.push_back({f.relative, begin, static_cast<std::int64_t>(doc.text.size())});
      if (doc.text.back() != '\n') doc.text += '\n';
      doc.source_end += static_cast<std::int64_t>(file.bytes.size());
    }
    if (doc.parts.empty()) return skip(repo, "no text files in the repository");
    add(doc);
  }

  void add(NewDocument& doc) {
    doc.content_hash = sha256_hex(doc.text);
    doc.n_tokens = counter_.count(doc.text);
    for (const ChunkSpan& c : chunk_by_tokens(doc.text, counter_, options_.chunking)) {
      doc.chunks.push_back({c.byte_begin, c.byte_end, c.n_tokens});
    }
    if (!store_.add_document(report_.corpus_id, report_.import_id, doc)) {
      ++report_.duplicates;
      return;
    }
    ++report_.documents_added;
    report_.bytes_added += static_cast<std::int64_t>(doc.text.size());
    report_.tokens_added += doc.n_tokens;
    report_.chunks_added += static_cast<std::int64_t>(doc.chunks.size());
  }

  CorpusStore store_;
  const ImportOptions& options_;
  const TokenCounter& counter_;
  const ImportProgressFn& progress_fn_;
  GlobFilter filter_;
  ImportReport report_;
  ImportProgress progress_;
};

}  // namespace

void validate_import_options(const ImportOptions& options) {
  if (options.paths.empty()) fail("corpus import: no paths given");
  for (const fs::path& p : options.paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) fail("corpus import: {} does not exist", p.string());
  }
  const ChunkingOptions& c = options.chunking;
  if (c.chunk_tokens <= 0) fail("corpus import: chunk_tokens must be positive (got {})", c.chunk_tokens);
  if (c.overlap_tokens < 0 || c.overlap_tokens >= c.chunk_tokens) {
    fail("corpus import: chunk_overlap must be in [0, chunk_tokens) (got {} with chunk_tokens {})", c.overlap_tokens,
         c.chunk_tokens);
  }
  if (options.max_file_bytes <= 0)
    fail("corpus import: max_file_bytes must be positive (got {})", options.max_file_bytes);
  if (options.jsonl_field.empty()) fail("corpus import: the JSONL text field name is empty");
}

std::string repo_file_header(const std::string& relative_path) { return "# File: " + relative_path + "\n"; }

ImportReport import_corpus(Database& db, const std::string& corpus_name, const ImportOptions& options,
                           const TokenCounter& counter, const ImportProgressFn& progress) {
  validate_import_options(options);
  if (corpus_name.empty()) fail("corpus import: the corpus name is empty");
  Importer importer(db, options, counter, progress);
  return importer.run(corpus_name, db);
}

std::string import_report_to_json(const ImportReport& r) {
  json skipped = json::array();
  for (const SkippedInput& s : r.skipped) {
    json item{{"path", s.path}, {"reason", s.reason}};
    if (s.line > 0) item["line"] = s.line;
    skipped.push_back(std::move(item));
  }
  return json{{"import_id", r.import_id},
              {"corpus_id", r.corpus_id},
              {"files_read", r.files_read},
              {"documents_added", r.documents_added},
              {"duplicates", r.duplicates},
              {"bytes_read", r.bytes_read},
              {"bytes_added", r.bytes_added},
              {"tokens_added", r.tokens_added},
              {"chunks_added", r.chunks_added},
              {"skipped", skipped},
              {"seconds", r.seconds}}
      .dump();
}

std::int64_t count_corpus_tokens(Database& db, std::int64_t corpus_id, const TokenCounter& counter) {
  CorpusStore store(db);
  Transaction tx(db);
  const std::vector<std::int64_t> ids = store.documents_without_count(corpus_id, counter.id());
  for (const std::int64_t id : ids) store.set_token_count(id, counter.id(), counter.count(store.document_text(id)));
  tx.commit();
  return static_cast<std::int64_t>(ids.size());
}

}  // namespace rw::core
