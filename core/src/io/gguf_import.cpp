// GGUF -> HF folder (see gguf_import.h). llama.cpp names and metadata keys are documented in its GGUF
// spec; the Q/K permutation is the inverse of the one llama.cpp's converter applies to Llama attention
// weights (it interleaves the two rotary halves of each head; Qwen2 files are not permuted).
#include "rw/core/io/gguf_import.h"

#include <ATen/ATen.h>
#include <fmt/ranges.h>

#include <charconv>
#include <optional>
#include <set>

#include "rw/core/config/generation_config.h"
#include "rw/core/config/model_config.h"
#include "rw/core/io/gguf.h"
#include "rw/core/io/model_weights.h"
#include "rw/core/runtime/dtype.h"
#include "rw/core/runtime/memory_budget.h"
#include "rw/core/tokenizer/gguf_vocabulary.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;

/// llama.cpp's per-layer tensor names -> HF's, for the Llama-family decoders Ropewalk runs.
constexpr std::pair<std::string_view, std::string_view> kLayerTensors[] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.bias", "self_attn.v_proj.bias"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},
    {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},
};

constexpr std::pair<std::string_view, std::string_view> kGlobalTensors[] = {
    {"token_embd.weight", "model.embed_tokens.weight"},
    {"output_norm.weight", "model.norm.weight"},
    {"output.weight", "lm_head.weight"},
};

struct Mapped {
  std::string hf_name;
  std::optional<int64_t> permute_heads;  ///< undo llama.cpp's rotary interleave with this many heads
};

std::optional<Mapped> map_tensor_name(const std::string& name, const ModelConfig& config) {
  for (const auto& [gguf, hf] : kGlobalTensors)
    if (name == gguf) return Mapped{std::string(hf), std::nullopt};
  if (!name.starts_with("blk.")) return std::nullopt;
  const auto dot = name.find('.', 4);
  if (dot == std::string::npos) return std::nullopt;
  int64_t layer = -1;
  const auto [end, ec] = std::from_chars(name.data() + 4, name.data() + dot, layer);
  if (ec != std::errc() || end != name.data() + dot || layer < 0 || layer >= config.num_hidden_layers)
    return std::nullopt;
  const std::string_view rest = std::string_view(name).substr(dot + 1);
  const bool llama = config.family != ModelFamily::Qwen2;
  for (const auto& [gguf, hf] : kLayerTensors) {
    if (rest != gguf) continue;
    Mapped m{fmt::format("model.layers.{}.{}", layer, hf), std::nullopt};
    if (llama && (rest == "attn_q.weight" || rest == "attn_q.bias")) m.permute_heads = config.num_attention_heads;
    if (llama && (rest == "attn_k.weight" || rest == "attn_k.bias")) m.permute_heads = config.num_key_value_heads;
    return m;
  }
  return std::nullopt;
}

/// The HF shape of every tensor the config implies.
std::map<std::string, std::vector<int64_t>> expected_shapes(const ModelConfig& c) {
  const int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  std::map<std::string, std::vector<int64_t>> s;
  s["model.embed_tokens.weight"] = {c.vocab_size, c.hidden_size};
  s["model.norm.weight"] = {c.hidden_size};
  if (!c.tie_word_embeddings) s["lm_head.weight"] = {c.vocab_size, c.hidden_size};
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    s[p + "input_layernorm.weight"] = {c.hidden_size};
    s[p + "post_attention_layernorm.weight"] = {c.hidden_size};
    s[p + "self_attn.q_proj.weight"] = {q, c.hidden_size};
    s[p + "self_attn.k_proj.weight"] = {kv, c.hidden_size};
    s[p + "self_attn.v_proj.weight"] = {kv, c.hidden_size};
    s[p + "self_attn.o_proj.weight"] = {c.hidden_size, q};
    if (c.attention_bias) {
      s[p + "self_attn.q_proj.bias"] = {q};
      s[p + "self_attn.k_proj.bias"] = {kv};
      s[p + "self_attn.v_proj.bias"] = {kv};
    }
    s[p + "mlp.gate_proj.weight"] = {c.intermediate_size, c.hidden_size};
    s[p + "mlp.up_proj.weight"] = {c.intermediate_size, c.hidden_size};
    s[p + "mlp.down_proj.weight"] = {c.hidden_size, c.intermediate_size};
  }
  return s;
}

GgufVocabulary vocabulary(const GgufReader& r) {
  GgufVocabulary v;
  v.origin = r.path().string();
  v.model = r.get_string_or("tokenizer.ggml.model").value_or("");
  if (v.model.empty()) fail("GGUF file {}: no tokenizer (tokenizer.ggml.model is missing)", v.origin);
  v.pre = r.get_string_or("tokenizer.ggml.pre").value_or("default");
  v.tokens = r.get_strings_or("tokenizer.ggml.tokens").value_or(std::vector<std::string>{});
  for (double t : r.get_reals_or("tokenizer.ggml.token_type").value_or(std::vector<double>{}))
    v.token_types.push_back(static_cast<int32_t>(t));
  v.merges = r.get_strings_or("tokenizer.ggml.merges").value_or(std::vector<std::string>{});
  auto id = [&](const char* key) -> std::optional<int64_t> {
    if (auto value = r.get_uint_or(key)) return static_cast<int64_t>(*value);
    return std::nullopt;
  };
  v.bos_id = id("tokenizer.ggml.bos_token_id");
  v.eos_id = id("tokenizer.ggml.eos_token_id");
  v.unk_id = id("tokenizer.ggml.unknown_token_id");
  v.pad_id = id("tokenizer.ggml.padding_token_id");
  v.add_bos = r.get_bool_or("tokenizer.ggml.add_bos_token");
  v.add_eos = r.get_bool_or("tokenizer.ggml.add_eos_token");
  return v;
}

ModelConfig config_from_metadata(const GgufReader& r, const std::string& arch, const GgufVocabulary& vocabulary,
                                 at::ScalarType dtype) {
  auto key = [&](const char* name) { return arch + "." + name; };
  auto positive = [&](const char* name) -> int64_t {
    const uint64_t v = r.get_uint(key(name));
    if (v == 0 || v > (1ull << 40)) fail("GGUF file {}: metadata '{}' is {}, not a usable size", r.path().string(), key(name), v);
    return static_cast<int64_t>(v);
  };
  ModelConfig c;
  c.family = arch == "qwen2" ? ModelFamily::Qwen2 : ModelFamily::Llama;
  c.attention_bias = c.family == ModelFamily::Qwen2;
  c.hidden_size = positive("embedding_length");
  c.intermediate_size = positive("feed_forward_length");
  c.num_hidden_layers = positive("block_count");
  c.num_attention_heads = positive("attention.head_count");
  c.num_key_value_heads = r.find(key("attention.head_count_kv")) ? positive("attention.head_count_kv") : c.num_attention_heads;
  c.max_position_embeddings = positive("context_length");
  c.layer_windows.assign(static_cast<size_t>(c.num_hidden_layers), 0);  // full attention in every layer
  c.head_dim = r.find(key("attention.key_length")) ? positive("attention.key_length") : c.hidden_size / c.num_attention_heads;
  if (auto rotary = r.get_uint_or(key("rope.dimension_count")); rotary && static_cast<int64_t>(*rotary) != c.head_dim)
    fail("GGUF file {}: '{}' is {} but the head dimension is {}; partial rotary embeddings are not supported for {}",
         r.path().string(), key("rope.dimension_count"), *rotary, c.head_dim, arch);
  c.rms_norm_eps = r.get_real_or(key("attention.layer_norm_rms_epsilon")).value_or(1e-5);
  c.rope.theta = r.get_real_or(key("rope.freq_base")).value_or(10000.0);
  const std::string scaling = r.get_string_or(key("rope.scaling.type")).value_or("none");
  if (scaling == "linear" || scaling == "yarn") {
    c.rope.type = scaling == "linear" ? RopeType::Linear : RopeType::Yarn;
    c.rope.factor = r.get_real(key("rope.scaling.factor"));
    if (c.rope.type == RopeType::Yarn)
      c.rope.original_max_position_embeddings = static_cast<int64_t>(r.get_uint(key("rope.scaling.original_context_length")));
  } else if (scaling != "none") {
    fail("GGUF file {}: RoPE scaling '{}' ({}) is not supported (none, linear and yarn are)", r.path().string(),
         scaling, key("rope.scaling.type"));
  }
  c.vocab_size = r.find(key("vocab_size")) ? positive("vocab_size") : static_cast<int64_t>(vocabulary.tokens.size());
  if (c.vocab_size <= 0) fail("GGUF file {}: neither '{}' nor tokenizer.ggml.tokens gives the vocabulary size", r.path().string(), key("vocab_size"));
  c.tie_word_embeddings = r.find_tensor("output.weight") == nullptr;
  c.bos_token_id = vocabulary.bos_id;
  if (vocabulary.eos_id) c.eos_token_ids = {*vocabulary.eos_id};
  c.pad_token_id = vocabulary.pad_id;
  c.dtype = dtype_of(dtype);
  return c;
}

/// The tensor as float32 under its PyTorch shape, rows un-permuted where llama.cpp permuted them.
at::Tensor load_tensor(const GgufReader& r, const GgufTensorInfo& info, const Mapped& mapped) {
  at::Tensor t = at::empty(info.torch_shape(), at::kFloat);
  r.dequantize(info, {t.data_ptr<float>(), static_cast<size_t>(t.numel())});
  if (mapped.permute_heads) {
    const int64_t heads = *mapped.permute_heads, rows = t.size(0);
    if (rows % (2 * heads) != 0)
      fail("GGUF file {}: tensor '{}' has {} rows, not a multiple of 2 x {} heads", r.path().string(), info.name, rows, heads);
    std::vector<int64_t> split{heads, rows / heads / 2, 2};
    for (int64_t d = 1; d < t.dim(); ++d) split.push_back(t.size(d));
    t = t.view(split).transpose(1, 2).reshape(t.sizes());
  }
  return t;
}

}  // namespace

GgufImportReport import_gguf(const fs::path& gguf, const fs::path& out_dir, at::ScalarType dtype) {
  if (dtype != at::kFloat && dtype != at::kBFloat16)
    fail("model import-gguf: --dtype must be float32 or bfloat16 (dequantized values are exact in float32)");
  const fs::path target = fs::absolute(out_dir).lexically_normal();
  if (fs::exists(target) && (!fs::is_directory(target) || !fs::is_empty(target)))
    fail("{}: already exists and is not an empty folder; choose a new folder for the imported model", target.string());

  const GgufReader reader(gguf);
  GgufImportReport report;
  report.architecture = reader.get_string("general.architecture");
  report.name = reader.get_string_or("general.name").value_or("");
  if (report.architecture != "llama" && report.architecture != "qwen2")
    fail("GGUF file {}: architecture '{}' is not supported (llama, qwen2 are; Mistral files use llama)",
         gguf.string(), report.architecture);
  if (reader.find_tensor("rope_freqs.weight"))
    fail("GGUF file {}: tensor 'rope_freqs.weight' holds Llama 3.1-style RoPE frequency factors, which this import "
         "cannot turn into rope_parameters yet",
         gguf.string());
  const GgufVocabulary vocab = vocabulary(reader);
  const ModelConfig config = config_from_metadata(reader, report.architecture, vocab, dtype);
  check_model_fits(config, gguf.string());
  const TokenizerFiles tokenizer = build_tokenizer_files(vocab);
  report.notes = tokenizer.notes;

  const auto shapes = expected_shapes(config);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  std::set<std::string> seen;
  for (const GgufTensorInfo& info : reader.tensors()) {
    const auto mapped = map_tensor_name(info.name, config);
    if (!mapped || !shapes.count(mapped->hf_name))
      fail("GGUF file {}: tensor '{}' is not part of a {} model with this metadata ({} layers{})", gguf.string(),
           info.name, report.architecture, config.num_hidden_layers,
           config.attention_bias ? "" : ", no attention biases");
    const auto& expected = shapes.at(mapped->hf_name);
    if (info.torch_shape() != expected)
      fail("GGUF file {}: tensor '{}' has shape [{}], but the metadata implies [{}] for {}", gguf.string(), info.name,
           fmt::join(info.torch_shape(), ", "), fmt::join(expected, ", "), mapped->hf_name);
    tensors.emplace_back(mapped->hf_name, load_tensor(reader, info, *mapped).to(dtype));
    seen.insert(mapped->hf_name);
    report.parameters += info.elements();
    ++report.tensor_types[ggml_type_name(static_cast<uint32_t>(info.type))];
  }
  std::vector<std::string> missing;
  for (const auto& [name, shape] : shapes)
    if (!seen.count(name)) missing.push_back(name);
  if (!missing.empty())
    fail("GGUF file {}: the model is incomplete; no tensor for {}", gguf.string(), fmt::join(missing, ", "));

  std::string model_json = model_config_to_json(config);
  parse_model_config(model_json, (target / "config.json").string());  // what we write must read back
  const auto chat_template = reader.get_string_or("tokenizer.chat_template");
  report.chat_template = chat_template.has_value();

  fs::create_directories(target.parent_path());
  const fs::path staging = sibling_temp_path(target, "importing");
  try {
    fs::create_directory(staging);
    write_file_atomic(staging / "config.json", model_json);
    write_file_atomic(staging / "generation_config.json", generation_config_to_json(generation_defaults(config)));
    write_file_atomic(staging / "tokenizer.json", tokenizer.tokenizer_json);
    write_file_atomic(staging / "tokenizer_config.json", tokenizer.tokenizer_config_json);
    if (chat_template) write_file_atomic(staging / "chat_template.jinja", *chat_template);
    write_model_weights(staging, tensors);
    tensors.clear();
    if (fs::exists(target)) fs::remove(target);  // the empty folder checked above
    fs::rename(staging, target);
  } catch (const fs::filesystem_error& e) {
    remove_tree(staging);
    fail("{}: cannot write the imported model ({})", target.string(), e.what());
  } catch (...) {
    remove_tree(staging);
    throw;
  }
  return report;
}

}  // namespace rw::core
