// SpanTextView: a read-only text view whose character formats come from a function asked per text block,
// only for the blocks on screen and once each (until restyle()), so a sample of a million characters
// opens and scrolls without formatting all of it. Tooltips come from a function of the character under
// the mouse. Documents are built off the UI thread (make_document) and swapped in whole.
#pragma once
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QTextLayout>
#include <functional>
#include <memory>

namespace rw::ui {

class SpanTextView : public QPlainTextEdit {
  Q_OBJECT
 public:
  /// The formats of the characters [begin, end) of the text (positions relative to the text, not the block).
  using Styler = std::function<QList<QTextLayout::FormatRange>(int begin, int end)>;
  using Tip = std::function<QString(int position)>;

  explicit SpanTextView(QWidget* parent = nullptr);

  /// A plain-text document for show_document, built on the calling thread (a reader thread: filling a
  /// document with a million characters takes tens of milliseconds) and handed to the UI thread.
  static std::shared_ptr<QTextDocument> make_document(const QString& text);
  /// Shows `document` (made by make_document; the caller keeps it alive while shown); styler and tip apply to it.
  void show_document(QTextDocument* document, Styler styler, Tip tip);
  /// The styler or what it reads changed: blocks are formatted again as they come on screen.
  void restyle(Styler styler, Tip tip);
  /// Scrolls so that `position` is near the top and selects [position, end).
  void reveal(int position, int end);
  /// The first and one-past-last character on screen.
  std::pair<int, int> visible_range() const;
  /// Blocks formatted so far (tests: formatting stays lazy).
  int formatted_blocks() const { return formatted_; }

 Q_SIGNALS:
  void scrolled();

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  void style_visible_blocks();
  /// Calls `visit` with each block on screen, top to bottom.
  void for_visible_blocks(const std::function<void(QTextBlock&)>& visit) const;

  Styler styler_;
  Tip tip_;
  int generation_ = 0;  // a block whose user state is this has its formats
  int formatted_ = 0;
};

}  // namespace rw::ui
