#include "rw/ui/widgets/span_text_view.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QHelpEvent>
#include <QPlainTextDocumentLayout>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolTip>
#include <optional>

namespace rw::ui {

namespace {

// The application's font size in a fixed-width family (a document does not inherit the widget's size).
QFont monospace() {
  QFont mono = QGuiApplication::font();
  mono.setFamilies({QStringLiteral("monospace")});
  mono.setStyleHint(QFont::TypeWriter);
  return mono;
}

}  // namespace

SpanTextView::SpanTextView(QWidget* parent) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setUndoRedoEnabled(false);
  setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  setFont(monospace());
  connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &SpanTextView::scrolled);
}

std::shared_ptr<QTextDocument> SpanTextView::make_document(const QString& text) {
  auto* document = new QTextDocument;
  document->setDocumentLayout(new QPlainTextDocumentLayout(document));
  document->setDefaultFont(monospace());
  document->setUndoRedoEnabled(false);
  document->setPlainText(text);
  document->moveToThread(QCoreApplication::instance()->thread());
  // Deleted on the UI thread, where it lives now, whichever thread drops the last reference.
  return std::shared_ptr<QTextDocument>(document, [](QTextDocument* d) { d->deleteLater(); });
}

void SpanTextView::show_document(QTextDocument* document, Styler styler, Tip tip) {
  styler_ = std::move(styler);
  tip_ = std::move(tip);
  ++generation_;
  formatted_ = 0;
  setDocument(document);
  Q_EMIT scrolled();
}

void SpanTextView::restyle(Styler styler, Tip tip) {
  styler_ = std::move(styler);
  tip_ = std::move(tip);
  ++generation_;
  formatted_ = 0;
  viewport()->update();
}

void SpanTextView::reveal(int position, int end) {
  QTextCursor cursor(document());
  cursor.setPosition(std::clamp(end, 0, document()->characterCount() - 1));
  setTextCursor(cursor);
  centerCursor();
  cursor.setPosition(std::clamp(position, 0, document()->characterCount() - 1));
  cursor.setPosition(std::clamp(end, 0, document()->characterCount() - 1), QTextCursor::KeepAnchor);
  setTextCursor(cursor);
}

void SpanTextView::for_visible_blocks(const std::function<void(QTextBlock&)>& visit) const {
  const QPointF offset = contentOffset();
  for (QTextBlock block = firstVisibleBlock();
       block.isValid() && blockBoundingGeometry(block).translated(offset).top() < viewport()->height();
       block = block.next())
    visit(block);
}

std::pair<int, int> SpanTextView::visible_range() const {
  std::optional<std::pair<int, int>> range;
  for_visible_blocks([&](QTextBlock& block) {
    const int end = block.position() + block.length() - 1;
    range = range ? std::pair{range->first, end} : std::pair{block.position(), end};
  });
  return range.value_or(std::pair{0, 0});
}

void SpanTextView::style_visible_blocks() {
  if (!styler_) return;
  // Formatting a block re-lays it out; a block off screen is left until it scrolls in.
  for_visible_blocks([&](QTextBlock& block) {
    if (block.userState() == generation_) return;
    QList<QTextLayout::FormatRange> ranges = styler_(block.position(), block.position() + block.length() - 1);
    for (auto& r : ranges) r.start -= block.position();
    block.setUserState(generation_);
    block.layout()->setFormats(ranges);
    ++formatted_;
  });
}

void SpanTextView::paintEvent(QPaintEvent* event) {
  style_visible_blocks();
  QPlainTextEdit::paintEvent(event);
}

bool SpanTextView::viewportEvent(QEvent* event) {
  if (event->type() == QEvent::ToolTip && tip_) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QTextCursor at = cursorForPosition(help->pos());
    const QString text = tip_(at.position());
    if (text.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), text, viewport());
    return true;
  }
  return QPlainTextEdit::viewportEvent(event);
}

}  // namespace rw::ui
