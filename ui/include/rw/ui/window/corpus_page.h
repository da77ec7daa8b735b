// CorpusPage: the project's corpora. Import folders or files into a corpus (a `corpus add` worker; the
// jobs panel shows its progress, and the import report with every skipped file and why appears here), the
// corpus's token statistics with its document-length histogram, its documents, and BM25 search whose hits
// open the document with the hit's text selected. Every store read runs on the StoreReader thread.
#pragma once
#include <QWidget>

#include "rw/ui/process/project_session.h"
#include <cstdint>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QTableWidget;
class QChartView;

namespace rw::ui {

class ProjectSession;
class StoreReader;

class CorpusPage : public QWidget {
  Q_OBJECT
 public:
  explicit CorpusPage(ProjectSession* session, QWidget* parent = nullptr);

  /// Imports as the Import buttons do after their dialogs (the options dialog's request).
  void import(const ImportRequest& request);
  /// Searches the selected corpus as the search box does.
  void search(const QString& query);
  /// Re-reads the corpora (after an import).
  void reload();

  QComboBox* corpora() const { return corpus_; }
  QTableWidget* documents() const { return documents_; }
  QListWidget* hits() const { return hits_; }
  QPlainTextEdit* text() const { return text_; }
  QLabel* report() const { return report_; }
  /// Shows a document, with the bytes [byte_begin, byte_end) selected when given (a search hit, a sample's
  /// segment).
  void open_document(std::int64_t document_id, std::int64_t byte_begin = -1, std::int64_t byte_end = -1);
  /// The document shown and the selected byte range in it (tests).
  std::int64_t shown_document() const { return shown_document_; }

 Q_SIGNALS:
  /// A read finished (corpora, documents, search, a document's text): tests wait on this.
  void loaded();

 private:
  void load_corpus();

  ProjectSession* session_;
  StoreReader* reader_;
  QComboBox* corpus_;
  QLabel* stats_;
  QChartView* histogram_;
  QTableWidget* documents_;
  QLineEdit* query_;
  QListWidget* hits_;
  QPlainTextEdit* text_;
  QLabel* report_;
  std::int64_t shown_document_ = 0;
};

}  // namespace rw::ui
