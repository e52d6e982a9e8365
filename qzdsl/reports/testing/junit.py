"""The JUnit XML report of a policy-test run, for CI systems: one testsuite per test file,
one testcase per test; a failing test carries the readable failure text (expected against
got, and the clause trace). No timestamps or durations, so the same run gives the same file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from qzdsl.diagnostics import PathStyle
from qzdsl.testing.runner import PolicyTestRun
from qzdsl.reports.testing.text import failure_text, mismatch_fields
from qzdsl.wording.testing import word


# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(run: PolicyTestRun, lang: str = "zh") -> str:
    root = ET.Element("testsuites", name=f"qzdsl test {run.policy.info.doc_number}",
                      tests=str(len(run.results)), failures=str(run.failed), errors="0")
    suites: dict[str, ET.Element] = {}
    for result in run.results:
        file = PathStyle().show(result.test.file)
        if file not in suites:
            suites[file] = ET.SubElement(root, "testsuite", name=_xml(file), tests="0", failures="0", errors="0",
                                         skipped="0")
        suite = suites[file]
        suite.set("tests", str(int(suite.get("tests")) + 1))
        case = ET.SubElement(suite, "testcase", classname=_xml(file), name=_xml(result.test.name))
        if not result.passed:
            suite.set("failures", str(int(suite.get("failures")) + 1))
            message = word("junit_failure", lang, fields=mismatch_fields(result, lang))
            failure = ET.SubElement(case, "failure", message=_xml(message), type="PolicyTestFailure")
            failure.text = _xml(failure_text(result, lang=lang))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
