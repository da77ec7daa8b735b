// Synthetic Lengthy Tables (SynL, LongSkywork arXiv 2406.00605): long tables of typed columns drawn from a
// few built-in themes, rendered as Markdown, CSV or JSON lines, and questions that only reading the table
// answers, with the answer computed exactly here. Everything depends only on the seed (SplitMix64), and row i
// depends only on the seed and i, so a caller can grow the row count without changing earlier rows.
// Not the chat-sample wrapper or the token-length search (that code grows `rows` until a target is met).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/util/splitmix64.h"

namespace rw::core {

enum class TableFormat { Markdown, Csv, JsonLines };
enum class TableQuestionType { Lookup, Filter, Count, Max, Min, Argmax, Compare, TopK };

/// "markdown" | "csv" | "jsonl"
std::string_view table_format_name(TableFormat format);
/// "lookup" | "filter" | "count" | "max" | "min" | "argmax" | "compare" | "top_k"
std::string_view table_question_name(TableQuestionType type);
/// Inverses; fail() naming the bad value and listing the valid names otherwise.
TableFormat table_format_from_name(std::string_view name);
TableQuestionType table_question_from_name(std::string_view name);
std::vector<TableFormat> all_table_formats();
std::vector<TableQuestionType> all_table_questions();

enum class ColumnType { Key, Text, Category, Integer, Decimal, Date };
struct TableColumn {
  std::string name;
  ColumnType type = ColumnType::Text;
};

/// One cell. Integers, decimals (in hundredths) and dates (days since 2000-01-01) keep their number so answers
/// are exact; `text` is how the cell is rendered (decimals as "123.45", dates as "2019-03-07").
struct TableCell {
  std::string text;
  std::int64_t number = 0;
};

struct SynTable {
  std::string title;                 ///< e.g. "Warehouse inventory"; not part of the rendered text
  std::vector<TableColumn> columns;  ///< column 0 is the Key column, unique per row
  std::vector<std::vector<TableCell>> rows;
};

/// Largest row count make_table accepts (keys are unique by construction up to this many rows).
inline constexpr std::int64_t kMaxSynTableRows = 1000000;

/// A table of `rows` rows (1..kMaxSynTableRows, else fail) from a theme chosen by the seed (inventory,
/// employees, cities, books, flights); 7 columns: the Key first, then the theme's columns in an order drawn
/// from the seed. The first k rows of make_table(seed, n) equal make_table(seed, k).
SynTable make_table(std::uint64_t seed, std::int64_t rows);

/// The rendered table and, per row, the byte range [begin, end) of that row's line in `text` (the trailing
/// '\n' included), so the ranges of consecutive rows touch and the last one ends at text.size().
struct RenderedTable {
  std::string text;
  std::vector<std::pair<std::int64_t, std::int64_t>> row_bytes;
};

/// Markdown: header, `|---|` separator, one line per row ('|' in a cell written as "\|"). CSV: header line,
/// RFC 4180 quoting (fields with a comma, quote or newline are quoted, quotes doubled), '\n' line ends. JSON
/// lines: one object per row keyed by column name, Integer and Decimal cells as bare numbers, others as strings.
RenderedTable render_table(const SynTable& table, TableFormat format);

struct TableQa {
  TableQuestionType type = TableQuestionType::Lookup;
  std::string question;                     ///< names the columns and values and says what form the answer takes
  std::string answer;                       ///< a cell text, a count, a key, or keys joined by ", "
  std::vector<std::int64_t> evidence_rows;  ///< rows whose cells determine the answer, in table order

  // The question's parameters, so a checker can recompute the answer from the rendered text.
  std::string column;  ///< lookup: the asked column; filter/count: the condition column; others: the ranked column
  std::string value;   ///< lookup: the row's key; filter and count by equality: the category value; else empty
  std::string threshold_column;  ///< filter's extra "greater than" condition column (large tables), else empty
  std::string threshold;  ///< the "greater than" bound as rendered (count by threshold, filter's extra condition)
  std::vector<std::string> keys;  ///< compare: the two keys, in the order the question names them
  std::int64_t k = 0;             ///< top_k: how many keys the answer lists
};

/// One question of `type` about `table`, every choice drawn from `rng`. Answers are unambiguous: the decisive
/// values of max/min/argmax/top_k/compare have no ties (another numeric column is tried when one has them;
/// fail() naming the table and type when none works). Filter prefers a value matching 1..20 rows and otherwise
/// adds a "greater than" condition on a numeric column to bring the match count into 1..20. top_k lists
/// min(top_k, rows) keys by a numeric column, highest first. fail() when the table has no rows, top_k < 1, or
/// compare is asked of a one-row table.
TableQa make_table_question(const SynTable& table, TableQuestionType type, SplitMix64& rng, std::int64_t top_k = 3);

}  // namespace rw::core
