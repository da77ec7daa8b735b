// Project: settings parsing (defaults, every refusal names the file and the key path), init/open of the
// folder layout and store, and that failed operations leave existing files byte-identical.
// The CLI front end is tested in tests/app/test_cli_project.cpp.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "rw/core/store/migrations.h"
#include "rw/core/store/project.h"
#include "rw/core/util/files.h"
#include "test_support.h"

namespace fs = std::filesystem;
using rw::core::OpenMode;
using rw::core::Project;
using rw::core::ProjectSettings;

namespace {

constexpr const char* kSource = "demo/project.ropewalk.json";

QString q(const std::string& text) { return QString::fromStdString(text); }

ProjectSettings parse(const std::string& text) { return rw::core::parse_project_settings(text, kSource); }

ProjectSettings named(const char* name) {
  ProjectSettings s;
  s.name = name;
  return s;
}

struct ProjectRow {
  int count = 0;
  std::string name, settings_json;
  std::int64_t created_ms = 0;
};

ProjectRow project_row(const Project& project) {
  auto db = project.open_store(OpenMode::ReadOnly);
  auto s = db.prepare("SELECT name, settings_json, created_ms FROM projects ORDER BY id");
  ProjectRow row;
  while (s.step()) {
    if (row.count++ == 0) row = {1, s.column_text(0), s.column_text(1), s.column_int64(2)};
  }
  return row;
}

}  // namespace

// A few JSON strings use plain escapes instead of R"(...)": moc (Qt 6.4) mis-lexes some raw strings (text
// ending in a quote, or holding "[") and then finds no Q_OBJECT class in this file.
class TestProject : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    root_ = rw::test::new_subfolder(tmp_, counter_);
    QVERIFY(!root_.empty());
  }

  void defaultsRoundTrip() {
    const auto text = rw::core::project_settings_to_json(named("demo"));
    QVERIFY(text.ends_with("}\n"));
    QVERIFY2(text.find("\n  \"corpus\": {\n    \"chunk_tokens\": 512,") != std::string::npos, text.c_str());
    const auto back = parse(text);
    QCOMPARE(q(rw::core::project_settings_to_json(back)), q(text));
    QCOMPARE(back.format, 1);
    QCOMPARE(back.device, std::string("auto"));
    QCOMPARE(back.corpus.chunk_tokens, std::int64_t{512});
    QCOMPARE(back.corpus.chunk_overlap, std::int64_t{64});
    QCOMPARE(back.corpus.max_file_bytes, std::int64_t{64} << 20);
    QVERIFY(back.corpus.include.empty() && back.corpus.exclude.empty());
  }

  void everyFieldRoundTrips() {
    ProjectSettings s;
    s.name = "long ctx — Ünïcode";
    s.description = "line one\nline \"two\"";
    s.tokenizer = "../models/tok";
    s.device = "cuda:1";
    s.corpus = {1024, 0, {"src/**/*.py", "*.md"}, {".git/**", "*.lock"}, 1000};
    const auto back = parse(rw::core::project_settings_to_json(s));
    QCOMPARE(back.name, s.name);
    QCOMPARE(back.description, s.description);
    QCOMPARE(back.tokenizer, s.tokenizer);
    QCOMPARE(back.device, s.device);
    QCOMPARE(back.corpus.chunk_tokens, std::int64_t{1024});
    QCOMPARE(back.corpus.chunk_overlap, std::int64_t{0});
    QCOMPARE(back.corpus.include, s.corpus.include);
    QCOMPARE(back.corpus.exclude, s.corpus.exclude);
    QCOMPARE(back.corpus.max_file_bytes, std::int64_t{1000});
  }

  void missingKeysTakeDefaults() {
    const auto s = parse(R"({"name": "x"})");
    QCOMPARE(q(rw::core::project_settings_to_json(s)), q(rw::core::project_settings_to_json(named("x"))));
    QCOMPARE(parse(R"({"name": "x", "corpus": {"chunk_tokens": 100}})").corpus.chunk_overlap, std::int64_t{64});
  }

  void validDevices_data() {
    QTest::addColumn<QString>("device");
    for (const char* d : {"auto", "cpu", "cuda", "cuda:0", "cuda:12"}) QTest::newRow(d) << QString(d);
  }
  void validDevices() {
    QFETCH(QString, device);
    const std::string json = "{\"name\": \"x\", \"device\": \"" + device.toStdString() + "\"}";
    QCOMPARE(q(parse(json).device), device);
  }

  void refusals_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QStringList>("expected");
    auto row = [](const char* name, const char* json, QStringList expected) {
      QTest::newRow(name) << QString(json) << expected;
    };
    row("unknown key", R"({"name": "x", "descripton": ""})",
        {"unknown key \"descripton\"", R"(did you mean "description"?)"});
    row("unknown nested key", R"({"name": "x", "corpus": {"chunk_tokenz": 5}})",
        {"unknown key \"corpus.chunk_tokenz\"", R"(did you mean "chunk_tokens"?)"});
    row("unknown key, no near match", R"({"name": "x", "zzzzzzzz": 1})", {R"(unknown key "zzzzzzzz"; known keys)"});
    row("name not a string", R"({"name": 5})", {R"("name" must be a string, got a number (5))"});
    row("int as string", R"({"name": "x", "corpus": {"chunk_tokens": "512"}})",
        {R"("corpus.chunk_tokens" must be an integer, got a string ("512"))"});
    row("int as float", R"({"name": "x", "corpus": {"chunk_tokens": 1.5}})",
        {R"("corpus.chunk_tokens" must be an integer, got a number (1.5))"});
    row("int too large", R"({"name": "x", "corpus": {"max_file_bytes": 18446744073709551615}})",
        {R"("corpus.max_file_bytes" must be an integer)"});
    row("format not an int", R"({"name": "x", "format": true})", {R"("format" must be an integer, got a boolean)"});
    row("corpus not an object", R"({"name": "x", "corpus": []})", {R"("corpus" must be an object, got an array)"});
    row("null", R"({"name": null})", {R"("name" must be a string, got null)"});
    row("include not an array", R"({"name": "x", "corpus": {"include": "*.py"}})",
        {R"("corpus.include" must be an array of strings, got a string)"});
    row("include item", R"({"name": "x", "corpus": {"include": ["*.py", 3]}})",
        {R"("corpus.include[1]" must be a string, got a number (3))"});
    row("chunk_tokens zero", R"({"name": "x", "corpus": {"chunk_tokens": 0}})",
        {R"("corpus.chunk_tokens" must be a positive number of tokens, got 0)"});
    row("overlap negative", R"({"name": "x", "corpus": {"chunk_overlap": -1}})",
        {R"("corpus.chunk_overlap" must not be negative, got -1)"});
    row("overlap too large", R"({"name": "x", "corpus": {"chunk_tokens": 64, "chunk_overlap": 64}})",
        {R"("corpus.chunk_overlap" (64) must be smaller than "corpus.chunk_tokens" (64))"});
    row("max_file_bytes zero", R"({"name": "x", "corpus": {"max_file_bytes": 0}})",
        {R"("corpus.max_file_bytes" must be a positive number of bytes, got 0)"});
    row("empty name", R"({"name": ""})", {R"("name" must not be empty)"});
    row("missing name", R"({"description": "d"})", {"missing required key \"name\""});
    row("newer format", R"({"format": 2, "name": "x"})", {"written by a newer Ropewalk", R"("format" 2)"});
    row("format zero", R"({"format": 0, "name": "x"})", {R"("format" must be 1 or more, got 0)"});
    row("device", R"({"name": "x", "device": "gpu"})", {"\"device\" must be auto, cpu, cuda or cuda:N, got \"gpu\""});
    row("device no index", R"({"name": "x", "device": "cuda:"})", {R"("device" must be auto)"});
    row("device bad index", R"({"name": "x", "device": "cuda:x"})", {R"("device" must be auto)"});
    row("bad include glob", "{\"name\": \"x\", \"corpus\": {\"include\": [\"*.py\", \"[abc\"]}}",
        {"\"corpus.include[1]\"", "[abc"});
    row("empty exclude glob", R"({"name": "x", "corpus": {"exclude": [""]}})", {"\"corpus.exclude[0]\""});
    row("invalid json", "{\n  \"name\": \"x\",\n}", {"not valid JSON", "line 3, column 1"});
    row("empty file", "", {"not valid JSON"});
    row("not an object", "[1, 2]", {"must hold a JSON object, got an array"});
    row("duplicate key", R"({"name": "a", "name": "b"})", {R"(key "name" appears more than once)"});
    row("duplicate nested key", R"({"name": "a", "corpus": {"chunk_tokens": 5, "chunk_tokens": 6}})",
        {R"(key "corpus.chunk_tokens" appears more than once)"});
  }
  void refusals() {
    QFETCH(QString, json);
    QFETCH(QStringList, expected);
    const QString message = rw::test::error_of([&] { parse(json.toStdString()); });
    QVERIFY2(message.startsWith(QString(kSource) + ": "), qPrintable(message));
    for (const auto& part : expected) QVERIFY2(message.contains(part), qPrintable(message + "\n  lacks: " + part));
    QVERIFY2(!message.contains('\n'), qPrintable(message));
  }

  void initCreatesLayoutAndStore() {
    const auto dir = root_ / "demo";
    const auto project = Project::init(dir, {});
    QCOMPARE(project.dir(), dir);
    QCOMPARE(project.settings().name, std::string("demo"));  // the folder's name
    for (const auto& sub : {project.corpus_dir(), project.checkpoints_dir(), project.exports_dir()})
      QVERIFY2(fs::is_directory(sub), sub.c_str());
    const auto text = rw::core::read_text_file(project.settings_path());
    QCOMPARE(q(text), q(rw::core::project_settings_to_json(project.settings())));

    QVERIFY(fs::exists(project.store_path()));
    auto db = project.open_store(OpenMode::ReadOnly);
    QCOMPARE(db.user_version(), rw::core::latest_schema_version());
    const auto row = project_row(project);
    QCOMPARE(row.count, 1);
    QCOMPARE(row.name, std::string("demo"));
    QCOMPARE(q(row.settings_json), q(text));
    QVERIFY(row.created_ms > 0);
  }

  void initKeepsForeignFiles() {
    const auto dir = root_ / "existing";
    fs::create_directories(dir);
    rw::core::write_file_atomic(dir / "notes.txt", std::string("mine"));
    const auto project = Project::init(dir / "", named("named"));  // a trailing separator is fine too
    QCOMPARE(project.dir(), dir);
    QCOMPARE(project.settings().name, std::string("named"));
    QCOMPARE(q(rw::core::read_text_file(dir / "notes.txt")), QString("mine"));
  }

  void initTwiceFailsAndKeepsSettings() {
    const auto dir = root_ / "twice";
    Project::init(dir, {});
    const auto before = rw::core::read_text_file(dir / Project::kSettingsFile);
    auto other = named("other");
    other.description = "would overwrite";
    const QString message = rw::test::error_of([&] { Project::init(dir, other); });
    QVERIFY2(message.contains(q(dir.string())) && message.contains("already a Ropewalk project"), qPrintable(message));
    QCOMPARE(q(rw::core::read_text_file(dir / Project::kSettingsFile)), q(before));
    QCOMPARE(project_row(Project::open(dir)).count, 1);
  }

  void initWithInvalidSettingsCreatesNothing() {
    const auto dir = root_ / "invalid";
    ProjectSettings s;
    s.corpus.chunk_overlap = s.corpus.chunk_tokens;
    const QString message = rw::test::error_of([&] { Project::init(dir, s); });
    QVERIFY2(message.contains("corpus.chunk_overlap") && message.contains(q((dir / Project::kSettingsFile).string())),
             qPrintable(message));
    QVERIFY(!fs::exists(dir));
    s.corpus.chunk_overlap = 0;
    QCOMPARE(Project::init(dir, s).settings().corpus.chunk_overlap, std::int64_t{0});
  }

  void initRetriedAfterHalfwayReusesStore() {
    // An init that died after creating the store but before writing the settings file.
    const auto dir = root_ / "retry";
    Project::init(dir, named("first"));
    fs::remove(dir / Project::kSettingsFile);
    const auto project = Project::init(dir, named("second"));
    const auto row = project_row(project);
    QCOMPARE(row.count, 1);
    QCOMPARE(row.name, std::string("second"));
  }

  void openMissingFolder() {
    const auto dir = root_ / "nope";
    const QString message = rw::test::error_of([&] { Project::open(dir); });
    QVERIFY2(message.contains(q(dir.string())) && message.contains("no such project folder"), qPrintable(message));
  }

  void openFolderWithoutSettings() {
    const auto dir = root_ / "plain";
    fs::create_directories(dir);
    const QString message = rw::test::error_of([&] { Project::open(dir); });
    QVERIFY2(message.contains(q(dir.string())) && message.contains("not a Ropewalk project") &&
                 message.contains(Project::kSettingsFile),
             qPrintable(message));
  }

  void openNamesBadSettingsFile() {
    const auto dir = root_ / "bad";
    Project::init(dir, {});
    rw::core::write_file_atomic(dir / Project::kSettingsFile, std::string(R"({"name": "bad", "device": 1})"));
    const QString message = rw::test::error_of([&] { Project::open(dir); });
    QVERIFY2(message.startsWith(q((dir / Project::kSettingsFile).string()) + ": ") && message.contains("\"device\""),
             qPrintable(message));
  }

  void openRecreatesSubfolders() {
    const auto dir = root_ / "reopen";
    ProjectSettings s;
    s.description = "kept";
    Project::init(dir, s);
    rw::core::remove_tree(dir / "exports");
    rw::core::remove_tree(dir / "corpus");
    const auto project = Project::open(dir);
    QVERIFY(fs::is_directory(project.exports_dir()) && fs::is_directory(project.corpus_dir()));
    QCOMPARE(project.settings().description, std::string("kept"));
  }

  void saveSettingsWritesFileAndRow() {
    auto project = Project::init(root_ / "save", {});
    auto s = project.settings();
    s.description = "edited";
    s.corpus.exclude = {".git/**"};
    project.save_settings(s);
    QCOMPARE(project.settings().description, std::string("edited"));
    const auto text = rw::core::read_text_file(project.settings_path());
    QCOMPARE(q(text), q(rw::core::project_settings_to_json(s)));
    QCOMPARE(q(project_row(project).settings_json), q(text));
    QCOMPARE(Project::open(project.dir()).settings().corpus.exclude, s.corpus.exclude);
  }

  void saveInvalidSettingsKeepsFile() {
    auto project = Project::init(root_ / "keep", {});
    const auto before = rw::core::read_text_file(project.settings_path());
    auto s = project.settings();
    s.corpus.chunk_tokens = 0;
    const QString message = rw::test::error_of([&] { project.save_settings(s); });
    QVERIFY2(message.startsWith(q(project.settings_path().string())) && message.contains("corpus.chunk_tokens"),
             qPrintable(message));
    QCOMPARE(q(rw::core::read_text_file(project.settings_path())), q(before));
    QCOMPARE(q(project_row(project).settings_json), q(before));
    QCOMPARE(project.settings().corpus.chunk_tokens, std::int64_t{512});
  }

  void resolvePaths() {
    const auto project = Project::init(root_ / "paths", {});
    QCOMPARE(project.resolve("models/tok"), project.dir() / "models" / "tok");
    QCOMPARE(project.resolve("../shared/tok"), root_ / "shared" / "tok");
    QCOMPARE(project.resolve("/opt/tok"), fs::path("/opt/tok"));
  }

 private:
  QTemporaryDir tmp_;
  fs::path root_;
  int counter_ = 0;
};

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
