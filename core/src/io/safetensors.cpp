// Safetensors reader/writer, written from the format description: an 8-byte little-endian header length N,
// N bytes of UTF-8 JSON (space padded), then the data section that the header's data_offsets index into.
#include "rw/core/io/safetensors.h"

#include <ATen/ATen.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <unordered_map>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "mapped_file.h"

namespace rw::core {
namespace {

// Tensor bytes are copied verbatim; safetensors stores them little-endian.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the cap the reference implementation uses
constexpr const char* kMetadataKey = "__metadata__";

struct DtypeInfo {
  std::string_view name;
  at::ScalarType type;
  uint64_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", at::kDouble, 8}, {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2}, {"BF16", at::kBFloat16, 2},
    {"I64", at::kLong, 8},   {"I32", at::kInt, 4},   {"I16", at::kShort, 2}, {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},    {"BOOL", at::kBool, 1},
};

// Valid in the safetensors spec but not handled here; named separately so the message is not "unknown".
constexpr std::string_view kKnownUnsupported[] = {"F8_E4M3", "F8_E5M2", "F8_E8M0", "F4",  "F6_E2M3",
                                                  "F6_E3M2", "U16",     "U32",     "U64", "C64"};

std::string supported_list() {
  std::vector<std::string_view> names;
  for (const auto& d : kDtypes) names.push_back(d.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

const DtypeInfo* find_dtype(std::string_view name) {
  for (const auto& d : kDtypes)
    if (d.name == name) return &d;
  return nullptr;
}

const DtypeInfo* find_dtype(at::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return &d;
  return nullptr;
}

template <typename... Args>
[[noreturn]] void read_error(const fs::path& path, fmt::format_string<Args...> format, Args&&... args) {
  fail("safetensors file {}: {}", path.string(), fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void write_error(const fs::path& path, fmt::format_string<Args...> format, Args&&... args) {
  fail("cannot write safetensors file {}: {}", path.string(), fmt::format(format, std::forward<Args>(args)...));
}

// Short rendering of a JSON value for messages (a hostile header can hold huge values).
std::string brief(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Parses the header, refusing duplicate keys in any object (nlohmann would silently keep the last).
json parse_header(const fs::path& path, std::string_view text) {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty()) {
      auto key = parsed.get<std::string>();
      if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = std::move(key);
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text.begin(), text.end(), callback);
  } catch (const json::exception& e) {
    read_error(path, "header is not valid UTF-8 JSON: {}", e.what());
  }
  if (!duplicate.empty()) read_error(path, "header names key '{}' more than once", duplicate);
  if (!header.is_object()) read_error(path, "header is not a JSON object (it is a JSON {})", header.type_name());
  return header;
}

uint64_t json_u64(const fs::path& path, const std::string& name, const char* field, const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) read_error(path, "tensor '{}': {} holds negative value {}", name, field, brief(value));
  read_error(path, "tensor '{}': {} must hold non-negative integers, got {}", name, field, brief(value));
}

TensorEntry parse_entry(const fs::path& path, const std::string& name, const json& info) {
  if (!info.is_object()) read_error(path, "tensor '{}': entry is not a JSON object (got {})", name, brief(info));
  const auto field = [&](const char* key) -> const json& {
    auto it = info.find(key);
    if (it == info.end()) read_error(path, "tensor '{}': missing \"{}\"", name, key);
    return *it;
  };

  TensorEntry entry;
  entry.name = name;

  const json& dtype = field("dtype");
  if (!dtype.is_string()) read_error(path, "tensor '{}': \"dtype\" is not a string (got {})", name, brief(dtype));
  const auto dtype_name = dtype.get<std::string>();
  const DtypeInfo* info_dtype = find_dtype(dtype_name);
  if (info_dtype == nullptr) {
    if (std::find(std::begin(kKnownUnsupported), std::end(kKnownUnsupported), dtype_name) !=
        std::end(kKnownUnsupported))
      read_error(path, "tensor '{}': dtype '{}' is not supported by Ropewalk (supported: {})", name, dtype_name,
                 supported_list());
    read_error(path, "tensor '{}': unknown dtype '{}' (supported: {})", name, dtype_name, supported_list());
  }
  entry.dtype = info_dtype->type;

  const json& shape = field("shape");
  if (!shape.is_array()) read_error(path, "tensor '{}': \"shape\" is not an array (got {})", name, brief(shape));
  uint64_t elements = 1;
  bool overflow = false;
  for (const json& dim : shape) {
    const uint64_t d = json_u64(path, name, "\"shape\"", dim);
    if (d > static_cast<uint64_t>(INT64_MAX)) read_error(path, "tensor '{}': dimension {} is too large", name, d);
    entry.shape.push_back(static_cast<int64_t>(d));
    overflow = overflow || __builtin_mul_overflow(elements, d, &elements);
  }

  const json& offsets = field("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2)
    read_error(path, "tensor '{}': \"data_offsets\" must be an array [begin, end] (got {})", name, brief(offsets));
  entry.begin = json_u64(path, name, "\"data_offsets\"", offsets[0]);
  entry.end = json_u64(path, name, "\"data_offsets\"", offsets[1]);
  if (entry.begin > entry.end)
    read_error(path, "tensor '{}': data_offsets [{}, {}] begin after their end", name, entry.begin, entry.end);

  uint64_t bytes = 0;
  overflow = overflow || __builtin_mul_overflow(elements, info_dtype->size, &bytes);
  if (overflow || bytes != entry.end - entry.begin)
    read_error(path,
               "tensor '{}': shape [{}] of {} needs {} bytes but data_offsets [{}, {}] span {} bytes",
               name, fmt::join(entry.shape, ", "), dtype_name,
               overflow ? std::string("more than 2^64") : std::to_string(bytes), entry.begin, entry.end,
               entry.end - entry.begin);
  return entry;
}

std::map<std::string, std::string> parse_metadata(const fs::path& path, const json& value) {
  std::map<std::string, std::string> metadata;
  if (value.is_null()) return metadata;
  if (!value.is_object())
    read_error(path, "\"{}\" must be an object of strings (got {})", kMetadataKey, brief(value));
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string())
      read_error(path, "\"{}\" key '{}' has a non-string value {}", kMetadataKey, key, brief(item));
    metadata.emplace(key, item.get<std::string>());
  }
  return metadata;
}

// The reference implementation requires tensors to tile the data section exactly; so do we.
void check_layout(const fs::path& path, const std::vector<TensorEntry>& sorted, uint64_t data_size) {
  const TensorEntry* last_reaching = nullptr;  // the entry with the largest end
  for (const auto& e : sorted)
    if (last_reaching == nullptr || e.end > last_reaching->end) last_reaching = &e;
  if (last_reaching != nullptr && last_reaching->end > data_size)
    read_error(path,
               "file is truncated by {} bytes: tensor '{}' data_offsets [{}, {}] reach past the {}-byte data "
               "section (or the header is wrong)",
               last_reaching->end - data_size, last_reaching->name, last_reaching->begin, last_reaching->end,
               data_size);

  uint64_t cursor = 0;
  const TensorEntry* previous = nullptr;
  for (const auto& e : sorted) {
    if (e.begin < cursor)
      read_error(path, "tensor '{}' data_offsets [{}, {}] overlap tensor '{}' data_offsets [{}, {}]", e.name,
                 e.begin, e.end, previous->name, previous->begin, previous->end);
    if (e.begin > cursor)
      read_error(path, "data section has a gap: bytes [{}, {}) before tensor '{}' belong to no tensor", cursor,
                 e.begin, e.name);
    cursor = e.end;
    previous = &e;
  }
  if (cursor < data_size)
    read_error(path, "data section has {} trailing bytes [{}, {}) not covered by any tensor", data_size - cursor,
               cursor, data_size);
}

// Closes a file descriptor on scope exit.
}  // namespace

struct SafetensorsReader::Impl {
  fs::path path;
  std::unique_ptr<detail::MappedFile> file;
  const std::byte* data = nullptr;  // start of the data section inside the mapping
  uint64_t data_size = 0;
  std::vector<TensorEntry> entries;
  std::unordered_map<std::string, size_t> by_name;
  std::map<std::string, std::string> metadata;
};

SafetensorsReader::SafetensorsReader(const fs::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = std::make_unique<detail::MappedFile>(path, "safetensors file");
  const uint64_t file_size = impl_->file->size();
  if (file_size < 8)
    read_error(path, "file is {} bytes long, shorter than 8 bytes (the header length prefix)", file_size);
  const std::byte* bytes = impl_->file->data();

  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes, sizeof header_size);
  if (header_size > kMaxHeaderBytes)
    read_error(path, "header length {} bytes is absurd (limit {}): corrupt or not a safetensors file", header_size,
               kMaxHeaderBytes);
  if (header_size > file_size - 8)
    read_error(path,
               "header length {} bytes exceeds the {} bytes that follow the length prefix: file truncated or "
               "not a safetensors file",
               header_size, file_size - 8);

  const json header =
      parse_header(path, std::string_view(reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(header_size)));
  impl_->data = bytes + 8 + header_size;
  impl_->data_size = file_size - 8 - header_size;

  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey)
      impl_->metadata = parse_metadata(path, value);
    else
      impl_->entries.push_back(parse_entry(path, key, value));
  }
  // Stable: zero-size tensors sharing an offset keep the header's (name) order.
  std::stable_sort(impl_->entries.begin(), impl_->entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  check_layout(path, impl_->entries, impl_->data_size);
  for (size_t i = 0; i < impl_->entries.size(); ++i) impl_->by_name.emplace(impl_->entries[i].name, i);
}

SafetensorsReader::~SafetensorsReader() = default;

const fs::path& SafetensorsReader::path() const { return impl_->path; }

const std::vector<TensorEntry>& SafetensorsReader::entries() const { return impl_->entries; }

bool SafetensorsReader::contains(const std::string& name) const { return impl_->by_name.count(name) != 0; }

const TensorEntry& SafetensorsReader::entry(const std::string& name) const {
  auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end())
    read_error(impl_->path, "no tensor named '{}' (the file holds {} tensors)", name, impl_->entries.size());
  return impl_->entries[it->second];
}

at::Tensor SafetensorsReader::load(const std::string& name) const {
  const TensorEntry& e = entry(name);
  // A fresh tensor, not a view of the mapping: it must outlive this reader and never fault on a changed file.
  at::Tensor tensor = at::empty(e.shape, at::TensorOptions().dtype(e.dtype).device(at::kCPU));
  const uint64_t bytes = e.end - e.begin;
  if (bytes > 0) std::memcpy(tensor.data_ptr(), impl_->data + e.begin, bytes);
  return tensor;
}

const std::map<std::string, std::string>& SafetensorsReader::metadata() const { return impl_->metadata; }

std::map<std::string, at::Tensor> read_safetensors(const std::filesystem::path& path) {
  SafetensorsReader reader(path);
  std::map<std::string, at::Tensor> tensors;
  for (const auto& e : reader.entries()) tensors.emplace(e.name, reader.load(e.name));
  return tensors;
}

void write_safetensors(const fs::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  struct Item {
    const std::string* name;
    const at::Tensor* source;
    const DtypeInfo* dtype;
    at::Tensor cpu;
  };
  std::vector<Item> items;
  std::set<std::string_view> seen;
  // Validate everything before touching the disk or copying device tensors.
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) write_error(path, "tensor name '{}' is reserved for metadata", name);
    if (!seen.insert(name).second) write_error(path, "tensor '{}' is given more than once", name);
    if (!tensor.defined()) write_error(path, "tensor '{}' is undefined", name);
    if (tensor.layout() != at::kStrided || tensor.is_meta())
      write_error(path, "tensor '{}' has no dense data (layout {}, device {})", name,
                  c10::str(tensor.layout()), tensor.device().str());
    const DtypeInfo* dtype = find_dtype(tensor.scalar_type());
    if (dtype == nullptr)
      write_error(path, "tensor '{}' has dtype {}, which is not supported (supported: {})", name,
                  c10::toString(tensor.scalar_type()), supported_list());
    items.push_back({&name, &tensor, dtype, {}});
  }
  // Larger elements first, then by name: the order the reference writer uses, which keeps every tensor aligned.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.dtype->size != b.dtype->size ? a.dtype->size > b.dtype->size : *a.name < *b.name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (auto& item : items) {
    // resolve_neg/conj: contiguous() alone keeps lazy negation bits, whose raw bytes would be wrong.
    item.cpu = item.source->resolve_conj().resolve_neg().to(at::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(item.cpu.numel()) * item.dtype->size;
    header[*item.name] = {{"dtype", std::string(item.dtype->name)},
                          {"shape", item.cpu.sizes().vec()},
                          {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::ordered_json::exception& e) {
    write_error(path, "tensor names and metadata must be valid UTF-8: {}", e.what());
  }
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // data section starts 8-byte aligned
  if (header_text.size() > kMaxHeaderBytes)
    write_error(path, "header would be {} bytes, over the {}-byte limit readers enforce", header_text.size(),
                kMaxHeaderBytes);

  const uint64_t header_size = header_text.size();
  char prefix[8];
  std::memcpy(prefix, &header_size, sizeof prefix);
  std::vector<std::string_view> pieces{std::string_view(prefix, sizeof prefix), header_text};
  for (const auto& item : items) {
    const auto bytes = static_cast<size_t>(item.cpu.numel()) * item.dtype->size;
    if (bytes > 0) pieces.emplace_back(static_cast<const char*>(item.cpu.const_data_ptr()), bytes);
  }
  write_file_atomic(path, pieces);
}

}  // namespace rw::core
