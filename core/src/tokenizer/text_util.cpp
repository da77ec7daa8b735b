// UTF-8 helpers and ICU-backed normalization for the tokenizers (see text_util.h).
#include "text_util.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include "rw/core/util/error.h"
#include "rw/core/util/utf8.h"

namespace rw::core::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

const icu::Normalizer2* normalizer_for(NormalForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (form) {
    case NormalForm::NFC: n = icu::Normalizer2::getNFCInstance(status); break;
    case NormalForm::NFD: n = icu::Normalizer2::getNFDInstance(status); break;
    case NormalForm::NFKC: n = icu::Normalizer2::getNFKCInstance(status); break;
    case NormalForm::NFKD: n = icu::Normalizer2::getNFKDInstance(status); break;
    case NormalForm::None: return nullptr;
  }
  if (U_FAILURE(status) || n == nullptr) fail("ICU normalizer unavailable: {}", u_errorName(status));
  return n;
}

}  // namespace

std::string utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const long len = utf8_sequence_length(s, i);
    if (len > 0) {
      out.append(s.substr(i, static_cast<size_t>(len)));
      i += static_cast<size_t>(len);
    } else {
      out.append(kReplacement);
      i += static_cast<size_t>(-len);
    }
  }
  return out;
}

std::string normalize(std::string_view s, NormalForm form) {
  if (form == NormalForm::None) return std::string(s);
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(s);  // every normal form leaves ASCII alone
  const icu::Normalizer2* n = normalizer_for(form);
  UErrorCode status = U_ZERO_ERROR;
  const icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
  if (n->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(s);
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(s.size()));
  n->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) fail("Unicode normalization failed: {}", u_errorName(status));
  return out;
}

bool is_alphanumeric(char32_t cp) {
  const auto c = static_cast<UChar32>(cp);
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) return true;
  const auto type = u_charType(c);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

bool is_whitespace(char32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)); }

}  // namespace rw::core::detail
