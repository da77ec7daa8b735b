// Times NIAH cells end to end (prompt building with the model's tokenizer, batched greedy generation,
// scoring) for a random Llama built in-process, at the given lengths x depths and batch size, with a
// warm-up cell first. Prints one JSON object: cells, seconds, cells_per_min, prompt and new tokens.
// Usage: bench_eval TOKENIZER_DIR LENGTHS(comma-separated) DEPTH_COUNT BATCH MAX_NEW_TOKENS [cpu|cuda]
// The model shape is a small Llama ("demo" size, about 12M parameters) sized to the tokenizer's vocabulary
// or 32000, whichever is larger; random weights (throughput does not depend on them, but EOS is then rare,
// so every cell generates MAX_NEW_TOKENS tokens — the worst case).
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "rw/core/eval/eval_runner.h"
#include "rw/core/config/run_config.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/tokenizer/tokenizer.h"

using namespace rw::core;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: bench_eval TOKENIZER_DIR LENGTHS DEPTH_COUNT BATCH MAX_NEW_TOKENS [cpu|cuda]\n";
    return 2;
  }
  try {
    const auto tokenizer = load_tokenizer(argv[1]);
    EvalSuite suite;
    suite.lengths.clear();
    std::stringstream lengths(argv[2]);
    for (std::string item; std::getline(lengths, item, ',');) suite.lengths.push_back(std::stoll(item));
    suite.depth_percents = linear_depth_percents(std::stoll(argv[3]));
    suite.batch_size = std::stoll(argv[4]);
    suite.niah.max_new_tokens = std::stoll(argv[5]);
    const at::Device device =
        argc > 6 && std::string(argv[6]) == "cuda" ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);

    const ModelConfig config = scratch_model_config({.hidden_size = 256,
                                                     .intermediate_size = 768,
                                                     .num_hidden_layers = 4,
                                                     .num_attention_heads = 8,
                                                     .num_key_value_heads = 4,
                                                     .max_position_embeddings = 8192,
                                                     .tie_word_embeddings = true},
                                                    std::max<std::int64_t>(tokenizer->vocab_size(), 32000));
    at::manual_seed(0);
    LlamaForCausalLM model(config);
    model->to(device);
    std::int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();

    LlamaTextGenerator generator(model, *tokenizer);
    const EvalTarget target{&generator, tokenizer.get(), ChatFormat::Completion, &model};
    const EvalTexts texts = load_eval_texts(suite, nullptr);
    EvalSuite warm = suite;  // one small cell first: allocator and thread-pool warm-up
    warm.lengths = {suite.lengths.front()};
    warm.depth_percents = {50};
    run_eval_suite(warm, texts, target, {});
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t prompt_before = generator.prompt_tokens(), new_before = generator.new_tokens();
    const EvalRunReport report = run_eval_suite(suite, texts, target, {});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << nlohmann::json{{"cells", report.cells.size()},
                                {"seconds", seconds},
                                {"cells_per_min", static_cast<double>(report.cells.size()) * 60.0 / seconds},
                                {"prompt_tokens", generator.prompt_tokens() - prompt_before},
                                {"new_tokens", generator.new_tokens() - new_before},
                                {"params", params}}
                     .dump()
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
