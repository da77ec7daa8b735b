// SafetensorsReader / write_safetensors: round trips, interop with the Python `safetensors` library,
// rejection of malformed files with a precise message, and atomic writes.
#include <sys/resource.h>

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <torch/torch.h>

#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "tensor_support.h"

namespace fs = std::filesystem;
using rw::core::SafetensorsReader;
using Tensors = std::vector<std::pair<std::string, at::Tensor>>;

Q_DECLARE_METATYPE(at::ScalarType)

using rw::test::error_of;
using rw::test::FileSizeLimit;

namespace {

const std::map<at::ScalarType, QString> kDtypeNames = {
    {at::kDouble, "F64"}, {at::kFloat, "F32"}, {at::kHalf, "F16"}, {at::kBFloat16, "BF16"}, {at::kLong, "I64"},
    {at::kInt, "I32"},    {at::kShort, "I16"}, {at::kChar, "I8"},  {at::kByte, "U8"},       {at::kBool, "BOOL"}};

// Raw bytes of a tensor: comparing them is exact for NaN payloads and -0.0 too.
QByteArray bytes_of(const at::Tensor& t) {
  const at::Tensor c = t.cpu().contiguous();
  return QByteArray(static_cast<const char*>(c.const_data_ptr()), static_cast<qsizetype>(c.nbytes()));
}

// Random values of `type`, with the float special values in the first slots.
at::Tensor sample(at::ScalarType type, std::vector<int64_t> shape) {
  if (type == at::kBool) return at::randint(0, 2, shape).to(at::kBool);
  if (type == at::kByte) return at::randint(0, 256, shape).to(at::kByte);
  if (!at::isFloatingType(type)) return at::randint(-128, 128, shape).to(type);
  at::Tensor t = at::randn(shape, at::kDouble).to(type);
  const double specials[] = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), -0.0};
  auto flat = t.view({-1});
  for (int64_t i = 0; i < std::min<int64_t>(4, flat.numel()); ++i) flat[i].fill_(specials[i]);
  return t;
}

QByteArray read_bytes(const fs::path& path) {
  QFile f(QString::fromStdString(path.string()));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void write_bytes(const fs::path& path, const QByteArray& bytes) {
  QFile f(QString::fromStdString(path.string()));
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  QCOMPARE(f.write(bytes), bytes.size());
}

QStringList dir_entries(const fs::path& dir) {
  return QDir(QString::fromStdString(dir.string())).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                                                              QDir::Name);
}

// A safetensors file from a header text, `data_bytes` filler bytes, and optionally a lying length prefix.
QByteArray st_file(const QByteArray& header, qsizetype data_bytes, std::optional<quint64> declared = {}) {
  const quint64 length = declared ? *declared : static_cast<quint64>(header.size());
  QByteArray out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  return out + header + QByteArray(data_bytes, '\x01');
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT

  std::unique_ptr<QTemporaryDir> temp_;
  fs::path dir() const { return fs::path(temp_->path().toStdString()); }

  // Compares what a reader holds with the tensors that were written.
  static void verify_same(const SafetensorsReader& reader, const Tensors& expected) {
    QCOMPARE(reader.entries().size(), expected.size());
    for (const auto& [name, tensor] : expected) {
      QVERIFY2(reader.contains(name), name.c_str());
      const at::Tensor loaded = reader.load(name);
      QCOMPARE(loaded.scalar_type(), tensor.scalar_type());
      QCOMPARE(loaded.sizes().vec(), tensor.sizes().vec());
      QCOMPARE(loaded.device().type(), at::kCPU);
      QVERIFY2(bytes_of(loaded) == bytes_of(tensor), name.c_str());
      QCOMPARE(reader.entry(name).shape, tensor.sizes().vec());
    }
  }

 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(7); }
  void init() {
    temp_ = std::make_unique<QTemporaryDir>();
    QVERIFY(temp_->isValid());
  }
  void cleanup() { temp_.reset(); }

  void roundTripEveryDtype_data() {
    QTest::addColumn<at::ScalarType>("dtype");
    for (const auto& [type, name] : kDtypeNames) QTest::newRow(qPrintable(name)) << type;
  }

  // Every dtype, as a 3-d tensor, a scalar (shape []) and zero-size tensors.
  void roundTripEveryDtype() {
    QFETCH(at::ScalarType, dtype);
    const Tensors tensors = {{"values", sample(dtype, {3, 5, 7})},
                             {"scalar", sample(dtype, {}).reshape({})},
                             {"empty", sample(dtype, {0})},
                             {"empty_3d", sample(dtype, {3, 0, 2})}};
    const fs::path path = dir() / "round.safetensors";
    rw::core::write_safetensors(path, tensors);
    SafetensorsReader reader(path);
    verify_same(reader, tensors);
    QCOMPARE(reader.entry("scalar").shape.size(), size_t{0});
    QCOMPARE(reader.entry("empty").begin, reader.entry("empty").end);
    QVERIFY(reader.metadata().empty());
  }

  void roundTripLargeTensor() {
    const Tensors tensors = {{"big_f32", at::randn({1536, 2048})}, {"big_bf16", at::randn({1024, 1024}).to(at::kBFloat16)}};
    const fs::path path = dir() / "large.safetensors";
    rw::core::write_safetensors(path, tensors);
    QVERIFY(fs::file_size(path) > 1536u * 2048u * 4u + 1024u * 1024u * 2u);
    SafetensorsReader reader(path);
    verify_same(reader, tensors);
    QVERIFY(at::equal(reader.load("big_f32"), tensors[0].second));
  }

  // Non-contiguous, offset and lazily negated inputs are written with their logical values.
  void writerResolvesViews() {
    const at::Tensor base = at::arange(24, at::kFloat).reshape({4, 6});
    const Tensors tensors = {{"transposed", base.t()}, {"slice", base.slice(1, 2, 5)},
                             {"negated", at::_neg_view(base)}, {"strided", base.select(1, 3)}};
    const fs::path path = dir() / "views.safetensors";
    rw::core::write_safetensors(path, tensors);
    SafetensorsReader reader(path);
    QVERIFY(at::equal(reader.load("transposed"), base.t().contiguous()));
    QVERIFY(at::equal(reader.load("slice"), base.slice(1, 2, 5).contiguous()));
    QVERIFY(at::equal(reader.load("negated"), -base));
    QVERIFY(at::equal(reader.load("strided"), base.select(1, 3).contiguous()));
  }

  void writerCopiesCudaTensors() {
    if (!rw::test::cuda_available()) QSKIP("no CUDA device");
    const at::Tensor host = at::randn({33, 7});
    const fs::path path = dir() / "cuda.safetensors";
    rw::core::write_safetensors(path, {{"w", host.to(at::kCUDA).t()}, {"h", host.to(at::kCUDA).to(at::kBFloat16)}});
    SafetensorsReader reader(path);
    QVERIFY(at::equal(reader.load("w"), host.t().contiguous()));
    QVERIFY(at::equal(reader.load("h"), host.to(at::kBFloat16)));
  }

  void metadataRoundTrip() {
    const std::map<std::string, std::string> metadata = {
        {"format", "pt"}, {"empty", ""}, {"unicode", "h\xc3\xa9llo \xe2\x9c\x93"}, {"json", R"({"a": [1, "x"]})"}};
    const fs::path path = dir() / "meta.safetensors";
    rw::core::write_safetensors(path, {{"w", at::ones({2})}}, metadata);
    SafetensorsReader reader(path);
    QVERIFY(reader.metadata() == metadata);
    QCOMPARE(reader.path(), path);
  }

  // Header padded to 8 bytes; entries in offset order, contiguous, each tensor aligned to its element size.
  void headerLayout() {
    const Tensors tensors = {{"a16", at::ones({3}, at::kHalf)}, {"b32", at::ones({1}, at::kFloat)},
                             {"z64", at::ones({2}, at::kDouble)}, {"a32", at::ones({5}, at::kFloat)},
                             {"flag", at::ones({3}, at::kBool)}};
    const fs::path path = dir() / "layout.safetensors";
    rw::core::write_safetensors(path, tensors, {{"format", "pt"}});
    const QByteArray raw = read_bytes(path);
    quint64 header_size = 0;
    std::memcpy(&header_size, raw.constData(), 8);
    QCOMPARE(header_size % 8, quint64{0});
    QCOMPARE(raw.at(8), '{');
    QVERIFY(QJsonDocument::fromJson(raw.mid(8, static_cast<qsizetype>(header_size))).isObject());

    SafetensorsReader reader(path);
    QStringList order;
    uint64_t cursor = 0;
    for (const auto& e : reader.entries()) {
      order << QString::fromStdString(e.name);
      QCOMPARE(e.begin, cursor);
      QCOMPARE(e.begin % at::elementSize(e.dtype), uint64_t{0});
      cursor = e.end;
    }
    QCOMPARE(order, (QStringList{"z64", "a32", "b32", "a16", "flag"}));
    QCOMPARE(cursor + 8 + header_size, static_cast<uint64_t>(raw.size()));
  }

  // The loaded tensor owns its bytes: it survives the reader and the file.
  void loadedTensorOutlivesReader() {
    const fs::path path = dir() / "owned.safetensors";
    const at::Tensor original = at::randn({64});
    rw::core::write_safetensors(path, {{"w", original}});
    at::Tensor loaded;
    {
      SafetensorsReader reader(path);
      loaded = reader.load("w");
    }
    fs::remove(path);
    QVERIFY(at::equal(loaded, original));
  }

  void missingTensorByName() {
    const fs::path path = dir() / "named.safetensors";
    rw::core::write_safetensors(path, {{"present", at::ones({1})}});
    SafetensorsReader reader(path);
    QVERIFY(!reader.contains("absent.weight"));
    for (const auto& body : std::vector<std::function<void()>>{[&] { (void)reader.entry("absent.weight"); },
                                                               [&] { (void)reader.load("absent.weight"); }}) {
      const QString what = error_of(body);
      QVERIFY2(what.contains("named.safetensors") && what.contains("'absent.weight'") && what.contains("no tensor"),
               qPrintable(what));
    }
  }

  // A file written by Python's safetensors.torch.save_file loads here with identical bytes and metadata.
  void pythonWrittenFileLoads() {
    const fs::path path = dir() / "python.safetensors";
    const auto run = rw::test::run_oracle("safetensors_roundtrip.py", {"make", QString::fromStdString(path.string())});
    QVERIFY2(run.exit_code == 0, qPrintable(run.std_err));
    const QJsonObject expected = QJsonDocument::fromJson(run.std_out.toUtf8()).object();
    const QJsonObject tensors = expected["tensors"].toObject();
    QVERIFY(tensors.size() >= 13);

    SafetensorsReader reader(path);
    QCOMPARE(reader.entries().size(), static_cast<size_t>(tensors.size()));
    for (auto it = tensors.begin(); it != tensors.end(); ++it) {
      const std::string name = it.key().toStdString();
      const QJsonObject info = it.value().toObject();
      const at::Tensor loaded = reader.load(name);
      QCOMPARE(kDtypeNames.at(loaded.scalar_type()), info["dtype"].toString());
      std::vector<int64_t> shape;
      for (const auto& d : info["shape"].toArray()) shape.push_back(d.toInteger());
      QCOMPARE(loaded.sizes().vec(), shape);
      QVERIFY2(bytes_of(loaded) == QByteArray::fromHex(info["hex"].toString().toLatin1()), name.c_str());
    }
    const QJsonObject metadata = expected["metadata"].toObject();
    QCOMPARE(reader.metadata().size(), static_cast<size_t>(metadata.size()));
    for (const auto& [key, value] : reader.metadata())
      QCOMPARE(QString::fromStdString(value), metadata[QString::fromStdString(key)].toString());
    QVERIFY(at::equal(reader.load("scalar"), at::scalar_tensor(2.5, at::kFloat)));
  }

  // A file written here loads in Python's safetensors.torch.load_file with identical bytes and metadata.
  void ourFileLoadsInPython() {
    Tensors tensors;
    for (const auto& [type, name] : kDtypeNames)
      tensors.emplace_back("t_" + name.toLower().toStdString(), sample(type, {4, 3, 5}));
    tensors.emplace_back("scalar_i64", at::scalar_tensor(-9, at::kLong));
    tensors.emplace_back("zero_size", at::zeros({2, 0}, at::kHalf));
    const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"origin", "ropewalk \xe2\x9c\x93"}};
    const fs::path path = dir() / "ours.safetensors";
    rw::core::write_safetensors(path, tensors, metadata);

    const auto run = rw::test::run_oracle("safetensors_roundtrip.py", {"dump", QString::fromStdString(path.string())});
    QVERIFY2(run.exit_code == 0, qPrintable(run.std_err));
    const QJsonObject dumped = QJsonDocument::fromJson(run.std_out.toUtf8()).object();
    const QJsonObject loaded = dumped["tensors"].toObject();
    QCOMPARE(static_cast<size_t>(loaded.size()), tensors.size());
    for (const auto& [name, tensor] : tensors) {
      const QJsonObject info = loaded[QString::fromStdString(name)].toObject();
      QCOMPARE(info["dtype"].toString(), kDtypeNames.at(tensor.scalar_type()));
      std::vector<int64_t> shape;
      for (const auto& d : info["shape"].toArray()) shape.push_back(d.toInteger());
      QCOMPARE(shape, tensor.sizes().vec());
      QVERIFY2(QByteArray::fromHex(info["hex"].toString().toLatin1()) == bytes_of(tensor), name.c_str());
    }
    const QJsonObject py_metadata = dumped["metadata"].toObject();
    QCOMPARE(py_metadata.size(), 2);
    QCOMPARE(py_metadata["origin"].toString(), QString::fromUtf8("ropewalk \xe2\x9c\x93"));
  }

  void rejectsMalformedFile_data() {
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QStringList>("expected");
    const QByteArray a16 = R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})";
    QTest::newRow("shorter than 8 bytes") << QByteArray("\x01\x02\x03", 3) << QStringList{"shorter than 8 bytes"};
    QTest::newRow("truncated file")
        << st_file(R"({"w":{"dtype":"F32","shape":[4,4],"data_offsets":[0,64]}})", 54)
        << QStringList{"truncated by 10 bytes", "'w'", "[0, 64]"};
    QTest::newRow("offsets out of range")
        << st_file("{" + a16 + R"(,"b":{"dtype":"F32","shape":[4],"data_offsets":[64,80]}})", 16)
        << QStringList{"'b'", "[64, 80]", "truncated by 64 bytes", "16-byte data section"};
    QTest::newRow("overlapping offsets")
        << st_file("{" + a16 + R"(,"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 24)
        << QStringList{"'b'", "overlap", "'a'", "[8, 24]"};
    QTest::newRow("gap between tensors")
        << st_file("{" + a16 + R"(,"b":{"dtype":"F32","shape":[4],"data_offsets":[24,40]}})", 40)
        << QStringList{"gap", "[16, 24)", "'b'"};
    QTest::newRow("gap before first tensor")
        << st_file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 24)
        << QStringList{"gap", "[0, 8)", "'a'"};
    QTest::newRow("trailing uncovered bytes")
        << st_file("{" + a16 + "}", 24) << QStringList{"8 trailing bytes", "not covered"};
    QTest::newRow("shape x dtype != byte length")
        << st_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "needs 12 bytes", "span 16 bytes"};
    QTest::newRow("element count overflows")
        << st_file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "more than 2^64"};
    QTest::newRow("absurd header length")
        << st_file("{}", 0, 200000000) << QStringList{"header length 200000000", "absurd"};
    QTest::newRow("header length beyond file")
        << st_file("{}", 40, 1000) << QStringList{"header length 1000", "exceeds the 42 bytes"};
    QTest::newRow("unknown dtype")
        << st_file(R"({"a":{"dtype":"F33","shape":[4],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "unknown dtype 'F33'"};
    QTest::newRow("fp8 unsupported")
        << st_file(R"({"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})", 4)
        << QStringList{"'a'", "'F8_E4M3'", "not supported"};
    QTest::newRow("non-JSON header") << st_file("{not json", 0) << QStringList{"header is not valid UTF-8 JSON"};
    QTest::newRow("invalid UTF-8 header")
        << st_file("{\"\xff\xfe\":{}}", 0) << QStringList{"not valid UTF-8 JSON", "UTF-8 byte"};
    QTest::newRow("header not an object") << st_file("[1,2]", 0) << QStringList{"not a JSON object", "array"};
    QTest::newRow("entry not an object")
        << st_file(R"({"a":5})", 0) << QStringList{"'a'", "entry is not a JSON object"};
    QTest::newRow("missing dtype")
        << st_file(R"({"a":{"shape":[4],"data_offsets":[0,16]}})", 16) << QStringList{"'a'", "missing \"dtype\""};
    QTest::newRow("dtype not a string")
        << st_file(R"({"a":{"dtype":4,"shape":[4],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "\"dtype\" is not a string"};
    QTest::newRow("missing shape")
        << st_file(R"({"a":{"dtype":"F32","data_offsets":[0,16]}})", 16) << QStringList{"'a'", "missing \"shape\""};
    QTest::newRow("shape not an array")
        << st_file(R"({"a":{"dtype":"F32","shape":4,"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "\"shape\" is not an array"};
    QTest::newRow("negative dimension")
        << st_file(R"({"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "negative value -4"};
    QTest::newRow("fractional dimension")
        << st_file(R"({"a":{"dtype":"F32","shape":[4.5],"data_offsets":[0,16]}})", 16)
        << QStringList{"'a'", "non-negative integers", "4.5"};
    QTest::newRow("missing data_offsets")
        << st_file(R"({"a":{"dtype":"F32","shape":[4]}})", 16) << QStringList{"'a'", "missing \"data_offsets\""};
    QTest::newRow("data_offsets wrong length")
        << st_file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8,16]}})", 16)
        << QStringList{"'a'", "[begin, end]"};
    QTest::newRow("data_offsets begin after end")
        << st_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}})", 16)
        << QStringList{"'a'", "[16, 0]", "begin after"};
    QTest::newRow("metadata with non-string value")
        << st_file(R"({"__metadata__":{"format":"pt","layers":12},)" + a16 + "}", 16)
        << QStringList{"__metadata__", "'layers'", "non-string value 12"};
    QTest::newRow("metadata not an object")
        << st_file(R"({"__metadata__":["pt"],)" + a16 + "}", 16) << QStringList{"__metadata__", "object of strings"};
    QTest::newRow("duplicate tensor name")
        << st_file("{" + a16 + "," + a16 + "}", 16) << QStringList{"'a'", "more than once"};
  }

  // Each malformed file is refused on open with the file name, the tensor or key, and the cause.
  void rejectsMalformedFile() {
    QFETCH(QByteArray, contents);
    QFETCH(QStringList, expected);
    const fs::path path = dir() / "bad.safetensors";
    write_bytes(path, contents);
    const QString what = error_of([&] { SafetensorsReader reader(path); });
    QVERIFY2(!what.isEmpty(), "no rw::core::Error thrown");
    QVERIFY2(what.contains(QString::fromStdString(path.string())), qPrintable(what));
    for (const QString& part : expected) QVERIFY2(what.contains(part), qPrintable(part + " not in: " + what));
  }

  void rejectsMissingFile() {
    const QString what = error_of([&] { SafetensorsReader reader(dir() / "nowhere.safetensors"); });
    QVERIFY2(what.contains("nowhere.safetensors") && what.contains("cannot open"), qPrintable(what));
  }

  void writerFailureLeavesOldFile_data() {
    QTest::addColumn<int>("failure");
    QTest::newRow("unsupported dtype (complex)") << 0;
    QTest::newRow("duplicate name") << 1;
    QTest::newRow("reserved name __metadata__") << 2;
    QTest::newRow("undefined tensor") << 3;
    QTest::newRow("disk full mid-write (RLIMIT_FSIZE)") << 4;
  }

  // A failed write leaves an existing file byte-identical and no temporary file behind.
  void writerFailureLeavesOldFile() {
    QFETCH(int, failure);
    const fs::path path = dir() / "weights.safetensors";
    rw::core::write_safetensors(path, {{"old", at::arange(10, at::kFloat)}}, {{"version", "1"}});
    const QByteArray before = read_bytes(path);
    const at::Tensor fine = at::ones({4});

    QString what, expected_part;
    switch (failure) {
      case 0:
        what = error_of([&] { rw::core::write_safetensors(path, {{"ok", fine}, {"phase", at::ones({2}, at::kComplexFloat)}}); });
        expected_part = "'phase'";
        break;
      case 1:
        what = error_of([&] { rw::core::write_safetensors(path, {{"w", fine}, {"w", fine}}); });
        expected_part = "'w' is given more than once";
        break;
      case 2:
        what = error_of([&] { rw::core::write_safetensors(path, {{"__metadata__", fine}}); });
        expected_part = "reserved";
        break;
      case 3:
        what = error_of([&] { rw::core::write_safetensors(path, {{"w", fine}, {"ghost", at::Tensor()}}); });
        expected_part = "'ghost' is undefined";
        break;
      case 4: {
        const at::Tensor big = at::randn({64 * 1024});  // 256 KiB against a 64 KiB file size limit
        FileSizeLimit limit(64 * 1024);
        QVERIFY(limit.ok());
        what = error_of([&] { rw::core::write_safetensors(path, {{"big", big}}); });
        expected_part = "File too large";
        break;
      }
    }
    QVERIFY2(what.contains("weights.safetensors") && what.contains(expected_part), qPrintable(what));
    QCOMPARE(read_bytes(path), before);
    QCOMPARE(dir_entries(dir()), QStringList{"weights.safetensors"});
    QVERIFY(at::equal(SafetensorsReader(path).load("old"), at::arange(10, at::kFloat)));
  }

  // rename() onto a directory fails after the temp file exists: the temp file must still be removed.
  void writerTargetIsDirectory() {
    const fs::path target = dir() / "taken";
    fs::create_directory(target);
    const QString what = error_of([&] { rw::core::write_safetensors(target, {{"w", at::ones({8})}}); });
    QVERIFY2(what.contains("taken") && what.contains("renaming"), qPrintable(what));
    QCOMPARE(dir_entries(dir()), QStringList{"taken"});
    QVERIFY(fs::is_empty(target));
  }

  void writerMissingDirectory() {
    const fs::path path = dir() / "no" / "such" / "w.safetensors";
    const QString what = error_of([&] { rw::core::write_safetensors(path, {{"w", at::ones({8})}}); });
    QVERIFY2(what.contains(QString::fromStdString(path.string())) && what.contains("temporary file"),
             qPrintable(what));
  }

  // An existing file is replaced as a whole.
  void writerReplacesExistingFile() {
    const fs::path path = dir() / "w.safetensors";
    rw::core::write_safetensors(path, {{"a", at::ones({100})}, {"b", at::ones({3})}});
    rw::core::write_safetensors(path, {{"c", at::zeros({2}, at::kLong)}});
    SafetensorsReader reader(path);
    QCOMPARE(reader.entries().size(), size_t{1});
    QVERIFY(at::equal(reader.load("c"), at::zeros({2}, at::kLong)));
    QCOMPARE(dir_entries(dir()), QStringList{"w.safetensors"});
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
