// Attention masks (see attention_mask.h).
#include "rw/core/model/attention_mask.h"

#include <ATen/ATen.h>

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <limits>
#include <optional>
#include <set>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// 0 where `allowed`, the dtype's lowest value elsewhere (not -inf: a fully masked row stays finite).
at::Tensor additive_bias(const at::Tensor& allowed, at::ScalarType dtype) {
  double lowest = std::numeric_limits<float>::lowest();
  if (dtype == at::kBFloat16) lowest = static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
  if (dtype == at::kHalf) lowest = static_cast<double>(std::numeric_limits<c10::Half>::lowest());
  return at::zeros(allowed.sizes(), allowed.options().dtype(dtype)).masked_fill(allowed.logical_not(), lowest);
}

struct Run {
  int64_t begin = 0, end = 0;
};

/// The chunks of whole documents of each row, or nothing when some segment id has two separate runs in a
/// row (then documents are not contiguous and only the dense bias expresses the mask).
std::optional<AttentionMask> document_chunks(const at::Tensor& segment_ids, int64_t chunk_tokens, at::ScalarType dtype,
                                             at::Device device) {
  const at::Tensor seg = segment_ids.to(at::kCPU, at::kLong).contiguous();
  const auto ids = seg.accessor<int64_t, 2>();
  std::vector<int64_t> rows;
  AttentionMask mask;
  const auto flush = [&](int64_t b, const std::vector<Run>& runs) {
    const int64_t begin = runs.front().begin, end = runs.back().end;
    rows.insert(rows.end(), {b, begin, end});
    if (runs.size() == 1) {
      mask.chunk_biases.emplace_back();
      return;
    }
    const at::Tensor s = segment_ids[b].slice(0, begin, end).to(device);
    const auto pos = at::arange(end - begin, at::TensorOptions().dtype(at::kLong).device(device));
    const at::Tensor allowed = (pos.view({1, -1}) <= pos.view({-1, 1})).logical_and(s.view({-1, 1}) == s.view({1, -1}));
    mask.chunk_biases.push_back(additive_bias(allowed, dtype).view({1, 1, end - begin, end - begin}));
  };
  for (int64_t b = 0; b < seg.size(0); ++b) {
    std::set<int64_t> seen;
    std::vector<Run> chunk;
    for (int64_t t = 0; t < seg.size(1);) {
      Run run{t, t + 1};
      while (run.end < seg.size(1) && ids[b][run.end] == ids[b][t]) ++run.end;
      if (!seen.insert(ids[b][t]).second) return std::nullopt;
      if (!chunk.empty() && run.end - chunk.front().begin > chunk_tokens) {
        flush(b, chunk);
        chunk.clear();
      }
      chunk.push_back(run);
      t = run.end;
    }
    if (!chunk.empty()) flush(b, chunk);
  }
  mask.chunks = at::tensor(rows, at::kLong).view({-1, 3});
  return mask;
}

}  // namespace

at::Tensor build_attention_bias(const at::Tensor& attention_mask, const at::Tensor& segment_ids, int64_t batch,
                                int64_t query_len, int64_t past_len, int64_t window, at::ScalarType dtype,
                                at::Device device) {
  const int64_t S = past_len + query_len;
  const bool padded = attention_mask.defined() && !attention_mask.all().item<bool>();
  const bool plain = !padded && !segment_ids.defined() && (window <= 0 || S <= window);
  if (plain && (past_len == 0 || query_len == 1)) return {};
  auto q_pos = at::arange(past_len, S, at::TensorOptions().dtype(at::kLong).device(device)).view({-1, 1});
  auto k_pos = at::arange(0, S, at::TensorOptions().dtype(at::kLong).device(device)).view({1, -1});
  auto allowed = k_pos <= q_pos;  // [T, S]
  if (window > 0) allowed = allowed.logical_and(k_pos > q_pos - window);
  auto allowed_b = allowed.unsqueeze(0).expand({batch, query_len, S});
  if (attention_mask.defined()) {
    RW_CHECK(attention_mask.size(1) == S, "attention_mask covers {} positions, expected {}", attention_mask.size(1), S);
    allowed_b = allowed_b.logical_and(attention_mask.to(device).to(at::kBool).unsqueeze(1));
  }
  if (segment_ids.defined()) {
    RW_CHECK(past_len == 0 && segment_ids.size(0) == batch && segment_ids.size(1) == query_len,
             "segment_ids [{}, {}] must cover the whole sequence [{}, {}] without a cache", segment_ids.size(0),
             segment_ids.size(1), batch, query_len);
    const auto seg = segment_ids.to(device);
    allowed_b = allowed_b.logical_and(seg.unsqueeze(2) == seg.unsqueeze(1));  // same document only
  }
  return additive_bias(allowed_b.unsqueeze(1), dtype);
}

AttentionMask build_attention_mask(const at::Tensor& attention_mask, const at::Tensor& segment_ids, int64_t batch,
                                   int64_t query_len, int64_t past_len, int64_t window, int64_t chunk_tokens,
                                   at::ScalarType dtype, at::Device device) {
  const bool chunkable = segment_ids.defined() && chunk_tokens > 0 && past_len == 0 &&
                         (window <= 0 || query_len <= window) && segment_ids.size(0) == batch &&
                         segment_ids.size(1) == query_len;
  // Only then ask whether there is padding: the question is a device sync, and generation (a mask, no
  // segments) takes this path at every step.
  if (chunkable && (!attention_mask.defined() || attention_mask.all().item<bool>())) {
    if (auto chunked = document_chunks(segment_ids, chunk_tokens, dtype, device)) return std::move(*chunked);
  }
  return {build_attention_bias(attention_mask, segment_ids, batch, query_len, past_len, window, dtype, device)};
}

at::Tensor masked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMask& mask,
                            double scale) {
  const bool gqa = q.size(1) != k.size(1);
  if (!mask.chunks.defined()) {
    const bool causal = !mask.bias.defined() && k.size(2) == q.size(2) && q.size(2) > 1;
    const auto bias = mask.bias.defined() ? std::optional<at::Tensor>(mask.bias) : std::nullopt;
    return at::scaled_dot_product_attention(q, k, v, bias, /*dropout_p=*/0.0, causal, scale, gqa);
  }
  const auto chunks = mask.chunks.accessor<int64_t, 2>();
  std::vector<std::vector<at::Tensor>> rows(static_cast<size_t>(q.size(0)));
  for (int64_t i = 0; i < mask.chunks.size(0); ++i) {
    const int64_t b = chunks[i][0], begin = chunks[i][1], end = chunks[i][2];
    const auto part = [&](const at::Tensor& t) { return t.slice(0, b, b + 1).slice(2, begin, end); };
    const at::Tensor& bias = mask.chunk_biases.at(static_cast<size_t>(i));
    const auto chunk_bias = bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt;
    rows[static_cast<size_t>(b)].push_back(at::scaled_dot_product_attention(
        part(q), part(k), part(v), chunk_bias, /*dropout_p=*/0.0, /*is_causal=*/!bias.defined() && end - begin > 1,
        scale, gqa));  // [1, H, L, D]
  }
  std::vector<at::Tensor> out;
  for (auto& parts : rows) out.push_back(parts.size() == 1 ? parts.front() : at::cat(parts, 2));
  return out.size() == 1 ? out.front() : at::cat(out, 0);
}

}  // namespace rw::core
