// GGUF reader (see gguf.h). Layout, little-endian: "GGUF", uint32 version (2 or 3), uint64 tensor count,
// uint64 metadata count; each metadata entry is a string key, a uint32 value type and the value (strings
// are a uint64 length and bytes; arrays a uint32 element type, a uint64 count and the elements); each
// tensor entry is a name, a uint32 dimension count, uint64 dimensions, a uint32 ggml type and a uint64
// offset into the data section, which starts at the next multiple of general.alignment (default 32).
#include "rw/core/io/gguf.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "gguf_quants.h"
#include "mapped_file.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMaxDims = 4;          // ggml's limit
constexpr int kMaxArrayDepth = 2;         // arrays of arrays exist in the spec; nothing deeper is used
constexpr uint64_t kDefaultAlignment = 32;

enum ValueType : uint32_t {
  kUInt8 = 0, kInt8, kUInt16, kInt16, kUInt32, kInt32, kFloat32, kBool, kString, kArray, kUInt64, kInt64, kFloat64
};

constexpr const char* kValueTypeNames[] = {"UINT8", "INT8",   "UINT16", "INT16", "UINT32", "INT32", "FLOAT32",
                                           "BOOL",  "STRING", "ARRAY",  "UINT64", "INT64", "FLOAT64"};

/// The smallest encoding of a value of each type, to bound element counts by the bytes left.
uint64_t min_value_bytes(uint32_t type) {
  switch (type) {
    case kUInt8: case kInt8: case kBool: return 1;
    case kUInt16: case kInt16: return 2;
    case kUInt32: case kInt32: case kFloat32: return 4;
    case kString: case kUInt64: case kInt64: case kFloat64: return 8;
    case kArray: return 12;
    default: return 1;
  }
}

/// Reads the header with every length checked against the bytes that remain.
class Cursor {
 public:
  Cursor(const fs::path& path, const std::byte* data, uint64_t size) : path_(path), data_(data), size_(size) {}

  template <typename... Args>
  [[noreturn]] void error(fmt::format_string<Args...> format, Args&&... args) const {
    fail("GGUF file {}: {}", path_.string(), fmt::format(format, std::forward<Args>(args)...));
  }

  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  template <typename T>
  T read(std::string_view what) {
    if (remaining() < sizeof(T))
      error("truncated at byte {} while reading {} ({} bytes needed, {} left)", pos_, what, sizeof(T), remaining());
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string read_string(std::string_view what) {
    const auto length = read<uint64_t>(what);
    if (length > remaining())
      error("{} claims a {}-byte string at byte {}, but only {} bytes follow: truncated or corrupt", what, length,
            pos_, remaining());
    std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(length));
    pos_ += length;
    return s;
  }

  /// A count of items that each take at least `min_bytes`: more than the file could hold is a lie.
  uint64_t read_count(std::string_view what, uint64_t min_bytes) {
    const auto count = read<uint64_t>(what);
    if (count > remaining() / min_bytes)
      error("{} is {}, but the {} bytes left could hold at most {}: corrupt or not a GGUF file", what, count,
            remaining(), remaining() / min_bytes);
    return count;
  }

  GgufValue read_value(uint32_t type, const std::string& key, int depth) {
    GgufValue v;
    v.type = type;
    switch (type) {
      case kUInt8: v.uint = read<uint8_t>(key); break;
      case kUInt16: v.uint = read<uint16_t>(key); break;
      case kUInt32: v.uint = read<uint32_t>(key); break;
      case kUInt64: v.uint = read<uint64_t>(key); break;
      case kInt8: v.kind = GgufValue::Kind::Int, v.int_ = read<int8_t>(key); break;
      case kInt16: v.kind = GgufValue::Kind::Int, v.int_ = read<int16_t>(key); break;
      case kInt32: v.kind = GgufValue::Kind::Int, v.int_ = read<int32_t>(key); break;
      case kInt64: v.kind = GgufValue::Kind::Int, v.int_ = read<int64_t>(key); break;
      case kFloat32: v.kind = GgufValue::Kind::Real, v.real = read<float>(key); break;
      case kFloat64: v.kind = GgufValue::Kind::Real, v.real = read<double>(key); break;
      case kBool: {
        const auto b = read<uint8_t>(key);
        if (b > 1) error("metadata '{}': BOOL value {} is neither 0 nor 1", key, b);
        v.kind = GgufValue::Kind::Bool, v.boolean = b == 1;
        break;
      }
      case kString: v.kind = GgufValue::Kind::String, v.string = read_string("metadata '" + key + "'"); break;
      case kArray: {
        if (depth >= kMaxArrayDepth) error("metadata '{}': arrays nested deeper than {}", key, kMaxArrayDepth);
        const auto element_type = read<uint32_t>(key);
        if (element_type > kFloat64) error("metadata '{}': unknown array element type {}", key, element_type);
        const auto count = read_count("the element count of metadata '" + key + "'", min_value_bytes(element_type));
        v.kind = GgufValue::Kind::Array;
        v.array.reserve(count);
        for (uint64_t i = 0; i < count; ++i) v.array.push_back(read_value(element_type, key, depth + 1));
        break;
      }
      default: error("metadata '{}': unknown value type {}", key, type);
    }
    return v;
  }

 private:
  const fs::path& path_;
  const std::byte* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

bool as_uint(const GgufValue& v, uint64_t& out) {
  if (v.kind == GgufValue::Kind::UInt) return out = v.uint, true;
  if (v.kind == GgufValue::Kind::Int && v.int_ >= 0) return out = static_cast<uint64_t>(v.int_), true;
  return false;
}

bool as_real(const GgufValue& v, double& out) {
  if (v.kind == GgufValue::Kind::Real) return out = v.real, true;
  if (v.kind == GgufValue::Kind::UInt) return out = static_cast<double>(v.uint), true;
  if (v.kind == GgufValue::Kind::Int) return out = static_cast<double>(v.int_), true;
  return false;
}

std::string type_text(const GgufValue& v) {
  return v.type < std::size(kValueTypeNames) ? kValueTypeNames[v.type] : fmt::format("type {}", v.type);
}

}  // namespace

std::string ggml_type_name(uint32_t type) {
  if (const auto* t = detail::ggml_type_traits(type)) return std::string(t->name);
  return fmt::format("type {}", type);
}

int64_t GgufTensorInfo::elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> GgufTensorInfo::torch_shape() const { return {dims.rbegin(), dims.rend()}; }

struct GgufReader::Impl {
  fs::path path;
  std::unique_ptr<detail::MappedFile> file;
  uint32_t version = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::unordered_map<std::string, size_t> metadata_index;
  std::vector<GgufTensorInfo> tensors;
  std::unordered_map<std::string, size_t> tensor_index;
  const std::byte* data = nullptr;

  template <typename... Args>
  [[noreturn]] void error(fmt::format_string<Args...> format, Args&&... args) const {
    fail("GGUF file {}: {}", path.string(), fmt::format(format, std::forward<Args>(args)...));
  }
};

namespace {

GgufTensorInfo read_tensor_info(Cursor& in) {
  GgufTensorInfo t;
  t.name = in.read_string("a tensor name");
  const auto n_dims = in.read<uint32_t>("tensor '" + t.name + "' dimension count");
  if (n_dims == 0 || n_dims > kMaxDims) in.error("tensor '{}': {} dimensions (1 to {} allowed)", t.name, n_dims, kMaxDims);
  uint64_t elements = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    const auto dim = in.read<uint64_t>("tensor '" + t.name + "' dimensions");
    if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / elements)
      in.error("tensor '{}': dimension {} is {}, which is zero or makes the element count overflow", t.name, d, dim);
    elements *= dim;
    t.dims.push_back(static_cast<int64_t>(dim));
  }
  const auto type = in.read<uint32_t>("tensor '" + t.name + "' type");
  const auto* traits = detail::ggml_type_traits(type);
  if (!traits)
    in.error("tensor '{}' has ggml type {}, which Ropewalk cannot dequantize (supported: F32, F16, BF16, Q4_0, Q4_1, "
             "Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K)",
             t.name, ggml_type_name(type));
  t.type = traits->type;
  if (t.dims[0] % traits->block_elements != 0)
    in.error("tensor '{}': its first dimension {} is not a multiple of the {} block size {}", t.name, t.dims[0],
             traits->name, traits->block_elements);
  const uint64_t blocks = elements / static_cast<uint64_t>(traits->block_elements);
  if (blocks > std::numeric_limits<uint64_t>::max() / traits->block_bytes)
    in.error("tensor '{}': its byte size overflows", t.name);
  t.bytes = blocks * traits->block_bytes;
  t.offset = in.read<uint64_t>("tensor '" + t.name + "' offset");
  return t;
}

}  // namespace

GgufReader::GgufReader(const fs::path& path) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  m.file = std::make_unique<detail::MappedFile>(path, "GGUF file");
  Cursor in(path, m.file->data(), m.file->size());
  if (m.file->size() < 4 || std::memcmp(m.file->data(), "GGUF", 4) != 0)
    m.error("does not start with the magic \"GGUF\": not a GGUF file");
  in.read<uint32_t>("the magic");
  m.version = in.read<uint32_t>("the version");
  if (m.version != 2 && m.version != 3) m.error("GGUF version {} is not supported (2 and 3 are)", m.version);
  const uint64_t tensor_count = in.read_count("the tensor count", 8 + 4 + 8 + 4 + 8);
  const uint64_t metadata_count = in.read_count("the metadata count", 8 + 4 + 1);

  for (uint64_t i = 0; i < metadata_count; ++i) {
    std::string key = in.read_string("a metadata key");
    const auto type = in.read<uint32_t>("the value type of metadata '" + key + "'");
    GgufValue value = in.read_value(type, key, 0);
    if (!m.metadata_index.emplace(key, m.metadata.size()).second) m.error("metadata key '{}' appears twice", key);
    m.metadata.emplace_back(std::move(key), std::move(value));
  }
  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensorInfo t = read_tensor_info(in);
    if (!m.tensor_index.emplace(t.name, m.tensors.size()).second) m.error("tensor '{}' appears twice", t.name);
    m.tensors.push_back(std::move(t));
  }

  uint64_t alignment = kDefaultAlignment;
  if (const GgufValue* a = find("general.alignment")) {
    if (a->kind != GgufValue::Kind::UInt || a->uint == 0 || (a->uint & (a->uint - 1)) != 0 || a->uint > 1u << 20)
      m.error("general.alignment must be a power of two up to 1 MiB, got {}", a->kind == GgufValue::Kind::UInt
                                                                                   ? std::to_string(a->uint)
                                                                                   : type_text(*a));
    alignment = a->uint;
  }
  const uint64_t data_start = (in.position() + alignment - 1) / alignment * alignment;
  const uint64_t data_size = data_start <= m.file->size() ? m.file->size() - data_start : 0;
  if (!m.tensors.empty() && data_start > m.file->size())
    m.error("the data section would start at byte {}, past the end of the {}-byte file: truncated", data_start,
            m.file->size());
  m.data = m.file->data() + std::min(data_start, m.file->size());

  std::vector<const GgufTensorInfo*> by_offset;
  for (const auto& t : m.tensors) {
    if (t.offset % alignment != 0)
      m.error("tensor '{}': offset {} is not a multiple of the alignment {}", t.name, t.offset, alignment);
    if (t.offset > data_size || t.bytes > data_size - t.offset)
      m.error("tensor '{}' ({} bytes at offset {}) runs past the end of the {}-byte data section: truncated or "
              "corrupt",
              t.name, t.bytes, t.offset, data_size);
    by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i)
    if (by_offset[i - 1]->offset + by_offset[i - 1]->bytes > by_offset[i]->offset)
      m.error("tensors '{}' and '{}' overlap in the data section", by_offset[i - 1]->name, by_offset[i]->name);
}

GgufReader::~GgufReader() = default;

const fs::path& GgufReader::path() const { return impl_->path; }
uint32_t GgufReader::version() const { return impl_->version; }
const std::vector<std::pair<std::string, GgufValue>>& GgufReader::metadata() const { return impl_->metadata; }
const std::vector<GgufTensorInfo>& GgufReader::tensors() const { return impl_->tensors; }

const GgufValue* GgufReader::find(std::string_view key) const {
  auto it = impl_->metadata_index.find(std::string(key));
  return it == impl_->metadata_index.end() ? nullptr : &impl_->metadata[it->second].second;
}

const GgufTensorInfo* GgufReader::find_tensor(std::string_view name) const {
  auto it = impl_->tensor_index.find(std::string(name));
  return it == impl_->tensor_index.end() ? nullptr : &impl_->tensors[it->second];
}

std::optional<uint64_t> GgufReader::get_uint_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  uint64_t out;
  if (!as_uint(*v, out)) impl_->error("metadata '{}' must be a non-negative integer, found {}", key, type_text(*v));
  return out;
}

uint64_t GgufReader::get_uint(std::string_view key) const {
  if (auto v = get_uint_or(key)) return *v;
  impl_->error("metadata '{}' is missing", key);
}

std::optional<double> GgufReader::get_real_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  double out;
  if (!as_real(*v, out)) impl_->error("metadata '{}' must be a number, found {}", key, type_text(*v));
  return out;
}

double GgufReader::get_real(std::string_view key) const {
  if (auto v = get_real_or(key)) return *v;
  impl_->error("metadata '{}' is missing", key);
}

std::optional<std::string> GgufReader::get_string_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  if (v->kind != GgufValue::Kind::String) impl_->error("metadata '{}' must be a STRING, found {}", key, type_text(*v));
  return v->string;
}

std::string GgufReader::get_string(std::string_view key) const {
  if (auto v = get_string_or(key)) return *v;
  impl_->error("metadata '{}' is missing", key);
}

std::optional<bool> GgufReader::get_bool_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  if (v->kind != GgufValue::Kind::Bool) impl_->error("metadata '{}' must be a BOOL, found {}", key, type_text(*v));
  return v->boolean;
}

std::optional<std::vector<std::string>> GgufReader::get_strings_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  std::vector<std::string> out;
  if (v->kind == GgufValue::Kind::Array) {
    out.reserve(v->array.size());
    for (const auto& e : v->array) {
      if (e.kind != GgufValue::Kind::String) break;
      out.push_back(e.string);
    }
  }
  if (v->kind != GgufValue::Kind::Array || out.size() != v->array.size())
    impl_->error("metadata '{}' must be an array of STRING", key);
  return out;
}

std::optional<std::vector<double>> GgufReader::get_reals_or(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  if (v->kind != GgufValue::Kind::Array) impl_->error("metadata '{}' must be an array of numbers", key);
  std::vector<double> out(v->array.size());
  for (size_t i = 0; i < out.size(); ++i)
    if (!as_real(v->array[i], out[i])) impl_->error("metadata '{}' must be an array of numbers", key);
  return out;
}

std::span<const std::byte> GgufReader::tensor_bytes(const GgufTensorInfo& info) const {
  return {impl_->data + info.offset, static_cast<size_t>(info.bytes)};
}

void GgufReader::dequantize(const GgufTensorInfo& info, std::span<float> out) const {
  RW_CHECK(out.size() == static_cast<size_t>(info.elements()), "dequantize: output has the wrong size");
  detail::dequantize_blocks(info.type, impl_->data + info.offset, out.data(), info.elements());
}

}  // namespace rw::core
