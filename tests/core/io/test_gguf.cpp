// GGUF reader: every ggml type dequantizes exactly as llama.cpp's gguf package does (quants.gguf of
// tools/oracle/gguf_oracle.py), and a file that is truncated, lies about counts, lengths or offsets, or
// uses an unknown type is an Error naming the file and the field, never a crash.
#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

#include "rw/core/io/gguf.h"
#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "tensor_support.h"
#include "test_support.h"

using namespace rw::core;

namespace {

std::filesystem::path gguf_fixture_dir() { return std::filesystem::path(RW_FIXTURE_DIR) / "gguf"; }

/// Writes a minimal GGUF by hand, with every field at a known place for the corruption tests.
struct MiniGguf {
  std::string bytes;
  size_t tensor_count_at = 0, metadata_count_at = 0, key_length_at = 0, type_at = 0, offset_at = 0, dim_at = 0;
  size_t b_offset_at = 0;
  size_t data_at = 0;

  template <typename T>
  void put(T v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    bytes += s;
  }

  /// One string and one uint32 metadata entry, one 2x32 Q8_0 tensor of known values (i-th block scale 0.5,
  /// values -16..15), then F32 tensor "b" of 4 values.
  static MiniGguf make() {
    MiniGguf g;
    g.bytes = "GGUF";
    g.put<uint32_t>(3);
    g.tensor_count_at = g.bytes.size();
    g.put<uint64_t>(2);
    g.metadata_count_at = g.bytes.size();
    g.put<uint64_t>(2);
    g.key_length_at = g.bytes.size();
    g.put_string("general.architecture");
    g.put<uint32_t>(8);
    g.put_string("llama");
    g.put_string("general.alignment");
    g.put<uint32_t>(4);
    g.put<uint32_t>(32);
    g.put_string("a");
    g.put<uint32_t>(2);
    g.dim_at = g.bytes.size();
    g.put<uint64_t>(32);
    g.put<uint64_t>(2);
    g.type_at = g.bytes.size();
    g.put<uint32_t>(8);  // Q8_0
    g.offset_at = g.bytes.size();
    g.put<uint64_t>(0);
    g.put_string("b");
    g.put<uint32_t>(1);
    g.put<uint64_t>(4);
    g.put<uint32_t>(0);  // F32
    g.b_offset_at = g.bytes.size();
    g.put<uint64_t>(96);
    while (g.bytes.size() % 32) g.bytes += '\0';
    g.data_at = g.bytes.size();
    for (int block = 0; block < 2; ++block) {
      g.put<uint16_t>(0x3800);  // fp16 0.5
      for (int i = 0; i < 32; ++i) g.put<int8_t>(static_cast<int8_t>(i - 16));
    }
    while (g.bytes.size() < g.data_at + 96) g.bytes += '\0';
    for (float v : {1.5f, -2.0f, 0.25f, 8.0f}) g.put<float>(v);
    return g;
  }

  template <typename T>
  void patch(size_t at, T v) {
    std::memcpy(bytes.data() + at, &v, sizeof v);
  }
};

}  // namespace

class TestGguf : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  int count_ = 0;

  std::filesystem::path write(const std::string& bytes) {
    const auto path = std::filesystem::path(tmp_.path().toStdString()) / ("f" + std::to_string(++count_) + ".gguf");
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// The error opening `bytes` gives; fails the test when it opens.
  QString open_error(const std::string& bytes) {
    const auto path = write(bytes);
    const QString error = rw::test::error_of([&] { GgufReader reader(path); });
    if (error.isEmpty()) return "(opened without an error)";
    if (!error.contains(QString::fromStdString(path.string()))) return "(error does not name the file) " + error;
    return error;
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void everyTypeDequantizesLikeGgml() {
    const auto dir = gguf_fixture_dir();
    GgufReader reader(dir / "quants.gguf");
    const auto expected = read_safetensors(dir / "quants.safetensors");
    QCOMPARE(reader.tensors().size(), expected.size());
    for (const auto& info : reader.tensors()) {
      const at::Tensor& want = expected.at(info.name);
      at::Tensor got = at::empty(info.torch_shape(), at::kFloat);
      reader.dequantize(info, {got.data_ptr<float>(), static_cast<size_t>(got.numel())});
      QCOMPARE(got.sizes().vec(), want.sizes().vec());
      QVERIFY2(at::isfinite(want).all().item<bool>(), qPrintable(QString::fromStdString(info.name)));
      const double err = rw::test::max_relative_error(got, want);
      QVERIFY2(err <= 1e-6, qPrintable(QString("%1: max relative error %2").arg(info.name.c_str()).arg(err)));
    }
  }

  void miniFileReads() {
    const auto path = write(MiniGguf::make().bytes);
    GgufReader reader(path);
    QCOMPARE(reader.version(), 3u);
    QCOMPARE(reader.get_string("general.architecture"), std::string("llama"));
    QCOMPARE(reader.get_uint("general.alignment"), 32u);
    const auto* a = reader.find_tensor("a");
    QVERIFY(a);
    QCOMPARE(a->torch_shape(), (std::vector<int64_t>{2, 32}));
    std::vector<float> values(64);
    reader.dequantize(*a, values);
    for (int i = 0; i < 64; ++i) QCOMPARE(values[static_cast<size_t>(i)], 0.5f * static_cast<float>(i % 32 - 16));
    std::vector<float> b(4);
    reader.dequantize(*reader.find_tensor("b"), b);
    QCOMPARE(b, (std::vector<float>{1.5f, -2.0f, 0.25f, 8.0f}));
    QVERIFY(rw::test::error_of([&] { reader.get_uint("general.architecture"); }).contains("must be a non-negative integer"));
    QVERIFY(rw::test::error_of([&] { reader.get_string("missing.key"); }).contains("'missing.key' is missing"));
  }

  void everyTruncationIsAnError() {
    const std::string full = MiniGguf::make().bytes;
    for (size_t cut = 0; cut < full.size(); ++cut) {
      const QString error = open_error(full.substr(0, cut));
      QVERIFY2(!error.startsWith("("), qPrintable(QString("cut at %1: %2").arg(cut).arg(error)));
    }
  }

  void lyingFieldsAreNamed() {
    struct Case {
      const char* what;
      std::function<void(MiniGguf&)> corrupt;
      const char* expected;
    };
    const std::vector<Case> cases = {
        {"magic", [](MiniGguf& g) { g.bytes[0] = 'X'; }, "not a GGUF file"},
        {"version", [](MiniGguf& g) { g.patch<uint32_t>(4, 1); }, "version 1 is not supported"},
        {"tensor count", [](MiniGguf& g) { g.patch<uint64_t>(g.tensor_count_at, 1ull << 60); }, "tensor count is"},
        {"metadata count", [](MiniGguf& g) { g.patch<uint64_t>(g.metadata_count_at, ~0ull); }, "metadata count is"},
        {"key length", [](MiniGguf& g) { g.patch<uint64_t>(g.key_length_at, 1ull << 40); }, "a metadata key claims"},
        {"unknown type", [](MiniGguf& g) { g.patch<uint32_t>(g.type_at, 99); }, "type 99, which Ropewalk cannot"},
        {"offset past the end", [](MiniGguf& g) { g.patch<uint64_t>(g.offset_at, 1ull << 40); }, "runs past the end"},
        {"misaligned offset", [](MiniGguf& g) { g.patch<uint64_t>(g.offset_at, 4); }, "not a multiple of the alignment"},
        {"overlap", [](MiniGguf& g) { g.patch<uint64_t>(g.b_offset_at, 64); }, "overlap"},
        {"zero dimension", [](MiniGguf& g) { g.patch<uint64_t>(g.dim_at, 0); }, "dimension 0 is 0"},
        {"block size", [](MiniGguf& g) { g.patch<uint64_t>(g.dim_at, 31); }, "not a multiple of the Q8_0 block size"},
        {"overflow", [](MiniGguf& g) { g.patch<uint64_t>(g.dim_at + 8, 1ull << 62); }, "overflow"},
    };
    for (const auto& c : cases) {
      MiniGguf g = MiniGguf::make();
      c.corrupt(g);
      const QString error = open_error(g.bytes);
      QVERIFY2(error.contains(c.expected), qPrintable(QString("%1: %2").arg(c.what, error)));
    }
  }

  void duplicateNamesAreRefused() {
    MiniGguf g = MiniGguf::make();
    const auto b = g.bytes.find(std::string("\x01\0\0\0\0\0\0\0b", 9));
    QVERIFY(b != std::string::npos);
    g.bytes[b + 8] = 'a';
    QVERIFY(open_error(g.bytes).contains("tensor 'a' appears twice"));
  }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "test_gguf.moc"
