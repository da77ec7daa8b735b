// SynL (synthetic lengthy tables): tables depend only on the seed and grow without changing earlier rows,
// every rendering parses back to the cells with row_bytes on each row's line, and every question's answer is
// recomputed here from the parsed rendering (this file's own CSV/JSON/Markdown readers and number parsing),
// using only the question's parameters, never synl.cpp's bookkeeping.
#include <QtTest>

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

#include "rw/core/synth/synl.h"
#include "rw/core/util/error.h"

using namespace rw::core;

namespace {

using Rows = std::vector<std::vector<std::string>>;
struct Parsed {
  std::vector<std::string> header;
  Rows rows;
};

QString error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines; every record ends in '\n'.
Rows parse_csv(std::string_view text) {
  Rows records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      field += '"';
      ++i;
    } else if (c == '"') {
      if (!quoted && !field.empty()) throw std::runtime_error("quote inside an unquoted CSV field");
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (!quoted && c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field += c;
    }
  }
  if (quoted || !field.empty() || !record.empty()) throw std::runtime_error("CSV text does not end a record");
  return records;
}

struct JsonField {
  std::string key;
  std::string value;
  bool quoted = false;
};

/// One JSON-lines object `{"k": v, ...}\n` with flat string or bare-number values.
std::vector<JsonField> parse_json_line(std::string_view line) {
  std::size_t i = 0;
  const auto at = [&]() -> char {
    if (i >= line.size()) throw std::runtime_error("JSON line ends early");
    return line[i];
  };
  const auto expect = [&](char c) {
    if (at() != c) throw std::runtime_error(std::string("JSON line: expected ") + c);
    ++i;
  };
  const auto skip_spaces = [&] {
    while (i < line.size() && line[i] == ' ') ++i;
  };
  const auto read_string = [&] {
    expect('"');
    std::string out;
    for (char c = at(); c != '"'; c = at()) {
      ++i;
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escaped = at();
      ++i;
      if (escaped == 'u') {
        out += static_cast<char>(std::stoi(std::string(line.substr(i, 4)), nullptr, 16));
        i += 4;
      } else if (escaped == 'n') {
        out += '\n';
      } else {
        out += escaped;
      }
    }
    ++i;
    return out;
  };
  std::vector<JsonField> fields;
  expect('{');
  for (;;) {
    skip_spaces();
    JsonField field;
    field.key = read_string();
    skip_spaces();
    expect(':');
    skip_spaces();
    if (at() == '"') {
      field.value = read_string();
      field.quoted = true;
    } else {
      const std::size_t start = i;
      while (at() != ',' && at() != '}') ++i;
      field.value = std::string(line.substr(start, i - start));
    }
    fields.push_back(std::move(field));
    skip_spaces();
    if (at() == '}') break;
    expect(',');
  }
  if (line.substr(i) != "}\n") throw std::runtime_error("JSON line: text after the object");
  return fields;
}

/// "| a | b\|c |\n" -> {"a", "b|c"}.
std::vector<std::string> parse_markdown_row(std::string_view line) {
  if (line.size() < 4 || line.substr(0, 2) != "| " || line.substr(line.size() - 3) != " |\n")
    throw std::runtime_error("Markdown row not framed by '| ' and ' |'");
  const std::string_view body = line.substr(2, line.size() - 5);
  std::vector<std::string> cells(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == '|') {
      cells.back() += '|';
      ++i;
    } else if (body.substr(i, 3) == " | ") {
      cells.emplace_back();
      i += 2;
    } else {
      cells.back() += body[i];
    }
  }
  return cells;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) throw std::runtime_error("rendering does not end with a newline");
    lines.push_back(text.substr(start, end + 1 - start));
    start = end + 1;
  }
  return lines;
}

Parsed parse_rendered(const std::string& text, TableFormat format) {
  Parsed parsed;
  if (format == TableFormat::Csv) {
    parsed.rows = parse_csv(text);
    parsed.header = parsed.rows.front();
    parsed.rows.erase(parsed.rows.begin());
  } else if (format == TableFormat::Markdown) {
    const auto lines = lines_of(text);
    parsed.header = parse_markdown_row(lines.at(0));
    std::string separator = "|";
    for (std::size_t c = 0; c < parsed.header.size(); ++c) separator += "---|";
    if (lines.at(1) != separator + "\n") throw std::runtime_error("Markdown separator line is wrong");
    for (std::size_t l = 2; l < lines.size(); ++l) parsed.rows.push_back(parse_markdown_row(lines[l]));
  } else {
    for (const auto line : lines_of(text)) {
      std::vector<std::string> keys, values;
      for (const auto& field : parse_json_line(line)) {
        keys.push_back(field.key);
        values.push_back(field.value);
      }
      if (parsed.header.empty()) parsed.header = keys;
      if (keys != parsed.header) throw std::runtime_error("JSON lines disagree on the keys");
      parsed.rows.push_back(values);
    }
  }
  return parsed;
}

bool valid_date(std::int64_t y, std::int64_t m, std::int64_t d) {
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const std::int64_t month_days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m >= 1 && m <= 12 && d >= 1 && d <= month_days[m - 1];
}

/// An order-preserving number for a rendered numeric cell: integers as is, decimals in hundredths, ISO
/// dates as yyyymmdd.
std::int64_t rank_of(ColumnType type, const std::string& text) {
  if (type == ColumnType::Integer) return std::stoll(text);
  if (type == ColumnType::Decimal) {
    const bool negative = !text.empty() && text[0] == '-';
    const std::size_t dot = text.find('.');
    if (dot == std::string::npos || text.size() - dot != 3) throw std::runtime_error("bad decimal " + text);
    const std::int64_t magnitude =
        std::stoll(text.substr(negative ? 1 : 0, dot - (negative ? 1 : 0))) * 100 + std::stoll(text.substr(dot + 1));
    return negative ? -magnitude : magnitude;
  }
  if (type == ColumnType::Date) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') throw std::runtime_error("bad date " + text);
    const std::int64_t y = std::stoll(text.substr(0, 4)), m = std::stoll(text.substr(5, 2)),
                       d = std::stoll(text.substr(8, 2));
    if (!valid_date(y, m, d)) throw std::runtime_error("no such day " + text);
    return y * 10000 + m * 100 + d;
  }
  throw std::runtime_error("not a numeric column");
}

struct Recomputed {
  std::string answer;
  std::vector<std::int64_t> evidence;
  std::string problem;  ///< why the question is ambiguous or malformed; empty when fine
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

/// The answer from the parsed rendering and the question's parameters alone.
Recomputed recompute(const Parsed& t, const std::vector<ColumnType>& types, const TableQa& qa, std::int64_t top_k) {
  Recomputed out;
  const auto index_of = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), name) - t.header.begin());
  };
  const std::size_t c = index_of(qa.column);
  if (c >= t.header.size()) return {{}, {}, "column not in the header: " + qa.column};
  const auto n = static_cast<std::int64_t>(t.rows.size());
  const auto cell = [&](std::int64_t r, std::size_t col) -> const std::string& {
    return t.rows[static_cast<std::size_t>(r)][col];
  };
  const auto rows_with_key = [&](const std::string& key) {
    std::vector<std::int64_t> found;
    for (std::int64_t r = 0; r < n; ++r)
      if (cell(r, 0) == key) found.push_back(r);
    return found;
  };
  const auto keys_of = [&](const std::vector<std::int64_t>& rows) {
    std::vector<std::string> keys;
    for (const auto r : rows) keys.push_back(cell(r, 0));
    return join(keys);
  };
  switch (qa.type) {
    case TableQuestionType::Lookup: {
      out.evidence = rows_with_key(qa.value);
      if (out.evidence.size() != 1) return {{}, {}, "key does not name exactly one row: " + qa.value};
      out.answer = cell(out.evidence[0], c);
      return out;
    }
    case TableQuestionType::Filter:
    case TableQuestionType::Count: {
      const std::size_t bound_column = qa.threshold_column.empty() ? c : index_of(qa.threshold_column);
      const bool by_value = !qa.value.empty();
      for (std::int64_t r = 0; r < n; ++r) {
        const bool above = qa.threshold.empty() || rank_of(types[bound_column], cell(r, bound_column)) >
                                                       rank_of(types[bound_column], qa.threshold);
        if ((!by_value || cell(r, c) == qa.value) && above) out.evidence.push_back(r);
      }
      if (qa.type == TableQuestionType::Filter && out.evidence.empty()) return {{}, {}, "filter matches no row"};
      out.answer = qa.type == TableQuestionType::Count ? std::to_string(out.evidence.size()) : keys_of(out.evidence);
      return out;
    }
    case TableQuestionType::Compare: {
      if (qa.keys.size() != 2) return {{}, {}, "compare needs two keys"};
      const auto a = rows_with_key(qa.keys[0]), b = rows_with_key(qa.keys[1]);
      if (a.size() != 1 || b.size() != 1 || a[0] == b[0]) return {{}, {}, "compare keys are not two distinct rows"};
      const std::int64_t va = rank_of(types[c], cell(a[0], c)), vb = rank_of(types[c], cell(b[0], c));
      if (va == vb) return {{}, {}, "compare values tie"};
      out.answer = va > vb ? qa.keys[0] : qa.keys[1];
      out.evidence = {std::min(a[0], b[0]), std::max(a[0], b[0])};
      return out;
    }
    default:
      break;
  }
  // Max, min, argmax, top_k: rank rows by the column, best first.
  const bool lowest_wins = qa.type == TableQuestionType::Min;
  std::vector<std::pair<std::int64_t, std::int64_t>> ranked;  // (value, row)
  for (std::int64_t r = 0; r < n; ++r) ranked.emplace_back(rank_of(types[c], cell(r, c)), r);
  std::sort(ranked.begin(), ranked.end(),
            [&](const auto& x, const auto& y) { return lowest_wins ? x.first < y.first : x.first > y.first; });
  const std::int64_t k = std::min(top_k, n);
  const std::int64_t decisive = qa.type == TableQuestionType::TopK ? k : 1;
  for (std::int64_t i = 0; i < decisive && i + 1 < n; ++i)
    if (ranked[static_cast<std::size_t>(i)].first == ranked[static_cast<std::size_t>(i + 1)].first)
      return {{}, {}, "tie at a decisive position " + std::to_string(i)};
  std::vector<std::int64_t> winners;
  for (std::int64_t i = 0; i < decisive; ++i) winners.push_back(ranked[static_cast<std::size_t>(i)].second);
  if (qa.type == TableQuestionType::TopK)
    out.answer = keys_of(winners);
  else if (qa.type == TableQuestionType::Argmax)
    out.answer = cell(winners[0], 0);
  else
    out.answer = cell(winners[0], c);
  std::sort(winners.begin(), winners.end());
  out.evidence = winners;
  return out;
}

std::vector<ColumnType> types_of(const SynTable& table) {
  std::vector<ColumnType> types;
  for (const auto& column : table.columns) types.push_back(column.type);
  return types;
}

std::vector<std::string> texts_of(const std::vector<TableCell>& row) {
  std::vector<std::string> texts;
  for (const auto& cell : row) texts.push_back(cell.text);
  return texts;
}

/// A hand-made table whose Integer columns hold the given numbers (for tie cases).
SynTable integer_table(const std::string& title, const std::vector<std::string>& names,
                       const std::vector<std::vector<std::int64_t>>& rows) {
  SynTable table;
  table.title = title;
  table.columns.push_back({"ID", ColumnType::Key});
  for (const auto& name : names) table.columns.push_back({name, ColumnType::Integer});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<TableCell> row{{"R" + std::to_string(r), 0}};
    for (const auto v : rows[r]) row.push_back({std::to_string(v), v});
    table.rows.push_back(row);
  }
  return table;
}

}  // namespace

class TestSynl : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void namesRoundTripAndBadNamesFail() {
    const std::vector<std::string> questions{"lookup", "filter", "count", "max", "min", "argmax", "compare", "top_k"};
    QCOMPARE(all_table_questions().size(), questions.size());
    for (std::size_t i = 0; i < questions.size(); ++i) {
      QCOMPARE(std::string(table_question_name(all_table_questions()[i])), questions[i]);
      QCOMPARE(table_question_from_name(questions[i]), all_table_questions()[i]);
    }
    for (const auto format : all_table_formats()) QCOMPARE(table_format_from_name(table_format_name(format)), format);
    QCOMPARE(std::string(table_format_name(TableFormat::JsonLines)), std::string("jsonl"));
    const QString bad_question = error_of([] { table_question_from_name("maxx"); });
    QVERIFY2(bad_question.contains("\"maxx\"") && bad_question.contains("top_k"), qPrintable(bad_question));
    const QString bad_format = error_of([] { table_format_from_name("yaml"); });
    QVERIFY2(bad_format.contains("\"yaml\"") && bad_format.contains("markdown, csv, jsonl"), qPrintable(bad_format));
  }

  void badArgumentsFail() {
    QVERIFY(error_of([] { make_table(1, 0); }).contains("got 0"));
    QVERIFY(error_of([] { make_table(1, -4); }).contains("got -4"));
    QVERIFY(!error_of([] { make_table(1, kMaxSynTableRows + 1); }).isEmpty());
    SynTable empty = make_table(3, 5);
    empty.rows.clear();
    SplitMix64 rng(1);
    for (const auto type : all_table_questions())
      QVERIFY(error_of([&] { make_table_question(empty, type, rng); }).contains("no rows"));
    const SynTable one = make_table(3, 1);
    QVERIFY(error_of([&] { make_table_question(one, TableQuestionType::Compare, rng); }).contains("one row"));
    QVERIFY(error_of([&] { make_table_question(one, TableQuestionType::TopK, rng, 0); }).contains("top_k"));
  }

  void tablesHaveTheThemeShapeAndUniqueKeys() {
    std::set<std::string> titles;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
      const SynTable table = make_table(seed, 30);
      titles.insert(table.title);
      const auto types = types_of(table);
      QVERIFY(types.size() >= 5 && types.size() <= 8);
      QCOMPARE(types[0], ColumnType::Key);
      QCOMPARE(std::count(types.begin(), types.end(), ColumnType::Key), std::ptrdiff_t(1));
      QVERIFY(std::count(types.begin(), types.end(), ColumnType::Category) >= 1);
      QVERIFY(std::count(types.begin(), types.end(), ColumnType::Integer) >= 1);
      QVERIFY(std::count(types.begin(), types.end(), ColumnType::Decimal) +
                  std::count(types.begin(), types.end(), ColumnType::Date) >=
              1);
      QCOMPARE(table.rows.size(), std::size_t(30));
      for (const auto& row : table.rows) {
        QCOMPARE(row.size(), types.size());
        for (std::size_t c = 1; c < row.size(); ++c) {
          if (types[c] == ColumnType::Integer || types[c] == ColumnType::Decimal)
            QCOMPARE(rank_of(types[c], row[c].text), row[c].number);  // the kept number is the rendered one
          if (types[c] == ColumnType::Date) {
            const std::int64_t ymd = rank_of(types[c], row[c].text);  // throws on impossible dates
            QVERIFY(ymd >= 20000101 && ymd <= 20251231);
          }
        }
      }
    }
    QVERIFY2(titles.size() >= 4, qPrintable(QString("only %1 themes").arg(titles.size())));
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const SynTable table = make_table(seed, seed == 0 ? 100000 : 3000);
      std::set<std::string> keys;
      for (const auto& row : table.rows) keys.insert(row[0].text);
      QCOMPARE(keys.size(), table.rows.size());
    }
  }

  void sameSeedSameBytesAndGrowingKeepsEarlierRows() {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const SynTable small = make_table(seed, 15), big = make_table(seed, 40);
      QCOMPARE(big.title, small.title);
      for (std::size_t r = 0; r < small.rows.size(); ++r)
        for (std::size_t c = 0; c < small.rows[r].size(); ++c) {
          QCOMPARE(big.rows[r][c].text, small.rows[r][c].text);
          QCOMPARE(big.rows[r][c].number, small.rows[r][c].number);
        }
      for (const auto format : all_table_formats()) {
        const RenderedTable a = render_table(big, format), b = render_table(make_table(seed, 40), format);
        QCOMPARE(a.text, b.text);
        QVERIFY(a.row_bytes == b.row_bytes);
        QVERIFY(a.text.starts_with(render_table(small, format).text));
      }
      for (const auto type : all_table_questions()) {
        SplitMix64 first(seed * 31 + 7), second(seed * 31 + 7);
        const TableQa x = make_table_question(big, type, first), y = make_table_question(big, type, second);
        QCOMPARE(x.question, y.question);
        QCOMPARE(x.answer, y.answer);
        QCOMPARE(x.evidence_rows, y.evidence_rows);
      }
    }
    QVERIFY(render_table(make_table(1, 20), TableFormat::Csv).text !=
            render_table(make_table(2, 20), TableFormat::Csv).text);
  }

  void rowBytesCoverEachRowLine() {
    for (std::uint64_t seed = 0; seed < 12; ++seed) {
      const SynTable table = make_table(seed, 25);
      for (const auto format : all_table_formats()) {
        const RenderedTable rendered = render_table(table, format);
        QCOMPARE(rendered.row_bytes.size(), table.rows.size());
        const auto lines = lines_of(rendered.text);
        const std::size_t header_lines = format == TableFormat::Markdown ? 2 : format == TableFormat::Csv ? 1 : 0;
        QCOMPARE(lines.size(), header_lines + table.rows.size());
        std::int64_t expected_begin = 0;
        for (std::size_t l = 0; l < header_lines; ++l) expected_begin += static_cast<std::int64_t>(lines[l].size());
        for (std::size_t r = 0; r < table.rows.size(); ++r) {
          const auto [begin, end] = rendered.row_bytes[r];
          QCOMPARE(begin, expected_begin);
          const std::string_view slice = std::string_view(rendered.text).substr(begin, end - begin);
          QCOMPARE(slice, lines[header_lines + r]);
          const std::vector<std::string> expected = texts_of(table.rows[r]);
          if (format == TableFormat::Csv) QVERIFY(parse_csv(slice) == Rows{expected});
          if (format == TableFormat::Markdown) QVERIFY(parse_markdown_row(slice) == expected);
          if (format == TableFormat::JsonLines) {
            const auto fields = parse_json_line(slice);
            QCOMPARE(fields.size(), expected.size());
            for (std::size_t c = 0; c < fields.size(); ++c) QCOMPARE(fields[c].value, expected[c]);
          }
          expected_begin = end;
        }
        QCOMPARE(expected_begin, static_cast<std::int64_t>(rendered.text.size()));
      }
    }
  }

  void renderingsParseBackToTheCells() {
    bool saw_comma = false, saw_quote = false;
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      const SynTable table = make_table(seed, 50);
      std::vector<std::string> names;
      for (const auto& column : table.columns) names.push_back(column.name);
      Rows cells;
      for (const auto& row : table.rows) cells.push_back(texts_of(row));
      for (const auto& row : cells)
        for (const auto& text : row) {
          saw_comma = saw_comma || text.find(',') != std::string::npos;
          saw_quote = saw_quote || text.find('"') != std::string::npos;
        }
      for (const auto format : all_table_formats()) {
        const Parsed parsed = parse_rendered(render_table(table, format).text, format);
        QVERIFY(parsed.header == names);
        QVERIFY2(parsed.rows == cells,
                 qPrintable(QString("seed %1 format %2").arg(seed).arg(table_format_name(format).data())));
      }
      // JSON lines: integers and decimals are bare numbers, everything else a string.
      const std::string jsonl = render_table(table, TableFormat::JsonLines).text;
      const auto first_line = lines_of(jsonl).front();
      const auto fields = parse_json_line(first_line);
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const bool bare = table.columns[c].type == ColumnType::Integer || table.columns[c].type == ColumnType::Decimal;
        QCOMPARE(fields[c].quoted, !bare);
      }
    }
    QVERIFY(saw_comma && saw_quote);  // the generated text exercises CSV quoting

    // Hand-made cells with every character that needs quoting or escaping.
    SynTable tricky;
    tricky.title = "Tricky";
    tricky.columns = {{"Key", ColumnType::Key}, {"Note, with comma", ColumnType::Text}, {"N", ColumnType::Integer}};
    tricky.rows = {{{"a,b", 0}, {"say \"hi\", then go", 0}, {"1", 1}},
                   {{"back\\slash", 0}, {"pipe|bar", 0}, {"-2", -2}},
                   {{"\"\"", 0}, {"", 0}, {"3", 3}}};
    Rows tricky_cells;
    for (const auto& row : tricky.rows) tricky_cells.push_back(texts_of(row));
    for (const auto format : all_table_formats())
      QVERIFY(parse_rendered(render_table(tricky, format).text, format).rows == tricky_cells);
    const std::string csv = render_table(tricky, TableFormat::Csv).text;
    QVERIFY(csv.starts_with("Key,\"Note, with comma\",N\n\"a,b\",\"say \"\"hi\"\", then go\",1\n"));
    tricky.rows[0][1].text = "two\nlines";
    tricky_cells[0][1] = "two\nlines";
    for (const auto format : {TableFormat::Csv, TableFormat::JsonLines}) {
      const RenderedTable rendered = render_table(tricky, format);
      QVERIFY(parse_rendered(rendered.text, format).rows == tricky_cells);
      QCOMPARE(rendered.row_bytes.back().second, static_cast<std::int64_t>(rendered.text.size()));
    }
  }

  void answersMatchAnIndependentRecomputation() {
    std::set<std::string> seen;  // which variants were exercised
    int checked = 0;
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      const std::int64_t rows = seed % 10 == 9 ? 600 : 2 + static_cast<std::int64_t>(seed * 37 % 150);
      const SynTable table = make_table(seed, rows);
      const auto format = all_table_formats()[seed % 3];
      const Parsed parsed = parse_rendered(render_table(table, format).text, format);
      for (const auto type : all_table_questions()) {
        SplitMix64 rng(seed * 1000 + static_cast<std::uint64_t>(type));
        for (int draw = 0; draw < 3; ++draw) {
          const TableQa qa = make_table_question(table, type, rng);
          const QString context = QString("seed %1 %2: %3 -> %4")
                                      .arg(seed)
                                      .arg(table_question_name(type).data())
                                      .arg(qa.question.c_str())
                                      .arg(qa.answer.c_str());
          QCOMPARE(qa.type, type);
          const Recomputed expected = recompute(parsed, types_of(table), qa, 3);
          QVERIFY2(expected.problem.empty(), qPrintable(context + " | " + expected.problem.c_str()));
          QVERIFY2(qa.answer == expected.answer, qPrintable(context + " | expected " + expected.answer.c_str()));
          QVERIFY2(qa.evidence_rows == expected.evidence, qPrintable(context));
          for (const auto& named : {qa.column, qa.value, qa.threshold, qa.threshold_column})
            QVERIFY2(qa.question.find(named) != std::string::npos, qPrintable(context));
          for (const auto& key : qa.keys) QVERIFY2(qa.question.find(key) != std::string::npos, qPrintable(context));
          if (type == TableQuestionType::Filter) {
            const auto count = static_cast<std::int64_t>(qa.evidence_rows.size());
            QVERIFY2(count >= 1 && count <= 20, qPrintable(context));
            if (!qa.threshold_column.empty()) seen.insert("filter+threshold");
          }
          if (type == TableQuestionType::Count) seen.insert(qa.value.empty() ? "count>" : "count=");
          if (type == TableQuestionType::TopK) QCOMPARE(qa.k, std::min<std::int64_t>(3, rows));
          const auto column = std::find_if(table.columns.begin(), table.columns.end(),
                                           [&](const TableColumn& col) { return col.name == qa.column; });
          if (type == TableQuestionType::Max && column->type == ColumnType::Date) seen.insert("max date");
          if (type == TableQuestionType::Min && column->type == ColumnType::Decimal) seen.insert("min decimal");
          ++checked;
        }
      }
    }
    QCOMPARE(checked, 60 * 8 * 3);
    for (const auto* variant : {"filter+threshold", "count>", "count=", "max date", "min decimal"})
      QVERIFY2(seen.count(variant) == 1, variant);
  }

  void tiesMoveToAnotherColumnOrFail() {
    // A ties everywhere, B has one maximum and one minimum, so max/min/argmax must use B.
    const SynTable some_ties = integer_table("Some ties", {"A", "B"}, {{5, 1}, {5, 9}, {5, 4}, {5, 7}});
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      SplitMix64 rng(seed);
      for (const auto type : {TableQuestionType::Max, TableQuestionType::Min, TableQuestionType::Argmax,
                              TableQuestionType::Compare, TableQuestionType::TopK}) {
        const TableQa qa = make_table_question(some_ties, type, rng);
        QCOMPARE(qa.column, std::string("B"));
      }
    }
    // Top 3 of A is decided only up to its second place (7 and 7 tie), so top_k = 3 must use B; top_k = 2 may use A.
    const SynTable late_tie = integer_table("Late tie", {"A", "B"}, {{9, 4}, {7, 4}, {8, 4}, {7, 4}, {1, 4}});
    SplitMix64 rng(3);
    QVERIFY(error_of([&] { make_table_question(late_tie, TableQuestionType::TopK, rng, 3); }).contains("Late tie"));
    const TableQa top2 = make_table_question(late_tie, TableQuestionType::TopK, rng, 2);
    QCOMPARE(top2.answer, std::string("R0, R2"));
    QCOMPARE(top2.evidence_rows, (std::vector<std::int64_t>{0, 2}));
    const TableQa top5 = make_table_question(make_table(8, 2), TableQuestionType::TopK, rng, 5);
    QCOMPARE(top5.k, std::int64_t(2));
    const SynTable flat = integer_table("Flat", {"A", "B"}, {{5, 2}, {5, 2}, {5, 2}});
    for (const auto type : {TableQuestionType::Max, TableQuestionType::Min, TableQuestionType::Argmax,
                            TableQuestionType::Compare, TableQuestionType::TopK}) {
      const QString message = error_of([&] { make_table_question(flat, type, rng); });
      QVERIFY2(message.contains("Flat") && message.contains(table_question_name(type).data()), qPrintable(message));
    }
  }
};

QTEST_GUILESS_MAIN(TestSynl)
#include "test_synl.moc"
