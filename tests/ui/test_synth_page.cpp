// The Synthesize page: each generator's settings as a form, checked as you type by the synthesizer's parser
// (its exact message, Preview and Run blocked on a bad value); switching generators keeps the dataset's
// settings; Preview runs a real `synth preview` worker (training tasks, and the Bootstrap workflow with the
// demo base model as its generator) and opens the sample in the inspector with nothing stored; Run saves
// synth/NAME.json and its worker fills the dataset.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "rw/core/store/dataset_store.h"
#include "rw/core/synth/synth_config.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/json_form.h"
#include "rw/ui/widgets/sample_inspector.h"
#include "rw/core/synth/bootstrap_prompts.h"
#include "rw/ui/window/prompts_dialog.h"
#include "rw/ui/window/synth_page.h"
#include "demo_project.h"
#include "ui_screenshot.h"

using namespace rw::core;
using rw::ui::SampleInspector;
using rw::ui::SynthPage;

namespace {

const QString kModel = QString::fromStdString(rw::test::source_path("resources/demo/base-model").string());

void type(SynthPage& page, const QString& path, const QString& text) {
  auto* line = qobject_cast<QLineEdit*>(page.form()->field(path));
  QVERIFY2(line, qPrintable(path));
  line->selectAll();
  QTest::keyClicks(line, text);
}

}  // namespace

class TestSynthPage : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::filesystem::path dir_;
  std::unique_ptr<rw::ui::ProjectSession> session_;
  std::unique_ptr<SynthPage> page_;

  std::int64_t stored_samples() {
    Database db = Project::open(dir_).open_store(OpenMode::ReadOnly);
    std::int64_t n = 0;
    for (const auto& d : DatasetStore(db).list_datasets()) n += d.sample_count;
    return n;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    dir_ = tmp_.path().toStdString();
    rw::test::make_demo_project(dir_);
    qputenv("ROPEWALK_CLI", RW_CLI_PATH);
    session_ = std::make_unique<rw::ui::ProjectSession>(dir_, nullptr, 50);
    page_ = std::make_unique<SynthPage>(session_.get());
    page_->resize(1400, 850);
    page_->show();
  }

  void formCheckedByTheParser() {
    SynthPage& page = *page_;
    page.set_generator(QStringLiteral("tasks"));
    // The defaults lack a tokenizer: the parser's own message, and nothing can start.
    const auto parser_error = [&] {
      try {
        parse_synth_config(page.config_json().toStdString(), "synth settings");
      } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
      }
      return QString();
    };
    QVERIFY(!parser_error().isEmpty());
    QCOMPARE(page.status()->text(), parser_error());
    QVERIFY(!page.preview_button()->isEnabled() && !page.run_button()->isEnabled());
    type(page, QStringLiteral("tokenizer"), kModel);
    type(page, QStringLiteral("tasks/corpus"), QStringLiteral("demo"));
    type(page, QStringLiteral("lengths"), QStringLiteral("256, 512"));
    type(page, QStringLiteral("samples"), QStringLiteral("4"));
    QVERIFY2(page.status()->text().startsWith(QStringLiteral("Ready: 4 chat samples of 256, 512 tokens")),
             qPrintable(page.status()->text()));
    QVERIFY(page.preview_button()->isEnabled() && page.run_button()->isEnabled());
    // A bad value is refused with the parser's message naming it.
    type(page, QStringLiteral("lengths"), QStringLiteral("256, lots"));
    QCOMPARE(page.status()->text(), parser_error());
    QVERIFY(page.status()->text().contains(QStringLiteral("lengths")));
    QVERIFY(!page.run_button()->isEnabled());
    type(page, QStringLiteral("lengths"), QStringLiteral("256, 512"));
    QVERIFY(page.run_button()->isEnabled());
    // Another generator: its own section, the dataset's settings kept.
    page.set_generator(QStringLiteral("cip"));
    QVERIFY(page.form()->field(QStringLiteral("cip/chunk_tokens")));
    QVERIFY(!page.form()->field(QStringLiteral("tasks/corpus")));
    QCOMPARE(qobject_cast<QLineEdit*>(page.form()->field(QStringLiteral("tokenizer")))->text(), kModel);
    const auto config = nlohmann::json::parse(page.config_json().toStdString());
    QCOMPARE(config.at("generator").get<std::string>(), std::string("cip"));
    QCOMPARE(config.at("lengths"), nlohmann::json({256, 512}));
    QCOMPARE(config.at("cip").at("chunk_tokens").get<int>(), 256);  // the generator's default
    page.set_generator(QStringLiteral("tasks"));
    type(page, QStringLiteral("tasks/corpus"), QStringLiteral("demo"));
    QVERIFY(page.run_button()->isEnabled());
  }

  void previewStoresNothing() {
    SynthPage& page = *page_;
    QVERIFY(page.preview_button()->isEnabled());
    QSignalSpy previewed(&page, &SynthPage::previewed);
    QSignalSpy tokens(page.inspector(), &SampleInspector::tokens_loaded);
    page.preview_index()->setValue(1);
    page.preview();
    QVERIFY(previewed.wait(120'000));
    QVERIFY2(page.preview_status()->text().startsWith(QStringLiteral("Preview of sample 1:")),
             qPrintable(page.preview_status()->text()));
    QVERIFY(tokens.count() > 0 || tokens.wait(30'000));
    const auto* t = page.inspector()->tokens();
    QVERIFY2(t, qPrintable(page.inspector()->token_status()->text()));
    QVERIFY(t->ids.size() <= 512 && t->ids.size() > 256);  // sample 1's target is 512
    QVERIFY(page.inspector()->needle_distance());
    QVERIFY(page.inspector()->summary()->text().contains(QStringLiteral("tasks-samples (preview)")));
    QCOMPARE(stored_samples(), std::int64_t{0});
  }

  void previewBootstrapWithATinyGenerator() {
    SynthPage& page = *page_;
    page.set_generator(QStringLiteral("bootstrap"));
    type(page, QStringLiteral("bootstrap/model"), kModel);
    type(page, QStringLiteral("bootstrap/corpus"), QStringLiteral("demo"));
    type(page, QStringLiteral("bootstrap/instruction_tokens"), QStringLiteral("24"));
    type(page, QStringLiteral("bootstrap/summary_tokens"), QStringLiteral("24"));
    type(page, QStringLiteral("bootstrap/answer_tokens"), QStringLiteral("24"));
    type(page, QStringLiteral("bootstrap/queries"), QStringLiteral("1"));
    type(page, QStringLiteral("bootstrap/top_k"), QStringLiteral("1"));
    type(page, QStringLiteral("lengths"), QStringLiteral("16384"));  // the almanac's documents are long
    QVERIFY2(page.preview_button()->isEnabled(), qPrintable(page.status()->text()));
    QSignalSpy previewed(&page, &SynthPage::previewed);
    QSignalSpy shown(page.inspector(), &SampleInspector::loaded);
    page.preview_index()->setValue(0);
    page.preview();
    QVERIFY(previewed.wait(240'000));
    QCOMPARE(page.preview_button()->text(), QStringLiteral("Preview"));
    // The tiny model may write something the filters refuse; then the worker's reason is shown instead.
    const QString status = page.preview_status()->text();
    if (status.startsWith(QStringLiteral("Preview failed: "))) {
      QVERIFY2(!status.contains(QStringLiteral("[ropewalk]")), qPrintable(status));  // the reason, not a log line
      QSKIP(qPrintable(QStringLiteral("the demo model's sample was refused: ") + status));
    }
    QVERIFY2(status.startsWith(QStringLiteral("Preview of sample 0:")), qPrintable(status));
    QVERIFY(shown.count() > 0 || shown.wait(10'000));
    // Every step of the workflow is in the provenance, in order.
    QStringList steps;
    const auto items = page.inspector()->provenance()->findItems(QStringLiteral("steps"), Qt::MatchExactly);
    QCOMPARE(items.size(), 1);
    for (int i = 0; i < items[0]->childCount(); ++i) steps << items[0]->child(i)->text(0);
    QVERIFY2(steps.value(0) == QStringLiteral("1. instruction") && steps.value(1) == QStringLiteral("2. retrieval") &&
                 steps.last().endsWith(QStringLiteral("answer")),
             qPrintable(steps.join(QStringLiteral(", "))));
    QTest::qWait(200);  // the legend's labels show on the next turn of the event loop
    rw::test::save_screenshot(page, QStringLiteral("synth-bootstrap-preview.png"));
    QCOMPARE(stored_samples(), std::int64_t{0});
  }

  void previewCanBeStopped() {
    SynthPage& page = *page_;
    QVERIFY2(page.preview_button()->isEnabled(), qPrintable(page.status()->text()));  // the Bootstrap settings
    QSignalSpy previewed(&page, &SynthPage::previewed);
    page.preview();
    QCOMPARE(page.preview_button()->text(), QStringLiteral("Stop preview"));
    QVERIFY(page.preview_button()->isEnabled());
    page.preview_button()->click();
    QVERIFY(previewed.wait(20'000));
    QCOMPARE(page.preview_status()->text(), QStringLiteral("Preview stopped."));
    QCOMPARE(page.preview_button()->text(), QStringLiteral("Preview"));
  }

  void promptTemplatesOverride() {
    rw::ui::PromptsDialog dialog(dir_);
    dialog.select(QStringLiteral("summary"));
    QVERIFY(dialog.text()->toPlainText().contains(QStringLiteral("{chunk}")));  // the built-in one
    dialog.text()->setPlainText(QStringLiteral("Summarize {chunk} for {nope}."));
    QVERIFY2(dialog.status()->text().contains(QStringLiteral("has no placeholder {nope}")), qPrintable(dialog.status()->text()));
    QVERIFY(!dialog.save_button()->isEnabled());
    QVERIFY(!dialog.save());
    dialog.text()->setPlainText(QStringLiteral("For {instruction}, in {{short}}: {chunk}"));
    QVERIFY(dialog.save_button()->isEnabled());
    QVERIFY(dialog.save());
    const auto file = bootstrap_prompt_dir(dir_) / "summary.txt";
    QVERIFY(std::filesystem::exists(file));
    // The synthesizer reads it.
    const BootstrapPrompts prompts(bootstrap_prompt_dir(dir_));
    QCOMPARE(QString::fromStdString(prompts.origin("summary")), QString::fromStdString(file.string()));
    QCOMPARE(QString::fromStdString(prompts.fill("summary", {{"instruction", "Q"}, {"chunk", "C"}})),
             QStringLiteral("For Q, in {short}: C"));
    dialog.restore_builtin();
    QVERIFY(!std::filesystem::exists(file));
    QCOMPARE(QString::fromStdString(BootstrapPrompts(bootstrap_prompt_dir(dir_)).origin("summary")), QStringLiteral("built-in"));
  }

  void runFillsTheDataset() {
    SynthPage& page = *page_;
    page.set_generator(QStringLiteral("tasks"));
    type(page, QStringLiteral("name"), QStringLiteral("needles/../escape"));
    type(page, QStringLiteral("tasks/corpus"), QStringLiteral("demo"));
    type(page, QStringLiteral("lengths"), QStringLiteral("256"));
    type(page, QStringLiteral("samples"), QStringLiteral("3"));
    QVERIFY2(page.run_button()->isEnabled(), qPrintable(page.status()->text()));
    QSignalSpy added(session_.get(), &rw::ui::ProjectSession::job_added);
    QSignalSpy launched(&page, &SynthPage::launched);
    page.run();
    QCOMPARE(launched.size(), 1);
    // Saved inside the project's synth folder, whatever the name holds.
    const auto saved = dir_ / "synth" / "needles_.._escape.json";
    QVERIFY(std::filesystem::exists(saved));
    QCOMPARE(read_synth_config(saved).samples, std::int64_t{3});
    QVERIFY(added.wait(20'000));
    auto* job = added[0][0].value<rw::ui::WorkerProcess*>();
    QCOMPARE(job->arguments().mid(0, 2), (QStringList{QStringLiteral("synth"), QStringLiteral("run")}));
    QTRY_VERIFY_WITH_TIMEOUT(job->state() != rw::ui::WorkerProcess::State::Running &&
                                 job->state() != rw::ui::WorkerProcess::State::Starting,
                             120'000);
    QVERIFY2(job->state() == rw::ui::WorkerProcess::State::Finished, qPrintable(job->error()));
    QCOMPARE(stored_samples(), std::int64_t{3});
  }
};

QTEST_MAIN(TestSynthPage)
#include "test_synth_page.moc"
