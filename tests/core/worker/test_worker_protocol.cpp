// The worker event protocol: every event type written and read back field for field, malformed lines
// refused with the reason, and the transcript rules (started first, exactly one result or error, last).
#include <QtTest>

#include "rw/core/worker/progress.h"
#include "rw/core/worker/worker_protocol.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;

namespace {

WorkerEvent started(std::optional<std::int64_t> run) {
  WorkerEvent e;
  e.type = WorkerEventType::Started;
  e.kind = "eval";
  e.run_id = run;
  e.pid = 4242;
  return e;
}

WorkerEvent result(const std::string& payload) {
  WorkerEvent e;
  e.type = WorkerEventType::Result;
  e.payload_json = payload;
  return e;
}

std::string lines(std::initializer_list<WorkerEvent> events) {
  std::string out;
  for (const WorkerEvent& e : events) out += to_json_line(e) + "\n";
  return out;
}

}  // namespace

class TestWorkerProtocol : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyTypeRoundTrips() {
    const WorkerEvent s = parse_worker_event(to_json_line(started(7)));
    QVERIFY(s.type == WorkerEventType::Started);
    QCOMPARE(s.kind, std::string("eval"));
    QCOMPARE(*s.run_id, std::int64_t{7});
    QCOMPARE(s.pid, std::int64_t{4242});
    QVERIFY(!parse_worker_event(to_json_line(started(std::nullopt))).run_id);

    ProgressReporter reporter(ProgressMode::None, "eval", "cells");
    reporter.set_stage("niah");
    WorkerEvent p = parse_worker_event(to_json_line(reporter.event(3, 12, "niah 1K")));
    QVERIFY(p.type == WorkerEventType::Progress);
    QCOMPARE(p.done, std::int64_t{3});
    QCOMPARE(p.total, std::int64_t{12});
    QCOMPARE(p.unit, std::string("cells"));
    QCOMPARE(p.stage, std::string("niah"));
    QCOMPARE(p.detail, std::string("niah 1K"));
    QVERIFY(p.eta_s.has_value() && *p.eta_s >= 0);
    QVERIFY(!parse_worker_event(to_json_line(reporter.event(0, 0, ""))).eta_s);  // unknown total: no ETA

    WorkerEvent log;
    log.level = "warning";
    log.text = "cache is cold \xff";  // invalid UTF-8 is replaced, the line stays valid JSON
    const WorkerEvent l = parse_worker_event(to_json_line(log));
    QCOMPARE(l.level, std::string("warning"));
    QVERIFY(l.text.starts_with("cache is cold "));

    QCOMPARE(parse_worker_event(to_json_line(result(R"({"run_id":7,"cells":[1,2]})"))).payload_json,
             std::string(R"({"cells":[1,2],"run_id":7})"));

    WorkerEvent error;
    error.type = WorkerEventType::Error;
    error.message = "run.json: \"stages[0].seq_len\" must be positive, got 0";
    error.file = "run.json";
    error.json_path = "stages[0].seq_len";
    error.key = "seq_len";
    const WorkerEvent e = parse_worker_event(to_json_line(error));
    QCOMPARE(e.message, error.message);
    QCOMPARE(e.file, error.file);
    QCOMPARE(e.json_path, error.json_path);
    QCOMPARE(e.key, error.key);
    // Unknown location fields are left out of the line, not written empty.
    error.file = error.json_path = error.key = "";
    QVERIFY(to_json_line(error).find("json_path") == std::string::npos);
  }

  void malformedLinesAreRefusedWithTheReason() {
    const auto why = [](const std::string& line) { return error_of([&] { parse_worker_event(line); }); };
    QVERIFY(why("not json").contains("not a JSON line"));
    QVERIFY(why("[1, 2]").contains("not a JSON object"));
    QVERIFY(why(R"({"done": 1})").contains("no \"type\""));
    QVERIFY(why(R"({"type": "finished"})").contains("unknown worker event type 'finished'"));
    QVERIFY(why(R"({"type": "started", "protocol": 1, "kind": "eval", "pid": 1})").contains("missing field \"run_id\""));
    QVERIFY(why(R"({"type": "started", "protocol": 2, "kind": "eval", "run_id": null, "pid": 1})")
                .contains("protocol 2"));
    QVERIFY(why(R"({"type": "log", "level": "info", "text": "x", "extra": 1})").contains("unknown field \"extra\""));
    QVERIFY(why(R"({"type": "log", "level": "loud", "text": "x"})").contains("unknown level \"loud\""));
    QVERIFY(why(R"({"type": "result", "payload": [1]})").contains("\"payload\" must be an object"));
    QVERIFY(why(R"({"type": "error", "message": ""})").contains("empty message"));
    QVERIFY(why(R"({"type": "progress", "done": "3", "total": 4, "unit": "x", "rate": 0, "eta_s": null,
                   "elapsed_s": 0, "stage": "", "detail": ""})")
                .contains("\"done\" must be an integer"));
  }

  void transcriptRules() {
    WorkerEvent log;
    log.level = "info";
    log.text = "hello";
    QCOMPARE(parse_worker_transcript(lines({started(1), log, result("{}")})).size(), size_t{3});
    const auto why = [](const std::string& t) { return error_of([&] { parse_worker_transcript(t); }); };
    QVERIFY(why("").contains("no worker events"));
    QVERIFY(why(lines({log, result("{}")})).contains("line 1: \"started\" must be the first line"));
    QVERIFY(why(lines({started(1), started(1), result("{}")})).contains("line 2"));
    QVERIFY(why(lines({started(1), log})).contains("ends without a \"result\" or \"error\""));
    QVERIFY(why(lines({started(1), result("{}"), log})).contains("line 3: a line after the final \"result\""));
    QVERIFY(why(lines({started(1)}) + "progress 50%\n").contains("line 2: worker event: not a JSON line"));
  }
};

QTEST_GUILESS_MAIN(TestWorkerProtocol)
#include "test_worker_protocol.moc"
