#include "rw/ui/models/text_diff.h"

#include <algorithm>
#include <vector>

namespace rw::ui {

QList<DiffLine> line_diff(const QStringList& before, const QStringList& after) {
  const auto n = static_cast<size_t>(before.size());
  const auto m = static_cast<size_t>(after.size());
  // lcs[i][j]: common lines of before[i..] and after[j..]. Configs are a few hundred lines at most.
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = before[static_cast<qsizetype>(i)] == after[static_cast<qsizetype>(j)]
                      ? lcs[i + 1][j + 1] + 1
                      : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  QList<DiffLine> out;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[static_cast<qsizetype>(i)] == after[static_cast<qsizetype>(j)]) {
      out.append({DiffLine::Same, before[static_cast<qsizetype>(i)]});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.append({DiffLine::Removed, before[static_cast<qsizetype>(i++)]});  // removals first, as diff -u
    } else {
      out.append({DiffLine::Added, after[static_cast<qsizetype>(j++)]});
    }
  }
  return out;
}

QString diff_text(const QList<DiffLine>& diff, int context) {
  std::vector<bool> keep(static_cast<size_t>(diff.size()), false);
  bool changed = false;
  for (qsizetype k = 0; k < diff.size(); ++k) {
    if (diff[k].kind == DiffLine::Same) continue;
    changed = true;
    for (qsizetype c = std::max<qsizetype>(0, k - context); c <= std::min(diff.size() - 1, k + context); ++c)
      keep[static_cast<size_t>(c)] = true;
  }
  if (!changed) return {};
  QStringList lines;
  bool gap = false;
  for (qsizetype k = 0; k < diff.size(); ++k) {
    if (!keep[static_cast<size_t>(k)]) {
      gap = true;
      continue;
    }
    if (gap && !lines.isEmpty()) lines << QStringLiteral("  …");
    gap = false;
    const char* mark = diff[k].kind == DiffLine::Same ? "  " : diff[k].kind == DiffLine::Removed ? "- " : "+ ";
    lines << QLatin1String(mark) + diff[k].text;
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace rw::ui
