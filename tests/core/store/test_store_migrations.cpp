// Run store schema versions: fresh files get the newest schema, files from a newer build / other apps /
// non-databases are refused untouched, older files are backed up and upgraded all-or-nothing.
#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "rw/core/store/database.h"
#include "rw/core/store/migrations.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/files.h"
#include "test_support.h"

using rw::core::Database;
using rw::core::Migration;
using rw::core::open_store;
using rw::core::OpenMode;

namespace {

bool has_table(Database& db, const std::string& name) {
  auto s = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
  s.bind(1, name);
  s.step();
  return s.column_int64(0) == 1;
}

// The real schema plus one test-only step, to exercise the upgrade path from the newest real schema.
std::vector<Migration> with_extra_step(const char* name, const char* sql) {
  auto steps = rw::core::store_migrations();
  std::vector<Migration> out(steps.begin(), steps.end());
  out.push_back(Migration{rw::core::latest_schema_version() + 1, name, sql});
  return out;
}
const std::vector<Migration> kWithStep2 =
    with_extra_step("test_extra", "CREATE TABLE extra(x INTEGER); ALTER TABLE runs ADD COLUMN note TEXT;");
const std::vector<Migration> kBrokenStep2 =
    with_extra_step("test_broken", "CREATE TABLE half_done(x INTEGER); THIS IS NOT SQL;");
const int kLatest = rw::core::latest_schema_version();

std::int64_t count(Database& db, const std::string& sql) {
  auto s = db.prepare(sql);
  s.step();
  return s.column_int64(0);
}

}  // namespace

class TestStoreMigrations : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(dir_.isValid()); }

  void freshFileGetsLatestSchema() {
    const auto path = file("fresh.db");
    auto db = open_store(path, OpenMode::ReadWrite);
    QCOMPARE(db.user_version(), rw::core::latest_schema_version());
    for (const char* table :
         {"projects", "runs", "run_stages", "metrics", "latest_metrics", "events", "eval_cells", "train_pieces",
          "checkpoints", "datasets", "samples", "sample_segments", "sample_tokens"}) {
      QVERIFY2(has_table(db, table), table);
    }
    auto mode = db.prepare("PRAGMA journal_mode");
    QVERIFY(mode.step());
    QCOMPARE(QString::fromStdString(mode.column_text(0)), QString("wal"));
    auto fk = db.prepare("PRAGMA foreign_keys");
    QVERIFY(fk.step());
    QCOMPARE(fk.column_int64(0), 1);
    // Opening again is a no-op.
    auto again = open_store(path, OpenMode::ReadWrite);
    QCOMPARE(again.user_version(), rw::core::latest_schema_version());
    QVERIFY(!std::filesystem::exists(path.string() + ".bak-v1"));
  }

  void tooNewIsRefusedAndUntouched() {
    const auto path = file("new.db");
    const int too_new = rw::core::latest_schema_version() + 5;
    {
      auto db = open_store(path, OpenMode::ReadWrite);
      db.set_user_version(too_new);
    }
    const std::string before = rw::core::read_text_file(path);
    for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
      const QString message = rw::test::error_of([&] { open_store(path, mode); });
      QVERIFY2(message.contains(QString("was written by a newer Ropewalk (schema %1, this build knows up to %2)")
                                    .arg(too_new)
                                    .arg(rw::core::latest_schema_version())),
               qPrintable(message));
      QVERIFY2(message.contains(QString::fromStdString(path.string())), qPrintable(message));
    }
    QVERIFY(rw::core::read_text_file(path) == before);
  }

  void foreignDatabaseIsRefused() {
    const auto path = file("other_app.db");
    {
      auto db = Database::open(path, OpenMode::ReadWrite);
      db.exec("CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('keep me');");
    }
    const QString message = rw::test::error_of([&] { open_store(path, OpenMode::ReadWrite); });
    QVERIFY2(message.contains("not a Ropewalk store"), qPrintable(message));
    auto db = Database::open(path, OpenMode::ReadOnly);
    QCOMPARE(db.user_version(), 0);
    QVERIFY(has_table(db, "notes"));
    QVERIFY(!has_table(db, "runs"));
  }

  void nonDatabaseFileIsRefused() {
    const auto path = file("notes.txt");
    std::string text;
    while (text.size() < 8192) text += "This is a plain text file, not a SQLite database.\n";
    rw::core::write_file_atomic(path, text);
    for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
      const QString message = rw::test::error_of([&] { open_store(path, mode); });
      QVERIFY2(message.contains("not a Ropewalk store"), qPrintable(message));
      QVERIFY2(message.contains(QString::fromStdString(path.string())), qPrintable(message));
    }
    QVERIFY(rw::core::read_text_file(path) == text);
  }

  void missingFileReadOnlyIsRefused() {
    const QString message = rw::test::error_of([&] { open_store(file("missing.db"), OpenMode::ReadOnly); });
    QVERIFY2(message.contains("cannot open"), qPrintable(message));
  }

  void olderFileIsBackedUpThenUpgraded() {
    const auto path = file("old.db");
    std::int64_t run_id = 0;
    {
      rw::core::RunStore store(open_store(path, OpenMode::ReadWrite, rw::core::store_migrations()));
      run_id = store.create_run("before upgrade", "train");
    }
    {
      auto db = open_store(path, OpenMode::ReadWrite, kWithStep2);
      QCOMPARE(db.user_version(), kLatest + 1);
      QVERIFY(has_table(db, "extra"));
      auto s = db.prepare("SELECT name, note FROM runs WHERE id = ?1");
      s.bind(1, run_id);
      QVERIFY(s.step());
      QCOMPARE(QString::fromStdString(s.column_text(0)), QString("before upgrade"));
      QVERIFY(s.column_is_null(1));
    }
    const std::filesystem::path backup = path.string() + ".bak-v" + std::to_string(kLatest);
    QVERIFY(std::filesystem::exists(backup));
    auto old = Database::open(backup, OpenMode::ReadOnly);
    QCOMPARE(old.user_version(), kLatest);
    QVERIFY(!has_table(old, "extra"));
    QVERIFY(has_table(old, "runs"));
  }

  void failedUpgradeChangesNothing() {
    const auto path = file("broken.db");
    { open_store(path, OpenMode::ReadWrite); }
    const QString message = rw::test::error_of([&] { open_store(path, OpenMode::ReadWrite, kBrokenStep2); });
    QVERIFY2(message.contains(QString("upgrade to schema %1 (test_broken) failed").arg(kLatest + 1)),
             qPrintable(message));
    auto db = Database::open(path, OpenMode::ReadOnly);
    QCOMPARE(db.user_version(), kLatest);
    QVERIFY(!has_table(db, "half_done"));
  }

  void committedV1StoreIsUpgradedWithEveryRow() {
    const auto path = file("v1.db");
    std::filesystem::copy_file(rw::test::source_path("tests/fixtures/store/v1.db"), path);
    {
      auto db = open_store(path, OpenMode::ReadWrite);
      QCOMPARE(db.user_version(), kLatest);
      QCOMPARE(count(db, "SELECT count(*) FROM projects WHERE name = 'fixture'"), 1);
      QCOMPARE(count(db, "SELECT count(*) FROM runs WHERE name = 'extend-8k' AND state = 'finished' AND pid = 4242"),
               1);
      QCOMPARE(count(db, "SELECT count(*) FROM metrics WHERE run_id = 1 AND key = 'loss'"), 10);
      QCOMPARE(count(db, "SELECT count(*) FROM latest_metrics WHERE step = 9 AND value = 1.75"), 1);
      QCOMPARE(count(db, "SELECT count(*) FROM events WHERE text = 'started'"), 1);
      QCOMPARE(count(db, "SELECT count(*) FROM eval_cells WHERE task = 'niah' AND length = 4096 AND score = 1.0"), 1);
      QCOMPARE(count(db, "SELECT count(*) FROM checkpoints WHERE step = 9"), 1);
      QVERIFY(has_table(db, "corpora") && has_table(db, "documents") && has_table(db, "chunks"));
      rw::core::RunStore store(std::move(db));
      QCOMPARE(store.run(1).config_json, std::string(R"({"stages":2})"));
    }
    auto backup = Database::open(path.string() + ".bak-v1", OpenMode::ReadOnly);
    QCOMPARE(backup.user_version(), 1);
    QVERIFY(!has_table(backup, "corpora"));
    // The committed fixture itself is never modified by the test.
    auto fixture = Database::open(rw::test::source_path("tests/fixtures/store/v1.db"), OpenMode::ReadOnly);
    QCOMPARE(fixture.user_version(), 1);
  }

  void readOnlyRefusesOlderFile() {
    const auto path = file("ro_old.db");
    { open_store(path, OpenMode::ReadWrite); }
    const QString message = rw::test::error_of([&] { open_store(path, OpenMode::ReadOnly, kWithStep2); });
    QVERIFY2(message.contains("open it read-write once"), qPrintable(message));
  }

 private:
  std::filesystem::path file(const char* name) const { return std::filesystem::path(dir_.path().toStdString()) / name; }
  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "test_store_migrations.moc"
