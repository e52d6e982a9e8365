"""The one registry of diagnostic codes, and the message templates keyed by them.

Every problem or fact qzdsl reports — a syntax error, a failed check, a bad case file, a
policy test that cannot run, an audit finding — carries one of these codes. A code never
changes meaning: CI configurations, SARIF baselines and the docs refer to it.

    QZ0xx  reading files           QZ4xx  case files
    QZ1xx  names and declarations  QZ5xx  policy test files
    QZ2xx  types and values        QZA0xx audit findings
    QZ3xx  the encoding against the official text (checked by `check`, repeated by `audit`)

`MESSAGES` holds the sentences, one template per key and language; a key is a code, or
`CODE.variant` where one code has several sentences, `hint.*` for the hints, or `syntax.*`
for the grammar's words a syntax error lists as expected. Templates take the diagnostic's
arguments by name (`str.format`). An argument worded in the reader's language is itself a
`diagnostics.Text` (a key here), or a `diagnostics.Word` (a label of the wording layer: a
type, a cadence, a unit of time). A diagnostic whose key has no template carries its own
English text (argument `message`); that is the fallback while messages are moved into
templates, never a second registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """INFO < WARNING < ERROR."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Code:
    code: str
    name: str  # a PascalCase identifier (SARIF's rule name)
    severity: Severity  # the default; a diagnostic may carry its own
    title_en: str
    title_zh: str
    description: str = ""  # a longer English description, where the title is not enough

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def full_description(self) -> str:
        return self.description or self.title_en

    @property
    def family(self) -> str:
        """Which stage reports it: read, check, encoding, case, test or audit."""
        if self.code.startswith("QZA"):
            return "audit"
        return {"0": "read", "1": "check", "2": "check", "3": "encoding", "4": "case", "5": "test"}[self.code[2]]


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

_TABLE: tuple[Code, ...] = (
    Code("QZ001", "SyntaxError", _E, "syntax error", "语法错误"),
    Code("QZ002", "UnexpectedCharacter", _E, "unexpected character", "无法识别的字符"),
    Code("QZ003", "UnexpectedEndOfFile", _E, "unexpected end of file", "文件意外结束"),
    Code("QZ010", "CannotReadFile", _E, "cannot read file", "无法读取文件"),
    Code("QZ011", "ImportCycle", _E, "import cycle", "循环导入"),
    Code("QZ101", "UndefinedName", _E, "undefined name", "未定义的名称"),
    Code("QZ102", "DuplicateName", _E, "duplicate name", "名称重复"),
    Code("QZ103", "UnknownSection", _E, "unknown section", "未知的章节"),
    Code("QZ104", "UnknownApplicantKind", _E, "unknown applicant kind", "未知的申请人类别"),
    Code("QZ105", "UnknownEnumerationMember", _E, "unknown enumeration member", "未知的枚举值"),
    Code("QZ106", "PropertyNotAllowedHere", _E, "property not allowed here", "此处不允许该属性"),
    Code("QZ107", "DuplicateProperty", _E, "duplicate property", "属性重复"),
    Code("QZ108", "MissingProperty", _E, "missing property", "缺少属性"),
    Code("QZ109", "UnknownKeywordValue", _E, "unknown keyword value", "未知的关键字取值"),
    Code("QZ110", "MissingPolicyHeader", _E, "missing policy header", "缺少政策文件头"),
    Code("QZ111", "DeclarationWithoutALabel", _W, "declaration without a label", "声明缺少标签"),
    Code("QZ112", "AmendmentWithoutTarget", _E, "amendment names nothing to amend", "修订对象不存在"),
    Code("QZ113", "LabelWithoutEnglish", _W, "label without English words", "标签缺少英文",
         "a label, section title or question has no English words (checked with --lang en)"),
    Code("QZ114", "ReadingWithoutEnglish", _W, "note or reading without English words", "注释或解读缺少英文",
         "a note, an ambiguity's question or its recorded reading has no English words (checked with --english)"),
    Code("QZ201", "TypeError", _E, "type error", "类型错误"),
    Code("QZ202", "MixedPeriods", _E, "mixed periods", "期间不一致"),
    Code("QZ203", "InvalidAmount", _E, "invalid amount", "金额无效"),
    Code("QZ204", "InvalidDate", _E, "invalid date", "日期无效"),
    Code("QZ205", "CycleAmongDefinitions", _E, "cycle among definitions", "定义之间循环引用"),
    Code("QZ206", "InvalidDuration", _E, "invalid duration", "期限无效"),
    Code("QZ207", "FactOfAnotherApplicantKind", _E, "fact of another applicant kind", "事实属于其他申请人类别"),
    Code("QZ208", "DefinitionsNestedTooDeeply", _E, "definitions nested too deeply", "定义嵌套过深"),
    Code("QZ209", "AsOfInContinuingCondition", _E, "as_of in a continuing condition", "持续条件中使用了评估日期",
         "A continuing condition ('while') is judged period by period, on the facts in effect in each "
         "period; the evaluation date (as_of) is not a period's date, so it cannot be read there."),
    Code("QZ301", "QuoteNotInSource", _E, "quote not in source", "引文不在原文中"),
    Code("QZ302", "QuoteOutsideItsSection", _W, "quote outside its section", "引文不在所属章节"),
    Code("QZ303", "AmountNotInQuote", _E, "amount not in quote", "金额不在引文中"),
    Code("QZ304", "UncoveredSourceSentence", _W, "uncovered source sentence", "原文句子未被编码"),
    Code("QZ305", "AmountOfACitedSentenceNotEncoded", _W, "amount of a cited sentence not encoded",
         "引用句子的金额未编码"),
    Code("QZ306", "MissingCitation", _E, "missing citation", "缺少引文"),
    Code("QZ307", "SourceTextUnavailable", _W, "source text unavailable", "原文不可用"),
    Code("QZ401", "MalformedCaseFile", _E, "malformed case file", "案例文件格式错误"),
    Code("QZ402", "UnknownFact", _E, "unknown fact", "未知的事实"),
    Code("QZ403", "WrongFactType", _E, "wrong fact type", "事实类型不符"),
    Code("QZ404", "InvalidDateInCase", _E, "invalid date in case", "案例中的日期无效"),
    Code("QZ405", "UnknownApplicantKindInCase", _E, "unknown applicant kind in case", "案例中的申请人类别未知"),
    Code("QZ406", "FactNotAskedOfThisApplicantKind", _E, "fact not asked of this applicant kind",
         "该申请人类别无需此事实"),
    Code("QZ501", "MalformedTestFile", _E, "malformed test file", "测试文件格式错误"),
    Code("QZ502", "UnknownClauseInATest", _E, "unknown clause in a test", "测试中的条款未知"),
    Code("QZ503", "UnknownStatusInATest", _E, "unknown status in a test", "测试中的状态未知"),
    Code("QZ504", "InvalidAmountInATest", _E, "invalid amount in a test", "测试中的金额无效"),
    Code("QZ505", "CaseFileOfATestNotFound", _E, "case file of a test not found", "找不到测试的案例文件"),
    Code("QZ506", "ClauseNotOfTheTestsApplicantKind", _E, "clause not of the test's applicant kind",
         "条款不属于测试的申请人类别"),
    Code("QZ507", "TestWithoutAnEvaluationDate", _E, "test without an evaluation date", "测试缺少评估日期"),
    Code("QZ508", "DuplicateTestName", _E, "duplicate test name", "测试名称重复"),
    Code("QZA001", "PossibleDoublePayment", _E, "possible double payment", "可能重复发放",
         "two clauses can pay one applicant for the same need and no resolution is declared"),
    Code("QZA002", "OverlapResolvedByExclusion", _I, "one paid, most favourable", "按从优原则择一发放",
         "overlap resolved by 从优、从高、不重复: only the more favourable clause is paid"),
    Code("QZA003", "OverlapDeclaredStackable", _I, "declared cumulative", "声明可叠加",
         "overlap declared cumulative (stackable): both are paid"),
    Code("QZA004", "ProvenDisjoint", _I, "proven disjoint", "已证明不会同时适用",
         "related clauses proven never to apply together"),
    Code("QZA005", "DominatedClause", _W, "dominated clause (never paid)", "条款被支配（永不发放）",
         "whenever the clause applies a conflicting one pays at least as much: it is never paid"),
    Code("QZA006", "ClauseNeverApplies", _E, "clause never applies", "条款永远不能适用",
         "the clause can never apply"),
    Code("QZA007", "ExistingRuleDependency", _I, "amount left to existing rules", "金额依赖现行或实施规定",
         "the amount is left to existing or implementing rules"),
    Code("QZA008", "DiscretionaryAmount", _I, "discretionary amount", "裁量性金额",
         "the amount or the grant is discretionary"),
    Code("QZA009", "RecordedAmbiguity", _W, "recorded ambiguity", "记录的歧义",
         "the encoding records an ambiguity of the text"),
    Code("QZA010", "DurationOutrunsTrial", _W, "duration outruns the trial", "期限超出试行期",
         "the maximum duration outruns the section's trial"),
    Code("QZA011", "Undecided", _W, "solver undecided", "求解器未能判定",
         "the solver could not decide a question"),
)

CODES: dict[str, Code] = {code.code: code for code in _TABLE}

# The codes the audit reports: its own findings and the encoding checks it repeats, in
# id order (SARIF's `rules` array; a rule's index is as stable as its id).
AUDIT_CODES: tuple[str, ...] = tuple(sorted(c for c in CODES if c.startswith("QZA"))) + tuple(
    c for c in CODES if CODES[c].family == "encoding")


# Message templates: key -> language -> template. See the module docstring.
MESSAGES: dict[str, dict[str, str]] = {
    # ---- the line `qzdsl check` ends a file with ----
    "summary.check": {"en": "{file}: {errors} error(s), {warnings} warning(s)", "zh": "{file}：{errors} 个错误，{warnings} 个警告"},
    # ---- hints ----
    "hint.did_you_mean": {"en": "did you mean '{name}'?", "zh": "是否指“{name}”？"},
    "hint.looked_for": {"en": "the path is relative to the test file; looked for {path}",
                        "zh": "路径相对于测试文件；查找的是 {path}"},
    "hint.takes": {"en": "a {keyword} takes: {words}", "zh": "{keyword} 可用的属性：{words}"},
    "hint.declare_kind": {"en": "declare it: kind {name} \"…\"", "zh": "请先声明：kind {name} \"…\""},
    "hint.principles": {"en": "known: most_favourable (从优、从高、不重复)", "zh": "可用：most_favourable（从优、从高、不重复）"},
    "hint.after_trial": {"en": "use 'stop' or 'continue'", "zh": "请用 stop 或 continue"},
    "hint.under_section": {"en": "put it after a section heading: section \"二（十）\" \"…\"",
                           "zh": "请放在章节标题之后：section \"二（十）\" \"…\""},
    "hint.values": {"en": "the values are: {values}", "zh": "可取的值：{values}"},
    # ---- the grammar's words in a syntax error ("expected …") ----
    "syntax.name": {"en": "a name", "zh": "名称"},
    "syntax.string": {"en": 'a "string"', "zh": '带引号的文字（"…"）'},
    "syntax.date": {"en": "a date (YYYY-MM-DD)", "zh": "日期（YYYY-MM-DD）"},
    "syntax.int": {"en": "a whole number", "zh": "整数"},
    "syntax.number": {"en": "a number", "zh": "数字"},
    "syntax.percent": {"en": "a percentage", "zh": "百分数"},
    "syntax.period_unit": {"en": "years, months or days", "zh": "years、months 或 days（年、月、日）"},
    "syntax.cmp_op": {"en": "a comparison (==, !=, <, <=, >, >=)", "zh": "比较符（==、!=、<、<=、>、>=）"},
    "syntax.add_op": {"en": "'+' or '-'", "zh": "“+”或“-”"},
    "syntax.base_type": {"en": "a type (bool, count, money, date, enum)", "zh": "类型（bool、count、money、date、enum）"},
    "syntax.clause_kind": {"en": "a clause keyword", "zh": "条款关键字（benefit、entitlement、reference、equivalence）"},
    "syntax.end": {"en": "end of file", "zh": "文件结尾"},
    "syntax.keyword": {"en": "'{word}'", "zh": "“{word}”"},
    "syntax.property": {"en": "a property", "zh": "属性"},
    "syntax.property_or_declaration": {"en": "a property or the next declaration", "zh": "属性或下一个声明"},
    # ---- syntax errors ----
    "QZ001.unexpected": {"en": "unexpected '{token}'; expected {expected}", "zh": "不应出现“{token}”；此处应为{expected}"},
    "QZ001.glued": {"en": "unexpected '{word}': the keyword '{keyword}' runs into the word after it",
                    "zh": "无法识别“{word}”：关键字“{keyword}”与其后的词连在了一起"},
    "hint.glued": {"en": "put a space after it: '{keyword} {rest}'", "zh": "请在关键字后加一个空格：“{keyword} {rest}”"},
    "QZ001.too_deep": {"en": "this expression nests more than {limit} levels deep", "zh": "此表达式嵌套超过 {limit} 层"},
    "hint.split_definitions": {"en": "split it into definitions", "zh": "请拆分为若干定义（define）"},
    "QZ001.malformed": {"en": "malformed value in '{rule}'", "zh": "“{rule}”中的值无法读取"},
    "QZ001.unreadable": {"en": "cannot read this {rule}: {reason}", "zh": "无法读取此处的 {rule}：{reason}"},
    "hint.missing_comma": {"en": "properties are separated by ','; is one missing before this?",
                           "zh": "属性之间用“,”分隔；此处之前是否漏了一个“,”？"},
    "hint.missing_colon": {"en": "a declaration's name (and label) is followed by ':'",
                           "zh": "声明的名称（及标签）之后应有“:”"},
    "hint.digits": {"en": "write amounts in digits: 4500, 2万, 10亿 (元 may follow)",
                    "zh": "金额请用阿拉伯数字书写：4500、2万、10亿（其后可加“元”）"},
    "hint.keyword_here": {"en": "'{word}' is a keyword here", "zh": "“{word}”在此处是关键字"},
    "QZ002": {"en": "unexpected character {char!r}", "zh": "无法识别的字符「{char}」"},
    "QZ002.unterminated": {"en": "unterminated string", "zh": "文字缺少结束的引号"},
    "hint.close_string": {"en": 'close the string with " on the same line', "zh": '请在同一行内用 " 结束这段文字'},
    "hint.ascii_quotes": {"en": 'strings are written in ASCII quotes: "…"; Chinese quotes may appear inside them',
                          "zh": '文字须用英文半角引号括起："…"；中文引号可以写在其中'},
    "QZ003": {"en": "unexpected end of file; expected {expected}", "zh": "文件意外结束；此处应为{expected}"},
    "QZ003.declaration": {"en": "unexpected end of declaration; expected {expected}",
                          "zh": "声明意外结束；此处应为{expected}"},
    "hint.incomplete_declaration": {"en": "the declaration is incomplete before the next one starts",
                                    "zh": "下一个声明开始之前，本声明尚未写完"},
    # ---- reading files ----
    "QZ010": {"en": "cannot read {path}: {reason}", "zh": "无法读取 {path}：{reason}"},
    "QZ010.not_a_policy": {"en": "cannot import {path}: not a policy file (.qz)", "zh": "无法导入 {path}：不是政策文件（.qz）"},
    # ---- test files (testing.spec) ----
    "test.unreadable": {"en": "cannot read test file {file}: {reason}", "zh": "无法读取测试文件 {file}：{reason}"},
    "test.yaml": {"en": "malformed YAML: {problem}", "zh": "YAML 格式错误：{problem}"},
    "test.unknown_key": {"en": "unknown key '{name}' in {what}", "zh": "{what}中没有“{name}”这一项"},
    "test.odd_key": {"en": "a non-scalar key in {what}", "zh": "{what}中的键不是单个值"},
    "test.hint.keys": {"en": "{what} has: {keys}", "zh": "{what}可用的项：{keys}"},
    "test.duplicate_key": {"en": "duplicate key '{name}' in {what}", "zh": "{what}中的“{name}”重复"},
    "test.what.file": {"en": "a test file with several tests", "zh": "含多项测试的测试文件"},
    "test.what.test": {"en": "a test", "zh": "测试"},
    "test.what.expectation": {"en": "an expectation of '{clause}'", "zh": "对“{clause}”的预期"},
    "test.what.amount": {"en": "an amount ('{key}')", "zh": "金额（{key}）"},
    "test.what.totals": {"en": "'totals'", "zh": "totals（合计）"},
    "test.empty": {"en": "the test file is empty", "zh": "测试文件是空的"},
    "test.hint.empty": {"en": "write a test: name, case, as_of and expect", "zh": "请写一项测试：name、case、as_of 和 expect"},
    "test.file_shape": {"en": "a test file is a mapping: one test, or 'tests:' with a list of tests",
                        "zh": "测试文件应是一个映射：一项测试，或以 tests: 开头的测试列表"},
    "test.tests_list": {"en": "'tests' is a list of tests", "zh": "tests 应是测试的列表"},
    "test.hint.tests_list": {"en": "start each test with '- name: …'", "zh": "每项测试以“- name: …”开头"},
    "test.duplicate_name": {"en": "duplicate test name '{name}'", "zh": "测试名称“{name}”重复"},
    "test.hint.duplicate_name": {"en": "it is first used on line {line}; test names identify failures",
                                 "zh": "第一次使用在第 {line} 行；测试名称用来指明哪项测试失败"},
    "test.test_shape": {"en": "a test is a mapping of name, case, as_of and expect",
                        "zh": "一项测试应是包含 name、case、as_of 和 expect 的映射"},
    "test.no_as_of": {"en": "the test has no evaluation date", "zh": "测试没有评估日期"},
    "test.hint.no_as_of": {"en": "add 'as_of: YYYY-MM-DD' to the test or to its case file: a test must not depend on today",
                           "zh": "请在测试或其案例文件中加上“as_of: YYYY-MM-DD”：测试不能取决于今天的日期"},
    "test.expects_nothing": {"en": "test '{name}' expects nothing", "zh": "测试“{name}”没有任何预期"},
    "test.hint.expects_nothing": {"en": "add 'expect:' with clause ids, 'totals:', 'questions:' or 'exhaustive: true'",
                                  "zh": "请加上 expect:（条款编号）、totals:、questions: 或 exhaustive: true"},
    "test.no_name": {"en": "the test has no 'name'", "zh": "测试没有 name（名称）"},
    "test.hint.no_name": {"en": "every test has a name, shown when it fails", "zh": "每项测试都要有名称，失败时显示"},
    "test.name_text": {"en": "'name' is a line of text", "zh": "name（名称）应是一行文字"},
    "test.case_or_kind": {"en": "a test gives either 'case:' (a case file) or 'kind:' and 'facts:'",
                          "zh": "测试只能给出 case:（案例文件）或 kind: 与 facts: 之一"},
    "test.hint.case_or_kind": {"en": "the case file already says its kind", "zh": "案例文件已写明申请主体类型"},
    "test.no_case": {"en": "the test has no case", "zh": "测试没有案例"},
    "test.hint.no_case": {"en": "add 'case: ../cases/<file>.yaml', or 'kind:' and 'facts:' for a case written here",
                          "zh": "请加上“case: ../cases/<文件>.yaml”，或在此写出 kind: 与 facts:"},
    "test.case_path": {"en": "'case' is the path of a case file", "zh": "case 应是案例文件的路径"},
    "test.case_outside": {"en": "case file outside the folder of policies: {path}", "zh": "案例文件不在政策文件夹内：{path}"},
    "test.hint.case_outside": {"en": "a test's case file lies beside its policy; set {env} to widen the folders read",
                               "zh": "测试的案例文件应在其政策旁；可设置 {env} 扩大读取范围"},
    "test.not_a_case": {"en": "not a case file (.yaml, .yml or .json): {path}",
                        "zh": "不是案例文件（.yaml、.yml 或 .json）：{path}"},
    "test.case_missing": {"en": "case file not found: {path}", "zh": "找不到案例文件：{path}"},
    "test.expect_shape": {"en": "'expect' maps clause ids to what is expected of them",
                          "zh": "expect 应是“条款编号: 预期”的映射"},
    "test.hint.expect_shape": {"en": "e.g. '{status}' or '{mapping}'", "zh": "如“{status}”或“{mapping}”"},
    "test.expected_twice": {"en": "clause '{clause}' is expected twice", "zh": "条款“{clause}”的预期写了两次"},
    "test.unknown_clause": {"en": "unknown clause '{name}'", "zh": "未知的条款“{name}”"},
    "test.hint.unknown_clause": {"en": "`qzdsl show` lists the policy's clauses", "zh": "qzdsl show 会列出政策的条款"},
    "test.wrong_kind": {"en": "clause '{name}' ({title}) is for {beneficiary}, but the test's applicant is {kind}",
                        "zh": "条款“{name}”（{title}）适用于{beneficiary}，而测试的申请主体是{kind}"},
    "test.hint.wrong_kind": {"en": "expect only clauses of the case's kind of applicant",
                             "zh": "只预期适用于该案例申请主体类型的条款"},
    "test.expectation_shape": {"en": "expectation of '{clause}' is a status or a mapping",
                               "zh": "对“{clause}”的预期应是一个结论，或一个映射"},
    "test.window": {"en": "'window' is one of {sides}", "zh": "window 只能是 {sides} 之一"},
    "test.hint.window": {"en": "before: the date precedes the policy; after: it follows the section's end; "
                               "stopped: payments stopped at the end",
                         "zh": "before：日期早于政策适用期；after：日期晚于条款的结束日；stopped：到期后停发"},
    "test.unknown_status": {"en": "unknown status '{name}'", "zh": "未知的结论“{name}”"},
    "test.hint.statuses": {"en": "a status is one of: {statuses}", "zh": "结论可以是：{statuses}"},
    "test.amount_shape": {"en": "'{key}' is an amount in yuan or a mapping of low/high",
                          "zh": "{key} 应是以元计的金额，或 low/high 的映射"},
    "test.amount_keys": {"en": "'{key}' gives either low/high, or one of up_to/at_least",
                         "zh": "{key} 只能给出 low/high，或 up_to/at_least 之一"},
    "test.hint.amount_keys": {"en": "e.g. {up_to} for 最高4万元, or {range} for 10—30万元",
                              "zh": "如 {up_to} 表示最高4万元，{range} 表示10—30万元"},
    "test.amount_one_of": {"en": "'{key}' gives one of up_to/at_least", "zh": "{key} 只能给出 up_to 或 at_least 之一"},
    "test.not_money": {"en": "'{key}' is not an amount in yuan: '{text}'", "zh": "{key} 不是以元计的金额：“{text}”"},
    "test.hint.money": {"en": "write a whole number of yuan (20000), an amount in 万 (2万), or yuan and fen (350.50)",
                        "zh": "请写整数元（20000）、以万计的金额（2万）或元与分（350.50）"},
    "test.hint.sub_fen": {"en": "money is counted to the fen (0.01 yuan)", "zh": "金额只计到分（0.01元）"},
    "test.whole_number": {"en": "'{key}' is a whole number", "zh": "{key} 应是整数"},
    "test.true_or_false": {"en": "'{key}' is true or false", "zh": "{key} 应是 true 或 false"},
    "test.not_a_date": {"en": "'{key}' is not a calendar date: '{text}'", "zh": "{key} 不是日历上的日期：“{text}”"},
    "test.hint.date": {"en": "write the date as YYYY-MM-DD, e.g. 2024-06-01", "zh": "请按 YYYY-MM-DD 写日期，如 2024-06-01"},
    "test.fact_list": {"en": "'{key}' is a list of fact names", "zh": "{key} 应是事实名称的列表"},
    "test.hint.fact_list": {"en": "e.g. {key}: [no_home_in_quzhou]", "zh": "如 {key}: [no_home_in_quzhou]"},
    "test.totals_shape": {"en": "'totals' is a mapping of {keys}", "zh": "totals 应是 {keys} 的映射"},
    # ---- why a file is not read (reading.ReadRefused) ----
    "read.outside": {"en": "outside the folder of policies qzdsl reads from (set {env} to widen it)",
                     "zh": "不在 qzdsl 读取的政策文件夹内（可设置 {env} 扩大范围）"},
    "read.loop": {"en": "a loop of symbolic links", "zh": "符号链接构成循环"},
    "read.os": {"en": "{reason}", "zh": "{reason}"},
    "read.missing": {"en": "{reason}", "zh": "文件不存在"},
    "read.denied": {"en": "{reason}", "zh": "没有读取该文件的权限"},
    "read.not_a_name": {"en": "not a file name", "zh": "不是有效的文件名"},
    "read.not_regular": {"en": "not a regular file", "zh": "不是普通文件"},
    "read.folder": {"en": "not a regular file (a folder)", "zh": "不是普通文件（是文件夹）"},
    "read.too_large": {"en": "larger than {mb} MB", "zh": "超过 {mb} MB"},
    "read.not_utf8": {"en": "not valid UTF-8", "zh": "不是有效的 UTF-8 文本"},
    "QZ011": {"en": "import cycle: {cycle}", "zh": "循环导入：{cycle}"},
    "QZ110": {"en": "{path} has no 'policy' header", "zh": "{path} 缺少 policy 文件头"},
    "hint.policy_header": {"en": 'start the file with: policy "文号": title "…", applies_from YYYY-MM-DD',
                           "zh": '请在文件开头写：policy "文号": title "…", applies_from YYYY-MM-DD'},
    # ---- names ----
    "QZ101": {"en": "undefined name '{name}'", "zh": "未定义的名称“{name}”"},
    "QZ101.clause": {"en": "no clause named '{name}'", "zh": "没有名为“{name}”的条款"},
    "QZ101.definition": {"en": "no definition named '{name}'", "zh": "没有名为“{name}”的定义"},
    "QZ101.term": {"en": "no term named '{name}'", "zh": "没有名为“{name}”的期限（term）"},
    "QZ111": {"en": "{keyword} '{name}' has no label", "zh": "{keyword} {name} 没有标签"},
    "QZ111.member": {"en": "enumeration member '{name}' has no label", "zh": "枚举值 {name} 没有标签"},
    "hint.label_member": {"en": '{name} "…"', "zh": '请写上读者看到的文字：{name} "…"'},
    "QZ111.group": {"en": "exclusion group '{name}' is not declared with a label",
                    "zh": "排斥组 {name} 没有用带标签的 group 声明"},
    "hint.label": {"en": "give it the words a reader sees: {keyword} {name} \"…\"",
                   "zh": "请写上读者看到的文字：{keyword} {name} \"…\""},
    "QZ113": {"en": "{what} '{name}' has no English words", "zh": "{what} {name} 缺少英文"},
    "QZ113.what.member": {"en": "member", "zh": "枚举值"},
    "QZ114.note": {"en": "a note of '{name}' has no English words", "zh": "“{name}”的注释缺少英文"},
    "QZ114.ambiguity": {"en": "an ambiguity recorded for '{name}' (its question or reading) has no English words",
                        "zh": "“{name}”记录的疑义（问题或解读）缺少英文"},
    "hint.english": {"en": "add them after 'en': {shape}", "zh": "在 en 之后写上英文：{shape}"},
    "QZ101.fact": {"en": "no fact named '{name}'", "zh": "没有名为“{name}”的事实"},
    "QZ101.need": {"en": "no need named '{name}': declare it with need {name} \"…\"",
                   "zh": "没有名为“{name}”的需要：请用 need {name} \"…\" 声明"},
    "QZ201.once_only_type": {"en": "'once_only' needs a yes/no fact; '{name}' is {type}",
                             "zh": "once_only 须指一个是/否事实；“{name}”的类型是 {type}"},
    "QZ201.once_only_history": {"en": "'once_only' names a history fact; '{name}' is not declared 'history'",
                                "zh": "once_only 须指一个历史事实；“{name}”未声明 history"},
    "hint.once_only_history": {"en": "add 'history' to the declaration of '{name}' (what the applicant already "
                                     "received or did)",
                               "zh": "请在“{name}”的声明中加上 history（申请人此前已享受或已做过的事）"},
    # ---- types ----
    "QZ201.condition": {"en": "{what} must be a yes/no condition, not {type}", "zh": "{what}应为是/否条件，不能是{type}"},
    "QZ201.what.requires": {"en": "'requires'", "zh": "requires 后的表达式"},
    "QZ201.what.while": {"en": "'while'", "zh": "while 后的表达式"},
    "QZ201.what.not": {"en": "the operand of 'not'", "zh": "not 的操作对象"},
    "QZ201.what.operand": {"en": "each operand of '{op}'", "zh": "{op} 连接的每一项"},
    "QZ201.expect": {"en": "{what} needs {wanted}; '{name}' is {type}", "zh": "{what}应为{wanted}；“{name}”为{type}"},
    "QZ201.what.amount": {"en": "an amount", "zh": "amount of 后的事实"},
    "QZ201.what.per_head": {"en": "'per head of'", "zh": "per head of 后的事实"},
    "QZ201.what.from": {"en": "'from'", "zh": "from 后的事实"},
    "QZ201.enum_compare": {"en": "'{fact}' is an enumeration: compare it with == or != to one of its values, "
                                 "or use 'in {{…}}'",
                           "zh": "“{fact}”是枚举：只能用 == 或 != 与它的某个取值比较，或用 in {{…}}"},
    "QZ201.compare": {"en": "cannot compare {left} with {right} using '{op}'", "zh": "不能用“{op}”比较{left}与{right}"},
    "hint.shift_date": {"en": "to compare with a period, shift the date: e.g. 'graduation_date + 3 years'",
                        "zh": "要与一段期限比较，请推移日期，如“graduation_date + 3 years”"},
    "QZ201.member": {"en": "'in {{…}}' needs an enumeration fact on its left", "zh": "in {{…}} 的左边应为枚举事实"},
    "QZ201.shift": {"en": "a duration can only be added to a date, not to {type}", "zh": "期限只能加在日期上，不能加在{type}上"},
    "QZ201.arith": {"en": "cannot apply '{op}' to {left} and {right}", "zh": "不能对{left}和{right}做“{op}”运算"},
    "QZ201.extends": {"en": "'{name}' is {type}; an equivalence extends a yes/no definition",
                      "zh": "“{name}”为{type}；equivalence 只能扩展是/否定义"},
    "QZ201.itself": {"en": "a clause cannot refer to itself here", "zh": "条款在此不能引用自身"},
    "QZ201.term_max": {"en": "the clause is paid within the term '{term}', which sets its duration; remove its own 'max'",
                       "zh": "本条款在期限“{term}”内发放，发放期限由该期限规定；请删去本条款自己的 max"},
    "QZ201.term_from": {"en": "the term '{term}' starts from '{anchor}'; a clause within it starts from the same date "
                              "(from {anchor}, or from year of it)",
                        "zh": "期限“{term}”自“{anchor}”起算；其中的条款须自同一日期起算（from {anchor}，"
                              "或 from year of {anchor}）"},
    "QZ205": {"en": "definition '{name}' depends on itself: {cycle}", "zh": "定义“{name}”循环依赖自身：{cycle}"},
    "hint.not_itself": {"en": "a definition may use facts and other definitions, but not itself",
                        "zh": "定义可以引用事实和其他定义，但不能引用自身"},
    "QZ208": {"en": "with the definitions it uses expanded, this nests {depth} levels deep, more than {limit}",
              "zh": "展开所用的定义后，此处嵌套 {depth} 层，超过 {limit} 层"},
    "hint.shorter_chain": {"en": "shorten the chain of definitions: define fewer steps, each doing more",
                           "zh": "请缩短定义链：减少定义的层数，每个定义多承担一些"},
    "QZ207": {"en": "'{name}' is a fact of {kinds}, but this clause is for {kind}",
              "zh": "“{name}”是 {kinds} 的事实，而本条款的对象是 {kind}"},
    "hint.fact_of": {"en": "add {kind} to the fact's 'of'", "zh": "请在该事实的 of 中加上 {kind}"},
    "hint.fact_of_or_grant": {"en": "add {kind} to the fact's 'of', or grant the clause to one of {kinds}",
                              "zh": "请在该事实的 of 中加上 {kind}，或把本条款的对象改为 {kinds} 之一"},
    # ---- amounts and periods ----
    "QZ203.negative": {"en": "an amount cannot be negative", "zh": "金额不能为负数"},
    "hint.positive": {"en": "write the amount as a positive number", "zh": "请把金额写成正数"},
    "QZ203.fen": {"en": "{text} is not a whole number of fen", "zh": "{text} 的精度超过了分"},
    "hint.fen": {"en": "money is counted to the fen (0.01 yuan): at most two decimal places",
                 "zh": "金额计到分（0.01 元）：最多两位小数"},
    "QZ203.positive": {"en": "an amount must be positive", "zh": "金额必须大于零"},
    "QZ203.range_bound": {"en": "a range cannot also be 'up to' or 'at least'",
                          "zh": "金额区间不能再加 up to（最高）或 at least（不低于）"},
    "QZ203.fact_at_least": {"en": "an amount taken from a fact is exact or 'up to' it, not 'at least'",
                            "zh": "取自事实的金额只能等于该值或以其为上限（up to），不能是 at least（不低于）"},
    "QZ203.backwards": {"en": "the range {low} to {high} runs backwards", "zh": "金额区间 {low} 至 {high} 的上下限写反了"},
    "hint.range_order": {"en": "write {high} to {low}", "zh": "请写作 {high} to {low}"},
    "QZ203.per_day": {"en": "an amount is paid once, per year or per month, not per day",
                      "zh": "金额按一次性、每年或每月发放，不能按天"},
    "QZ203.cap_per_day": {"en": "a cap is per year, per month or total, not per day",
                          "zh": "上限（cap）按每年、每月或总额计，不能按天"},
    "QZ203.cap_positive": {"en": "a cap must be positive", "zh": "上限必须大于零"},
    "QZ203.cap_without_amount": {"en": "'cap' limits an amount, but this clause has none",
                                 "zh": "cap 用于限定金额，但本条款没有金额"},
    # {paid}, {cap}: a cadence of the wording layer (once, per year, per month)
    "QZ202.cap": {"en": "the amount is paid {paid} but the cap is {cap}", "zh": "金额{paid}发放，而上限按{cap}计"},
    "hint.cap_period": {"en": "write the cap {paid}, or 'total'",
                        "zh": "请让上限与金额的发放方式一致（{paid}），或写 total（总额）"},
    "QZ202.once_max": {"en": "a one-off amount has no duration; 'max' has no effect", "zh": "一次性金额没有发放期限；max 不起作用"},
    "QZ202.yearly_max": {"en": "a yearly amount needs its maximum duration in years", "zh": "按年发放的金额，最长期限须以年计"},
    "QZ202.monthly_max": {"en": "a monthly amount needs its maximum duration in months or years",
                          "zh": "按月发放的金额，最长期限须以月或年计"},
    # {unit}: a unit of the wording layer (years, months, days)
    "QZ206": {"en": "a duration must be from {least} to {most} {unit}", "zh": "期限须在 {least} 至 {most} {unit}之间"},
    "QZ112": {"en": "'{mode}' names no {what} '{name}' in the policies this file imports",
              "zh": "“{mode}”所指的{what}“{name}”不在本文件导入的政策中"},
    "QZ112.what.section": {"en": "section", "zh": "章节"},
    "QZ112.what.clause": {"en": "clause", "zh": "条款"},
    "QZ112.kind": {"en": "'{name}' is a {actual}, not a {given}", "zh": "“{name}”是 {actual}，不是 {given}"},
    "QZ112.title": {"en": "section '{name}' is titled '{title}'", "zh": "章节“{name}”的标题是“{title}”"},
    "QZ102.redeclared": {"en": "'{name}' is already declared at {at}", "zh": "“{name}”已在 {at} 声明"},
    "QZ102.section": {"en": "section '{name}' is already declared at {at}", "zh": "章节“{name}”已在 {at} 声明"},
    "QZ102.second_header": {"en": "a file has one 'policy' header; this is a second one",
                            "zh": "一个文件只有一个 policy 文件头；这是第二个"},
    "QZ102.reserved": {"en": "'{name}' is a built-in word of expressions; a {keyword} cannot take its name",
                       "zh": "“{name}”是表达式的内置词，{keyword} 不能用它作名称"},
    "hint.another_name": {"en": "choose another name", "zh": "请另取一个名称"},
    "QZ102.twice_member": {"en": "the value '{name}' is listed twice", "zh": "取值“{name}”列出了两次"},
    "QZ102.twice_kind": {"en": "the applicant kind '{name}' is listed twice", "zh": "申请人类别“{name}”列出了两次"},
    "hint.remove_one": {"en": "remove one of them", "zh": "请删去其中一个"},
    "hint.rename": {"en": "rename one of them", "zh": "请重命名其中一个"},
    "hint.first_at": {"en": "the first is at {at}", "zh": "第一处在 {at}"},
    "QZ105": {"en": "'{name}' is not a value of '{fact}'", "zh": "“{name}”不是“{fact}”的取值"},
    "QZ106": {"en": "'{prop}' is not a property of a {keyword}", "zh": "“{prop}”不是 {keyword} 的属性"},
    "QZ106.amount_and_rule": {"en": "a benefit has either an amount or a 'rule', not both",
                              "zh": "benefit 只能写金额或 rule 之一，不能两者都写"},
    "QZ107": {"en": "'{prop}' is given twice", "zh": "“{prop}”重复给出"},
    "QZ108": {"en": "this {keyword} needs '{prop}'", "zh": "此 {keyword} 缺少 {prop}"},
    "QZ108.either": {"en": "this {keyword} needs '{first}' or '{second}'", "zh": "此 {keyword} 缺少 {first} 或 {second}"},
    "QZ109.principle": {"en": "unknown principle '{name}'", "zh": "未知的原则“{name}”"},
    "QZ109.after_trial": {"en": "unknown after_trial reading '{name}'", "zh": "未知的 after_trial 读法“{name}”"},
    "QZ109.trial": {"en": "a trial runs from applies_from, in_force or a date, not '{name}'",
                    "zh": "试行期自 applies_from、in_force 或某一日期起算，不能是“{name}”"},
    "QZ109.within": {"en": "a deadline counts from applies_from, in_force or a date, not '{name}'",
                     "zh": "完成时限自 applies_from、in_force 或某一日期起算，不能是“{name}”"},
    "QZ209": {"en": "a continuing condition ('while') is judged in each period, not on the evaluation date: "
                    "'{name}' reads as_of",
              "zh": "持续条件（while）按每一期的事实判断，不按评估日期判断；“{name}”读取了评估日期 as_of"},
    "hint.QZ209": {"en": "test a date fact instead, or move the condition to 'requires' (tested once)",
                   "zh": "改为比较日期事实，或把该条件移入 requires（只判断一次）"},
    "QZ204.in_force_before_issued": {"en": "the policy is in force before it was issued", "zh": "政策的施行日期早于印发日期"},
    "QZ204.calendar": {"en": "'{text}' is not a calendar date", "zh": "“{text}”不是日历上的日期"},
    "QZ204.years": {"en": "'{text}' is outside the years {first}–{last}", "zh": "“{text}”超出 {first}—{last} 年的范围"},
    "QZ204.year": {"en": "the year {year} is outside {first}–{last}", "zh": "年份 {year} 超出 {first}—{last} 年的范围"},
    "QZ103.outside": {"en": "this {keyword} is not under any section", "zh": "此 {keyword} 不在任何章节之下"},
    "QZ103": {"en": "unknown section '{name}'", "zh": "未知的章节“{name}”"},
    "QZ104": {"en": "unknown applicant kind '{name}'", "zh": "未知的申请人类别“{name}”"},
    # ---- the encoding against the official text (also repeated as audit findings) ----
    "QZ301": {"en": "this quote does not occur in the source text", "zh": "引文不在原文中"},
    "QZ306": {"en": "this {keyword} needs 'cite'", "zh": "此 {keyword} 缺少引文（cite）"},
    "hint.closest": {"en": "the source matches up to '…{matched}' and continues '{actual}…' (line {line})",
                     "zh": "原文与引文一致到“…{matched}”，其后是“{actual}…”（第{line}行）"},
    "QZ302": {"en": "this quote is not in section '{ref}' of the source", "zh": "引文不在原文的“{ref}”部分"},
    "QZ302.heading": {"en": "the heading of section '{ref}' ('{title}') is not in the source text",
                      "zh": "“{ref}”的标题“{title}”不在原文中"},
    "hint.quote_line": {"en": "it is on line {line} of the source; cite it with: in \"…\"",
                        "zh": "引文在原文第{line}行；请用 in \"…\" 注明所在部分"},
    "QZ303.amount": {"en": "the amount {text} ({value}元) is not in the quoted text",
                     "zh": "金额{text}（{value}元）不在引文中"},
    "QZ303.figure": {"en": "the figure {text} is not in the quoted text", "zh": "指标{text}不在引文中"},
    "hint.amounts_quoted": {"en": "amounts in the quotes: {amounts}", "zh": "引文中的金额：{amounts}"},
    "hint.no_amounts_quoted": {"en": "amounts in the quotes: none", "zh": "引文中没有金额"},
    "QZ304": {"en": "source line {line}: sentence cited by no declaration: 「{preview}」",
              "zh": "原文第{line}行涉及给付的句子未被编码：「{preview}」"},
    "hint.uncited": {"en": "encode it as a clause, or mark it with 'aside' and a reason",
                     "zh": "请编码为条款，或用 aside 标明不编码的理由"},
    "QZ305": {"en": "source line {line}: amount(s) {amounts} of a cited sentence are not encoded",
              "zh": "原文第{line}行被引用的句子中，金额{amounts}未编码"},
    "hint.unencoded": {"en": "give the clause citing it that amount, rule or aside",
                       "zh": "请在引用该句的条款中编码该金额，或写明 rule 或 aside"},
    "QZ307.unnamed": {"en": "quotes cannot be verified: the policy names no source text",
                      "zh": "无法核对引文：政策未指明原文"},
    "QZ307.unreadable": {"en": "cannot read the source text {path}: {reason}", "zh": "无法读取原文 {path}：{reason}"},
    "hint.source": {"en": "add source \"source.txt\" to the policy header", "zh": "请在政策文件头加上 source \"source.txt\""},
    # ---- case files ----
    "QZ402": {"en": "unknown fact '{name}'", "zh": "未知的事实“{name}”"},
    "QZ405": {"en": "unknown applicant kind '{name}'", "zh": "未知的申请人类别“{name}”"},
    "case.value": {"en": "'{name}' ({label}): {reason}", "zh": "“{label}”（{name}）：{reason}"},
    "case.key_value": {"en": "'{name}': {reason}", "zh": "“{name}”：{reason}"},
    # ---- a value refused by the one reader of values (cases.values) ----
    "value.date.form": {"en": "'{text}' is not a date", "zh": "“{text}”不是日期"},
    "value.date.calendar": {"en": "'{text}' is not a calendar date", "zh": "“{text}”不是日历上的日期"},
    "value.date.range": {"en": "{text} is out of range", "zh": "{text} 超出可计算的范围"},
    "value.date.order": {"en": "'{text}' is ambiguous: day and month could be either way round",
                         "zh": "“{text}”有歧义：无法确定哪个是月、哪个是日"},
    "value.date.century": {"en": "'{text}' is ambiguous: a two-digit year", "zh": "“{text}”有歧义：年份只有两位"},
    "value.date.no_day": {"en": "'{text}' gives no day", "zh": "“{text}”没有写日"},
    "value.date.compact": {"en": "'{text}' is not written as a date", "zh": "“{text}”不是日期的写法"},
    "value.bool.form": {"en": "'{text}' is not yes or no", "zh": "“{text}”不是“是”或“否”"},
    "value.count.form": {"en": "'{text}' is not a count", "zh": "“{text}”不是人数或次数"},
    "value.count.whole": {"en": "'{text}' is not a whole number", "zh": "“{text}”不是整数"},
    "value.count.negative": {"en": "a count cannot be negative: {text}", "zh": "数目不能为负：{text}"},
    "value.count.large": {"en": "{text} is more than {limit}", "zh": "{text} 超过 {limit}"},
    "value.money.form": {"en": "'{text}' is not an amount of money", "zh": "“{text}”不是金额"},
    "value.money.negative": {"en": "an amount cannot be negative: {text}", "zh": "金额不能为负：{text}"},
    "value.money.sub_fen": {"en": "'{text}' has more than two decimal places", "zh": "“{text}”的小数超过两位"},
    "value.money.large": {"en": "{text} is more than {limit}元", "zh": "{text} 超过 {limit}元"},
    "value.member.unknown": {"en": "'{text}' is not one of the values", "zh": "“{text}”不是可选的值"},
    "value.kind.unknown": {"en": "unknown applicant kind '{text}'", "zh": "未知的申请主体类型“{text}”"},
    "value.member.partial": {"en": "'{text}' names part of a value, not a value",
                             "zh": "“{text}”只是某个可选值的一部分"},
    "value.shape.list": {"en": "one value is expected, not a list", "zh": "这里只填一个值，不能是列表"},
    "value.shape.mapping": {"en": "one value is expected, not a mapping", "zh": "这里只填一个值，不能是映射"},
    "value.form": {"en": "'{text}' is not a value qzdsl can read", "zh": "无法读取“{text}”"},
    # ---- the shape of a case file (cases.case) ----
    "case.unknown_key": {"en": "unknown key '{text}' in a case file", "zh": "案例文件中没有“{text}”这一项"},
    "case.name": {"en": "'name' is free text", "zh": "name（案例名称）是一段文字"},
    "case.no_kind": {"en": "missing 'kind': the kind of applicant", "zh": "缺少 kind：申请主体类型"},
    "case.facts": {"en": "'facts' is a mapping of fact names to values", "zh": "facts 应是“事实名: 值”的映射"},
    "case.duplicate.key": {"en": "duplicate key '{text}'", "zh": "重复的项“{text}”"},
    "case.duplicate.fact": {"en": "duplicate fact '{text}'", "zh": "重复的事实“{text}”"},
    "case.unknown_fact": {"en": "unknown fact '{text}'", "zh": "未知的事实“{text}”"},
    "case.not_asked": {"en": "'{text}' ({label}) is not asked of {kind}", "zh": "“{label}”（{text}）不适用于{kind}"},
    "hint.case.top_keys": {"en": "a case file has: {first}", "zh": "案例文件包含：{first}"},
    "hint.case.add_kind": {"en": "add e.g. 'kind: person'; the policy's kinds are: {first}",
                           "zh": "请加上如“kind: person”；政策中的申请主体类型：{first}"},
    "hint.case.facts": {"en": "write one 'name: value' per line under 'facts:'", "zh": "在 facts: 下每行写一个“事实名: 值”"},
    "case.changes.empty": {"en": "'{name}' ({label}): a value that changes over time needs at least one "
                                 "'date: value' entry",
                           "zh": "“{label}”（{name}）：随时间变化的值至少要写一条“日期: 值”"},
    "case.changes.date": {"en": "'{name}' ({label}): each key of a value that changes over time is the date "
                                "it takes effect: {reason}",
                          "zh": "“{label}”（{name}）：随时间变化的值，每一项的键是其生效日期：{reason}"},
    "case.changes.duplicate": {"en": "'{name}' ({label}): {text} is given twice",
                               "zh": "“{label}”（{name}）：{text} 写了两次"},
    "hint.case.changes": {"en": "under {name}, write one 'date: value' line per change, e.g. '2024-04-01: 300' (the "
                                "value on a date is the latest entry on or before it)",
                          "zh": "在 {name} 下每行写一条“日期: 值”，如“2024-04-01: 300”（某日的值取该日及以前最近的一项）"},
    "hint.case.first_line": {"en": "it is first given on line {first}", "zh": "第一次出现在第 {first} 行"},
    "hint.case.fact_label": {"en": "did you mean '{first}'? ('{text}' is its label)",
                             "zh": "是否指“{first}”？（“{text}”是它的标签）"},
    "hint.case.fact_of": {"en": "it is a fact of {first}; remove it or check 'kind'",
                          "zh": "它是{first}的事实；请删去，或核对 kind"},
    # ---- hints to a refused value ----
    "hint.value.date": {"en": "write the date as YYYY-MM-DD, e.g. 2024-06-01", "zh": "日期请写作 YYYY-MM-DD，如 2024-06-01"},
    "hint.value.date_either": {"en": "write {first} or {second}", "zh": "请写作 {first} 或 {second}"},
    "hint.value.date_one": {"en": "did you mean {first}?", "zh": "是否指 {first}？"},
    "hint.value.calendar": {"en": "check the month and the day", "zh": "请核对月份和日"},
    "hint.value.date_range": {"en": "dates run from {first} to {second}", "zh": "日期须在 {first} 至 {second} 之间"},
    "hint.value.bool": {"en": "answer yes or no (true/false, 1/0, 是/否, 有/无)", "zh": "请回答 是 或 否（也可写 有/无、yes/no、true/false、1/0）"},
    "hint.value.count": {"en": "write a whole number, 0 or more, e.g. 3", "zh": "请写一个不小于 0 的整数，如 3"},
    "hint.value.money": {"en": "write an amount in yuan, e.g. 20000, 20,000, 2万, 2.5万 or 两万元",
                         "zh": "请写以元为单位的金额，如 20000、20,000、2万、2.5万 或 两万元"},
    "hint.value.fen": {"en": "money is counted to the fen (0.01 yuan)", "zh": "金额计到分（0.01 元）"},
    "hint.value.check": {"en": "check the number", "zh": "请核对数字"},
    "hint.value.did_you_mean": {"en": "did you mean '{first}'?", "zh": "是否指“{first}”？"},
    "hint.value.one_of": {"en": "it could be: {first}", "zh": "可能是：{first}"},
    "hint.value.values": {"en": "the values are: {first}", "zh": "可选的值：{first}"},
    # ---- audit findings (arguments are phrased by qzdsl.wording.audit; no identifier is shown) ----
    "QZA001": {
        "zh": "“{a_title}”与“{b_title}”可同时给予同一申请人（{why}），但政策未规定二者是择优给予还是可以叠加，"
              "可能重复发放；{witness}。",
        "en": "{a_title} and {b_title} can both be granted to one applicant ({why}), and the policy does not say "
              "whether only the more favourable is paid or both: a possible double payment; {witness}.",
    },
    "QZA002": {
        "zh": "“{a_title}”与“{b_title}”可同时适用，按“从优、从高、不重复”只发放一项：见证案例中发放“{winner_title}”，"
              "多{margin}{tie}。",
        "en": "{a_title} and {b_title} can both apply; under “most favourable, no double benefit” one is paid: in "
              "the witness case {winner_title}, {margin} more{tie}.",
    },
    "QZA003": {
        "zh": "“{a_title}”与“{b_title}”可同时适用，已声明可叠加，两项均发放。",
        "en": "{a_title} and {b_title} can both apply and are declared cumulative: both are paid.",
    },
    "QZA004": {
        "zh": "“{a_title}”与“{b_title}”已证明不会同时适用，因为以下条件不能同时成立：{reason}。",
        "en": "{a_title} and {b_title} are proven never to apply together, because these conditions cannot all "
              "hold: {reason}.",
    },
    "QZA005": {
        "zh": "“{title}”被“{by_title}”支配：凡适用前者必适用后者，且后者金额（{by_value}）不低于前者"
              "（{value}），按“从优”前者永不发放。",
        "en": "{title} is dominated by {by_title}: whenever it applies the other does too and pays at least as "
              "much ({by_value} against {value}), so under “most favourable” it is never paid.",
    },
    "QZA006": {
        "zh": "“{title}”永远不能适用，因为以下条件不能同时成立：{reason}。",
        "en": "{title} can never apply, because these conditions cannot all hold: {reason}.",
    },
    "QZA007": {
        "zh": "“{title}”的金额交由现行或实施规定：{text}。",
        "en": "the amount of {title} is left to existing or implementing rules: {text}.",
    },
    "QZA008.discretionary": {
        "zh": "“{title}”的金额或是否给予由经办机关裁量：{amount}。",
        "en": "the amount or the grant of {title} is at the authority's discretion: {amount}.",
    },
    "QZA008.grant": {
        "zh": "是否给予“{title}”由经办机关裁量（非货币待遇）。",
        "en": "whether {title} is granted is at the authority's discretion (not money).",
    },
    "QZA008.ceiling": {
        "zh": "“{title}”只规定了上限，实际金额视具体情况而定：{amount}。",
        "en": "{title} sets only a ceiling; the actual amount depends on the case: {amount}.",
    },
    "QZA009": {
        "zh": "“{subject_title}”：{question} 采用的读法：{reading}",
        "en": "{subject_title}: {question} Recorded reading: {reading}",
    },
    "QZA010": {
        "zh": "“{title}”最长{max}：自{start}起可发放至{last}，超出试行期（至{end}）；记录的读法：{after_end}。",
        "en": "{title} runs at most {max}: from {start} it can pay until {last}, past the end of the trial "
              "({end}); recorded reading: {after_end}.",
    },
    "QZA011": {"zh": "求解器未能判定{question}。", "en": "the solver could not decide {question}."},
    "QZA011.witnessed": {
        "zh": "求解器未能判定{question}，但有界搜索找到一个两项均发放的案例：可能重复发放。",
        "en": "the solver could not decide {question}, but a bounded search found a case granted both: a possible "
              "double payment.",
    },
    "QZA011.timeout": {
        "zh": "求解器在单个问题的时限（{seconds}秒）内未能判定{question}：既未证明会同时适用，也未证明不会。",
        "en": "the solver ran out of its {seconds} s for one question ({question}): neither an overlap nor "
              "disjointness was shown.",
    },
    "QZA011.budget": {
        "zh": "审查在时间预算（{seconds}秒）内未完成：{count}个问题未审查，结论不完整。",
        "en": "the audit did not finish within its time budget ({seconds} s): {count} questions were not examined; "
              "the result is incomplete.",
    },
}
