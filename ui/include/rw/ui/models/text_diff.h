// A line diff (longest common subsequence) for showing one run's config against another's: each line of
// the result is kept, removed (only in `before`) or added (only in `after`), in reading order.
#pragma once
#include <QList>
#include <QString>
#include <QStringList>

namespace rw::ui {

struct DiffLine {
  enum Kind { Same, Removed, Added };
  Kind kind = Same;
  QString text;
  friend bool operator==(const DiffLine&, const DiffLine&) = default;
};

QList<DiffLine> line_diff(const QStringList& before, const QStringList& after);

/// "  same", "- removed", "+ added" lines; only `context` unchanged lines around each change are kept
/// ("…" marks a gap). An empty string when the two are equal.
QString diff_text(const QList<DiffLine>& diff, int context = 2);

}  // namespace rw::ui
