#include "rw/ui/window/corpus_page.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBlock>
#include <QVBoxLayout>
#include <QValueAxis>

#include "rw/core/heatmap/heatmap_data.h"
#include "rw/core/retrieval/bm25_retriever.h"
#include "rw/core/store/corpus_store.h"
#include "rw/ui/models/store_reader.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/window/import_dialog.h"

namespace rw::ui {

using rw::core::CorpusStore;
using rw::core::Database;

namespace {

constexpr std::int64_t kDocumentPage = 2000;  // documents listed per corpus (the list is for browsing)
constexpr std::int64_t kHits = 20;

struct CorpusView {
  rw::core::CorpusRecord corpus;
  rw::core::CorpusStats stats;
  std::vector<rw::core::DocumentRecord> documents;
};

// Characters before byte `offset` of UTF-8 `text` (where QString positions a selection).
int char_offset(const std::string& text, std::int64_t offset) {
  const auto bytes = static_cast<size_t>(std::clamp<std::int64_t>(offset, 0, static_cast<std::int64_t>(text.size())));
  return static_cast<int>(QString::fromUtf8(text.data(), static_cast<qsizetype>(bytes)).size());
}

QString report_text(const QString& json) {
  const QJsonObject r = QJsonDocument::fromJson(json.toUtf8()).object();
  if (r.value(QStringLiteral("stopped")).toBool()) return QObject::tr("The import was stopped; nothing was imported.");
  QString text = QObject::tr("Imported %1 documents (%2 tokens, %3 chunks) from %4 files; %5 duplicates.")
                     .arg(r.value(QStringLiteral("documents_added")).toInteger())
                     .arg(r.value(QStringLiteral("tokens_added")).toInteger())
                     .arg(r.value(QStringLiteral("chunks_added")).toInteger())
                     .arg(r.value(QStringLiteral("files_read")).toInteger())
                     .arg(r.value(QStringLiteral("duplicates")).toInteger());
  const QJsonArray skipped = r.value(QStringLiteral("skipped")).toArray();
  if (!skipped.isEmpty()) {
    text += QObject::tr(" Skipped %1:").arg(skipped.size());
    for (const auto& entry : skipped) {
      const QJsonObject s = entry.toObject();
      text += QStringLiteral("\n  %1: %2")
                  .arg(s.value(QStringLiteral("path")).toString(), s.value(QStringLiteral("reason")).toString());
    }
  }
  return text;
}

}  // namespace

CorpusPage::CorpusPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent), session_(session), reader_(new StoreReader(session->project().store_path(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  corpus_ = new QComboBox;
  corpus_->setMinimumWidth(180);
  auto* import_folder = new QPushButton(tr("Import folder…"));
  auto* import_files = new QPushButton(tr("Import files…"));
  import_folder->setToolTip(tr("Text files, JSONL and repositories; the project's include/exclude globs apply"));
  top->addWidget(new QLabel(tr("Corpus")));
  top->addWidget(corpus_);
  top->addWidget(import_folder);
  top->addWidget(import_files);
  top->addStretch();
  layout->addLayout(top);
  report_ = new QLabel;
  report_->setWordWrap(true);
  report_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  report_->hide();
  layout->addWidget(report_);

  auto* split = new QSplitter;
  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  stats_ = new QLabel;
  stats_->setWordWrap(true);
  histogram_ = new QChartView;
  histogram_->setMinimumHeight(150);
  histogram_->setMaximumHeight(200);
  histogram_->chart()->legend()->hide();
  histogram_->chart()->setMargins(QMargins(2, 2, 2, 2));
  documents_ = new QTableWidget(0, 3);
  documents_->setHorizontalHeaderLabels({tr("Document"), tr("Tokens"), tr("Bytes")});
  documents_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  documents_->verticalHeader()->hide();
  documents_->setSelectionBehavior(QAbstractItemView::SelectRows);
  documents_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  documents_->setWordWrap(false);
  left_layout->addWidget(stats_);
  left_layout->addWidget(histogram_);
  left_layout->addWidget(documents_, 1);

  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  query_ = new QLineEdit;
  query_->setPlaceholderText(tr("Search the corpus (BM25)…"));
  query_->setClearButtonEnabled(true);
  hits_ = new QListWidget;
  hits_->setWordWrap(true);
  hits_->setMaximumHeight(220);
  text_ = new QPlainTextEdit;
  text_->setReadOnly(true);
  text_->setPlaceholderText(tr("Pick a document or a search hit to read it here."));
  right_layout->addWidget(query_);
  right_layout->addWidget(hits_);
  right_layout->addWidget(text_, 1);
  split->addWidget(left);
  split->addWidget(right);
  split->setSizes({450, 650});
  layout->addWidget(split, 1);

  connect(corpus_, &QComboBox::currentIndexChanged, this, &CorpusPage::load_corpus);
  connect(query_, &QLineEdit::returnPressed, this, [this] { search(query_->text()); });
  connect(documents_, &QTableWidget::cellClicked, this,
          [this](int row, int) { open_document(documents_->item(row, 0)->data(Qt::UserRole).toLongLong()); });
  connect(hits_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    const QVariantList hit = item->data(Qt::UserRole).toList();
    open_document(hit[0].toLongLong(), hit[1].toLongLong(), hit[2].toLongLong());
  });
  // After the picker, the import options (corpus, repositories, JSONL field, globs, tokenizer, chunking).
  const auto ask_options = [this](const QStringList& paths) {
    QStringList names;
    for (int i = 0; i < corpus_->count(); ++i) names << corpus_->itemText(i);
    ImportDialog dialog(paths, names, corpus_->currentText().isEmpty() ? QStringLiteral("main") : corpus_->currentText(),
                        this);
    if (dialog.exec() == QDialog::Accepted) import(dialog.request());
  };
  connect(import_folder, &QPushButton::clicked, this, [this, ask_options] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder to import"));
    if (!dir.isEmpty()) ask_options({dir});
  });
  connect(import_files, &QPushButton::clicked, this, [this, ask_options] {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Files to import"));
    if (!files.isEmpty()) ask_options(files);
  });
  connect(session_, &ProjectSession::job_added, this, [this](WorkerProcess* job) {
    if (job->arguments().value(0) != QStringLiteral("corpus")) return;
    connect(job, &WorkerProcess::ended, this, [this, job] {
      report_->setText(job->state() == WorkerProcess::State::Finished ? report_text(job->result_json())
                                                                      : tr("Import failed: %1").arg(job->error()));
      report_->setStyleSheet(job->state() == WorkerProcess::State::Failed ? QStringLiteral("color: #d62728")
                                                                          : QString());
      report_->show();
      reload();
    });
  });
  reload();
}

void CorpusPage::import(const ImportRequest& request) {
  report_->setText(tr("Importing into %1…").arg(request.corpus));
  report_->setStyleSheet({});
  report_->show();
  session_->import_corpus(request, [this](const QString& e) {
    report_->setText(e);
    report_->setStyleSheet(QStringLiteral("color: #d62728"));
  });
}

void CorpusPage::reload() {
  reader_->read<std::vector<rw::core::CorpusRecord>>(
      this, [](Database& db) { return CorpusStore(db).list_corpora(); },
      [this](std::vector<rw::core::CorpusRecord> corpora) {
        const QString selected = corpus_->currentText();
        {
          const QSignalBlocker block(corpus_);
          corpus_->clear();
          for (const auto& c : corpora)
            corpus_->addItem(QString::fromStdString(c.name), QVariant::fromValue<qint64>(c.id));
          const int keep = corpus_->findText(selected);
          corpus_->setCurrentIndex(keep >= 0 ? keep : corpus_->count() - 1);
        }
        if (corpora.empty()) stats_->setText(tr("No corpus yet: import a folder of texts, JSONL or a repository."));
        load_corpus();
      },
      [this](const QString& e) { stats_->setText(tr("Cannot read the corpora: %1").arg(e)); });
}

void CorpusPage::load_corpus() {
  if (corpus_->currentIndex() < 0) {
    documents_->setRowCount(0);
    Q_EMIT loaded();
    return;
  }
  const std::int64_t id = corpus_->currentData().toLongLong();
  reader_->read<CorpusView>(
      this,
      [id](Database& db) {
        CorpusStore store(db);
        CorpusView view;
        view.corpus = store.corpus(id);
        view.stats = store.stats(id, view.corpus.tokenizer_id);
        view.documents = store.list_documents(id, 0, kDocumentPage);
        return view;
      },
      [this](CorpusView view) {
        const auto& s = view.stats;
        stats_->setText(tr("%1 documents, %2 tokens (%3), %4 chunks of %5 tokens. Document length: median %6, "
                           "p90 %7, max %8 tokens.")
                            .arg(s.documents)
                            .arg(s.tokens)
                            .arg(QString::fromStdString(view.corpus.tokenizer_name))
                            .arg(s.chunks)
                            .arg(view.corpus.chunk_tokens)
                            .arg(s.median_tokens)
                            .arg(s.p90_tokens)
                            .arg(s.max_tokens));
        auto* set = new QBarSet(tr("documents"));
        QStringList bins;
        for (size_t i = 0; i < s.log2_histogram.size(); ++i) {
          *set << static_cast<double>(s.log2_histogram[i]);
          bins << (i == 0 ? QStringLiteral("0-1")
                          : QString::fromStdString(rw::core::format_context_length(std::int64_t{1} << i)));
        }
        QChart* chart = histogram_->chart();
        chart->removeAllSeries();
        for (auto* axis : chart->axes()) {
          chart->removeAxis(axis);
          delete axis;
        }
        auto* series = new QBarSeries;
        series->append(set);
        chart->addSeries(series);
        auto* x = new QBarCategoryAxis;
        x->append(bins);
        x->setTitleText(tr("tokens per document (from)"));
        auto* y = new QValueAxis;
        y->setLabelFormat(QStringLiteral("%d"));
        // Whole-number ticks: at most 5, at a whole step.
        const std::int64_t most = std::max<std::int64_t>(
            1, s.log2_histogram.empty() ? 1 : *std::max_element(s.log2_histogram.begin(), s.log2_histogram.end()));
        const std::int64_t tick = (most + 3) / 4;
        y->setRange(0, static_cast<double>(tick * ((most + tick - 1) / tick)));
        y->setTickCount(static_cast<int>((most + tick - 1) / tick) + 1);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(x);
        series->attachAxis(y);

        // Paths relative to the folder the listed documents share, the full path as a tooltip.
        QString common;
        for (const auto& d : view.documents) {
          const QString dir = QFileInfo(QString::fromStdString(d.source_path)).path() + QLatin1Char('/');
          if (common.isNull()) common = dir;
          while (!dir.startsWith(common) && !common.isEmpty())
            common = common.left(common.lastIndexOf(QLatin1Char('/'), common.size() - 2) + 1);
        }
        documents_->setRowCount(static_cast<int>(view.documents.size()));
        for (int row = 0; row < static_cast<int>(view.documents.size()); ++row) {
          const auto& d = view.documents[static_cast<size_t>(row)];
          const QString path = QString::fromStdString(d.source_path);
          auto* name = new QTableWidgetItem(path.mid(common.size()));
          name->setToolTip(path);
          name->setData(Qt::UserRole, QVariant::fromValue<qint64>(d.id));
          documents_->setItem(row, 0, name);
          documents_->setItem(row, 1, new QTableWidgetItem(d.n_tokens ? QString::number(*d.n_tokens) : QString()));
          documents_->setItem(row, 2, new QTableWidgetItem(QString::number(d.n_bytes)));
        }
        Q_EMIT loaded();
      },
      [this](const QString& e) {
        stats_->setText(tr("Cannot read the corpus: %1").arg(e));
        Q_EMIT loaded();
      });
}

void CorpusPage::search(const QString& query) {
  query_->setText(query);
  if (corpus_->currentIndex() < 0 || query.trimmed().isEmpty()) return;
  const std::int64_t corpus = corpus_->currentData().toLongLong();
  const std::string q = query.toStdString();
  hits_->clear();
  hits_->addItem(tr("Searching…"));
  reader_->read<std::vector<rw::core::RetrievedChunk>>(
      this,
      [corpus, q](Database& db) {
        rw::core::Bm25Retriever retriever(db);
        return retriever.retrieve(q, {.limit = kHits, .corpus_id = corpus});
      },
      [this, query](std::vector<rw::core::RetrievedChunk> found) {
        hits_->clear();
        if (found.empty()) hits_->addItem(tr("No chunk matches \"%1\".").arg(query));
        const QStringList words = query.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const auto& hit : found) {
          QString snippet = QString::fromStdString(hit.text).simplified();
          if (snippet.size() > 240) snippet = snippet.left(240) + QStringLiteral("…");
          auto* item = new QListWidgetItem(QStringLiteral("%1  (score %2)\n%3")
                                               .arg(QString::fromStdString(hit.source_path))
                                               .arg(hit.score, 0, 'f', 2)
                                               .arg(snippet),
                                           hits_);
          item->setData(Qt::UserRole, QVariantList{QVariant::fromValue<qint64>(hit.chunk.document_id),
                                                   QVariant::fromValue<qint64>(hit.chunk.byte_begin),
                                                   QVariant::fromValue<qint64>(hit.chunk.byte_end)});
          // A hit whose text holds a query word is marked, so the eye finds the matches first.
          for (const QString& w : words)
            if (snippet.contains(w, Qt::CaseInsensitive)) item->setToolTip(tr("contains \"%1\"").arg(w));
        }
        Q_EMIT loaded();
      },
      [this](const QString& e) {
        hits_->clear();
        hits_->addItem(tr("Search failed: %1").arg(e));
        Q_EMIT loaded();
      });
}

void CorpusPage::open_document(std::int64_t document_id, std::int64_t byte_begin, std::int64_t byte_end) {
  reader_->read<std::string>(
      this, [document_id](Database& db) { return CorpusStore(db).document_text(document_id); },
      [this, document_id, byte_begin, byte_end](std::string text) {
        shown_document_ = document_id;
        text_->setPlainText(QString::fromStdString(text));
        if (byte_begin >= 0) {
          // Select the hit's chunk and scroll to it.
          QTextCursor cursor = text_->textCursor();
          cursor.setPosition(char_offset(text, byte_begin));
          cursor.setPosition(char_offset(text, byte_end), QTextCursor::KeepAnchor);
          text_->setTextCursor(cursor);
          text_->centerCursor();
        }
        Q_EMIT loaded();
      },
      [this](const QString& e) { text_->setPlainText(tr("Cannot read the document: %1").arg(e)); });
}

}  // namespace rw::ui
