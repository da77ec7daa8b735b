// Times greedy KV-cache generation of an HF model directory: one warm-up, then the best of N runs.
// Prints one JSON object: new_tok_s (new tokens per second over the whole call, all rows), prefill_ms.
// Usage: bench_generate MODEL_DIR PROMPT_LEN NEW_TOKENS BATCH REPEATS [cpu|cuda]
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/generation.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: bench_generate MODEL_DIR PROMPT_LEN NEW_TOKENS BATCH REPEATS [cpu|cuda]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t prompt_len = std::stoll(argv[2]), new_tokens = std::stoll(argv[3]), batch = std::stoll(argv[4]);
  const int repeats = std::stoi(argv[5]);
  const at::Device device = argc > 6 && std::string(argv[6]) == "cuda" ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  try {
    auto loaded = rw::core::load_hf_model(dir, device);
    at::manual_seed(0);
    auto ids = at::randint(3, loaded.config.vocab_size, {batch, prompt_len}, at::kLong);
    auto mask = at::ones({batch, prompt_len}, at::kLong);
    rw::core::GenerationConfig config;
    config.max_new_tokens = new_tokens;
    config.pad_token_id = 0;
    double best = 1e30, prefill = 0;
    for (int r = 0; r <= repeats; ++r) {  // run 0 warms up
      const auto start = std::chrono::steady_clock::now();
      auto result = rw::core::generate(loaded.model, ids, mask, config);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (r > 0 && seconds < best) {
        best = seconds;
        prefill = result.prefill_seconds;
      }
    }
    std::cout << nlohmann::json{{"new_tok_s", static_cast<double>(batch * new_tokens) / best},
                                {"seconds", best},
                                {"prefill_ms", prefill * 1000}}
                     .dump()
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_generate: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
