// SynL tables, their renderings and exactly computed questions (see synl.h).
#include "rw/core/synth/synl.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <numeric>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr std::array<std::string_view, 3> kFormatNames{"markdown", "csv", "jsonl"};
constexpr std::array<std::string_view, 8> kQuestionNames{"lookup", "filter", "count",   "max",
                                                         "min",    "argmax", "compare", "top_k"};

template <std::size_t N>
std::size_t index_of_name(const std::array<std::string_view, N>& names, std::string_view name, std::string_view what) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return i;
  std::string expected;
  for (const auto known : names) expected += (expected.empty() ? "" : ", ") + std::string(known);
  fail("unknown {} \"{}\" (expected one of {})", what, name, expected);
}

constexpr std::string_view kAsWritten = "Answer with the value exactly as written in the table.";
constexpr std::string_view kCommaList = "Answer with the {} values separated by commas.";

enum class TextKind { None, Product, PersonLastFirst, PersonFirstLast, BookTitle };

/// How one non-key column's cells are drawn: numbers uniformly in [lo, hi] (hundredths for decimals, days
/// since 2000-01-01 for dates), categories uniformly from `choices`, text by `text`.
struct ColumnSpec {
  std::string_view name;
  ColumnType type = ColumnType::Text;
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  std::vector<std::string_view> choices;
  TextKind text = TextKind::None;
};
ColumnSpec text_column(std::string_view name, TextKind kind) { return {name, ColumnType::Text, 0, 0, {}, kind}; }
ColumnSpec category_column(std::string_view name, std::vector<std::string_view> choices) {
  return {name, ColumnType::Category, 0, 0, std::move(choices), TextKind::None};
}
ColumnSpec number_column(std::string_view name, ColumnType type, std::int64_t lo, std::int64_t hi) {
  return {name, type, lo, hi, {}, TextKind::None};
}

struct Theme {
  std::string_view title;
  std::string_view key_name;
  std::string_view key_prefix;  ///< keys are "<prefix>-<6 digits>"; empty: a pronounceable name
  std::vector<ColumnSpec> columns;
};

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }
std::int64_t days_in_month(std::int64_t year, std::int64_t month) {
  constexpr std::array<std::int64_t, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
}

std::string format_date(std::int64_t days) {
  std::int64_t year = 2000;
  while (days < 0) days += is_leap(--year) ? 366 : 365;
  while (days >= (is_leap(year) ? 366 : 365)) days -= is_leap(year++) ? 366 : 365;
  std::int64_t month = 1;
  while (days >= days_in_month(year, month)) days -= days_in_month(year, month++);
  return fmt::format("{:04}-{:02}-{:02}", year, month, days + 1);
}

/// Hundredths as "-12.05"; formatted by hand so no floating point is involved.
std::string format_cents(std::int64_t cents) {
  const std::int64_t magnitude = std::llabs(cents);
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

const std::vector<Theme>& themes() {
  static const std::vector<Theme> all = [] {
    // Days since 2000-01-01 of 2015-01-01, 2023-01-01, 2024-12-31 and 2025-12-31.
    const std::int64_t y2015 = 5479, y2023 = 8401, end2024 = 9131, end2025 = 9496;
    using T = ColumnType;
    // clang-format off
    return std::vector<Theme>{
        {"Warehouse inventory", "SKU", "SKU",
         {text_column("Product", TextKind::Product),
          category_column("Department", {"Tools", "Garden", "Kitchen", "Electrical", "Plumbing", "Paint"}),
          category_column("Warehouse", {"North", "South", "East", "West", "Central"}),
          number_column("Quantity", T::Integer, 0, 5000), number_column("Unit price", T::Decimal, 99, 99999),
          number_column("Restock date", T::Date, y2015, end2024)}},
        {"Employee directory", "Employee ID", "EMP",
         {text_column("Name", TextKind::PersonLastFirst),
          category_column("Department", {"Sales", "Engineering", "Finance", "Legal", "Support", "Marketing"}),
          category_column("Office", {"Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "Denver"}),
          number_column("Projects", T::Integer, 0, 60), number_column("Salary", T::Decimal, 3000000, 25000000),
          number_column("Hire date", T::Date, 0, end2024)}},
        {"City statistics", "City", "",
         {text_column("Mayor", TextKind::PersonFirstLast),
          category_column("Region", {"Northern", "Southern", "Eastern", "Western", "Coastal", "Highland"}),
          category_column("Climate", {"Arid", "Temperate", "Tropical", "Continental", "Polar"}),
          number_column("Population", T::Integer, 1000, 9999999), number_column("Area (km2)", T::Decimal, 500, 999999),
          number_column("Elevation (m)", T::Integer, -50, 4500)}},
        {"Library catalogue", "Book ID", "BK",
         {text_column("Title", TextKind::BookTitle), text_column("Author", TextKind::PersonFirstLast),
          category_column("Genre", {"Mystery", "Romance", "History", "Science", "Poetry", "Fantasy", "Travel"}),
          number_column("Pages", T::Integer, 48, 1600), number_column("Price", T::Decimal, 299, 8999),
          number_column("Published", T::Date, 0, end2024)}},
        {"Flight departures", "Flight", "RW",
         {category_column("Origin", {"LIS", "OSL", "NRT", "YYZ", "NBO", "DEN", "GRU", "SYD"}),
          category_column("Aircraft", {"A320", "A350", "B737", "B787", "E190"}),
          category_column("Airline", {"Aurora Air", "Bluefin Airways", "Northwind", "Solstice Air"}),
          number_column("Seats sold", T::Integer, 20, 420), number_column("Fare", T::Decimal, 3900, 189999),
          number_column("Departure date", T::Date, y2023, end2025)}},
    };
    // clang-format on
  }();
  return all;
}

template <typename T>
const T& pick(const std::vector<T>& items, SplitMix64& rng) {
  return items[static_cast<std::size_t>(rng.uniform(0, static_cast<std::int64_t>(items.size()) - 1))];
}

std::string draw_text(TextKind kind, SplitMix64& rng) {
  static const std::vector<std::string_view> adjectives{"Steel",   "Cordless", "Compact", "Heavy-duty", "Brass",
                                                        "Folding", "Ceramic",  "Copper",  "Adjustable"};
  static const std::vector<std::string_view> tools{"hammer", "drill", "clamp", "ladder", "hose",  "kettle",
                                                   "lamp",   "valve", "brush", "saw",    "wrench"};
  static const std::vector<std::string_view> first{"Lena", "Tomas", "Aiko",  "Samir", "Ines",  "Marek", "Noor",
                                                   "Femi", "Clara", "Yusuf", "Hana",  "Pavel", "Rosa",  "Kenji"};
  static const std::vector<std::string_view> last{"Okafor", "Lindqvist", "Moreau", "Tanaka",  "Haddad", "Novak",
                                                  "Silva",  "Brennan",   "Kowal",  "Adeyemi", "Castro", "Ibsen"};
  static const std::vector<std::string_view> nouns{"Salt", "Smoke", "Iron", "Glass",   "Winter",  "Harbor",
                                                   "Ash",  "Amber", "Tide", "Lantern", "Orchard", "Stone"};
  switch (kind) {
    case TextKind::Product:
      // Some products carry a size in inches, so renderings must handle a '"' inside a cell.
      if (rng.uniform(0, 5) == 0)
        return fmt::format("{} {} {}\"", pick(adjectives, rng), pick(tools, rng), rng.uniform(4, 36));
      return fmt::format("{} {}", pick(adjectives, rng), pick(tools, rng));
    case TextKind::PersonLastFirst:
      return fmt::format("{}, {}", pick(last, rng), pick(first, rng));
    case TextKind::PersonFirstLast:
      return fmt::format("{} {}", pick(first, rng), pick(last, rng));
    case TextKind::BookTitle:
      // Some titles hold commas, so CSV quoting is exercised.
      if (rng.uniform(0, 2) == 0)
        return fmt::format("{}, {} and {}", pick(nouns, rng), pick(nouns, rng), pick(nouns, rng));
      return fmt::format("The {} of {}", pick(nouns, rng), pick(nouns, rng));
    case TextKind::None:
      break;
  }
  fail("synl: column has no text kind");
}

TableCell draw_cell(const ColumnSpec& spec, SplitMix64& rng) {
  switch (spec.type) {
    case ColumnType::Category:
      return {std::string(pick(spec.choices, rng)), 0};
    case ColumnType::Text:
      return {draw_text(spec.text, rng), 0};
    case ColumnType::Integer:
    case ColumnType::Decimal:
    case ColumnType::Date: {
      const std::int64_t v = rng.uniform(spec.lo, spec.hi);
      if (spec.type == ColumnType::Integer) return {std::to_string(v), v};
      return {spec.type == ColumnType::Decimal ? format_cents(v) : format_date(v), v};
    }
    case ColumnType::Key:
      break;
  }
  fail("synl: column \"{}\" cannot be drawn", spec.name);
}

/// Row i's key id: a seed-keyed permutation of [0, kMaxSynTableRows) (a 4-round Feistel network on 20 bits,
/// cycle-walked back into range), so keys are unique by construction yet look unordered.
std::int64_t permuted_id(const std::array<std::uint64_t, 4>& round_keys, std::int64_t index) {
  auto x = static_cast<std::uint64_t>(index);
  do {
    std::uint64_t left = x >> 10, right = x & 1023;
    for (const auto key : round_keys) {
      const std::uint64_t mixed = SplitMix64(right ^ key).next() & 1023;
      std::swap(left, right);
      right ^= mixed;
    }
    x = (left << 10) | right;
  } while (x >= static_cast<std::uint64_t>(kMaxSynTableRows));
  return static_cast<std::int64_t>(x);
}

std::string make_key(const Theme& theme, std::int64_t id) {
  if (!theme.key_prefix.empty()) return fmt::format("{}-{:06}", theme.key_prefix, id);
  // Three consonant-vowel syllables, one per pair of decimal digits: 20 x 5 = 100 syllables, so the name
  // spells the id back unambiguously.
  constexpr std::string_view kConsonants = "bcdfghjklmnprstvwxyz", kVowels = "aeiou";
  std::string name;
  for (int syllable = 0; syllable < 3; ++syllable, id /= 100) {
    name += kConsonants[static_cast<std::size_t>(id % 100 / 5)];
    name += kVowels[static_cast<std::size_t>(id % 5)];
  }
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string markdown_line(const std::vector<std::string>& fields) {
  std::string out = "|";
  for (const auto& field : fields) {
    out += ' ';
    for (const char c : field) out += c == '|' ? std::string("\\|") : std::string(1, c == '\n' ? ' ' : c);
    out += " |";
  }
  return out + "\n";
}

bool is_numeric(ColumnType type) {
  return type == ColumnType::Integer || type == ColumnType::Decimal || type == ColumnType::Date;
}

std::vector<std::size_t> columns_of_type(const SynTable& table, bool (*wanted)(ColumnType), SplitMix64& rng) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    if (wanted(table.columns[c].type)) out.push_back(c);
  rng.shuffle(out);
  return out;
}

std::string join_keys(const SynTable& table, const std::vector<std::int64_t>& rows) {
  std::string out;
  for (const auto r : rows) out += (out.empty() ? "" : ", ") + table.rows[static_cast<std::size_t>(r)][0].text;
  return out;
}

}  // namespace

std::string_view table_format_name(TableFormat format) { return kFormatNames[static_cast<std::size_t>(format)]; }
std::string_view table_question_name(TableQuestionType type) { return kQuestionNames[static_cast<std::size_t>(type)]; }
TableFormat table_format_from_name(std::string_view name) {
  return static_cast<TableFormat>(index_of_name(kFormatNames, name, "table format"));
}
TableQuestionType table_question_from_name(std::string_view name) {
  return static_cast<TableQuestionType>(index_of_name(kQuestionNames, name, "table question"));
}
std::vector<TableFormat> all_table_formats() {
  return {TableFormat::Markdown, TableFormat::Csv, TableFormat::JsonLines};
}
std::vector<TableQuestionType> all_table_questions() {
  std::vector<TableQuestionType> out;
  for (std::size_t i = 0; i < kQuestionNames.size(); ++i) out.push_back(static_cast<TableQuestionType>(i));
  return out;
}

SynTable make_table(std::uint64_t seed, std::int64_t rows) {
  if (rows < 1 || rows > kMaxSynTableRows) fail("synl: a table needs 1 to {} rows (got {})", kMaxSynTableRows, rows);
  // Theme, column order and key permutation come from the seed alone; each row from (seed, row index) alone.
  SplitMix64 table_rng(seed ^ 0x53594E4C5441424Cull);
  const Theme& theme = pick(themes(), table_rng);
  std::vector<std::size_t> order(theme.columns.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  table_rng.shuffle(order);
  std::array<std::uint64_t, 4> round_keys{};
  for (auto& key : round_keys) key = table_rng.next();

  SynTable table;
  table.title = theme.title;
  table.columns.push_back({std::string(theme.key_name), ColumnType::Key});
  for (const auto c : order) table.columns.push_back({std::string(theme.columns[c].name), theme.columns[c].type});
  table.rows.reserve(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {
    SplitMix64 row_rng(SplitMix64(seed ^ (0xD1B54A32D192ED03ull * static_cast<std::uint64_t>(i + 1))).next());
    std::vector<TableCell> drawn;
    for (const auto& spec : theme.columns) drawn.push_back(draw_cell(spec, row_rng));
    std::vector<TableCell> row{{make_key(theme, permuted_id(round_keys, i)), 0}};
    for (const auto c : order) row.push_back(std::move(drawn[c]));
    table.rows.push_back(std::move(row));
  }
  return table;
}

RenderedTable render_table(const SynTable& table, TableFormat format) {
  RenderedTable out;
  std::vector<std::string> names;
  for (const auto& column : table.columns) names.push_back(column.name);
  const auto csv_line = [](const std::vector<std::string>& fields) {
    std::string line;
    for (const auto& field : fields) line += (line.empty() ? "" : ",") + csv_field(field);
    return line + "\n";
  };
  if (format == TableFormat::Markdown) {
    out.text = markdown_line(names) + "|";
    for (std::size_t c = 0; c < names.size(); ++c) out.text += "---|";
    out.text += "\n";
  } else if (format == TableFormat::Csv) {
    out.text = csv_line(names);
  }
  for (const auto& row : table.rows) {
    const auto begin = static_cast<std::int64_t>(out.text.size());
    if (format == TableFormat::JsonLines) {
      std::string line = "{";
      for (std::size_t c = 0; c < row.size(); ++c) {
        const bool bare = table.columns[c].type == ColumnType::Integer || table.columns[c].type == ColumnType::Decimal;
        line += (c == 0 ? "" : ", ") + json_string(names[c]) + ": " + (bare ? row[c].text : json_string(row[c].text));
      }
      out.text += line + "}\n";
    } else {
      std::vector<std::string> fields;
      for (const auto& cell : row) fields.push_back(cell.text);
      out.text += format == TableFormat::Csv ? csv_line(fields) : markdown_line(fields);
    }
    out.row_bytes.emplace_back(begin, static_cast<std::int64_t>(out.text.size()));
  }
  return out;
}

TableQa make_table_question(const SynTable& table, TableQuestionType type, SplitMix64& rng, std::int64_t top_k) {
  const auto n = static_cast<std::int64_t>(table.rows.size());
  if (n == 0) fail("synl: table \"{}\" has no rows to ask about", table.title);
  if (top_k < 1) fail("synl: top_k must be at least 1 (got {})", top_k);
  const std::string& key_name = table.columns[0].name;
  const auto cell = [&](std::int64_t r, std::size_t c) -> const TableCell& {
    return table.rows[static_cast<std::size_t>(r)][c];
  };
  const auto is_date = [&](std::size_t c) { return table.columns[c].type == ColumnType::Date; };
  TableQa qa;
  qa.type = type;

  if (type == TableQuestionType::Lookup) {
    const std::int64_t r = rng.uniform(0, n - 1);
    const auto c = static_cast<std::size_t>(rng.uniform(1, static_cast<std::int64_t>(table.columns.size()) - 1));
    qa.column = table.columns[c].name;
    qa.value = cell(r, 0).text;
    qa.question = fmt::format("In the table, what is the {} of the row whose {} is {}? {}", qa.column, key_name,
                              qa.value, kAsWritten);
    qa.answer = cell(r, c).text;
    qa.evidence_rows = {r};
    return qa;
  }

  if (type == TableQuestionType::Filter || type == TableQuestionType::Count) {
    const bool by_threshold = type == TableQuestionType::Count && rng.uniform(0, 1) == 1;
    const auto numeric = columns_of_type(table, is_numeric, rng);
    if (by_threshold && !numeric.empty()) {
      const std::size_t c = numeric.front();
      const TableCell& bound = cell(rng.uniform(0, n - 1), c);
      for (std::int64_t r = 0; r < n; ++r)
        if (cell(r, c).number > bound.number) qa.evidence_rows.push_back(r);
      qa.column = table.columns[c].name;
      qa.threshold = bound.text;
      qa.question = fmt::format("How many rows have {} {} {}? Answer with a number.", qa.column,
                                is_date(c) ? "later than" : "greater than", qa.threshold);
      qa.answer = std::to_string(qa.evidence_rows.size());
      return qa;
    }
    // Rows per (category column, value), in table order; std::map keeps the choice independent of hashing.
    std::vector<std::pair<std::size_t, std::string>> all_pairs, small_pairs;
    std::map<std::pair<std::size_t, std::string>, std::vector<std::int64_t>> matches;
    for (std::size_t c = 1; c < table.columns.size(); ++c)
      if (table.columns[c].type == ColumnType::Category)
        for (std::int64_t r = 0; r < n; ++r) matches[{c, cell(r, c).text}].push_back(r);
    if (matches.empty())
      fail("synl: table \"{}\" has no category column for a {} question", table.title, table_question_name(type));
    for (const auto& [pair, rows] : matches) {
      all_pairs.push_back(pair);
      if (rows.size() <= 20) small_pairs.push_back(pair);
    }
    const bool prefer_small = type == TableQuestionType::Filter && !small_pairs.empty();
    const auto chosen = pick(prefer_small ? small_pairs : all_pairs, rng);
    qa.column = table.columns[chosen.first].name;
    qa.value = chosen.second;
    qa.evidence_rows = matches[chosen];
    if (type == TableQuestionType::Count) {
      qa.question = fmt::format("How many rows have {} equal to {}? Answer with a number.", qa.column, qa.value);
      qa.answer = std::to_string(qa.evidence_rows.size());
      return qa;
    }
    std::string extra;
    if (qa.evidence_rows.size() > 20) {
      // Too many matches for a readable answer: keep only rows above a bound that leaves 1..20 of them.
      for (const auto c : numeric) {
        std::vector<std::int64_t> values;
        for (const auto r : qa.evidence_rows) values.push_back(cell(r, c).number);
        std::sort(values.rbegin(), values.rend());
        const std::int64_t bound = values[static_cast<std::size_t>(rng.uniform(1, 20))];
        if (values.front() == bound) continue;
        std::vector<std::int64_t> kept;
        for (const auto r : qa.evidence_rows) {
          if (cell(r, c).number > bound)
            kept.push_back(r);
          else if (cell(r, c).number == bound)
            qa.threshold = cell(r, c).text;
        }
        qa.threshold_column = table.columns[c].name;
        qa.evidence_rows = kept;
        extra = fmt::format(" and {} is {} {}", qa.threshold_column, is_date(c) ? "later than" : "greater than",
                            qa.threshold);
        break;
      }
    }
    qa.question = fmt::format("List the {} of every row where {} is {}{}, in table order. {}", key_name, qa.column,
                              qa.value, extra, fmt::format(kCommaList, key_name));
    qa.answer = join_keys(table, qa.evidence_rows);
    return qa;
  }

  if (type == TableQuestionType::Compare && n < 2)
    fail("synl: table \"{}\" has one row, nothing to compare", table.title);
  const std::int64_t k = std::min(top_k, n);
  for (const auto c : columns_of_type(table, is_numeric, rng)) {
    qa.column = table.columns[c].name;
    const std::string_view most = is_date(c) ? "latest" : "highest";
    if (type == TableQuestionType::Compare) {
      const std::int64_t a = rng.uniform(0, n - 1);
      std::vector<std::int64_t> differing;
      for (std::int64_t r = 0; r < n; ++r)
        if (cell(r, c).number != cell(a, c).number) differing.push_back(r);
      if (differing.empty()) continue;
      const std::int64_t b = pick(differing, rng);
      qa.keys = {cell(a, 0).text, cell(b, 0).text};
      qa.question = fmt::format("Which has the {} {}, {} or {}? Answer with the {} only.",
                                is_date(c) ? "later" : "higher", qa.column, qa.keys[0], qa.keys[1], key_name);
      qa.answer = cell(a, c).number > cell(b, c).number ? qa.keys[0] : qa.keys[1];
      qa.evidence_rows = {std::min(a, b), std::max(a, b)};
      return qa;
    }
    // Rows from best to worst (lowest first for min); stable, so equal values keep table order.
    const bool lowest_wins = type == TableQuestionType::Min;
    std::vector<std::int64_t> ranked(static_cast<std::size_t>(n));
    std::iota(ranked.begin(), ranked.end(), std::int64_t{0});
    std::stable_sort(ranked.begin(), ranked.end(), [&](std::int64_t x, std::int64_t y) {
      return lowest_wins ? cell(x, c).number < cell(y, c).number : cell(x, c).number > cell(y, c).number;
    });
    const auto value_at = [&](std::int64_t i) { return cell(ranked[static_cast<std::size_t>(i)], c).number; };
    const std::int64_t decisive = type == TableQuestionType::TopK ? k : 1;
    bool tied = false;
    for (std::int64_t i = 0; i < decisive && i + 1 < n; ++i) tied = tied || value_at(i) == value_at(i + 1);
    if (tied) continue;
    const std::string_view best = lowest_wins ? (is_date(c) ? "earliest" : "lowest") : most;
    if (type == TableQuestionType::Max || type == TableQuestionType::Min) {
      qa.question = fmt::format("What is the {} {} in the table? {}", best, qa.column, kAsWritten);
      qa.answer = cell(ranked.front(), c).text;
    } else if (type == TableQuestionType::Argmax) {
      qa.question =
          fmt::format("Which {} has the {} {}? Answer with the {} only.", key_name, best, qa.column, key_name);
      qa.answer = cell(ranked.front(), 0).text;
    } else {
      qa.k = k;
      qa.question = fmt::format("List the {} of the {} {} with the {} {}, from {} to {}. {}", key_name, k,
                                k == 1 ? "row" : "rows", best, qa.column, best, is_date(c) ? "earliest" : "lowest",
                                fmt::format(kCommaList, key_name));
      ranked.resize(static_cast<std::size_t>(k));
      qa.answer = join_keys(table, ranked);
    }
    ranked.resize(static_cast<std::size_t>(decisive));
    std::sort(ranked.begin(), ranked.end());
    qa.evidence_rows = ranked;
    return qa;
  }
  fail("synl: table \"{}\": every numeric column has ties, no unambiguous {} question", table.title,
       table_question_name(type));
}

}  // namespace rw::core
