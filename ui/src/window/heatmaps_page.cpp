#include "rw/ui/window/heatmaps_page.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <cmath>
#include <set>

#include "rw/core/heatmap/heatmap_render.h"
#include "rw/core/tasks/recorded_suite.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/models/store_reader.h"
#include "rw/ui/widgets/cell_prompt_dialog.h"
#include "rw/ui/widgets/heatmap_view.h"
#include "rw/ui/widgets/perplexity_chart.h"

namespace rw::ui {

namespace {
constexpr double kDepthTolerance = 1e-6;  // the core's depth quantum
constexpr const char* kPerplexityTask = "ppl/nll_by_position";
}

std::optional<rw::core::HeatmapData> run_heatmap(const RunData& run, const std::string& task, std::int64_t step,
                                                 const rw::core::EvalSuite* suite) {
  rw::core::HeatmapGrid grid = rw::core::task_grid(run.cells, task);
  if (grid.lengths.empty()) return std::nullopt;
  if (suite) {
    const rw::core::HeatmapGrid planned = rw::core::suite_grid(*suite, task);
    if (!planned.lengths.empty()) grid = planned;
  }
  std::vector<rw::core::EvalCell> cells;
  for (const auto& cell : run.cells)
    if (cell.task == task && cell.checkpoint_step == step) cells.push_back(cell);
  auto data = rw::core::make_heatmap_data(cells, grid);
  data.task = task;
  data.checkpoint_step = step;
  data.model = run.record.name;
  return data;
}

HeatmapsPage::HeatmapsPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent), session_(session), reader_(new StoreReader(session->project().store_path(), this)), view_(new HeatmapView) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  run_ = new QComboBox;
  run_->setMinimumWidth(200);
  task_ = new QComboBox;
  step_ = new QSlider(Qt::Horizontal);
  step_->setPageStep(1);
  step_label_ = new QLabel;
  step_label_->setMinimumWidth(90);
  auto* export_button = export_ = new QPushButton(tr("Export…"));
  export_button->setToolTip(tr("Save this heatmap as PNG, SVG or PDF"));
  controls->addWidget(new QLabel(tr("Run")));
  controls->addWidget(run_);
  controls->addWidget(new QLabel(tr("Task")));
  controls->addWidget(task_);
  controls->addWidget(new QLabel(tr("Checkpoint")));
  controls->addWidget(step_, 1);
  controls->addWidget(step_label_);
  compare_ = new QComboBox;
  compare_->setMinimumWidth(170);
  compare_->setToolTip(tr("Show the change against another checkpoint of this run, or another run's newest"));
  controls->addWidget(new QLabel(tr("against")));
  controls->addWidget(compare_);
  controls->addWidget(export_button);
  layout->addLayout(controls);
  // Perplexity cells are a curve per length, not a grid: they get a line chart in the heatmap's place.
  ppl_ = new PerplexityChart;
  views_ = new QStackedWidget;
  views_->addWidget(view_);
  views_->addWidget(ppl_);
  layout->addWidget(views_, 1);

  connect(run_, &QComboBox::currentIndexChanged, this, [this] {
    follow_newest_ = true;
    refresh_tasks();
  });
  connect(task_, &QComboBox::currentIndexChanged, this, [this] {
    follow_newest_ = true;
    refresh_steps();
  });
  connect(step_, &QSlider::valueChanged, this, [this](int value) {
    follow_newest_ = value == step_->maximum();
    refresh_compare();
  });
  connect(compare_, &QComboBox::currentIndexChanged, this, &HeatmapsPage::redraw);
  connect(export_button, &QPushButton::clicked, this, &HeatmapsPage::export_image);
  connect(view_, &HeatmapView::entry_clicked, this, [this](std::int64_t length, double depth) {
    if (open_cell(length, depth)) return;
    QMessageBox box(QMessageBox::NoIcon, tr("Eval cells"), entry_details(length, depth), QMessageBox::Close, this);
    box.setTextInteractionFlags(Qt::TextSelectableByMouse);
    box.exec();
  });
  connect(&session_->feed(), &StoreFeed::updated, this, [this](const FeedChange& change) {
    if (change.runs) refresh_runs();
    const RunData* run = current_run();
    if (run && change.cell_runs.contains(run->record.id)) refresh_tasks();
  });
  refresh_runs();
}

const RunData* HeatmapsPage::current_run() const {
  return run_->currentIndex() < 0 ? nullptr : session_->feed().run(run_->currentData().toLongLong());
}

void HeatmapsPage::refresh_runs() {
  const qint64 selected = run_->currentIndex() < 0 ? 0 : run_->currentData().toLongLong();
  {
    const QSignalBlocker block(run_);
    run_->clear();
    for (const RunData* run : session_->feed().runs()) {
      // Training runs evaluate at checkpoints; eval runs score cells; both can show a heatmap.
      if (run->record.kind != "train" && run->record.kind != "eval") continue;
      run_->addItem(QStringLiteral("%1 #%2").arg(QString::fromStdString(run->record.name)).arg(run->record.id),
                    QVariant::fromValue<qint64>(run->record.id));
    }
    const int keep = run_->findData(QVariant::fromValue<qint64>(selected));
    run_->setCurrentIndex(keep >= 0 ? keep : (run_->count() > 0 ? 0 : -1));
  }
  refresh_tasks();
}

void HeatmapsPage::show_run(std::int64_t run_id) {
  const int index = run_->findData(QVariant::fromValue<qint64>(run_id));
  if (index >= 0) run_->setCurrentIndex(index);
}

void HeatmapsPage::refresh_tasks() {
  const RunData* run = current_run();
  const QString selected = task_->currentText();
  {
    const QSignalBlocker block(task_);
    task_->clear();
    if (run) {
      std::set<std::string> tasks;
      for (const auto& cell : run->cells)
        if (cell.task != "ppl/mean_nll") tasks.insert(cell.task);  // the curve's summary, shown in its legend
      for (const auto& task : tasks) task_->addItem(QString::fromStdString(task));
    }
    const int keep = task_->findText(selected);
    task_->setCurrentIndex(keep >= 0 ? keep : (task_->count() > 0 ? 0 : -1));
  }
  refresh_steps();
}

void HeatmapsPage::refresh_steps() {
  const RunData* run = current_run();
  std::set<std::int64_t> steps;
  if (run)
    for (const auto& cell : run->cells)
      if (cell.task == task_->currentText().toStdString()) steps.insert(cell.checkpoint_step);
  const std::int64_t shown = step_->value() >= 0 && step_->value() < static_cast<int>(steps_.size())
                                 ? steps_[static_cast<size_t>(step_->value())]
                                 : -1;
  steps_.assign(steps.begin(), steps.end());
  {
    const QSignalBlocker block(step_);
    step_->setRange(0, std::max(0, static_cast<int>(steps_.size()) - 1));
    step_->setEnabled(steps_.size() > 1);
    const auto it = std::find(steps_.begin(), steps_.end(), shown);
    step_->setValue(follow_newest_ || it == steps_.end() ? step_->maximum() : static_cast<int>(it - steps_.begin()));
  }
  refresh_compare();
}

namespace {
/// A baseline as the compare box stores it: run id and step.
QVariant baseline_key(std::int64_t run_id, std::int64_t step) {
  return QStringLiteral("%1:%2").arg(run_id).arg(step);
}
std::pair<std::int64_t, std::int64_t> baseline_of(const QVariant& key) {
  const QStringList parts = key.toString().split(QLatin1Char(':'));
  if (parts.size() != 2) return {0, 0};
  return {parts[0].toLongLong(), parts[1].toLongLong()};
}
}  // namespace

void HeatmapsPage::refresh_compare() {
  const RunData* run = current_run();
  const std::string task = task_->currentText().toStdString();
  const std::int64_t shown = steps_.empty() ? -1 : steps_[static_cast<size_t>(step_->value())];
  {
    const QSignalBlocker block(compare_);
    const QVariant kept = compare_->currentData();
    compare_->clear();
    compare_->addItem(tr("(nothing)"), baseline_key(0, 0));
    if (run) {
      for (const std::int64_t step : steps_)
        if (step != shown) compare_->addItem(tr("step %1").arg(step), baseline_key(run->record.id, step));
      for (const RunData* other : session_->feed().runs()) {
        if (other == run) continue;
        std::int64_t newest = -1;
        for (const auto& cell : other->cells)
          if (cell.task == task) newest = std::max(newest, cell.checkpoint_step);
        if (newest >= 0)
          compare_->addItem(tr("%1 #%2, step %3").arg(QString::fromStdString(other->record.name)).arg(other->record.id).arg(newest),
                            baseline_key(other->record.id, newest));
      }
    }
    compare_->setCurrentIndex(std::max(0, compare_->findData(kept)));
  }
  redraw();
}

bool HeatmapsPage::show_task(const QString& task) {
  const int index = task_->findText(task);
  if (index >= 0) task_->setCurrentIndex(index);
  return index >= 0;
}

bool HeatmapsPage::compare_with(std::int64_t run_id, std::int64_t step) {
  const int index = compare_->findData(baseline_key(run_id, step));
  compare_->setCurrentIndex(std::max(0, index));
  return run_id == 0 || index >= 0;
}

void HeatmapsPage::redraw() {
  const RunData* run = current_run();
  if (!run || steps_.empty()) {
    step_label_->clear();
    view_->set_data(std::nullopt, run ? tr("No eval cells in this run yet. Cells appear here as the run scores them.")
                                      : tr("No run with evals yet. Start a training run with an eval suite, or an "
                                           "eval, and its NIAH heatmap fills in here cell by cell."));
    return;
  }
  const std::int64_t step = steps_[static_cast<size_t>(step_->value())];
  step_label_->setText(tr("step %1").arg(step));
  const std::string task = task_->currentText().toStdString();
  const bool ppl = task == kPerplexityTask;
  views_->setCurrentWidget(ppl ? static_cast<QWidget*>(ppl_) : view_);
  compare_->setEnabled(!ppl);
  export_->setEnabled(!ppl);
  if (ppl) {
    ppl_->set_cells(run->cells, step, QStringLiteral("%1 #%2").arg(QString::fromStdString(run->record.name)).arg(run->record.id));
    return;
  }
  auto data = run_heatmap(*run, task, step, suite_of(*run));
  const auto [base_run, base_step] = baseline_of(compare_->currentData());
  const RunData* other = base_run > 0 ? session_->feed().run(base_run) : nullptr;
  if (data && other) {
    if (const auto before = run_heatmap(*other, task, base_step, suite_of(*other))) {
      const std::string label = other == run ? "step " + std::to_string(base_step)
                                             : other->record.name + " #" + std::to_string(other->record.id) +
                                                   " step " + std::to_string(base_step);
      data = rw::core::diff_heatmap(*data, *before, label);
    }
  }
  view_->set_data(std::move(data));
}

const rw::core::EvalSuite* HeatmapsPage::suite_of(const RunData& run) {
  const auto known = suites_.find(run.record.id);
  if (known != suites_.end()) return known->second ? &*known->second : nullptr;
  // Read once per run, off the UI thread (a training run's suite is a file); drawn again when it arrives.
  suites_[run.record.id] = std::nullopt;
  reader_->read<std::optional<rw::core::EvalSuite>>(
      this,
      [project = session_->project(), record = run.record](rw::core::Database&) -> std::optional<rw::core::EvalSuite> {
        try {
          if (auto recorded = rw::core::recorded_suite(project, record)) return std::move(recorded->suite);
        } catch (const std::exception& e) {
          // A suite file gone or changed since: the grid comes from the scored cells, as without a suite.
          qWarning("heatmaps: the grid of run %lld comes from its scored cells: %s", static_cast<long long>(record.id),
                   e.what());
        }
        return std::nullopt;
      },
      [this, id = run.record.id](std::optional<rw::core::EvalSuite> suite) {
        if (!suite) return;
        suites_[id] = std::move(suite);
        redraw();
      });
  return nullptr;
}

std::vector<const rw::core::EvalCell*> HeatmapsPage::entry_cells(std::int64_t length, double depth) const {
  std::vector<const rw::core::EvalCell*> out;
  const RunData* run = current_run();
  if (!run || steps_.empty()) return out;
  const std::int64_t step = steps_[static_cast<size_t>(step_->value())];
  const std::string task = task_->currentText().toStdString();
  for (const auto& cell : run->cells) {
    if (cell.task == task && cell.checkpoint_step == step && cell.length == length &&
        std::abs(cell.depth - depth) <= kDepthTolerance)
      out.push_back(&cell);
  }
  return out;
}

CellPromptDialog* HeatmapsPage::open_cell(std::int64_t length, double depth) {
  const auto cells = entry_cells(length, depth);
  if (cells.empty()) return nullptr;
  const RunData* run = current_run();
  const rw::core::EvalCell& found = *cells.back();
  auto* dialog = new CellPromptDialog(run->record, found, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
  // Rebuilding tokenizes the haystack: off the UI thread, with a store connection of the reader's own.
  reader_->read<rw::core::CellPrompt>(
      dialog,
      [project = session_->project(), run = run->record, cell = found](rw::core::Database&) {
        auto store = rw::core::RunStore::open(project.store_path(), rw::core::OpenMode::ReadOnly);
        return rw::core::rebuild_cell_prompt(project, store, run, cell);
      },
      [dialog](rw::core::CellPrompt prompt) { dialog->show_prompt(prompt); },
      [dialog](const QString& error) { dialog->show_error(error); });
  return dialog;
}

QString HeatmapsPage::entry_details(std::int64_t length, double depth) const {
  if (!current_run() || steps_.empty()) return {};
  const std::int64_t step = steps_[static_cast<size_t>(step_->value())];
  QStringList lines;
  for (const rw::core::EvalCell* cell : entry_cells(length, depth))
    lines << tr("score %1, output: %2").arg(cell->score, 0, 'f', 2).arg(QString::fromStdString(cell->output));
  const QString head = tr("%1 tokens, depth %2% at step %3").arg(length).arg(depth * 100, 0, 'g', 4).arg(step);
  return lines.isEmpty() ? tr("%1: not scored yet").arg(head) : head + QStringLiteral("\n\n") + lines.join('\n');
}

void HeatmapsPage::export_image() {
  const auto& data = view_->data();
  if (!data) return;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export heatmap"),
                                                    QString::fromStdString(session_->project().exports_dir().string()),
                                                    tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
  if (path.isEmpty()) return;
  try {
    const auto file = std::filesystem::path(path.toStdString());
    rw::core::write_heatmap_file(file, *data, rw::core::heatmap_format_for(file));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export heatmap"), QString::fromUtf8(e.what()));
  }
}

}  // namespace rw::ui
