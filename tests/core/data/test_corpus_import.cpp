// Corpus import: files, folders with globs, JSONL, repositories; every bad-input kind skipped with its
// reason; duplicates; provenance offsets; chunks indexed; one transaction (cancelled, failed and
// SIGKILLed imports leave the corpus as it was); token counts under a second tokenizer.
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "rw/core/data/corpus_import.h"
#include "rw/core/retrieval/bm25_retriever.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace rw::core;
using rw::test::error_of;

namespace {

void write(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// One token per character: a second tokenizer, so counts differ from the word counter.
class CharCounter : public TokenCounter {
 public:
  std::int64_t count(std::string_view text) const override { return static_cast<std::int64_t>(text.size()); }
  std::string id() const override { return "chars"; }
  std::string name() const override { return "chars"; }
};

const SkippedInput* find_skip(const ImportReport& r, const std::string& path_end, std::int64_t line = 0) {
  for (const SkippedInput& s : r.skipped) {
    if (s.path.ends_with(path_end) && s.line == line) return &s;
  }
  return nullptr;
}

std::int64_t count_rows(Database& db, const std::string& table) {
  auto s = db.prepare("SELECT count(*) FROM " + table);
  s.step();
  return s.column_int64(0);
}

}  // namespace

class TestCorpusImport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    tmp_ = std::make_unique<QTemporaryDir>();
    QVERIFY(tmp_->isValid());
    root_ = fs::path(tmp_->path().toStdString());
    db_ = std::make_unique<Database>(open_store(root_ / "store.db", OpenMode::ReadWrite));
    counter_ = make_word_counter();
    options_ = ImportOptions{};
    options_.chunking = {8, 2};
  }
  void cleanup() {
    db_.reset();
    tmp_.reset();
  }

  void foldersWithGlobs() {
    write(root_ / "in/a.txt", "alpha beta gamma");
    write(root_ / "in/sub/b.md", "markdown words here");
    write(root_ / "in/sub/c.txt", "gamma delta");
    write(root_ / "in/.git/objects/x.txt", "never imported");
    options_.paths = {root_ / "in"};
    options_.include = {"*.txt"};
    options_.exclude = {"sub/**"};
    const ImportReport r = import_corpus(*db_, "main", options_, *counter_);
    QCOMPARE(r.documents_added, 1);
    QVERIFY(r.skipped.empty());
    CorpusStore store(*db_);
    const auto docs = store.list_documents(r.corpus_id, 0, 100);
    QCOMPARE(docs.size(), size_t{1});
    QVERIFY(docs[0].source_path.ends_with("in/a.txt"));
    QCOMPARE(docs[0].kind, DocumentKind::Text);

    options_.include = {};
    options_.exclude = {};
    const ImportReport all = import_corpus(*db_, "main", options_, *counter_);
    QCOMPARE(all.documents_added, 2);  // b.md and c.txt; a.txt is a duplicate; .git is never read
    QCOMPARE(all.duplicates, 1);
    QCOMPARE(store.document_count(r.corpus_id), 3);
  }

  void provenanceTokensAndChunks() {
    const std::string text = "one two three four five six seven eight nine ten eleven twelve thirteen";
    write(root_ / "bom.txt", "\xEF\xBB\xBF" + text + "\n");
    options_.paths = {root_ / "bom.txt"};
    const ImportReport r = import_corpus(*db_, "main", options_, *counter_);
    QCOMPARE(r.documents_added, 1);
    CorpusStore store(*db_);
    const DocumentRecord doc = store.list_documents(r.corpus_id, 0, 10).at(0);
    QCOMPARE(doc.source_begin, 3);  // the byte order mark is not text
    QCOMPARE(doc.source_end, static_cast<std::int64_t>(text.size() + 4));
    const std::string stored = store.document_text(doc.id);
    QCOMPARE(stored, read(root_ / "bom.txt").substr(3));
    QCOMPARE(QString::fromStdString(doc.content_hash), QString::fromStdString(sha256_hex(stored)));
    QCOMPARE(*doc.n_tokens, 13);
    QCOMPARE(r.tokens_added, 13);

    const auto chunks = store.document_chunks(doc.id);
    QCOMPARE(static_cast<std::int64_t>(chunks.size()), r.chunks_added);
    QVERIFY(chunks.size() >= 2);
    QVERIFY(stored.substr(0, static_cast<size_t>(chunks[0].byte_end)).starts_with("one two"));
    for (const ChunkRecord& c : chunks) QVERIFY(c.n_tokens <= 8);
    // Every chunk is indexed: a word from the last chunk finds it.
    const auto hits = Bm25Retriever(*db_).retrieve("thirteen", {});
    QCOMPARE(hits.size(), size_t{1});
    QCOMPARE(hits[0].chunk.id, chunks.back().id);
    QCOMPARE(hits[0].text, stored.substr(static_cast<size_t>(chunks.back().byte_begin),
                                         static_cast<size_t>(chunks.back().byte_end - chunks.back().byte_begin)));
  }

  void everyBadFileKindIsSkippedWithItsReason() {
    write(root_ / "in/good.txt", "a good file");
    write(root_ / "in/binary.bin", std::string("PK\x03\x04\0\0data", 10));
    write(root_ / "in/latin1.txt", "caf\xE9 au lait");
    write(root_ / "in/empty.txt", "");
    write(root_ / "in/blank.txt", " \n\t\n");
    write(root_ / "in/huge.txt", std::string(2000, 'x'));
    fs::create_symlink(root_ / "missing-target", root_ / "in/dangling.txt");
    QCOMPARE(::mkfifo((root_ / "in/pipe.txt").c_str(), 0600), 0);
    const bool as_root = ::geteuid() == 0;  // root reads files whatever their mode
    write(root_ / "in/secret.txt", "no access");
    fs::permissions(root_ / "in/secret.txt", fs::perms::none);
    options_.paths = {root_ / "in"};
    options_.max_file_bytes = 1000;
    const ImportReport r = import_corpus(*db_, "main", options_, *counter_);

    const auto reason = [&](const std::string& file) {
      const SkippedInput* s = find_skip(r, file);
      return s ? QString::fromStdString(s->reason) : QString("(not skipped)");
    };
    QVERIFY2(reason("binary.bin").contains("binary file (NUL byte at offset 4)"), qPrintable(reason("binary.bin")));
    QVERIFY2(reason("latin1.txt").contains("not UTF-8 (invalid bytes at offset 3)"), qPrintable(reason("latin1.txt")));
    QCOMPARE(reason("empty.txt"), QString("empty file"));
    QCOMPARE(reason("blank.txt"), QString("empty file (only whitespace)"));
    QVERIFY2(reason("huge.txt").contains("larger than the 1000 byte limit (2000 bytes)"),
             qPrintable(reason("huge.txt")));
    QCOMPARE(reason("dangling.txt"), QString("broken symbolic link"));
    QCOMPARE(reason("pipe.txt"), QString("not a regular file"));
    if (as_root) {
      QCOMPARE(r.documents_added, 2);  // good.txt and secret.txt
    } else {
      QVERIFY2(reason("secret.txt").contains("cannot read: Permission denied"), qPrintable(reason("secret.txt")));
      QCOMPARE(r.documents_added, 1);
    }
    // The report is stored with the import.
    auto s = db_->prepare("SELECT report_json FROM corpus_imports WHERE id = ?1");
    s.bind(1, r.import_id);
    QVERIFY(s.step());
    QVERIFY(QString::fromStdString(s.column_text(0)).contains("broken symbolic link"));
  }

  void jsonlLines() {
    write(root_ / "data.jsonl",
          "{\"content\": \"first document text\", \"id\": 1}\n"
          "\n"
          "{not json\n"
          "[1, 2]\n"
          "{\"other\": \"x\"}\n"
          "{\"content\": 42}\n"
          "{\"content\": \"   \"}\n"
          "{\"content\": \"first document text\"}\n"
          "{\"content\": \"second \\u00e9 line\\nwith newline\"}");
    options_.paths = {root_ / "data.jsonl"};
    options_.jsonl_field = "content";
    const ImportReport r = import_corpus(*db_, "main", options_, *counter_);
    QCOMPARE(r.documents_added, 2);
    QCOMPARE(r.duplicates, 1);
    QVERIFY(find_skip(r, "data.jsonl", 3) && find_skip(r, "data.jsonl", 3)->reason.starts_with("not valid JSON"));
    QCOMPARE(QString::fromStdString(find_skip(r, "data.jsonl", 4)->reason), QString("a JSON array, not an object"));
    QCOMPARE(QString::fromStdString(find_skip(r, "data.jsonl", 5)->reason), QString("no field \"content\""));
    QCOMPARE(QString::fromStdString(find_skip(r, "data.jsonl", 6)->reason),
             QString("field \"content\" is a number, not a string"));
    QCOMPARE(QString::fromStdString(find_skip(r, "data.jsonl", 7)->reason), QString("field \"content\" is empty"));
    QCOMPARE(r.skipped.size(), size_t{5});

    CorpusStore store(*db_);
    const auto docs = store.list_documents(r.corpus_id, 0, 10);
    const std::string file = read(root_ / "data.jsonl");
    // source offsets are the line; the text is the decoded field.
    QCOMPARE(file.substr(static_cast<size_t>(docs[1].source_begin),
                         static_cast<size_t>(docs[1].source_end - docs[1].source_begin)),
             std::string("{\"content\": \"second \\u00e9 line\\nwith newline\"}"));
    QCOMPARE(store.document_text(docs[1].id), std::string("second \xC3\xA9 line\nwith newline"));
    QCOMPARE(docs[1].kind, DocumentKind::Jsonl);
  }

  void repositoryIsOneDocumentWithPathHeaders() {
    write(root_ / "repo/README.md", "# Tool\nUsage notes.\n");
    write(root_ / "repo/src/main.py", "def main():\n    return 42");
    write(root_ / "repo/src/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
    write(root_ / "repo/.git/HEAD", "ref: refs/heads/main\n");
    options_.paths = {root_ / "repo"};
    options_.mode = ImportMode::Repos;
    const ImportReport r = import_corpus(*db_, "code", options_, *counter_);
    QCOMPARE(r.documents_added, 1);
    QVERIFY(find_skip(r, "src/logo.png") && find_skip(r, "src/logo.png")->reason.starts_with("binary file"));

    CorpusStore store(*db_);
    const DocumentRecord doc = store.list_documents(r.corpus_id, 0, 10).at(0);
    QCOMPARE(doc.kind, DocumentKind::Repo);
    const std::string text = store.document_text(doc.id);
    QCOMPARE(text, repo_file_header("README.md") + "# Tool\nUsage notes.\n\n" + repo_file_header("src/main.py") +
                       "def main():\n    return 42\n");
    const auto parts = store.document_parts(doc.id);
    QCOMPARE(parts.size(), size_t{2});
    QCOMPARE(parts[1].path, std::string("src/main.py"));
    QCOMPARE(text.substr(static_cast<size_t>(parts[1].byte_begin),
                         static_cast<size_t>(parts[1].byte_end - parts[1].byte_begin)),
             read(root_ / "repo/src/main.py"));
    QVERIFY(text.find("refs/heads") == std::string::npos);

    write(root_ / "empty-repo/logo.png", std::string("\0\0", 2));
    options_.paths = {root_ / "empty-repo"};
    const ImportReport none = import_corpus(*db_, "code", options_, *counter_);
    QCOMPARE(none.documents_added, 0);
    QCOMPARE(QString::fromStdString(find_skip(none, "empty-repo")->reason), QString("no text files in the repository"));
  }

  void invalidRequestsFailBeforeWriting() {
    write(root_ / "a.txt", "some words");
    options_.paths = {root_ / "a.txt"};
    import_corpus(*db_, "main", options_, *counter_);
    const std::int64_t docs_before = count_rows(*db_, "documents");

    options_.paths = {root_ / "a.txt", root_ / "nope"};
    QVERIFY(error_of([&] { import_corpus(*db_, "main", options_, *counter_); }).contains("nope does not exist"));
    options_.paths = {root_ / "a.txt"};
    options_.chunking = {8, 8};
    QVERIFY(error_of([&] { import_corpus(*db_, "main", options_, *counter_); }).contains("chunk_overlap"));
    options_.chunking = {8, 2};
    options_.include = {"[abc"};
    QVERIFY(error_of([&] { import_corpus(*db_, "main", options_, *counter_); }).contains("[abc"));
    options_.include = {};
    // Same corpus, other tokenizer: refused, naming both.
    CharCounter chars;
    const QString mismatch = error_of([&] { import_corpus(*db_, "main", options_, chars); });
    QVERIFY2(mismatch.contains("corpus 'main' was chunked with tokenizer words") && mismatch.contains("chars"),
             qPrintable(mismatch));
    QCOMPARE(count_rows(*db_, "documents"), docs_before);
    QCOMPARE(count_rows(*db_, "corpus_imports"), 1);
  }

  void cancelledImportLeavesCorpusAsItWas() {
    write(root_ / "first/x.txt", "kept document");
    options_.paths = {root_ / "first"};
    import_corpus(*db_, "main", options_, *counter_);
    for (int i = 0; i < 5; ++i) write(root_ / "second" / (std::to_string(i) + ".txt"), "new text " + std::to_string(i));
    options_.paths = {root_ / "second"};
    const QString error = error_of([&] {
      import_corpus(*db_, "main", options_, *counter_, [](const ImportProgress& p) {
        if (p.files_done == 3) fail("cancelled by the user");
      });
    });
    QCOMPARE(error, QString("cancelled by the user"));
    QCOMPARE(count_rows(*db_, "documents"), 1);
    QCOMPARE(count_rows(*db_, "chunks"), 1);
    QCOMPARE(count_rows(*db_, "corpus_imports"), 1);
    QCOMPARE(Bm25Retriever(*db_).retrieve("new", {}).size(), size_t{0});
    // A cancelled first import does not leave an empty corpus behind either.
    QVERIFY(!error_of([&] {
               import_corpus(*db_, "other", options_, *counter_, [](const ImportProgress&) { fail("stop"); });
             }).isEmpty());
    QVERIFY(!CorpusStore(*db_).find_corpus("other"));
  }

  void killedImportLeavesCorpusAsItWas() {
    write(root_ / "first/x.txt", "kept document");
    options_.paths = {root_ / "first"};
    import_corpus(*db_, "main", options_, *counter_);
    for (int i = 0; i < 200; ++i) {
      write(root_ / "bulk" / (std::to_string(i) + ".txt"), "bulk words number " + std::to_string(i));
    }
    db_.reset();  // SQLite connections must not cross fork(): the child opens its own
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      Database db = open_store(root_ / "store.db", OpenMode::ReadWrite);
      ImportOptions options = options_;
      options.paths = {root_ / "bulk"};
      import_corpus(db, "main", options, *make_word_counter(), [](const ImportProgress& p) {
        if (p.files_done == 150) ::raise(SIGKILL);  // dies mid-import, inside the transaction
      });
      ::_exit(0);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    Database db = open_store(root_ / "store.db", OpenMode::ReadWrite);  // recovers the hot WAL
    QCOMPARE(count_rows(db, "documents"), 1);
    auto check = db.prepare("PRAGMA integrity_check");
    QVERIFY(check.step());
    QCOMPARE(QString::fromStdString(check.column_text(0)), QString("ok"));
    db.exec("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')");
  }

  void tokenCountsUnderAnotherTokenizer() {
    write(root_ / "in/a.txt", "four words are here");
    std::string long_word(300, 'y');
    long_word += " z";
    write(root_ / "in/b.txt", long_word);
    options_.paths = {root_ / "in"};
    const ImportReport r = import_corpus(*db_, "main", options_, *counter_);
    CorpusStore store(*db_);
    const CorpusStats words = store.stats(r.corpus_id, counter_->id());
    QCOMPARE(words.documents, 2);
    QCOMPARE(words.tokens, 6);
    QCOMPARE(words.min_tokens, 2);
    QCOMPARE(words.max_tokens, 4);
    QCOMPARE(words.log2_histogram, (std::vector<std::int64_t>{0, 1, 1}));  // 2 in [2,4), 4 in [4,8)

    CharCounter chars;
    QCOMPARE(store.stats(r.corpus_id, chars.id()).counted_documents, 0);
    QCOMPARE(count_corpus_tokens(*db_, r.corpus_id, chars), 2);
    QCOMPARE(count_corpus_tokens(*db_, r.corpus_id, chars), 0);  // already counted
    const CorpusStats c = store.stats(r.corpus_id, chars.id());
    QCOMPARE(c.tokens, 19 + 302);
    QCOMPARE(c.max_tokens, 302);
    QCOMPARE(c.log2_histogram.size(), size_t{9});  // 302 in [256, 512)
    QCOMPARE(c.log2_histogram[4], 1);              // 19 in [16, 32)
  }

 private:
  std::unique_ptr<QTemporaryDir> tmp_;
  fs::path root_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<TokenCounter> counter_;
  ImportOptions options_;
};

QTEST_GUILESS_MAIN(TestCorpusImport)
#include "test_corpus_import.moc"
