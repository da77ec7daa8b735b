// CellPromptDialog: one scored eval cell up close — where it sits (task, length, depth, checkpoint), the
// score and the model's output, and the prompt the model saw with the needle highlighted and scrolled into
// view. The prompt is rebuilt off the UI thread (core cell_prompt.h) and checked against the stored hash;
// the dialog says whether it is exactly the prompt that was scored.
#pragma once
#include <QDialog>

#include "rw/core/store/run_store.h"
#include "rw/core/tasks/cell_prompt.h"

class QLabel;
class QPlainTextEdit;
class QTextEdit;

namespace rw::ui {

class CellPromptDialog : public QDialog {
  Q_OBJECT
 public:
  CellPromptDialog(const rw::core::RunRecord& run, const rw::core::EvalCell& cell, QWidget* parent = nullptr);

  /// The rebuilt prompt arrived.
  void show_prompt(const rw::core::CellPrompt& prompt);
  /// It could not be rebuilt.
  void show_error(const QString& error);

  QString status() const;
  QString prompt_text() const;
  /// The highlighted needle ranges, in characters of prompt_text().
  const std::vector<std::pair<int, int>>& needle_ranges() const { return ranges_; }

 private:
  QLabel* status_;
  QTextEdit* prompt_;
  std::vector<std::pair<int, int>> ranges_;
};

}  // namespace rw::ui
