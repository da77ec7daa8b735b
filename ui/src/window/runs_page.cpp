#include "rw/ui/window/runs_page.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "rw/ui/models/runs_model.h"
#include "rw/ui/models/text_diff.h"
#include "rw/ui/process/project_session.h"

namespace rw::ui {

using rw::core::RunState;

RunsPage::RunsPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new RunsModel(&session->feed(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* buttons = new QHBoxLayout;
  auto* launch_button = new QPushButton(tr("New run from config…"));
  launch_button->setToolTip(tr("Start a training run from a run config file (docs/run-config.md)"));
  stop_ = new QPushButton(tr("Stop"));
  stop_->setToolTip(tr("Ask the run to stop; training saves a checkpoint first"));
  resume_ = new QPushButton(tr("Resume"));
  resume_->setToolTip(tr("Continue the run from its last checkpoint"));
  buttons->addWidget(launch_button);
  buttons->addWidget(stop_);
  buttons->addWidget(resume_);
  copy_ = new QPushButton(tr("Copy to new run"));
  copy_->setToolTip(tr("Open the run's config in the New run page, to change and launch as a new run"));
  buttons->addWidget(copy_);
  buttons->addStretch();
  compare_ = new QComboBox;
  compare_->setMinimumWidth(180);
  compare_->setToolTip(tr("Show the selected run's config as a diff against another run's"));
  buttons->addWidget(new QLabel(tr("Compare config with")));
  buttons->addWidget(compare_);
  layout->addLayout(buttons);
  message_ = new QLabel;
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  message_->hide();
  layout->addWidget(message_);

  auto* split = new QSplitter(Qt::Vertical);
  table_ = new QTableView;
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setAlternatingRowColors(true);
  table_->setColumnWidth(RunsModel::Name, 200);
  table_->setColumnWidth(RunsModel::State, 150);
  table_->setColumnWidth(RunsModel::Started, 130);
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setPlaceholderText(tr("Select a run to see its config, events and failure reason."));
  details_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  split->addWidget(table_);
  split->addWidget(details_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);

  connect(launch_button, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Run config"), QString::fromStdString(session_->project().dir().string()), tr("Run configs (*.json)"));
    if (!path.isEmpty()) launch(path);
  });
  connect(stop_, &QPushButton::clicked, this, [this] {
    const QString problem = session_->stop_run(selected_run());
    show_message(problem.isEmpty() ? tr("Stop requested.") : problem, !problem.isEmpty());
  });
  connect(resume_, &QPushButton::clicked, this,
          [this] { session_->resume_train(selected_run(), [this](const QString& e) { show_message(e, true); }); });
  connect(copy_, &QPushButton::clicked, this, [this] { Q_EMIT copy_to_new_run(selected_run()); });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::refresh_details);
  connect(session_, &ProjectSession::job_added, this, [this] { show_message({}, false); });  // it started
  connect(compare_, &QComboBox::currentIndexChanged, this, &RunsPage::refresh_details);
  connect(&session_->feed(), &StoreFeed::updated, this, &RunsPage::refresh_details);
  refresh_details();
}

void RunsPage::launch(const QString& config_path) {
  show_message(tr("Starting %1…").arg(config_path), false);
  session_->launch_train(config_path, [this](const QString& e) { show_message(e, true); });
}

QString RunsPage::message() const { return message_->isHidden() ? QString() : message_->text(); }

void RunsPage::show_message(const QString& text, bool error) {
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #d62728") : QString());
  message_->setVisible(!text.isEmpty());
}

void RunsPage::select_run(std::int64_t run_id) {
  const int row = model_->row_of(run_id);
  if (row >= 0) table_->selectRow(row);
}

std::int64_t RunsPage::selected_run() const {
  const auto rows = table_->selectionModel()->selectedRows();
  return rows.isEmpty() ? 0 : model_->data(rows.front(), RunsModel::kRunIdRole).toLongLong();
}

void RunsPage::compare_with(std::int64_t run_id) {
  const int index = compare_->findData(QVariant::fromValue<qint64>(run_id));
  compare_->setCurrentIndex(std::max(0, index));
}

QString RunsPage::details_text() const { return details_->toPlainText(); }

void RunsPage::refresh_details() {
  if (compare_->count() != static_cast<int>(session_->feed().runs().size()) + 1) {
    const QSignalBlocker block(compare_);
    const QVariant kept = compare_->currentData();
    compare_->clear();
    compare_->addItem(tr("(none)"), QVariant::fromValue<qint64>(0));
    for (const RunData* run : session_->feed().runs())
      compare_->addItem(QStringLiteral("%1 #%2").arg(QString::fromStdString(run->record.name)).arg(run->record.id),
                        QVariant::fromValue<qint64>(run->record.id));
    compare_->setCurrentIndex(std::max(0, compare_->findData(kept)));
  }
  // Until the user picks one, the newest run is shown.
  if (!picked_ && selected_run() == 0 && model_->rowCount() > 0) {
    picked_ = true;
    table_->selectRow(0);
    return;  // selectRow calls back here
  }
  const RunData* run = session_->feed().run(selected_run());
  stop_->setEnabled(run && run->shown == RunState::Running);
  resume_->setEnabled(
      run && run->record.kind == "train" &&
      (run->shown == RunState::Stopped || run->shown == RunState::Crashed || run->shown == RunState::Failed));
  copy_->setEnabled(run && run->record.kind == "train" && !run->record.config_json.empty());
  if (!run) {
    details_->clear();
    return;
  }
  const auto& r = run->record;
  QString text = tr("%1 #%2 (%3): %4\n")
                     .arg(QString::fromStdString(r.name))
                     .arg(r.id)
                     .arg(QString::fromStdString(r.kind), state_text(*run));
  if (r.pid) text += tr("process %1 on %2\n").arg(*r.pid).arg(QString::fromStdString(r.host));
  if (!r.failure_reason.empty()) text += tr("\nReason: %1\n").arg(QString::fromStdString(r.failure_reason));
  if (!run->events.empty()) {
    text += tr("\nEvents:\n");
    const size_t first = run->events.size() > 30 ? run->events.size() - 30 : 0;
    for (size_t i = first; i < run->events.size(); ++i)
      text += QStringLiteral("  [%1] %2\n")
                  .arg(QString::fromStdString(run->events[i].level), QString::fromStdString(run->events[i].text));
  }
  const RunData* other =
      compare_->currentIndex() > 0 ? session_->feed().run(compare_->currentData().toLongLong()) : nullptr;
  if (other) {
    const auto lines = [](const std::string& json) { return QString::fromStdString(json).split(QLatin1Char('\n')); };
    const QString diff = diff_text(line_diff(lines(other->record.config_json), lines(r.config_json)));
    text += tr("\nConfig against %1 #%2 (- theirs, + this run's):\n%3")
                .arg(QString::fromStdString(other->record.name))
                .arg(other->record.id)
                .arg(diff.isEmpty() ? tr("  (the same)") : diff);
  } else {
    text += tr("\nConfig:\n%1").arg(QString::fromStdString(r.config_json));
  }
  if (details_->toPlainText() != text) details_->setPlainText(text);
}

}  // namespace rw::ui
