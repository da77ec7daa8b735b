// ropewalk: the Qt workbench. `ropewalk [PROJECT_DIR]` opens a project, or the welcome page.
// `--screenshots DIR` saves each page of the project (at 1200 x 800) as DIR/<page>.png once the store has
// been read (the Datasets page with the newest dataset's first sample open), then exits: the pictures in
// docs/ are made this way.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QThread>
#include <QTimer>
#include <iostream>

#include <QTableView>

#include "rw/ui/process/project_session.h"
#include "rw/ui/window/datasets_page.h"
#include "rw/ui/window/main_window.h"

namespace {

void save_pages(rw::ui::MainWindow& window, const QString& dir) {
  using Page = rw::ui::MainWindow::Page;
  const std::pair<Page, const char*> pages[] = {{Page::Corpus, "corpus"},
                                                {Page::Synthesize, "synthesize"},
                                                {Page::Datasets, "datasets"},
                                                {Page::Runs, "runs"},
                                                {Page::NewRun, "new-run"},
                                                {Page::Charts, "charts"},
                                                {Page::Heatmaps, "heatmaps"},
                                                {Page::Rope, "rope"}};
  QDir().mkpath(dir);
  // The New run page shows the newest training run's config, as "Copy to new run" would.
  if (window.session()) {
    std::int64_t newest = 0;
    for (const rw::ui::RunData* run : window.session()->feed().runs())
      if (run->record.kind == "train") newest = std::max(newest, run->record.id);
    if (newest > 0) window.copy_run_to_launcher(newest);
  }
  for (const auto& [page, name] : pages) {
    window.show_page(page);
    // The Datasets page opens the newest dataset's first sample in the inspector (tokenizing takes longer).
    const bool inspect = page == Page::Datasets && window.datasets_page()->samples()->rowCount() > 0;
    if (inspect) window.datasets_page()->table()->selectRow(0);
    // Let the page's off-thread reads (model facts, store check) answer before the picture.
    for (int i = 0; i < (inspect ? 120 : 20); ++i) {
      QApplication::processEvents();
      QThread::msleep(25);
    }
    const QString path = QDir(dir).filePath(QStringLiteral("%1.png").arg(QLatin1String(name)));
    if (!window.grab().save(path)) std::cerr << "ropewalk: cannot write " << path.toStdString() << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Ropewalk"));
  QApplication::setApplicationName(QStringLiteral("Ropewalk"));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Ropewalk: long-context training workbench"));
  parser.addHelpOption();
  parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("A project folder to open"));
  const QCommandLineOption screenshots(QStringLiteral("screenshots"),
                                       QStringLiteral("Save each page as DIR/<page>.png and exit"),
                                       QStringLiteral("DIR"));
  parser.addOption(screenshots);
  parser.process(app);

  rw::ui::MainWindow window;
  const QStringList positional = parser.positionalArguments();
  if (!positional.isEmpty()) {
    QString error;
    if (!window.open_project(positional.front().toStdString(), &error) && parser.isSet(screenshots)) {
      std::cerr << "ropewalk: " << error.toStdString() << "\n";
      return 1;
    }
  }
  window.resize(1200, 800);
  window.show();
  if (parser.isSet(screenshots)) {
    // The feed's first reads and a batch or two, then the pictures.
    QTimer::singleShot(2500, &window, [&] {
      save_pages(window, parser.value(screenshots));
      QApplication::quit();
    });
  }
  return QApplication::exec();
}
