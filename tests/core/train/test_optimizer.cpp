// AdamW and clip_grad_norm against PyTorch (tools/oracle/adamw_oracle.py): five steps on a tiny model's
// parameters with a changing lr, weight decay with 1-D parameters excluded, and clipping on some steps —
// parameters after every step, grad norms and final states; bf16 parameters with fp32 masters against the
// same recipe by hand in Python. Then the state round trip (3 steps + save + load + 2 steps is bit-identical
// to 5 steps), bad state files and options rejected by name, clipping edge cases, and why masters matter.
#include <QTemporaryDir>
#include <QtTest>

#include <fmt/format.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "rw/core/io/safetensors.h"
#include "rw/core/config/lr_schedule.h"
#include "rw/core/train/optimizer.h"
#include "rw/core/util/files.h"
#include "tensor_support.h"

using namespace rw::core;
using rw::test::error_of;
using rw::test::max_relative_error;
namespace fs = std::filesystem;

namespace {

constexpr int kSteps = 5;

/// A tiny Llama-shaped parameter set: matrices (embedding included) plus 1-D norm weight and bias.
NamedParameters tiny_model(at::ScalarType dtype) {
  torch::manual_seed(7);
  NamedParameters params = {
      {"model.embed_tokens.weight", torch::randn({13, 8})},                    // [V, H]
      {"model.layers.0.input_layernorm.weight", 1 + 0.1 * torch::randn({8})},  // [H]
      {"model.layers.0.self_attn.q_proj.weight", 0.3 * torch::randn({8, 8})},  // [H, H]
      {"model.layers.0.mlp.up_proj.weight", 0.3 * torch::randn({16, 8})},      // [I, H]
      {"model.layers.0.mlp.up_proj.bias", 0.1 * torch::randn({16})},           // [I]
      {"lm_head.weight", 0.3 * torch::randn({13, 8})},                         // [V, H]
  };
  for (auto& [name, p] : params) p = p.to(dtype).requires_grad_(true);
  return params;
}

/// grads[k][i]: gradient of parameter i at step k, scaled so the total norm of step k is about scales[k]
/// (max_norm 1 clips steps 2 and 4 only).
std::vector<std::vector<at::Tensor>> make_grads(const NamedParameters& params) {
  const double scales[kSteps] = {0.5, 3.0, 0.8, 5.0, 0.3};
  std::int64_t numel = 0;
  for (const auto& [name, p] : params) numel += p.numel();
  std::vector<std::vector<at::Tensor>> grads(kSteps);
  for (int k = 0; k < kSteps; ++k) {
    for (const auto& [name, p] : params) {
      grads[k].push_back(
          (torch::randn(p.sizes()) * scales[k] / std::sqrt(static_cast<double>(numel))).to(p.scalar_type()));
    }
  }
  return grads;
}

NamedParameters fresh_copy(const NamedParameters& params) {
  NamedParameters out;
  for (const auto& [name, p] : params) out.emplace_back(name, p.detach().clone().requires_grad_(true));
  return out;
}

void set_grads(const NamedParameters& params, const std::vector<at::Tensor>& grads) {
  for (std::size_t i = 0; i < params.size(); ++i) params[i].second.mutable_grad() = grads[i].clone();
}

std::vector<double> schedule_lrs() {
  const LrSchedule schedule{.peak_lr = 1e-2, .warmup_steps = 2, .total_steps = kSteps, .min_lr_ratio = 0.1};
  std::vector<double> lrs;
  for (int k = 0; k < kSteps; ++k) lrs.push_back(lr_at(schedule, k));
  return lrs;
}

constexpr double kMaxNorm = 1.0;
const AdamWOptions kOptions{.beta1 = 0.9, .beta2 = 0.95, .eps = 1e-8, .weight_decay = 0.1};

/// Runs adamw_oracle.py on `init` + `grads` with the decay split of `opt`; returns its output tensors.
std::map<std::string, at::Tensor> torch_reference(const NamedParameters& init,
                                                  const std::vector<std::vector<at::Tensor>>& grads, const AdamW& opt,
                                                  bool master) {
  QTemporaryDir tmp;
  const fs::path dir = tmp.path().toStdString();
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  nlohmann::json names = nlohmann::json::array(), no_decay = nlohmann::json::array();
  for (std::size_t i = 0; i < init.size(); ++i) {
    const std::string& name = init[i].first;
    names.push_back(name);
    if (!opt.decays(name)) no_decay.push_back(name);
    tensors.emplace_back("param." + name, init[i].second.detach());
    for (int k = 0; k < kSteps; ++k) tensors.emplace_back(fmt::format("grad.{}.{}", k + 1, name), grads[k][i]);
  }
  const nlohmann::json settings = {{"names", names},
                                   {"no_decay", no_decay},
                                   {"lrs", schedule_lrs()},
                                   {"beta1", kOptions.beta1},
                                   {"beta2", kOptions.beta2},
                                   {"eps", kOptions.eps},
                                   {"weight_decay", kOptions.weight_decay},
                                   {"max_norm", kMaxNorm},
                                   {"master", master}};
  write_safetensors(dir / "in.safetensors", tensors);
  write_file_atomic(dir / "settings.json", settings.dump());
  const auto r = rw::test::run_oracle("adamw_oracle.py", {QString::fromStdString((dir / "in.safetensors").string()),
                                                          QString::fromStdString((dir / "settings.json").string()),
                                                          QString::fromStdString((dir / "out.safetensors").string())});
  if (r.exit_code != 0) qFatal("adamw_oracle.py failed: %s", qPrintable(r.std_err));
  return rw::core::read_safetensors(dir / "out.safetensors");
}

/// Steps [first, last) of the recipe: set the step's grads, clip, step with the schedule's lr, zero grads.
void train(AdamW& opt, const std::vector<std::vector<at::Tensor>>& grads, int first, int last) {
  const auto lrs = schedule_lrs();
  for (int k = first; k < last; ++k) {
    set_grads(opt.parameters(), grads[k]);
    clip_grad_norm(opt.parameters(), kMaxNorm);
    opt.step(lrs[k]);
    opt.zero_grad();
  }
}

}  // namespace

class TestOptimizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesTorchAdamW_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<bool>("decay_all");
    QTest::addColumn<double>("param_tol");
    QTest::newRow("fp32") << false << false << 1e-6;
    QTest::newRow("fp32, norms and biases decayed") << false << true << 1e-6;
    // bf16 parameters are round(master): one ulp (2^-8 relative) apart at worst if a master sits on a tie.
    QTest::newRow("bf16 with fp32 master") << true << false << 4e-3;
  }
  void matchesTorchAdamW() {
    QFETCH(bool, bf16);
    QFETCH(bool, decay_all);
    QFETCH(double, param_tol);
    const NamedParameters init = tiny_model(bf16 ? at::kBFloat16 : at::kFloat);
    const auto grads = make_grads(init);
    AdamWOptions options = kOptions;
    options.decay_norms_and_biases = decay_all;
    AdamW opt(fresh_copy(init), options);
    const auto ref = torch_reference(init, grads, opt, bf16);

    const auto lrs = schedule_lrs();
    for (int k = 0; k < kSteps; ++k) {
      set_grads(opt.parameters(), grads[k]);
      const double norm = clip_grad_norm(opt.parameters(), kMaxNorm);
      const auto ref_norm = ref.at(fmt::format("step{}.grad_norm", k + 1)).item<double>();
      QVERIFY2(std::abs(norm - ref_norm) <= 1e-6 * ref_norm,
               qPrintable(QString("step %1 norm %2 vs %3").arg(k + 1).arg(norm, 0, 'g', 9).arg(ref_norm, 0, 'g', 9)));
      opt.step(lrs[k]);
      for (const auto& [name, p] : opt.parameters()) {
        const auto& theirs = ref.at(fmt::format("step{}.param.{}", k + 1, name));
        const double err = max_relative_error(p, theirs);
        QVERIFY2(err <= param_tol, qPrintable(QString("step %1 %2: %3").arg(k + 1).arg(name.c_str()).arg(err)));
      }
    }
    QCOMPARE(opt.steps(), std::int64_t{kSteps});
    for (const auto& [key, mine] : opt.state_tensors()) {
      if (key == "step") continue;
      const double err = max_relative_error(mine, ref.at(key));
      QVERIFY2(err <= 1e-6, qPrintable(QString("%1: %2").arg(key.c_str()).arg(err)));
    }
  }

  void decaySplitFollowsDimension() {
    AdamW opt(tiny_model(at::kFloat));
    QVERIFY(opt.decays("model.embed_tokens.weight"));
    QVERIFY(opt.decays("lm_head.weight"));
    QVERIFY(!opt.decays("model.layers.0.input_layernorm.weight"));
    QVERIFY(!opt.decays("model.layers.0.mlp.up_proj.bias"));
    AdamW all(tiny_model(at::kFloat), {.decay_norms_and_biases = true});
    QVERIFY(all.decays("model.layers.0.mlp.up_proj.bias"));
    QVERIFY(error_of([&] { opt.decays("nope"); }).contains("no parameter named 'nope'"));
  }

  void stateRoundTripIsBitIdentical() {
    // fp32 and bf16 (with master) parameters together.
    NamedParameters init = tiny_model(at::kFloat);
    init[3].second = init[3].second.detach().to(at::kBFloat16).requires_grad_(true);
    init[5].second = init[5].second.detach().to(at::kBFloat16).requires_grad_(true);
    const auto grads = make_grads(init);

    AdamW straight(fresh_copy(init), kOptions);
    train(straight, grads, 0, kSteps);

    QTemporaryDir tmp;
    const fs::path file = fs::path(tmp.path().toStdString()) / "optimizer.safetensors";
    AdamW first(fresh_copy(init), kOptions);
    train(first, grads, 0, 3);
    const auto saved = first.state_tensors();
    write_safetensors(file, {saved.begin(), saved.end()});  // as a training checkpoint stores it
    QVERIFY(first.state_tensors().contains("master.model.layers.0.mlp.up_proj.weight"));

    AdamW resumed(fresh_copy(first.parameters()), kOptions);  // the parameters as a model checkpoint has them
    resumed.load_state_tensors(read_safetensors(file));
    QCOMPARE(resumed.steps(), std::int64_t{3});
    train(resumed, grads, 3, kSteps);

    QCOMPARE(resumed.steps(), straight.steps());
    for (std::size_t i = 0; i < init.size(); ++i) {
      QVERIFY2(at::equal(resumed.parameters()[i].second, straight.parameters()[i].second), init[i].first.c_str());
    }
    const auto a = resumed.state_tensors(), b = straight.state_tensors();
    QCOMPARE(a.size(), b.size());
    for (const auto& [key, t] : a) QVERIFY2(at::equal(t, b.at(key)), key.c_str());
  }

  void badStateIsRejectedByKey() {
    AdamW opt(tiny_model(at::kFloat), kOptions);
    train(opt, make_grads(opt.parameters()), 0, 2);
    const auto good = opt.state_tensors();
    QTemporaryDir tmp;
    const fs::path file = fs::path(tmp.path().toStdString()) / "bad.safetensors";
    const auto load_altered = [&](const std::function<void(std::map<std::string, at::Tensor>&)>& alter) {
      std::map<std::string, at::Tensor> state;
      for (const auto& [key, t] : good) state[key] = t.clone();
      alter(state);
      write_safetensors(file, {state.begin(), state.end()});
      AdamW fresh(tiny_model(at::kFloat), kOptions);
      const QString message = error_of([&] { fresh.load_state_tensors(read_safetensors(file)); });
      if (fresh.steps() != 0) return QString("state changed by a failed load");
      return message;
    };
    const std::string q = "exp_avg.model.layers.0.self_attn.q_proj.weight";

    QString m = load_altered([&](auto& s) { s.erase("exp_avg_sq.lm_head.weight"); });
    QVERIFY2(m.contains("missing key 'exp_avg_sq.lm_head.weight'"), qPrintable(m));
    m = load_altered([&](auto& s) { s.erase("step"); });
    QVERIFY2(m.contains("missing key 'step'"), qPrintable(m));
    m = load_altered([&](auto& s) { s["exp_avg.model.norm.weight"] = torch::zeros({8}); });
    QVERIFY2(m.contains("unexpected key 'exp_avg.model.norm.weight'"), qPrintable(m));
    m = load_altered([&](auto& s) { s["master.lm_head.weight"] = torch::zeros({13, 8}); });
    QVERIFY2(m.contains("unexpected key 'master.lm_head.weight' (master copies exist only"), qPrintable(m));
    m = load_altered([&](auto& s) { s[q] = torch::zeros({4, 16}); });
    QVERIFY2(m.contains(QString::fromStdString("'" + q + "' has shape [4, 16], expected [8, 8]")), qPrintable(m));
    m = load_altered([&](auto& s) { s[q] = s[q].to(at::kDouble); });
    QVERIFY2(m.contains(QString::fromStdString("'" + q + "' is Double, expected Float")), qPrintable(m));
    m = load_altered([&](auto& s) { s["step"] = at::scalar_tensor(-1, at::kLong); });
    QVERIFY2(m.contains("'step' is negative (-1)"), qPrintable(m));
    m = load_altered([&](auto& s) { s["step"] = at::scalar_tensor(2, at::kInt); });
    QVERIFY2(m.contains("'step' is Int, expected Long"), qPrintable(m));
  }

  void badOptionsAndParametersAreNamed() {
    const auto make = [](NamedParameters params, const AdamWOptions& o) {
      return error_of([&] { AdamW opt(std::move(params), o); });
    };
    QVERIFY(make(tiny_model(at::kFloat), {.beta1 = 1.0}).contains("AdamWOptions.beta1 must be in [0, 1) (got 1)"));
    QVERIFY(make(tiny_model(at::kFloat), {.beta2 = -0.1}).contains("AdamWOptions.beta2 must be in [0, 1)"));
    QVERIFY(make(tiny_model(at::kFloat), {.lr = -1}).contains("AdamWOptions.lr must be >= 0"));
    QVERIFY(make(tiny_model(at::kFloat), {.eps = std::nan("")}).contains("AdamWOptions.eps must be >= 0"));
    QVERIFY(make(tiny_model(at::kFloat), {.weight_decay = -0.1}).contains("AdamWOptions.weight_decay must be >= 0"));
    QVERIFY(make({{"w", torch::zeros({2})}, {"w", torch::zeros({2})}}, {}).contains("parameter 'w' is listed twice"));
    QVERIFY(make({{"ids", torch::zeros({2}, at::kLong)}}, {}).contains("parameter 'ids' is Long, not a floating"));
    QVERIFY(make({{"u", at::Tensor()}}, {}).contains("parameter 'u' is an undefined tensor"));

    AdamW opt(tiny_model(at::kFloat));
    QVERIFY(error_of([&] { opt.step(); }).contains("parameter 'model.embed_tokens.weight' has no gradient"));
    set_grads(opt.parameters(), make_grads(opt.parameters())[0]);
    QVERIFY(error_of([&] { opt.step(std::nan("")); }).contains("lr must be finite and >= 0 (got nan)"));
    opt.zero_grad();
    for (const auto& [name, p] : opt.parameters()) QVERIFY(!p.grad().defined());
    QCOMPARE(opt.steps(), std::int64_t{0});
  }

  void clipEdgeCases() {
    const NamedParameters params = tiny_model(at::kFloat);
    QCOMPARE(clip_grad_norm(params, 1.0), 0.0);  // no grads yet
    const auto grads = make_grads(params)[1];    // total norm about 3
    set_grads(params, grads);
    const double norm = clip_grad_norm(params, 0.0);  // off: reports, does not scale
    QVERIFY(norm > 2.0);
    QVERIFY(at::equal(params[0].second.grad(), grads[0]));
    QCOMPARE(clip_grad_norm(params, 100.0), norm);  // under the limit: unchanged
    QVERIFY(at::equal(params[0].second.grad(), grads[0]));
    clip_grad_norm(params, 1.0);
    QVERIFY(std::abs(clip_grad_norm(params, 0.0) - 1.0) < 1e-5);

    params[2].second.mutable_grad()[0][0] = std::numeric_limits<float>::infinity();
    const auto before = params[0].second.grad().clone();
    QVERIFY(std::isinf(clip_grad_norm(params, 1.0)));
    QVERIFY(at::equal(params[0].second.grad(), before));
  }

  void masterKeepsUpdatesBelowHalfAnUlp() {
    // lr 1e-3 moves a weight of 1.0 by ~1e-3 per step, under half a bf16 ulp (2^-8 / 2 = 2e-3): without
    // a master every rounded result is 1.0 again.
    const auto run = [](bool master) {
      NamedParameters params = {{"w", torch::ones({4, 4}, at::kBFloat16).requires_grad_(true)}};
      AdamW opt(params, {.weight_decay = 0, .fp32_master = master});
      for (int k = 0; k < 10; ++k) {
        params[0].second.mutable_grad() = torch::ones({4, 4}, at::kBFloat16);
        opt.step(1e-3);
      }
      return params[0].second.to(at::kFloat);
    };
    QVERIFY(at::equal(run(false), torch::ones({4, 4})));
    QVERIFY(std::abs(run(true)[0][0].item<double>() - 0.99) < 1.0 / 256);  // 1 - 10 * 1e-3, to a bf16 ulp
  }
};

QTEST_GUILESS_MAIN(TestOptimizer)
#include "test_optimizer.moc"
