// Document masking cost: one forward + backward of an HF folder's model on packed sequences of
// equal-length documents (segment ids, reset positions), with attention either under one dense
// [B, 1, T, T] mask (CHUNK_TOKENS 0) or in chunks of whole documents (attention_mask.h).
// Prints {"step_ms": median, "peak_mb": peak_memory_mb (CUDA allocator peak, or the process's peak RSS)} —
// run each variant in its own process so the peaks are its own (bench/run_masking_bench.py does).
//   bench_document_masking MODEL_DIR SEQ DOC_TOKENS CHUNK_TOKENS STEPS [DEVICE]
#include <ATen/ATen.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/runtime/device.h"
#include "rw/core/runtime/peak_memory.h"

using namespace rw::core;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: bench_document_masking MODEL_DIR SEQ DOC_TOKENS CHUNK_TOKENS STEPS [DEVICE]\n";
    return 2;
  }
  try {
    const std::int64_t seq = std::stoll(argv[2]), doc = std::stoll(argv[3]), chunk = std::stoll(argv[4]),
                       steps = std::stoll(argv[5]);
    const at::Device device = resolve_device(argc > 6 ? argv[6] : "cpu");
    LoadedModel loaded = load_hf_model(argv[1], device);
    auto& model = loaded.model;
    model->train();
    torch::manual_seed(0);
    const auto ids = torch::randint(0, loaded.config.vocab_size, {1, seq}, torch::kLong).to(device);
    ForwardContext ctx;
    const auto index = torch::arange(seq, torch::kLong);
    ctx.segment_ids = index.div(doc, "floor").to(torch::kInt).unsqueeze(0).to(device);
    ctx.position_ids = index.remainder(doc).unsqueeze(0).to(device);
    ctx.document_chunk_tokens = chunk;
    std::vector<double> ms;
    for (std::int64_t s = 0; s < steps; ++s) {
      const auto start = std::chrono::steady_clock::now();
      model->zero_grad();
      const auto hidden = model->model->forward(ids, ctx);  // [1, T, C]
      hidden.pow(2).mean().backward();
      if (device.is_cuda()) torch::cuda::synchronize();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin() + 1, ms.end());  // the first step warms up
    std::cout << nlohmann::json{{"step_ms", ms.size() > 1 ? ms[1 + (ms.size() - 1) / 2] : ms[0]},
                                {"peak_mb", peak_memory_mb(device)}}
                     .dump()
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_document_masking: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
