// The Datasets page and the sample inspector over datasets the synthesizer wrote (needle chats, CIP texts,
// SynL tables, a Bootstrap sample by the demo base model) with the demo base model's tokenizer: the table, its filters and the length histogram agree
// with the store; every stored segment shows in its colour over exactly its bytes; the token view's ids and
// loss mask are the trainer's, its boundaries tile the text, trained tokens cover exactly the answers; the
// needle-to-question distance matches the tokens between them; a 1M-character sample opens with formatting
// kept to what is on screen (event-loop stalls reported); export writes the files; regenerate says identical.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTreeWidget>
#include <QtTest>
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rw/core/data/sample_stream.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/project.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/files.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/length_histogram.h"
#include "rw/ui/widgets/sample_inspector.h"
#include "rw/ui/widgets/sample_minimap.h"
#include "rw/ui/widgets/span_text_view.h"
#include "rw/ui/window/datasets_page.h"
#include "demo_project.h"
#include "test_support.h"
#include "ui_screenshot.h"

using namespace rw::core;
using rw::ui::DatasetsPage;
using rw::ui::SampleInspector;

namespace {

const std::string kTokenizer = rw::test::source_path("resources/demo/base-model").string();

SynthConfig config_of(nlohmann::json j) {
  j.emplace("tokenizer", kTokenizer);
  return parse_synth_config(j.dump(), "synth.json");
}

// The background the view drew at `position` (its block's layout formats), if any.
std::optional<QColor> drawn_background(const QPlainTextEdit& view, int position) {
  const QTextBlock block = view.document()->findBlock(position);
  for (const auto& r : block.layout()->formats())
    if (position - block.position() >= r.start && position - block.position() < r.start + r.length &&
        r.format.hasProperty(QTextFormat::BackgroundBrush))
      return r.format.background().color();
  return std::nullopt;
}

}  // namespace

class TestDatasetsPage : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::filesystem::path dir_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<rw::ui::ProjectSession> session_;
  std::unique_ptr<DatasetsPage> page_;

  bool open(const QString& dataset, int row) {
    if (!page_->select_dataset(dataset)) return false;
    QSignalSpy listed(page_.get(), &DatasetsPage::loaded);
    page_->list_samples();  // the dataset may have been selected already
    if (!listed.wait(20'000) || page_->samples()->rowCount() <= row) return false;
    QSignalSpy shown(page_->inspector(), &SampleInspector::loaded);
    QSignalSpy tokens(page_->inspector(), &SampleInspector::tokens_loaded);
    if (page_->samples()->row(row).id == page_->inspector()->sample_id())
      page_->open_sample(page_->inspector()->sample_id());
    else
      page_->table()->selectRow(row);
    return shown.wait(20'000) && (tokens.count() > 0 || tokens.wait(60'000));
  }

  SampleRecord shown_sample() {
    Database db = Project::open(dir_).open_store(OpenMode::ReadOnly);
    return DatasetStore(db).sample(page_->inspector()->sample_id());
  }

  /// Every stored segment covers its bytes in the text and is drawn in its kind's background.
  void check_segments(const SampleRecord& s) {
    SampleInspector& inspector = *page_->inspector();
    inspector.set_view(SampleInspector::View::Segments);
    const rw::ui::SampleDocument& doc = inspector.document();
    QCOMPARE(doc.spans.size(), s.segments.size());  // the generators write no overlaps
    auto* view = inspector.text();
    for (const rw::ui::TextSpan& span : doc.spans) {
      const SampleSegment& g = s.segments.at(static_cast<size_t>(span.index));
      const std::string& content = s.messages.at(static_cast<size_t>(g.message_index)).content;
      QCOMPARE(doc.text.mid(span.begin, span.end - span.begin),
               QString::fromStdString(content.substr(static_cast<size_t>(g.byte_begin), static_cast<size_t>(g.byte_end - g.byte_begin))));
      const int middle = (span.begin + span.end) / 2;
      if (doc.text.at(middle) == QLatin1Char('\n')) continue;  // block ends carry no format
      view->reveal(middle, middle);  // formats are given to the lines on screen
      view->viewport()->repaint();
      QCOMPARE(drawn_background(*view, middle), std::optional<QColor>(rw::ui::segment_background(g.kind)));
    }
    const auto& bands = inspector.minimap()->bands();
    QCOMPARE(bands.size(), doc.spans.size());
    for (size_t k = 0; k < bands.size(); ++k)
      QCOMPARE(bands[k].colour, rw::ui::segment_colour(s.segments.at(static_cast<size_t>(doc.spans[k].index)).kind));
  }

  /// The token view holds the trainer's ids and mask, its pieces tile the text, and the trained tokens are
  /// exactly those inside the assistant replies (plus each reply's end-of-turn token).
  void check_tokens(const SampleRecord& s, std::string_view kind, ChatFormat format) {
    SampleInspector& inspector = *page_->inspector();
    const rw::ui::TokenDocument* t = inspector.tokens();
    QVERIFY2(t, qPrintable(inspector.token_status()->text()));
    const RenderedChat trainer = render_sample(kind, format, *tokenizer_, s.messages, LossOn::Responses);
    QCOMPARE(t->ids, trainer.ids);
    QCOMPARE(t->loss_mask, trainer.loss_mask);
    QCOMPARE(t->begin.size(), t->ids.size());
    QCOMPARE(t->begin.front(), 0);
    QVERIFY(std::is_sorted(t->begin.begin(), t->begin.end()));
    QCOMPARE(t->text, QString::fromStdString(tokenizer_->decode(t->ids, false)));
    const auto& offsets = inspector.message_offsets();
    QCOMPARE(offsets.size(), s.messages.size());
    for (size_t m = 0; m < s.messages.size(); ++m) {
      const QString content = QString::fromStdString(s.messages[m].content);
      QVERIFY(offsets[m] >= 0);
      QCOMPARE(t->text.mid(offsets[m], content.size()), content);
      const bool trained = kind == "text" || s.messages[m].role == "assistant";
      for (int k = 0; k < static_cast<int>(t->ids.size()); ++k)
        if (t->begin[static_cast<size_t>(k)] >= offsets[m] && t->end_of(k) <= offsets[m] + content.size())
          QCOMPARE(t->loss_mask[static_cast<size_t>(k)] != 0, trained);
    }
    // Drawn: a trained token's background is one of the greens, a context token's is not.
    inspector.set_view(SampleInspector::View::Tokens);
    auto* view = inspector.text();
    QCOMPARE(view->toPlainText(), t->text);
    for (int k = 0; k < static_cast<int>(t->ids.size()); k += 7) {
      const int at = t->begin[static_cast<size_t>(k)];
      if (t->end_of(k) == at || t->text.at(at) == QLatin1Char('\n')) continue;
      view->reveal(at, at);
      view->viewport()->repaint();
      const auto colour = drawn_background(*view, at);
      QVERIFY(colour);
      QCOMPARE(colour->green() > colour->red() + 20, t->loss_mask[static_cast<size_t>(k)] != 0);
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    dir_ = tmp_.path().toStdString();
    rw::test::make_demo_project(dir_);
    tokenizer_ = load_tokenizer(kTokenizer);
    Database db = Project::open(dir_).open_store(OpenMode::ReadWrite);
    run_synthesis(db, config_of({{"name", "needles"}, {"generator", "tasks"}, {"samples", 6}, {"lengths", {256, 512}},
                                 {"tasks", {{"tasks", {"needle_chat"}}, {"corpus", "demo"}}}}),
                  *tokenizer_);
    run_synthesis(db, config_of({{"name", "cip"}, {"generator", "cip"}, {"samples", 3}, {"lengths", {512}},
                                 {"cip", {{"corpus", "demo"}, {"chunk_tokens", 64}, {"documents", 3}}}}),
                  *tokenizer_);
    run_synthesis(db, config_of({{"name", "tables"}, {"generator", "synl"}, {"samples", 2}, {"lengths", {600}},
                                 {"chat_format", "llama2"}}),
                  *tokenizer_);
    // A Bootstrap dataset, written by a `synth run` worker with the demo base model as the generator.
    const QString boot = tmp_.filePath(QStringLiteral("boot.json"));
    QFile file(boot);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(nlohmann::json{{"format", 1}, {"name", "boot"}, {"generator", "bootstrap"}, {"samples", 1},
                              {"lengths", {16384}}, {"tokenizer", kTokenizer},
                              {"bootstrap", {{"model", kTokenizer}, {"corpus", "demo"}, {"queries", 1}, {"top_k", 1},
                                             {"instruction_tokens", 24}, {"summary_tokens", 24}, {"answer_tokens", 24}}}}
                   .dump()
                   .c_str());
    file.close();
    const auto run = rw::test::run_process(RW_CLI_PATH, {QStringLiteral("synth"), QStringLiteral("run"),
                                                         QString::fromStdString(dir_.string()), boot,
                                                         QStringLiteral("--progress"), QStringLiteral("none")});
    QVERIFY2(run.exit_code == 0, qPrintable(run.std_err));
    qputenv("ROPEWALK_CLI", RW_CLI_PATH);
    session_ = std::make_unique<rw::ui::ProjectSession>(dir_, nullptr, 50);
    page_ = std::make_unique<DatasetsPage>(session_.get());
    page_->resize(1400, 800);
    page_->show();
    QTRY_COMPARE_WITH_TIMEOUT(page_->datasets()->count(), 4, 20'000);
  }

  void tableFiltersAndHistogram() {
    QVERIFY(page_->select_dataset("needles"));
    QTRY_COMPARE_WITH_TIMEOUT(page_->samples()->rowCount(), 6, 20'000);
    std::int64_t in_bins = 0;
    for (const auto n : page_->histogram()->bins()) in_bins += n;
    QCOMPARE(in_bins, std::int64_t{6});
    QCOMPARE(page_->histogram()->targets(), (std::vector<std::int64_t>{256, 512}));
    for (int r = 0; r < 6; ++r) {
      const auto& row = page_->samples()->row(r);
      QCOMPARE(row.idx, std::int64_t{r});
      QVERIFY(row.n_tokens && *row.n_tokens <= *row.target_tokens && *row.n_tokens > *row.target_tokens / 2);
    }
    QSignalSpy listed(page_.get(), &DatasetsPage::loaded);
    page_->min_tokens()->setValue(300);
    QVERIFY(listed.wait(10'000));
    QCOMPARE(page_->samples()->rowCount(), 3);
    for (int r = 0; r < 3; ++r) QVERIFY(*page_->samples()->row(r).n_tokens >= 300);
    page_->min_tokens()->setValue(0);
    QVERIFY(listed.wait(10'000));
    // A word of the first sample's question, searched in user messages only.
    page_->role()->setCurrentIndex(page_->role()->findData(QStringLiteral("assistant")));
    QVERIFY(listed.wait(10'000));
    page_->search()->setText(QStringLiteral("no such words anywhere"));
    QVERIFY(listed.wait(10'000));
    QCOMPARE(page_->samples()->rowCount(), 0);
    QVERIFY(page_->listing()->text().startsWith(QStringLiteral("0 samples match")));
    page_->search()->clear();
    page_->role()->setCurrentIndex(0);
    QVERIFY(listed.wait(10'000));
    QTRY_COMPARE_WITH_TIMEOUT(page_->samples()->rowCount(), 6, 10'000);
  }

  void needleChatSegmentsTokensAndDistance() {
    QVERIFY(open(QStringLiteral("needles"), 1));
    const SampleRecord s = shown_sample();
    check_segments(s);
    check_tokens(s, "chat", ChatFormat::Plain);
    // The needle-to-question distance: the tokens of the text between them, give or take a merge at each end.
    const auto distance = page_->inspector()->needle_distance();
    QVERIFY(distance);
    const SampleSegment* needle = nullptr;
    for (const auto& g : s.segments)
      if (g.kind == "needle") needle = &g;
    QVERIFY(needle);
    const std::string& haystack = s.messages.at(static_cast<size_t>(needle->message_index)).content;
    const std::string between = haystack.substr(static_cast<size_t>(needle->byte_end));
    const auto counted = static_cast<int>(tokenizer_->encode(between, false).size());
    QVERIFY2(std::abs(*distance - counted) <= 12, qPrintable(QStringLiteral("%1 vs %2").arg(*distance).arg(counted)));
    // The provenance shows 64-bit values exactly (the seed).
    const auto seed = page_->inspector()->provenance()->findItems(QStringLiteral("seed"), Qt::MatchExactly);
    QCOMPARE(seed.size(), 1);
    QCOMPARE(seed[0]->text(1), QString::number(nlohmann::json::parse(s.meta_json).at("seed").get<std::uint64_t>()));
    QVERIFY(page_->inspector()->minimap()->bracket());
    QVERIFY(page_->inspector()->minimap()->toolTip().contains(QStringLiteral("from the needle to the question, %1 tokens").arg(*distance)));
    QVERIFY(page_->inspector()->token_status()->text().contains(QStringLiteral("needle → question")));
    rw::test::save_screenshot(*page_, QStringLiteral("datasets-needle.png"));
  }

  void cipTextTrainsEveryToken() {
    QVERIFY(open(QStringLiteral("cip"), 0));
    const SampleRecord s = shown_sample();
    check_segments(s);
    check_tokens(s, "text", ChatFormat::Plain);
    const auto* t = page_->inspector()->tokens();
    QVERIFY(std::all_of(t->loss_mask.begin(), t->loss_mask.end(), [](std::uint8_t m) { return m == 1; }));
    // Segments carry their source: the provenance lists each with its document.
    QTreeWidgetItem* segments = page_->inspector()->provenance()->topLevelItem(0);
    QCOMPARE(segments->childCount(), static_cast<int>(s.segments.size()));
    QVERIFY(segments->child(0)->text(1).contains(QStringLiteral("← document %1").arg(*s.segments[0].source_document_id)));
    // A double-click asks the corpus view for the segment's source bytes.
    QSignalSpy opened(page_->inspector(), &SampleInspector::open_document);
    Q_EMIT page_->inspector()->provenance()->itemDoubleClicked(segments->child(1), 0);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][0].toLongLong(), *s.segments[1].source_document_id);
    QCOMPARE(opened[0][1].toLongLong(), *s.segments[1].source_begin);
    QCOMPARE(opened[0][2].toLongLong(), *s.segments[1].source_end);
  }

  void synlTableInLlama2() {
    QVERIFY(open(QStringLiteral("tables"), 0));
    const SampleRecord s = shown_sample();
    check_segments(s);
    check_tokens(s, "chat", ChatFormat::Llama2);
    page_->inspector()->set_view(SampleInspector::View::Segments);
    rw::test::save_screenshot(*page_, QStringLiteral("datasets-synl.png"));
  }

  void bootstrapSampleWithItsSteps() {
    QVERIFY(open(QStringLiteral("boot"), 0));
    const SampleRecord s = shown_sample();
    check_segments(s);
    check_tokens(s, "chat", ChatFormat::Plain);
    const auto steps = page_->inspector()->provenance()->findItems(QStringLiteral("steps"), Qt::MatchExactly);
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps[0]->child(0)->text(0), QStringLiteral("1. instruction"));
    QCOMPARE(steps[0]->child(1)->text(0), QStringLiteral("2. retrieval"));
  }

  void exportWritesTheLayouts() {
    QVERIFY(page_->select_dataset(QStringLiteral("needles")));
    QSignalSpy done(page_.get(), &DatasetsPage::exported);
    const QString out = tmp_.filePath(QStringLiteral("exported"));
    page_->export_to(out);
    QVERIFY(done.wait(20'000));
    QVERIFY2(page_->export_report()->text().startsWith(QStringLiteral("Exported needles (6 samples)")),
             qPrintable(page_->export_report()->text()));
    for (const char* file : {"manifest.json", "needles.sharegpt.jsonl", "needles.messages.jsonl"})
      QVERIFY2(QFileInfo::exists(out + QLatin1Char('/') + QLatin1String(file)), file);
    page_->export_to(QStringLiteral("/proc/no-such-place"));
    QVERIFY(done.wait(20'000));
    QVERIFY(page_->export_report()->text().startsWith(QStringLiteral("Export failed: ")));
  }

  void regenerateSaysIdentical() {
    QVERIFY(open(QStringLiteral("needles"), 2));
    QSignalSpy done(page_->inspector(), &SampleInspector::regenerated);
    page_->inspector()->regenerate();
    QVERIFY(done.wait(120'000));
    QCOMPARE(page_->inspector()->regenerate_status()->text(), QStringLiteral("regenerated: identical"));
  }

  void importedDatasetUnderTheProjectTokenizer() {
    std::int64_t id = 0;
    const std::vector<ChatMessage> messages{{"user", "Where is Surdihaven?"}, {"assistant", "On the Braindga."}};
    {
      Database db = Project::open(dir_).open_store(OpenMode::ReadWrite);
      DatasetStore store(db);
      id = *store.add_sample(store.create_dataset({.name = "imported", .source = "/data/chat.jsonl"}).id, messages);
    }
    SampleInspector inspector(Project::open(dir_));
    QSignalSpy tokens(&inspector, &SampleInspector::tokens_loaded);
    inspector.show_sample(id);
    QVERIFY(tokens.wait(20'000));
    QVERIFY(!inspector.tokens());
    QVERIFY(inspector.token_status()->text().contains(QStringLiteral("the project names no tokenizer")));
    inspector.set_default_tokenizer(kTokenizer);
    inspector.show_sample(id);
    QVERIFY(tokens.wait(20'000));
    QVERIFY2(inspector.tokens(), qPrintable(inspector.token_status()->text()));
    QCOMPARE(inspector.tokens()->ids, render_sample("chat", ChatFormat::Plain, *tokenizer_, messages, LossOn::Responses).ids);
    QVERIFY(inspector.token_status()->text().contains(QStringLiteral("the project's tokenizer")));
  }

  void millionCharacterSampleStaysLazy() {
    // One text sample of ~1M characters in 20K lines, a segment every 50 lines.
    std::string text;
    std::vector<SampleSegment> segments;
    for (int line = 0; line < 20'000; ++line) {
      if (line % 50 == 0 && line > 0)
        segments.push_back({.byte_begin = static_cast<std::int64_t>(text.size()) - 200,
                            .byte_end = static_cast<std::int64_t>(text.size()),
                            .kind = line % 100 == 0 ? "chunk" : "document"});
      text += fmt::format("{:05d} Surdihaven lies on the Braindga in the region of Dendness, records say.\n", line);
    }
    {
      Database db = Project::open(dir_).open_store(OpenMode::ReadWrite);
      DatasetStore store(db);
      const auto d = store.create_dataset({.name = "huge", .kind = "text"});
      QVERIFY(store.add_sample(d.id, {{std::string(kTextRole), text}}, "{}", segments));
    }
    page_->reload();
    QTRY_COMPARE_WITH_TIMEOUT(page_->datasets()->count(), 6, 20'000);
    // The longest the event loop went without running a 5 ms timer, while the sample opens and scrolls.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer tick;
    tick.setInterval(5);
    connect(&tick, &QTimer::timeout, this, [&] {
      worst = std::max(worst, clock.elapsed() - last);
      last = clock.elapsed();
    });
    tick.start();
    QVERIFY(open(QStringLiteral("huge"), 0));
    auto* view = page_->inspector()->text();
    QCOMPARE(view->document()->blockCount(), 20'002);  // the header, 20K lines, the empty last one
    QScrollBar* bar = view->verticalScrollBar();
    for (int step = 0; step <= 20; ++step) {
      bar->setValue(bar->maximum() * step / 20);
      QTest::qWait(20);
    }
    tick.stop();
    // The minimap takes the view anywhere: the middle of the sample comes on screen.
    const int middle = view->document()->characterCount() / 2;
    Q_EMIT page_->inspector()->minimap()->jump(middle);
    const auto [top, bottom] = view->visible_range();
    QVERIFY2(top <= middle && middle <= bottom, qPrintable(QStringLiteral("%1 not in %2..%3").arg(middle).arg(top).arg(bottom)));
    qInfo("1M-character sample: longest event-loop stall %lld ms while opening and scrolling; %d of %d blocks formatted",
          worst, view->formatted_blocks(), view->document()->blockCount());
    QVERIFY(view->formatted_blocks() < view->document()->blockCount() / 10);
    QVERIFY(page_->inspector()->token_status()->text().startsWith(QStringLiteral("no token view")));
  }
};

QTEST_MAIN(TestDatasetsPage)
#include "test_datasets_page.moc"
