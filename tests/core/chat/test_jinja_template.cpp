// The chat-template interpreter against transformers: real templates (the four families, SmolLM2, a
// Qwen2.5-style tools template, DeepSeek-R1-Distill) over many conversations must render character for
// character what apply_chat_template renders, and throw where it raises; a table of small templates covers
// each construct, with expected output from transformers' own Jinja environment (tokenizer_oracle.py jinja);
// unsupported constructs and broken templates must be refused with the file and line.
#include <QTemporaryDir>
#include <QtTest>

#include "rw/core/chat/jinja_template.h"
#include "rw/core/util/error.h"
#include "chat_conversations.h"
#include "tokenizer_parity.h"

using namespace rw::test::tokenizer;
using rw::core::ChatMessage;
using rw::core::ChatTemplateContext;
using rw::core::JinjaChatTemplate;

namespace {

using rw::test::chat::Conversation;

// The family-template conversations plus the cases only a general interpreter meets.
const std::vector<Conversation>& conversations() {
  static const std::vector<Conversation> list = [] {
    std::vector<Conversation> all = rw::test::chat::base_conversations();
    const std::vector<Conversation> more = {
      {"empty", {}},
      {"system_only", {{"system", "Only a system prompt."}}},
      {"whitespace_only", {{"system", " \n\t "}, {"user", "\u3000\u2028"}, {"assistant", "   "}, {"user", "\n"}}},
      {"template_syntax_in_content",
       {{"user", "{{ x }} {% if %} {# c #} 'quotes' \"double\" \\backslash\\n"}, {"assistant", "</think>only this"}}},
      {"think_split", {{"user", "q"}, {"assistant", "<think>hidden</think>\n\nshown"}, {"user", "again"}}},
      {"long_multi_turn",
       {{"user", "1"}, {"assistant", "2"}, {"user", "3"}, {"assistant", "4"}, {"user", "5"}, {"assistant", "6"},
        {"user", "7"}}},
      {"tool_role", {{"user", "weather?"}, {"tool", "{\"temp\": 21}"}, {"tool", "sunny"}, {"user", "thanks"}}},
    };
    all.insert(all.end(), more.begin(), more.end());
    return all;
  }();
  return list;
}

struct TemplateSpec {
  const char* name;  // key in the oracle's templates
  const char* bos;   // nullptr: the tokenizer has none
  const char* eos;
};
const TemplateSpec kTemplates[] = {
    {"llama2", "<s>", "</s>"},
    {"llama3", "<|begin_of_text|>", "<|end_of_text|>"},
    {"mistral", "<s>", "</s>"},
    {"qwen2", nullptr, "<|im_end|>"},
    {"smollm2", "<|im_start|>", "<|im_end|>"},
    {"qwen25", nullptr, "<|im_end|>"},
    {"deepseek_r1_distill", "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cend\u2581of\u2581sentence\uff5c>"},
};

// Tool schemas as transformers passes them (a JSON list), for the templates that list tools.
const char* const kTools =
    R"([{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city, \"now\" — °C",)"
    R"( "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer",)"
    R"( "default": 1}}, "required": ["city"]}, "return": {"type": "number"}}},)"
    R"( {"type": "function", "function": {"name": "noop", "description": "", "parameters": {}}}])";

struct ParityCase {
  size_t spec;
  size_t conversation;
  bool add_generation_prompt;
  bool with_tools;
};

std::vector<ParityCase> parity_cases() {
  std::vector<ParityCase> cases;
  for (size_t t = 0; t < std::size(kTemplates); ++t) {
    const std::string name = kTemplates[t].name;
    const bool lists_tools = name == "mistral" || name == "qwen25";
    for (size_t c = 0; c < conversations().size(); ++c)
      for (bool gen : {false, true})
        for (bool tools : {false, true})
          if (!tools || lists_tools) cases.push_back({t, c, gen, tools});
  }
  return cases;
}

// Small templates, one construct each; variables are JSON.
struct ConstructCase {
  const char* name;
  const char* source;
  const char* variables;
};
const ConstructCase kConstructs[] = {
    {"text_only", "plain text\nline two\n", "{}"},
    {"trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter", "{}"},
    {"lstrip_blocks", "a\n    {% if true %}\n    b\n    {% endif %}\n  {# note #}\nc", "{}"},
    {"lstrip_not_for_output", "x\n    {{ 'v' }}\n", "{}"},
    {"minus_strips", "a   \n  {%- if true -%}  \n  b  {{- ' c ' -}}  \n d {#- c -#}  e {%- endif %}\n f", "{}"},
    {"plus_keeps", "a\n    {%+ if true +%}\nb{% endif %}", "{}"},
    {"comment_trim", "{# a comment #}\nx{#- b -#}\n y", "{}"},
    {"raw", "{% raw %}{{ not evaluated }}{% endraw %}\nz", "{}"},
    {"crlf_and_trailing_newline", "a\r\nb\r{% if true %}\r\nc{% endif %}\n", "{}"},
    {"literals", "{{ 1 }} {{ -2 }} {{ 1.5 }} {{ 2.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ true }} {{ False }} {{ none }} {{ 'a' \"b\" }}", "{}"},
    {"string_escapes", R"({{ 'tab\there\nnl \'q\' \"d\" \\ \x41\u00e9\U0001F600 \d' }})", "{}"},
    {"list_and_dict_printing", "{{ [1, 'a', \"it's\", none, true, 1.5, {'k': [2]}] }} {{ {'a': 1, 'b': 'x'} }}", "{}"},
    {"arithmetic", "{{ 7 + 3 }} {{ 7 - 10 }} {{ 7 * 3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ true + 1 }}", "{}"},
    {"precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'a' ~ 1 + 2 ~ 'b' }} {{ -x|abs }} {{ not true or true }} {{ 2 ** 3 ** 2 }}", R"({"x": 3})"},
    {"concat_tilde", "{{ 'n=' ~ 5 ~ none ~ true ~ undefined_name }}", "{}"},
    {"comparisons", "{{ 1 < 2 }} {{ 2 <= 1 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 1 != 'a' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ [1,2] == [1,2] }} {{ {'a':1} == {'a':1} }} {{ none == none }}", "{}"},
    {"and_or_values", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }}| {{ none or [] }}", "{}"},
    {"membership", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ 'z' in undefined_name }}", "{}"},
    {"conditional_expression", "{{ 'yes' if x else 'no' }} {{ 'yes' if not x else 'no' }} [{{ 'only' if false }}]", R"({"x": 1})"},
    {"attribute_and_subscript", "{{ m.role }} {{ m['content'] }} {{ xs[0] }} {{ xs[-1] }} {{ xs.1 }} {{ m.missing }}|{{ m['missing'] }}|{{ xs[9] }}|", R"({"m": {"role": "user", "content": "hi"}, "xs": [10, 20, 30]})"},
    {"slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[5:] }} {{ s[1:3] }} {{ s[::-1] }} {{ s[-2:] }}", R"({"xs": [1, 2, 3, 4], "s": "héllo"})"},
    {"for_loop_variables", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", R"({"xs": ["a", "b", "c"]})"},
    {"for_previtem_cycle", "{% for x in xs %}{{ loop.previtem }}>{{ x }}>{{ loop.nextitem }} {{ loop.cycle('o', 'e') }};{% endfor %}", R"({"xs": [1, 2, 3]})"},
    {"for_if_filter", "{% for x in xs if x > 1 %}{{ x }}:{{ loop.index }}/{{ loop.length }}{{ '.' if loop.last }} {% endfor %}", R"({"xs": [1, 2, 3, 0, 5]})"},
    {"for_else", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %} {% for x in xs %}{{ x }}{% else %}never{% endfor %}", R"({"xs": [1]})"},
    {"for_dict_and_unpacking", "{% for k in d %}{{ k }}{% endfor %} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}", R"({"d": {"z": 1, "a": 2}})"},
    {"for_string", "{% for c in 'héy' %}[{{ c }}]{% endfor %}", "{}"},
    {"break_continue", "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", R"({"xs": [1, 2, 3, 4, 5]})"},
    {"nested_loops", "{% for a in [1, 2] %}{% for b in ['x', 'y'] %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}", "{}"},
    {"if_elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %} {% endfor %}", "{}"},
    {"set_scoping", "{% set x = 1 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}{{ x }}{% if true %}{% set y = 5 %}{% endif %}{{ y }}", "{}"},
    {"set_in_loop_resets", "{% for i in [1, 2] %}{% if i == 2 %}[{{ x }}]{% endif %}{% set x = i %}{% endfor %}", "{}"},
    {"set_tuple_and_block", "{% set a, b = [1, 2] %}{{ b }}{{ a }} {% set block %}  inner {{ a }}  {% endset %}[{{ block }}]", "{}"},
    {"namespace", "{% set ns = namespace(count=0, seen=none) %}{% for x in xs %}{% set ns.count = ns.count + x %}{% set ns.last = x %}{% endfor %}{{ ns.count }} {{ ns.last }} {{ ns.seen }}", R"({"xs": [1, 2, 3]})"},
    {"namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}", "{}"},
    {"dict_global", "{% set d = dict(a=1, b='x') %}{{ d.a }}{{ d['b'] }} {{ d|tojson }}", "{}"},
    {"generation_block", "a{% generation %}gen {{ 1 }}{% endgeneration %}b", "{}"},
    {"range", "{% for i in range(3) %}{{ i }}{% endfor %} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|join(',') }} {{ (1, 'a') }} {{ (1,) }}", "{}"},
    {"undefined_semantics", "[{{ nothing }}] {{ nothing is defined }} {{ nothing is not defined }} {{ nothing|length }} {{ not nothing }} {{ nothing == nothing }} {% for x in nothing %}x{% endfor %}{% if nothing %}t{% else %}f{% endif %}", "{}"},
    {"undefined_attribute_raises", "{{ nothing.attr }}", "{}"},
    {"undefined_plus_raises", "{{ nothing + 'a' }}", "{}"},
    {"missing_key_then_attribute_raises", "{{ m.a.b }}", R"({"m": {}})"},
    {"raise_exception", "before{{ raise_exception('Custom failure: ' ~ 42) }}", "{}"},
    {"type_error_raises", "{{ 'a' + 1 }}", "{}"},
    {"filter_trim", "[{{ '  a b \n'|trim }}] [{{ 'xxaxx'|trim('x') }}] [{{ '\u3000a\u00a0'|trim }}]", "{}"},
    {"filter_case", "{{ 'hello WORLD'|upper }} {{ 'Hello'|lower }} {{ 'hello wORLD'|capitalize }} {{ 'hello-world (x) foo_bar'|title }} {{ 'straße'|upper }}", "{}"},
    {"filter_replace_join", "{{ 'a-b-c'|replace('-', '+') }} {{ 'a-b-c'|replace('-', '', 1) }} {{ [1, 'x', none]|join(', ') }} {{ ['a', 'b']|join }} {{ users|join('/', attribute='name') }}", R"({"users": [{"name": "ann"}, {"name": "bob"}]})"},
    {"filter_first_last_length", "{{ xs|first }} {{ xs|last }} {{ xs|length }} {{ 'héllo'|length }} {{ d|length }} {{ 'abc'|last }} {{ xs|count }} {{ xs|reverse|list }}", R"({"xs": [3, 4, 5], "d": {"a": 1}})"},
    {"filter_default", "{{ nothing|default('dflt') }} {{ ''|default('dflt') }} {{ ''|default('dflt', true) }} {{ none|d('x', boolean=true) }} {{ 0|default(5) }}", "{}"},
    {"filter_string_int_float", "{{ 5|string ~ 'x' }} {{ '42'|int + 1 }} {{ ' 7 '|int }} {{ '3.9'|int }} {{ 'abc'|int }} {{ 'abc'|int(9) }} {{ 2.7|int }} {{ '2.5'|float }} {{ true|int }}", "{}"},
    {"filter_tojson", "{{ v|tojson }}\n{{ v|tojson(indent=2) }}\n{{ v|tojson(separators=(',', ':'), sort_keys=true) }}\n{{ 'é\"\n'|tojson }} {{ 'é😀'|tojson(ensure_ascii=true) }} {{ 1.0|tojson }} {{ none|tojson }} {{ []|tojson(indent=4) }}", R"({"v": {"b": [1, 2.5, true, null, "x"], "a": {"nested": "ü\t"}, "e": {}}})"},
    {"filter_items_list", "{{ d|items|list }} {{ 'ab'|list }} {{ d|list }}", R"({"d": {"a": 1, "b": 2}})"},
    {"filter_selectattr", "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ ms|rejectattr('role', 'eq', 'user')|list|length }} {{ ms|selectattr('extra')|list|length }} {{ ms|selectattr('extra', 'defined')|map(attribute='extra')|join }}", R"({"ms": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "extra": "E"}, {"role": "user", "content": "c"}]})"},
    {"filter_select_map", "{{ xs|select('odd')|list }} {{ xs|reject('even')|list }} {{ ['a', 'B']|map('upper')|list }} {{ ms|map(attribute='x', default='-')|list }}", R"({"xs": [1, 2, 3, 4], "ms": [{"x": 1}, {}]})"},
    {"filter_indent", "[{{ 'a\nb\n\nc'|indent }}] [{{ 'a\nb'|indent(2, true) }}] [{{ 'a\n\nb'|indent(width='> ', blank=true) }}]", "{}"},
    {"tests", "{{ 'a' is string }} {{ 1 is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 'x' is sequence }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ none is none }} {{ 0 is none }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 'a' is equalto 'a' }} {{ 2 is eq(2) }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ range is callable }} {{ 2 is in [1, 2] }} {{ 'ab' is lower }} {{ 3 is gt 2 }}", "{}"},
    {"string_methods", "[{{ s.strip() }}] [{{ s.lstrip() }}] [{{ s.rstrip() }}] [{{ 'xxaxx'.strip('x') }}] [{{ 'xya'.lstrip('yx') }}] [{{ 'a, b,c'.split(',') }}] [{{ ' a  b '.split() }}] [{{ 'a b c'.split(' ', 1) }}] {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'aB'.upper() }}{{ 'aB'.lower() }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'hello world'.title() }} {{ s.strip().capitalize() }}", R"({"s": " \u3000 hi there \n"})"},
    {"dict_methods", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d['items'] is defined }}", R"({"d": {"a": 1, "b": [2]}})"},
    {"messages_and_flags", "{% for m in messages %}{{ m.role }}:{{ m['content'] }};{% endfor %}{{ add_generation_prompt }} {{ tools }} {{ documents is none }}", R"({"messages": [{"role": "user", "content": "x"}], "add_generation_prompt": true})"},
};

struct RefusalCase {
  const char* name;
  const char* source;
  int line;
  const char* needle;  // the construct or cause the message must name
};
const RefusalCase kRefusals[] = {
    {"macro", "ok\n{% macro greet(x) %}hi{% endmacro %}", 2, "'{% macro %}' is not supported"},
    {"include", "{% include 'other.jinja' %}", 1, "'{% include %}' is not supported"},
    {"extends", "\n\n{% extends 'base.jinja' %}", 3, "'{% extends %}' is not supported"},
    {"call", "{% call foo() %}x{% endcall %}", 1, "'{% call %}' is not supported"},
    {"import", "{% import 'm.jinja' as m %}", 1, "'{% import %}' is not supported"},
    {"filter_block", "a\n{% filter upper %}x{% endfilter %}", 2, "'{% filter %}' is not supported"},
    {"unknown_filter", "{{ 'a' }}\n{{ x|frobnicate }}", 2, "filter 'frobnicate'"},
    {"unknown_test", "{% if x is frobnicated %}{% endif %}", 1, "test 'frobnicated'"},
    {"unknown_tag", "\n{% frob %}", 2, "'{% frob %}'"},
    {"recursive_loop", "{% for x in xs recursive %}{% endfor %}", 1, "recursive"},
    {"unterminated_output", "line1\n{{ x ", 2, "unterminated '{{'"},
    {"unterminated_block", "{% if x %}a\n{% endif", 2, "unterminated '{%'"},
    {"unterminated_comment", "a\n\n{# never closed", 3, "unterminated comment"},
    {"unterminated_string", "{{ 'abc }}", 1, "unterminated string"},
    {"unclosed_for", "x\n{% for m in messages %}\n{{ m }}", 2, "'{% for %}' is not closed"},
    {"unclosed_if", "{% if a %}\n{% for m in messages %}{% endfor %}", 1, "'{% if %}' is not closed"},
    {"stray_endfor", "a\n{% endfor %}", 2, "'{% endfor %}'"},
    {"endif_closing_for", "{% for m in messages %}\n{% endif %}", 2, "'{% endif %}' inside '{% for %}'"},
    {"break_outside_loop", "{% break %}", 1, "outside a for loop"},
    {"bad_expression", "{{ 1 + }}", 1, "unexpected '}}'"},
    {"unbalanced_bracket", "{{ (1 + 2 }}", 1, "unexpected '}'"},
};

}  // namespace

class TestJinjaTemplate : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QJsonObject templates_;
  QJsonArray parity_expected_, construct_expected_;

  ChatTemplateContext context(const ParityCase& c) const {
    ChatTemplateContext ctx;
    ctx.messages = conversations()[c.conversation].messages;
    ctx.add_generation_prompt = c.add_generation_prompt;
    const TemplateSpec& spec = kTemplates[c.spec];
    if (spec.bos) ctx.bos_token = spec.bos;
    if (spec.eos) ctx.eos_token = spec.eos;
    if (c.with_tools) ctx.json_variables["tools"] = kTools;
    return ctx;
  }

  QJsonArray run_oracle_cases(const QString& command, const QJsonArray& cases) {
    write_json(tmp_.filePath(command + "_cases.json"), QJsonDocument(cases));
    const QString error = run_tokenizer_oracle(
        {command, "--cases", tmp_.filePath(command + "_cases.json"), "--out", tmp_.filePath(command + "_out.json")});
    if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
    return read_json(tmp_.filePath(command + "_out.json")).array();
  }

  /// Renders and compares with the oracle's text, or expects an Error (with the template's message when it
  /// called raise_exception).
  static void check(const std::string& source, const std::string& origin, const ChatTemplateContext& ctx,
                    const QJsonObject& want) {
    if (want.contains("error")) {
      try {
        const std::string text = JinjaChatTemplate::parse(source, origin).render(ctx);
        QFAIL(qPrintable("transformers raised (" + want["error"].toString() + ") but we rendered: " + qs(text)));
      } catch (const rw::core::Error& e) {
        if (want["error"].toString().startsWith("TemplateError"))
          QVERIFY2(qs(e.what()).contains(want["message"].toString()), e.what());
        QVERIFY2(qs(e.what()).startsWith(qs(origin + ":")), e.what());
      }
      return;
    }
    try {
      QCOMPARE(qs(JinjaChatTemplate::parse(source, origin).render(ctx)), want["text"].toString());
    } catch (const rw::core::Error& e) {
      QFAIL(qPrintable("transformers rendered " + want["text"].toString() + " but we failed: " + e.what()));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    const QString error = run_tokenizer_oracle({"templates", "--out", tmp_.filePath("templates.json")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    templates_ = read_json(tmp_.filePath("templates.json")).object();
    for (const auto& spec : kTemplates) QVERIFY2(templates_.contains(spec.name), spec.name);

    QJsonArray cases;
    for (const auto& c : parity_cases()) {
      const ChatTemplateContext ctx = context(c);
      QJsonArray messages;
      for (const auto& m : ctx.messages) messages.append(QJsonObject{{"role", qs(m.role)}, {"content", qs(m.content)}});
      QJsonObject json{{"template", templates_[kTemplates[c.spec].name]},
                       {"messages", messages},
                       {"add_generation_prompt", c.add_generation_prompt}};
      if (ctx.bos_token) json["bos_token"] = qs(*ctx.bos_token);
      if (ctx.eos_token) json["eos_token"] = qs(*ctx.eos_token);
      if (c.with_tools) json["tools"] = QString::fromUtf8(kTools);
      cases.append(json);
    }
    parity_expected_ = run_oracle_cases("chat", cases);
    QCOMPARE(parity_expected_.size(), cases.size());

    QJsonArray constructs;
    for (const auto& c : kConstructs) {
      const QJsonDocument variables = QJsonDocument::fromJson(c.variables);
      QVERIFY2(variables.isObject(), c.name);
      constructs.append(QJsonObject{{"template", QString::fromUtf8(c.source)}, {"variables", variables.object()}});
    }
    construct_expected_ = run_oracle_cases("jinja", constructs);
    QCOMPARE(construct_expected_.size(), constructs.size());
  }

  void matchesTransformers_data() {
    QTest::addColumn<int>("index");
    const auto cases = parity_cases();
    for (size_t i = 0; i < cases.size(); ++i) {
      const auto& c = cases[i];
      QTest::newRow(qPrintable(QStringLiteral("%1/%2/%3%4")
                                   .arg(kTemplates[c.spec].name, conversations()[c.conversation].name,
                                        c.add_generation_prompt ? "gen" : "nogen", c.with_tools ? "/tools" : "")))
          << static_cast<int>(i);
    }
  }

  void matchesTransformers() {
    QFETCH(int, index);
    const ParityCase c = parity_cases()[static_cast<size_t>(index)];
    const std::string name = kTemplates[c.spec].name;
    check(templates_[qs(name)].toString().toStdString(), name + ".jinja", context(c), parity_expected_[index].toObject());
  }

  // Both outcomes must occur, or one path is untested; raise_exception must be among the errors.
  void parityCoversErrorsAndRenders() {
    int errors = 0, raised = 0;
    for (const auto& v : parity_expected_) {
      errors += v.toObject().contains("error") ? 1 : 0;
      raised += v.toObject()["error"].toString().startsWith("TemplateError") ? 1 : 0;
    }
    QVERIFY(raised > 0);
    QVERIFY(errors < parity_expected_.size() / 2);
  }

  void constructs_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < std::size(kConstructs); ++i) QTest::newRow(kConstructs[i].name) << static_cast<int>(i);
  }

  void constructs() {
    QFETCH(int, index);
    const ConstructCase& c = kConstructs[index];
    ChatTemplateContext ctx;
    ctx.messages = {{"user", "x"}};  // the oracle's default conversation; a case may replace it
    const QJsonObject variables = QJsonDocument::fromJson(c.variables).object();
    for (auto it = variables.begin(); it != variables.end(); ++it) {  // "[value]" without its brackets
      const std::string wrapped = QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact).toStdString();
      ctx.json_variables[it.key().toStdString()] = wrapped.substr(1, wrapped.size() - 2);
    }
    check(c.source, std::string(c.name) + ".jinja", ctx, construct_expected_[index].toObject());
  }

  void refusals_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < std::size(kRefusals); ++i) QTest::newRow(kRefusals[i].name) << static_cast<int>(i);
  }

  void refusals() {
    QFETCH(int, index);
    const RefusalCase& c = kRefusals[index];
    try {
      JinjaChatTemplate::parse(c.source, "chat_template.jinja");
      QFAIL("parsed without an error");
    } catch (const rw::core::Error& e) {
      const QString message = qs(e.what());
      QVERIFY2(message.startsWith(QStringLiteral("chat_template.jinja:%1: ").arg(c.line)), e.what());
      QVERIFY2(message.contains(QString::fromUtf8(c.needle)), e.what());
    }
  }

  void renderIsRepeatable() {
    const auto t = JinjaChatTemplate::parse(templates_["smollm2"].toString().toStdString(), "smollm2.jinja");
    ChatTemplateContext ctx;
    ctx.messages = {{"user", "hi"}};
    ctx.add_generation_prompt = true;
    const std::string first = t.render(ctx);
    QCOMPARE(t.render(ctx), first);
    ctx.add_generation_prompt = false;
    QVERIFY(t.render(ctx) != first);
  }

  // transformers renders today's date here; Ropewalk refuses rather than depend on the clock.
  void strftimeNowIsRefused() {
    const auto t = JinjaChatTemplate::parse("a\n{{ strftime_now('%d %b %Y') }}", "t.jinja");
    ChatTemplateContext ctx;
    ctx.messages = {{"user", "x"}};
    try {
      t.render(ctx);
      QFAIL("rendered strftime_now()");
    } catch (const rw::core::Error& e) {
      QVERIFY2(qs(e.what()).startsWith("t.jinja:2: strftime_now() is not supported"), e.what());
    }
  }

  void badJsonVariableIsNamed() {
    const auto t = JinjaChatTemplate::parse("{{ tools }}", "t.jinja");
    ChatTemplateContext ctx;
    ctx.messages = {{"user", "x"}};
    ctx.json_variables["tools"] = "[1,";
    try {
      t.render(ctx);
      QFAIL("rendered with invalid JSON");
    } catch (const rw::core::Error& e) {
      QVERIFY2(qs(e.what()).contains("'tools'"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestJinjaTemplate)
#include "test_jinja_template.moc"
