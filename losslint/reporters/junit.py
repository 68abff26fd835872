"""JUnit XML: one test suite per file, one failing test case per finding.

Every name, attribute and text goes through ``xml_text``: a path, message or snippet
with a character XML 1.0 forbids (a form feed in the code, a control character or a
non-UTF-8 byte in a file name) is written escaped, so the report stays well-formed."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, TextIO
from xml.etree import ElementTree as ET

from losslint.report import Diagnostic, Report
from losslint.reporters import in_file, xml_text
from losslint.reporters.concise import position


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {key: xml_text(value) for key, value in attributes.items()})


def write(report: Report, out: TextIO) -> None:
    suites = ET.Element("testsuites", name="losslint", tests=str(max(len(report.diagnostics), 1)))
    suites.set("failures", str(len(report.diagnostics)))
    by_file: Dict[str, List[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.location.path].append(d)
    if not by_file:
        suite = _element(suites, "testsuite", name="losslint", tests="1", failures="0")
        _element(suite, "testcase", name="no findings", classname="losslint")
    for path in sorted(by_file):
        found = by_file[path]
        suite = _element(suites, "testsuite", name=path, tests=str(len(found)), failures=str(len(found)))
        for d in found:
            case = _element(
                suite, "testcase", name=f"{d.code} {d.name}", classname=path, file=path, line=str(in_file(d.location)[0])
            )
            failure = _element(case, "failure", message=d.message, type=d.severity.value)
            failure.text = xml_text(f"{position(d.location)}: {d.code} {d.message}")
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")
