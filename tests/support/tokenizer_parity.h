// Shared by the tokenizer and chat tests: the mixed parity texts and the JSON exchange with
// tools/oracle/tokenizer_oracle.py. Header-only; not a test by itself.
#pragma once
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "rw/core/tokenizer/tokenizer.h"
#include "test_support.h"

namespace rw::test::tokenizer {

struct ParityText {
  QString name;
  std::string text;
  bool has_special = false;  // contains special-token spellings (decode does not round-trip)
  bool nfc_stable = true;    // NFC(text) == text, so an NFC tokenizer round-trips it
};

/// Code points from many scripts and symbol blocks (every Unicode space, marks, variation selectors,
/// supplementary planes, tags) in groups of seven, so \s, \p{L}, \p{N} are exercised class by class.
inline std::string unicode_sweep() {
  const std::pair<char32_t, char32_t> ranges[] = {
      {0x20, 0x24F},     {0x2B0, 0x3FF},     {0x590, 0x6FF},     {0x900, 0x97F},     {0xE00, 0xE7F},
      {0x1680, 0x169F},  {0x1800, 0x18AF},   {0x1E00, 0x1EFF},   {0x2000, 0x206F},   {0x20A0, 0x20CF},
      {0x2100, 0x218F},  {0x2460, 0x24FF},   {0x2E80, 0x2EFF},   {0x3000, 0x30FF},   {0xA960, 0xA97F},
      {0xFB00, 0xFB4F},  {0xFE00, 0xFE4F},   {0xFF00, 0xFFEF},   {0x10000, 0x1007F}, {0x1D400, 0x1D4FF},
      {0x1F300, 0x1F3FF}, {0x1F900, 0x1F9FF}, {0xE0000, 0xE007F}};
  std::string out;
  int n = 0;
  auto append = [&](char32_t cp) { out += QString::fromUcs4(&cp, 1).toStdString(); };
  for (const auto& [lo, hi] : ranges)
    for (char32_t cp = lo; cp <= hi; ++cp) {
      append(cp);
      if (++n % 7 == 0) out += n % 21 == 0 ? "\n" : " ";
    }
  return out;
}

/// Code, CJK, accents in NFC and NFD, emoji with ZWJ sequences, long digit runs, whitespace runs,
/// contractions, Unicode edge cases, special-token spellings, and the empty string.
inline const std::vector<ParityText>& parity_texts() {
  static const std::vector<ParityText> texts = {
      {"code",
       "def main(argv):\n    if len(argv) > 1:\n\t\treturn 0\n    x = {'a': [1, 2, 3]}  # comment\n\n\n"
       "    print(f\"{x!r}\")   \n}\n"},
      {"cjk", "日本語のテキストと中文字符，還有한국어 텍스트。全角\u3000スペース"},
      {"accents_nfc", "Café naïve résumé Ångström Øre çà et là, café au lait"},
      {"accents_nfd", "Cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030Angstro\u0308m, cafe\u0301 au lait", false,
       false},
      {"emoji", "I 💜 tokenizers 👨‍👩‍👧‍👦 👍🏽 🏳️‍🌈 ❤️‍🔥 🇩🇪!"},
      {"numbers", "In 2024, 1234567890123 people paid $3.14159 or 1,000,000.00 each; call 555-0199. ٣٤٥ x²³"},
      {"whitespace", "  leading, trailing   \n\n\n  double  spaces\t\ttabs \r\n crlf \u00a0nbsp   \n\n"},
      {"contractions", "It's what they'LL say: I'm sure you've; DON'T we'd've 'S 'd o'clock"},
      {"unicode_edge", "ǅemo Kelvin \u212A 'ſ straße \u2028line\u2029para \u200bzw\u200dj x\u0301\u0302 ﬁ \u180e.", false,
       false},
      {"special",
       "<|begin_of_text|>Hi<|eot_id|>\n<|im_start|>user\nhey<|im_end|>\n<|endoftext|> a  <mask> b<s> x</s>", true},
      {"unicode_sweep", unicode_sweep(), false, false},
      {"empty", ""},
      {"one_space", " "},
      {"mixed",
       "Résumé:\t日本 👩‍💻 x=12345;\n\n  It'S   OK 🇯🇵\n"
       "    for (int i = 0; i < 10; ++i) { sum += a[i]; }  // 漢字\n"},
  };
  return texts;
}

inline QJsonArray texts_json() {
  QJsonArray array;
  for (const auto& t : parity_texts()) array.append(QString::fromStdString(t.text));
  return array;
}

inline void write_json(const QString& path, const QJsonDocument& doc) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write " + path.toStdString());
  file.write(doc.toJson());
}

inline QJsonDocument read_json(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + path.toStdString());
  QJsonParseError error;
  QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (doc.isNull()) throw std::runtime_error(path.toStdString() + ": " + error.errorString().toStdString());
  return doc;
}

inline std::vector<int32_t> to_ids(const QJsonValue& value) {
  std::vector<int32_t> ids;
  for (const auto& v : value.toArray()) ids.push_back(static_cast<int32_t>(v.toInteger()));
  return ids;
}

inline std::string to_std(const QJsonValue& value) { return value.toString().toStdString(); }

/// For QCOMPARE on UTF-8 strings, so failures print the text.
inline QString qs(const std::string& s) { return QString::fromStdString(s); }

/// Runs the oracle; returns an empty string on success, else what went wrong (for QVERIFY2).
inline QString run_tokenizer_oracle(const QStringList& args) {
  const auto result = run_oracle("tokenizer_oracle.py", args);
  if (result.exit_code == 0) return {};
  return QStringLiteral("oracle %1 exited %2: %3").arg(args.join(' ')).arg(result.exit_code).arg(result.std_err);
}

/// "first difference at i: ours [..] vs reference [..]" with token spellings around it.
inline QString describe_mismatch(const rw::core::Tokenizer& tok, const std::vector<int32_t>& ours,
                                 const std::vector<int32_t>& theirs) {
  size_t i = 0;
  while (i < ours.size() && i < theirs.size() && ours[i] == theirs[i]) ++i;
  auto around = [&](const std::vector<int32_t>& ids) {
    QStringList parts;
    for (size_t k = i >= 3 ? i - 3 : 0; k < ids.size() && k < i + 4; ++k) {
      QString spelling = QStringLiteral("?");
      try {
        spelling = QString::fromStdString(tok.id_to_token(ids[k]));
      } catch (const std::exception&) {
      }
      parts << QStringLiteral("%1'%2'").arg(ids[k]).arg(spelling);
    }
    return parts.join(' ');
  };
  return QStringLiteral("lengths %1 vs %2, first difference at %3: ours [%4] vs reference [%5]")
      .arg(ours.size())
      .arg(theirs.size())
      .arg(i)
      .arg(around(ours), around(theirs));
}

}  // namespace rw::test::tokenizer
