#include "rw/ui/window/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

#include "rw/core/store/project.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/jobs_panel.h"
#include "rw/ui/widgets/sample_inspector.h"
#include "rw/ui/window/charts_page.h"
#include "rw/ui/window/corpus_page.h"
#include "rw/ui/window/datasets_page.h"
#include "rw/ui/window/heatmaps_page.h"
#include "rw/ui/window/launch_page.h"
#include "rw/ui/window/rope_page.h"
#include "rw/ui/window/synth_page.h"
#include "rw/ui/window/runs_page.h"

namespace rw::ui {

namespace {
constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("recent_projects");
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Ropewalk"));
  resize(1200, 800);
  stack_ = new QStackedWidget;
  welcome_ = make_welcome();
  stack_->addWidget(welcome_);
  setCentralWidget(stack_);
  store_status_ = new QLabel;
  statusBar()->addPermanentWidget(store_status_);

  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&New project…"), QKeySequence::New, this, &MainWindow::new_project);
  file->addAction(tr("&Open project…"), QKeySequence::Open, this, &MainWindow::choose_project);
  file->addAction(tr("&Close project"), this, [this] {
    if (session_ && session_->has_active_jobs()) {
      QMessageBox::information(this, tr("Close project"), tr("Stop the running jobs first, or close the window."));
      return;
    }
    close_project(JobsOnClose::Detach);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
}

// The pages go before the session whose feed they listen to (Qt would delete them after the members).
MainWindow::~MainWindow() { close_project(JobsOnClose::Kill); }

QWidget* MainWindow::make_welcome() {
  auto* page = new QWidget;
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(48, 40, 48, 40);
  auto* title =
      new QLabel(tr("<h1>Ropewalk</h1><p>Synthesize long-context training data, extend a model's "
                    "context with staged RoPE changes, and watch loss curves and needle-in-a-haystack "
                    "heatmaps fill in live.</p>"));
  title->setWordWrap(true);
  layout->addWidget(title);
  auto* buttons = new QHBoxLayout;
  auto* create = new QPushButton(tr("New project…"));
  auto* open = new QPushButton(tr("Open project…"));
  buttons->addWidget(create);
  buttons->addWidget(open);
  buttons->addStretch();
  layout->addLayout(buttons);
  layout->addSpacing(16);
  layout->addWidget(new QLabel(tr("<b>Recent projects</b>")));
  recent_ = new QListWidget;
  layout->addWidget(recent_, 1);
  connect(create, &QPushButton::clicked, this, &MainWindow::new_project);
  connect(open, &QPushButton::clicked, this, &MainWindow::choose_project);
  connect(recent_, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) { open_project(item->data(Qt::UserRole).toString().toStdString()); });
  refresh_recent();
  return page;
}

void MainWindow::refresh_recent() {
  recent_->clear();
  for (const QString& dir : QSettings().value(kRecentKey).toStringList()) {
    auto* item = new QListWidgetItem(dir, recent_);
    item->setData(Qt::UserRole, dir);
  }
  if (recent_->count() == 0) {
    auto* item = new QListWidgetItem(tr("No recent projects. Create one, or open a folder that holds a "
                                        "project.ropewalk.json."),
                                     recent_);
    item->setFlags(Qt::NoItemFlags);
  }
}

void MainWindow::remember(const std::filesystem::path& dir) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  const QString path = QString::fromStdString(std::filesystem::absolute(dir).lexically_normal().string());
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(kRecentKey, recent);
  refresh_recent();
}

void MainWindow::new_project() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the new project"));
  if (dir.isEmpty()) return;
  try {
    rw::core::ProjectSettings settings;
    settings.name = QFileInfo(dir).fileName().toStdString();
    rw::core::Project::init(dir.toStdString(), settings);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("New project"), QString::fromUtf8(e.what()));
    return;
  }
  open_project(dir.toStdString());
}

void MainWindow::choose_project() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a project folder"));
  if (!dir.isEmpty()) open_project(dir.toStdString());
}

bool MainWindow::open_project(const std::filesystem::path& dir, QString* error) {
  std::unique_ptr<ProjectSession> session;
  try {
    session = std::make_unique<ProjectSession>(dir);
  } catch (const std::exception& e) {
    if (error)
      *error = QString::fromUtf8(e.what());
    else
      QMessageBox::warning(this, tr("Open project"), QString::fromUtf8(e.what()));
    return false;
  }
  close_project(JobsOnClose::Detach);
  session_ = std::move(session);
  remember(dir);
  setWindowTitle(tr("%1 — Ropewalk").arg(QString::fromStdString(session_->project().settings().name)));

  workbench_ = new QWidget;
  auto* layout = new QHBoxLayout(workbench_);
  layout->setContentsMargins(0, 0, 0, 0);
  sidebar_ = new QListWidget;
  sidebar_->setFixedWidth(140);
  for (const QString& name : {tr("Corpus"), tr("Synthesize"), tr("Datasets"), tr("Runs"), tr("New run"), tr("Charts"), tr("Heatmaps"), tr("RoPE")})
    sidebar_->addItem(name);
  pages_ = new QStackedWidget;
  corpus_page_ = new CorpusPage(session_.get());
  runs_page_ = new RunsPage(session_.get());
  charts_page_ = new ChartsPage(session_.get());
  heatmaps_page_ = new HeatmapsPage(session_.get());
  synth_page_ = new SynthPage(session_.get());
  datasets_page_ = new DatasetsPage(session_.get());
  pages_->addWidget(corpus_page_);
  pages_->addWidget(synth_page_);
  pages_->addWidget(datasets_page_);
  pages_->addWidget(runs_page_);
  launch_page_ = new LaunchPage(session_.get());
  pages_->addWidget(launch_page_);
  pages_->addWidget(charts_page_);
  pages_->addWidget(heatmaps_page_);
  rope_page_ = new RopePage;
  pages_->addWidget(rope_page_);
  connect(datasets_page_->inspector(), &SampleInspector::open_document, this,
          [this](std::int64_t document_id, std::int64_t begin, std::int64_t end) {
            corpus_page_->open_document(document_id, begin, end);
            show_page(Page::Corpus);
          });
  connect(synth_page_, &SynthPage::launched, this, [this] { show_page(Page::Datasets); });
  connect(synth_page_, &SynthPage::launch_failed, this, [this] { show_page(Page::Synthesize); });
  connect(runs_page_, &RunsPage::copy_to_new_run, this, &MainWindow::copy_run_to_launcher);
  connect(launch_page_, &LaunchPage::launched, this, [this] { show_page(Page::Runs); });
  connect(launch_page_, &LaunchPage::explain_rope, this,
          [this](const rw::core::ModelConfig& base, const QString& label, const rw::core::ModelConfig& stage,
                 std::int64_t seq_len) {
            rope_page_->explain(base, label, stage, seq_len);
            show_page(Page::Rope);
          });
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(pages_);
  auto* jobs = new QScrollArea;
  jobs->setWidgetResizable(true);
  jobs->setWidget(new JobsPanel(session_.get()));
  split->addWidget(jobs);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  layout->addWidget(sidebar_);
  layout->addWidget(split, 1);
  stack_->addWidget(workbench_);
  stack_->setCurrentWidget(workbench_);
  connect(sidebar_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
  show_page(Page::Runs);

  store_status_->setText(QString::fromStdString(session_->project().store_path().string()));
  connect(&session_->feed(), &StoreFeed::error_changed, this, [this](const QString& e) {
    store_status_->setText(e.isEmpty() ? QString::fromStdString(session_->project().store_path().string())
                                       : tr("Store unreadable: %1").arg(e));
    store_status_->setStyleSheet(e.isEmpty() ? QString() : QStringLiteral("color: #d62728"));
  });
  return true;
}

void MainWindow::close_project(JobsOnClose jobs) {
  if (!session_) return;
  // Detached workers run on (a stopped one finishes stopping); the others end with their QProcess.
  if (jobs == JobsOnClose::Detach) session_->detach_all_jobs();
  stack_->setCurrentWidget(welcome_);
  stack_->removeWidget(workbench_);
  delete workbench_;
  workbench_ = nullptr;
  corpus_page_ = nullptr;
  synth_page_ = nullptr;
  datasets_page_ = nullptr;
  runs_page_ = nullptr;
  launch_page_ = nullptr;
  charts_page_ = nullptr;
  heatmaps_page_ = nullptr;
  rope_page_ = nullptr;
  session_.reset();
  setWindowTitle(tr("Ropewalk"));
  store_status_->clear();
}

void MainWindow::show_page(Page page) {
  if (sidebar_) sidebar_->setCurrentRow(static_cast<int>(page));
}

bool MainWindow::copy_run_to_launcher(std::int64_t run_id) {
  const RunData* run = session_ ? session_->feed().run(run_id) : nullptr;
  if (!run || run->record.kind != "train" || run->record.config_json.empty()) return false;
  show_page(Page::NewRun);
  return launch_page_->copy_run(run->record.config_json, run->record.name, run_id);
}

MainWindow::Page MainWindow::current_page() const {
  return static_cast<Page>(sidebar_ ? sidebar_->currentRow() : 0);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (session_ && session_->has_active_jobs()) {
    QMessageBox::StandardButton choice;
    if (close_choice_) {
      choice = close_choice_();
    } else {
      QMessageBox box(QMessageBox::Question, tr("Jobs are running"),
                      tr("Workers started from this window are still running. Stop them (training saves a "
                         "checkpoint first), or leave them running? Reopening the project finds them again."),
                      QMessageBox::Cancel, this);
      box.addButton(tr("Stop jobs"), QMessageBox::DestructiveRole);
      auto* leave = box.addButton(tr("Leave running"), QMessageBox::AcceptRole);
      box.setDefaultButton(leave);
      box.exec();
      choice = box.clickedButton() == box.button(QMessageBox::Cancel) ? QMessageBox::Cancel
               : box.clickedButton() == leave                         ? QMessageBox::Ignore
                                                                      : QMessageBox::Abort;
    }
    if (choice == QMessageBox::Cancel) {
      event->ignore();
      return;
    }
    if (choice == QMessageBox::Abort) session_->stop_all_jobs();
  }
  close_project(JobsOnClose::Detach);
  event->accept();
}

}  // namespace rw::ui
