#include "rw/ui/window/datasets_page.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <numeric>

#include "rw/core/data/dataset_export.h"
#include "rw/ui/models/store_reader.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/length_histogram.h"
#include "rw/ui/widgets/sample_inspector.h"

namespace rw::ui {

using rw::core::Database;
using rw::core::DatasetStore;

namespace {

constexpr int kFollowMs = 2000;  // re-list while a synth worker writes samples
constexpr int kTypingMs = 300;   // the search runs once typing pauses

struct Listing {
  int request = 0;
  std::string tokenizer_id;
  rw::core::SampleListing samples;
};

}  // namespace

void SampleTableModel::set_rows(std::vector<rw::core::SampleSummary> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

int SampleTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SampleTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant SampleTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::TextAlignmentRole))
    return {};
  const auto& r = rows_.at(static_cast<size_t>(index.row()));
  if (role == Qt::TextAlignmentRole)
    return index.column() == Text ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  const auto optional = [](const std::optional<std::int64_t>& v) { return v ? QVariant::fromValue<qint64>(*v) : QVariant(); };
  switch (index.column()) {
    case Index: return QVariant::fromValue<qint64>(r.idx);
    case Id: return QVariant::fromValue<qint64>(r.id);
    case Tokens: return optional(r.n_tokens);
    case Target: return optional(r.target_tokens);
    case Bytes: return QVariant::fromValue<qint64>(r.n_bytes);
    case Messages: return QVariant::fromValue<qint64>(r.messages);
    case Text: {
      const QString text = QString::fromStdString(r.preview);
      return role == Qt::ToolTipRole ? text : text.simplified();
    }
    default: return {};
  }
}

QVariant SampleTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"Index", "Id", "Tokens", "Target", "Bytes", "Msgs", "Text"};
  return QObject::tr(names[section]);
}

DatasetsPage::DatasetsPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent), session_(session), reader_(new StoreReader(session->project().store_path(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  dataset_ = new QComboBox;
  dataset_->setMinimumWidth(200);
  facts_ = new QLabel;
  facts_->setWordWrap(true);
  facts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* export_button = new QPushButton(tr("Export…"));
  export_button->setToolTip(tr("Write the dataset as JSONL for LLaMA-Factory (sharegpt, alpaca) and Axolotl, with a manifest"));
  top->addWidget(new QLabel(tr("Dataset")));
  top->addWidget(dataset_);
  top->addWidget(facts_, 1);
  top->addWidget(export_button);
  layout->addLayout(top);
  export_report_ = new QLabel;
  export_report_->setWordWrap(true);
  export_report_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  export_report_->hide();
  layout->addWidget(export_report_);

  auto* split = new QSplitter;
  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  auto* filters = new QHBoxLayout;
  min_tokens_ = new QSpinBox;
  max_tokens_ = new QSpinBox;
  for (auto* box : {min_tokens_, max_tokens_}) {
    box->setRange(0, 100'000'000);
    box->setSpecialValueText(tr("any"));
    box->setSingleStep(256);
  }
  role_ = new QComboBox;
  role_->addItem(tr("any message"), QString());
  for (const char* role : {"system", "user", "assistant", "text"}) role_->addItem(QString::fromLatin1(role), QString::fromLatin1(role));
  search_ = new QLineEdit;
  search_->setPlaceholderText(tr("text in a message…"));
  search_->setClearButtonEnabled(true);
  filters->addWidget(new QLabel(tr("Tokens")));
  filters->addWidget(min_tokens_);
  filters->addWidget(new QLabel(QStringLiteral("–")));
  filters->addWidget(max_tokens_);
  filters->addStretch();
  left_layout->addLayout(filters);
  auto* text_filter = new QHBoxLayout;
  text_filter->addWidget(role_);
  text_filter->addWidget(search_, 1);
  left_layout->addLayout(text_filter);
  listing_ = new QLabel;
  left_layout->addWidget(listing_);
  histogram_ = new LengthHistogram;
  left_layout->addWidget(histogram_);
  table_ = new QTableView;
  model_ = new SampleTableModel(table_);
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(SampleTableModel::Text, QHeaderView::Stretch);
  table_->setWordWrap(false);
  left_layout->addWidget(table_, 1);
  inspector_ = new SampleInspector(session->project());
  split->addWidget(left);
  split->addWidget(inspector_);
  split->setSizes({420, 900});
  layout->addWidget(split, 1);

  auto* typing = new QTimer(this);
  typing->setSingleShot(true);
  typing->setInterval(kTypingMs);
  connect(typing, &QTimer::timeout, this, &DatasetsPage::list_samples);
  connect(search_, &QLineEdit::textChanged, typing, qOverload<>(&QTimer::start));
  connect(search_, &QLineEdit::returnPressed, this, &DatasetsPage::list_samples);
  for (auto* box : {min_tokens_, max_tokens_}) connect(box, &QSpinBox::valueChanged, typing, qOverload<>(&QTimer::start));
  connect(role_, &QComboBox::currentIndexChanged, this, &DatasetsPage::list_samples);
  connect(dataset_, &QComboBox::currentIndexChanged, this, [this] {
    tokenizer_id_.clear();
    list_samples();
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (current.isValid() && model_->row(current.row()).id != inspector_->sample_id()) open_sample(model_->row(current.row()).id);
  });
  connect(export_button, &QPushButton::clicked, this, [this] {
    if (dataset_->currentIndex() < 0) return;
    const QString start = QDir(QString::fromStdString((session_->project().dir() / "exports").string())).filePath(dataset_->currentText());
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export into folder"), start);
    if (!folder.isEmpty()) export_to(folder);
  });
  // Samples appear while a synth worker of this window writes them.
  follow_ = new QTimer(this);
  follow_->setInterval(kFollowMs);
  connect(follow_, &QTimer::timeout, this, [this] {
    bool writing = false;
    for (const auto& job : session_->jobs())
      writing |= job->arguments().value(0) == QStringLiteral("synth") && job->state() == WorkerProcess::State::Running;
    if (!writing) follow_->stop();
    reload();
  });
  connect(session_, &ProjectSession::job_added, this, [this](WorkerProcess* job) {
    if (job->arguments().value(0) == QStringLiteral("synth")) follow_->start();
  });
  reload();
}

void DatasetsPage::reload() {
  reader_->read<std::vector<rw::core::DatasetRecord>>(
      this, [](Database& db) { return DatasetStore(db).list_datasets(); },
      [this](std::vector<rw::core::DatasetRecord> records) {
        const QString selected = dataset_->currentText();
        records_ = std::move(records);
        {
          const QSignalBlocker block(dataset_);
          dataset_->clear();
          for (const auto& d : records_) dataset_->addItem(QString::fromStdString(d.name), QVariant::fromValue<qint64>(d.id));
          const int keep = dataset_->findText(selected);
          dataset_->setCurrentIndex(keep >= 0 ? keep : dataset_->count() - 1);
        }
        if (records_.empty())
          facts_->setText(tr("No dataset yet: synthesize one (ropewalk-cli synth run) or import one (ropewalk-cli dataset import)."));
        list_samples();
      },
      [this](const QString& e) {
        facts_->setText(tr("Cannot read the datasets: %1").arg(e));
        Q_EMIT loaded();
      });
}

bool DatasetsPage::select_dataset(const QString& name) {
  const int at = dataset_->findText(name);
  if (at < 0) return false;
  dataset_->setCurrentIndex(at);
  return true;
}

void DatasetsPage::list_samples() {
  const int row = dataset_->currentIndex();
  if (row < 0 || row >= static_cast<int>(records_.size())) {
    model_->set_rows({});
    histogram_->set_lengths({}, {});
    listing_->clear();
    Q_EMIT loaded();
    return;
  }
  const rw::core::DatasetRecord& d = records_[static_cast<size_t>(row)];
  facts_->setText(tr("%1 · %2 samples · from %3 · made %4%5")
                      .arg(QString::fromStdString(d.kind))
                      .arg(d.sample_count)
                      .arg(QString::fromStdString(d.source))
                      .arg(QDateTime::fromMSecsSinceEpoch(d.created_ms).toString(QStringLiteral("yyyy-MM-dd hh:mm")))
                      .arg(d.description.empty() ? QString() : QStringLiteral(" · ") + QString::fromStdString(d.description)));
  rw::core::SampleQuery query;
  query.tokenizer_id = tokenizer_id_;
  if (min_tokens_->value() > 0) query.min_tokens = min_tokens_->value();
  if (max_tokens_->value() > 0) query.max_tokens = max_tokens_->value();
  query.text = search_->text().toStdString();
  query.role = role_->currentData().toString().toStdString();
  const int request = ++listing_request_;
  listing_->setText(tr("Listing…"));
  reader_->read<Listing>(
      this,
      [id = d.id, query, request](Database& db) mutable {
        DatasetStore store(db);
        Listing l;
        l.request = request;
        if (query.tokenizer_id.empty()) {
          const auto ids = store.token_count_tokenizers(id);
          if (!ids.empty()) query.tokenizer_id = ids.front();
        }
        l.tokenizer_id = query.tokenizer_id;
        l.samples = store.list_samples(id, query);
        return l;
      },
      [this](Listing l) {
        if (l.request != listing_request_) return;
        tokenizer_id_ = l.tokenizer_id;
        const auto& s = l.samples;
        const std::int64_t tokens = std::accumulate(s.token_counts.begin(), s.token_counts.end(), std::int64_t{0});
        listing_->setText(tr("%1 samples match%2%3")
                              .arg(s.matching)
                              .arg(s.token_counts.empty() ? QString() : tr(", %1 tokens in all").arg(tokens))
                              .arg(static_cast<std::int64_t>(s.rows.size()) < s.matching ? tr(" (the first %1 listed)").arg(s.rows.size()) : QString()));
        histogram_->set_lengths(s.token_counts, s.targets);
        const std::int64_t shown = inspector_->sample_id();
        model_->set_rows(l.samples.rows);
        for (int r = 0; r < model_->rowCount(); ++r)
          if (model_->row(r).id == shown) {
            const QSignalBlocker block(table_->selectionModel());
            table_->selectRow(r);
          }
        Q_EMIT loaded();
      },
      [this](const QString& e) {
        listing_->setText(tr("Cannot list the samples: %1").arg(e));
        Q_EMIT loaded();
      });
}

void DatasetsPage::open_sample(std::int64_t sample_id) { inspector_->show_sample(sample_id, tokenizer_id_); }

void DatasetsPage::export_to(const QString& folder) {
  const std::string name = dataset_->currentText().toStdString();
  const std::filesystem::path out = folder.toStdString();
  export_report_->setText(tr("Exporting %1…").arg(dataset_->currentText()));
  export_report_->setStyleSheet({});
  export_report_->show();
  reader_->read<rw::core::DatasetExportReport>(
      this, [name, out](Database& db) { return rw::core::export_dataset(db, name, out); },
      [this](rw::core::DatasetExportReport r) {
        QStringList files;
        for (const auto& f : r.files) files << QString::fromStdString(f.name);
        export_report_->setText(tr("Exported %1 (%2 samples) to %3: %4")
                                    .arg(QString::fromStdString(r.dataset))
                                    .arg(r.samples)
                                    .arg(QString::fromStdString(r.folder.string()), files.join(QStringLiteral(", "))));
        Q_EMIT exported();
      },
      [this](const QString& e) {
        export_report_->setText(tr("Export failed: %1").arg(e));
        export_report_->setStyleSheet(QStringLiteral("color: #d62728"));
        Q_EMIT exported();
      });
}

}  // namespace rw::ui
