// ImportDialog: how a corpus import reads what the user picked — the corpus (new or existing), files or
// repositories (one document per repository folder), the JSONL text field, include/exclude globs, the
// tokenizer that counts tokens and cuts chunks, chunk size and overlap, and the largest file read. Blank
// fields keep the project's settings. The `corpus add` worker checks the values.
#pragma once
#include <QDialog>

#include "rw/ui/process/project_session.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace rw::ui {

class ImportDialog : public QDialog {
  Q_OBJECT
 public:
  ImportDialog(const QStringList& paths, const QStringList& corpora, const QString& corpus, QWidget* parent = nullptr);
  ImportRequest request() const;

 private:
  QStringList paths_;
  QComboBox* corpus_;
  QCheckBox* repositories_;
  QLineEdit* jsonl_field_;
  QLineEdit* include_;
  QLineEdit* exclude_;
  QLineEdit* tokenizer_;
  QSpinBox* chunk_tokens_;
  QSpinBox* chunk_overlap_;
  QSpinBox* max_file_mib_;
};

/// Globs as typed: separated by commas or whitespace.
QStringList split_globs(const QString& text);

}  // namespace rw::ui
