// Passkey and RULER-lite prompts: the Landmark passkey prompt and RULER's task templates and answer
// prefixes character for character (epfml/landmark-attention, NVIDIA/RULER), haystacks sized to fit the
// length budget, and
// samples that depend only on the seed; training items (SeedSpace::Training) never carry an eval answer.
#include <QtTest>

#include <regex>
#include <set>

#include "byte_tokenizer.h"
#include "rw/core/tasks/passkey.h"
#include "rw/core/tasks/ruler.h"
#include "test_support.h"

using namespace rw::core;

namespace {
const rw::test::ByteTokenizer kBytes;
}

class TestPasskeyRuler : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void passkeyPromptEqualsLandmark() {
    // 5 parts joined by "\n": task, garbage prefix (first n_prefix characters of the garbage joined by
    // spaces), the key line, garbage suffix (first n_garbage - n_prefix characters), the question.
    const std::string expected =
        "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz "
        "you about the important information there.\n"
        "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again. The grass\n"
        "The pass key is 4711. Remember it. 4711 is the pass key.\n"
        "The grass is green. The sk\n"
        "What is the pass key? The pass key is";
    QCOMPARE(passkey_prompt(125, 99, 4711), expected);
  }

  void passkeyItemFitsLengthAndScores() {
    for (const std::int64_t length : {300, 1000, 2500}) {
      for (const double depth : {0.0, 40.0, 100.0}) {
        const EvalItem item = passkey_item(kBytes, length, depth, 99);
        const auto n = static_cast<std::int64_t>(kBytes.encode(item.prompt.text, true).size());
        QVERIFY2(n <= length && n > length - 3, qPrintable(QString("%1 tokens for length %2").arg(n).arg(length)));
        QCOMPARE(item.max_new_tokens, std::int64_t(10));
        QCOMPARE(item.score.method, ScoreMethod::FirstInteger);
        const auto key = std::stoll(item.score.references.front());
        QVERIFY(key >= 1 && key <= 50000);
        QVERIFY(item.prompt.text.find("The pass key is " + item.score.references.front() + ". Remember it.") !=
                std::string::npos);
      }
    }
    // Depth 0 puts the key line right after the task description; the same seed gives the same key.
    const EvalItem top = passkey_item(kBytes, 800, 0, 5);
    QVERIFY(top.prompt.text.find("there.\n\nThe pass key is") != std::string::npos);
    QCOMPARE(passkey_item(kBytes, 800, 0, 5).prompt.text, top.prompt.text);
    QVERIFY(passkey_item(kBytes, 800, 0, 6).score.references != top.score.references);
    QVERIFY(rw::test::error_of([] { passkey_item(kBytes, 50, 0, 1); }).contains("too short"));
  }

  void rulerTemplatesEqualReference() {
    const RulerText single = ruler_niah_text("numbers", "CTX", "brave-tiger", /*singular=*/true);
    QCOMPARE(single.input,
             std::string("A special magic number is hidden within the following text. Make sure to memorize it. I "
                         "will quiz you about the number afterwards.\nCTX\nWhat is the special magic number for "
                         "brave-tiger mentioned in the provided text?"));
    QCOMPARE(single.answer_prefix,
             std::string(" The special magic number for brave-tiger mentioned in the provided text is"));
    const RulerText multi = ruler_niah_text("numbers", "CTX", "a-b, c-d, and e-f", /*singular=*/false);
    QCOMPARE(multi.input,
             std::string("Some special magic numbers are hidden within the following text. Make sure to memorize it. "
                         "I will quiz you about the numbers afterwards.\nCTX\nWhat are all the special magic numbers "
                         "for a-b, c-d, and e-f mentioned in the provided text?"));
    QCOMPARE(multi.answer_prefix,
             std::string(" The special magic numbers for a-b, c-d, and e-f mentioned in the provided text are"));
    QCOMPARE(ruler_needle("numbers", "brave-tiger", "1234567"),
             std::string("One of the special magic numbers for brave-tiger is: 1234567."));
    QCOMPARE(ruler_join_queries({"a", "b", "c"}), std::string("a, b, and c"));
    QCOMPARE(ruler_join_queries({"a", "b"}), std::string("a, and b"));
    const RulerText vt = ruler_vt_text("CTX", "12345", 5);
    QCOMPARE(vt.input, std::string("Memorize and track the chain(s) of variable assignment hidden in the following "
                                   "text.\n\nCTX\nQuestion: Find all variables that are assigned the value 12345 in "
                                   "the text above."));
    QCOMPARE(vt.answer_prefix, std::string(" Answer: According to the chain(s) of variable assignment in the text "
                                           "above, 5 variables are assigned the value 12345, they are: "));
    const RulerText cwe = ruler_cwe_text("1. a 2. b");
    QCOMPARE(cwe.input, std::string("Below is a numbered list of words. In these words, some appear more often than "
                                    "others. Memorize the ones that appear most often.\n1. a 2. b\nQuestion: What are "
                                    "the 10 most common words in the above list?"));
    QCOMPARE(cwe.answer_prefix, std::string(" Answer: The top 10 words that appear most often in the list are:"));
  }

  void rulerSamplesFitAndCarryTheirAnswers() {
    const RulerBuilder builder(kBytes, "Fog rolls in. The keeper lights the lamp. Ships pass the reef at night. ");
    for (const RulerTask task : all_ruler_tasks()) {
      const std::int64_t length = task == RulerTask::CommonWords ? 3000 : 1500;
      const EvalItem item = builder.item(task, length, 50, 11, ChatFormat::Completion);
      const auto n = static_cast<std::int64_t>(kBytes.encode(item.prompt.text, true).size());
      const QString name = QString::fromStdString(item.task);
      QVERIFY2(n + item.max_new_tokens <= length, qPrintable(name));
      QVERIFY2(n + item.max_new_tokens > length - 200, qPrintable(name + ": haystack far too small"));
      QCOMPARE(item.task, "ruler/" + std::string(ruler_task_name(task)));
      QCOMPARE(item.score.method, ScoreMethod::MatchAll);
      for (const auto& ref : item.score.references)
        QVERIFY2(item.prompt.text.find(ref) != std::string::npos,
                 qPrintable(name + " lacks " + QString::fromStdString(ref)));
      QCOMPARE(builder.item(task, length, 50, 11, ChatFormat::Completion).prompt.text, item.prompt.text);  // seeded
    }
    // Reference counts: multivalue 4 values, multiquery 4 keys' values, vt 5 variables, cwe 10 words.
    QCOMPARE(builder.item(RulerTask::NiahMultivalue, 1500, 0, 1, {}).score.references.size(), size_t(4));
    QCOMPARE(builder.item(RulerTask::NiahMultiquery, 1500, 0, 1, {}).score.references.size(), size_t(4));
    QCOMPARE(builder.item(RulerTask::VariableTracking, 1500, 0, 1, {}).score.references.size(), size_t(5));
    QCOMPARE(builder.item(RulerTask::CommonWords, 3000, 0, 1, {}).score.references.size(), size_t(10));
    // The first needle sits at the cell's depth in the noise haystack (niah_single_1): 0% -> first line.
    const EvalItem top = builder.item(RulerTask::NiahSingle1, 1500, 0, 3, {});
    QVERIFY(top.prompt.text.find("afterwards.\nOne of the special magic numbers for ") != std::string::npos);
    QVERIFY(rw::test::error_of([&] { builder.item(RulerTask::NiahSingle1, 100, 0, 1, {}); }).contains("too short"));
    QCOMPARE(ruler_task_from_name("vt"), RulerTask::VariableTracking);
    QVERIFY(rw::test::error_of([] { ruler_task_from_name("qa_1"); }).contains("unknown RULER task 'qa_1'"));
  }

  void trainingItemsNeverCarryEvalAnswers() {
    const RulerBuilder builder(kBytes, "The lighthouse keeper counted the waves. The tide came in slowly.");
    std::set<std::string> eval_prompts;
    for (std::int64_t i = 0; i < 300; ++i) {
      const std::uint64_t eval_seed = item_seed(SeedSpace::Eval, 42, "passkey", 600, i);
      const std::uint64_t train_seed = item_seed(SeedSpace::Training, 42, "passkey", 600, i);
      QVERIFY(eval_seed != train_seed);
      const auto eval_key = std::stoll(passkey_item(kBytes, 600, 50, eval_seed).score.references.front());
      const auto train_key =
          std::stoll(passkey_item(kBytes, 600, 50, train_seed, {}, SeedSpace::Training).score.references.front());
      QVERIFY2(eval_key >= 1 && eval_key <= 50000, qPrintable(QString::number(eval_key)));
      QVERIFY2(train_key >= 50001 && train_key <= 99999, qPrintable(QString::number(train_key)));
    }
    for (const RulerTask task : {RulerTask::NiahSingle1, RulerTask::NiahMultikey2, RulerTask::VariableTracking}) {
      for (std::int64_t i = 0; i < 20; ++i) {
        const std::string name(ruler_task_name(task));
        const RulerSample eval =
            builder.sample(task, 40, 50, item_seed(SeedSpace::Eval, 7, name, 2000, i), 2000, SeedSpace::Eval);
        const RulerSample train = builder.sample(task, 40, 50, item_seed(SeedSpace::Training, 7, name, 2000, i),
                                                 2000, SeedSpace::Training);
        QVERIFY(eval.text.input != train.text.input);
        eval_prompts.insert(eval.text.input);
        QVERIFY(!eval_prompts.contains(train.text.input));
        // Answers: 7-digit numbers and 5-digit variable values for evals, 8 and 6 digits for training.
        const std::string& answer = task == RulerTask::VariableTracking ? "" : eval.references.front();
        if (!answer.empty()) {
          QCOMPARE(answer.size(), size_t{7});
          QCOMPARE(train.references.front().size(), size_t{8});
        } else {
          QVERIFY(eval.text.input.find("VAR ") != std::string::npos);
          QVERIFY(std::regex_search(eval.text.input, std::regex("= [0-9]{5}\\n")));
          QVERIFY(std::regex_search(train.text.input, std::regex("= [0-9]{6}\\n")));
        }
      }
    }
  }

  void chatFormatAppendsAnswerPrefixAfterTemplate() {
    const Prompt p = task_prompt(ChatFormat::Qwen2, "TASK", " Answer:");
    QCOMPARE(p.text, std::string("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nTASK"
                                 "<|im_end|>\n<|im_start|>assistant\n Answer:"));
    QVERIFY(!p.add_special_tokens);
    const Prompt base = task_prompt(ChatFormat::Completion, "TASK", " Answer:");
    QCOMPARE(base.text, std::string("TASK Answer:"));
    QVERIFY(base.add_special_tokens);
  }
};

QTEST_GUILESS_MAIN(TestPasskeyRuler)
#include "test_passkey_ruler.moc"
