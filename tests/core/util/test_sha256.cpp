// util/sha256 (the wrapper over OpenSSL's libcrypto): the FIPS 180-4 example vectors, random messages of
// every length 0..300 against Python's hashlib run live in the venv (one process for all messages), pieces
// fed in any split, a moved hash that carries on, and refusals after the digest.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace {

/// Feeds bytes in pieces of the given sizes (cycled), so blocks straddle update() calls.
std::string streamed_hex(std::string_view bytes, const std::vector<size_t>& piece_sizes) {
  rw::core::Sha256 hash;
  for (size_t i = 0, k = 0; i < bytes.size(); ++k) {
    const size_t n = std::min(piece_sizes[k % piece_sizes.size()], bytes.size() - i);
    hash.update(bytes.substr(i, n));
    i += n;
  }
  return hash.hex_digest();
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

class TestSha256 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fipsVectors_data() {
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896 bits") << QByteArray(
                                     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                     "klmnopqrlmnopqrsmnopqrstnopqrstu")
                              << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
  }

  void fipsVectors() {
    QFETCH(QByteArray, message);
    QFETCH(QString, expected);
    const std::string_view bytes(message.constData(), static_cast<size_t>(message.size()));
    QCOMPARE(qs(rw::core::sha256_hex(bytes)), expected);
    QCOMPARE(qs(streamed_hex(bytes, {1})), expected);
    QCOMPARE(qs(streamed_hex(bytes, {5, 17})), expected);
  }

  void millionAsStreamed() {
    const std::string message(1'000'000, 'a');
    const QString expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    QCOMPARE(qs(streamed_hex(message, {1, 3, 63, 7, 65, 129, 1000, 13})), expected);
    QCOMPARE(qs(streamed_hex(message, {64})), expected);
    QCOMPARE(qs(rw::core::sha256_hex(message)), expected);
  }

  void digestBytesMatchHex() {
    auto bytes = rw::core::Sha256().update("abc").digest();
    QCOMPARE(bytes[0], std::uint8_t{0xba});
    QCOMPARE(bytes[31], std::uint8_t{0xad});
  }

  void randomLengthsMatchHashlib() {
    std::mt19937 rng(7);
    std::vector<std::string> messages;
    QStringList hex_args{"-c",
                         "import hashlib, sys\n"
                         "for a in sys.argv[1:]: print(hashlib.sha256(bytes.fromhex(a)).hexdigest())\n"};
    for (size_t length = 0; length <= 300; ++length) {
      std::string m(length, '\0');
      for (auto& c : m) c = static_cast<char>(rng() & 0xff);
      hex_args << QString::fromLatin1(QByteArray(m.data(), static_cast<qsizetype>(m.size())).toHex());
      messages.push_back(std::move(m));
    }
    const auto result = rw::test::run_process(QStringLiteral(RW_TEST_PYTHON), hex_args, 60000);
    QVERIFY2(result.exit_code == 0, qPrintable(result.std_err));
    const QStringList expected = result.std_out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(expected.size(), static_cast<qsizetype>(messages.size()));
    for (size_t i = 0; i < messages.size(); ++i) {
      const QString want = expected[static_cast<qsizetype>(i)];
      QVERIFY2(qs(rw::core::sha256_hex(messages[i])) == want, qPrintable(QStringLiteral("length %1").arg(i)));
      const std::vector<size_t> pieces{1 + rng() % 70, 1 + rng() % 3};
      QVERIFY2(qs(streamed_hex(messages[i], pieces)) == want, qPrintable(QStringLiteral("streamed, length %1").arg(i)));
    }
  }

  void fileHashEqualsBytesHash() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("blob.bin").toStdString();
    std::string content;
    for (int i = 0; i < 3'000'000; ++i) content += static_cast<char>((i * 131) >> 3);  // spans several read blocks
    std::ofstream(path, std::ios::binary) << content;
    QCOMPARE(qs(rw::core::sha256_file_hex(path)), qs(rw::core::sha256_hex(content)));

    const std::string missing = dir.filePath("missing.bin").toStdString();
    const QString message = rw::test::error_of([&] { rw::core::sha256_file_hex(missing); });
    QVERIFY2(message.contains(qs(missing)), qPrintable(message));
  }

  void movedHashCarriesOn() {
    rw::core::Sha256 first;
    first.update("ab");
    rw::core::Sha256 second(std::move(first));
    second.update("c");
    rw::core::Sha256 third;
    third = std::move(second);
    QCOMPARE(qs(third.hex_digest()), QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QVERIFY(!rw::test::error_of([&] { first.update("x"); }).isEmpty());  // NOLINT(bugprone-use-after-move)
  }

  void finishedHashRejectsUse() {
    rw::core::Sha256 hash;
    hash.update("x");
    hash.hex_digest();
    QVERIFY(!rw::test::error_of([&] { hash.update("y"); }).isEmpty());
    QVERIFY(!rw::test::error_of([&] { hash.digest(); }).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "test_sha256.moc"
