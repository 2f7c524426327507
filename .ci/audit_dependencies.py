"""Audit the pinned runtime requirements with pip-audit; fail on a known vulnerability that has a fix.

Where the advisory service cannot be reached (this workplace reaches the package index but not
PyPI's JSON API nor OSV), pip-audit can audit nothing: say so loudly rather than pass in silence.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/pip-audit"), "--requirement", str(ROOT / "requirements.txt"), "--format", "json",
         "--progress-spinner", "off"], capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        return 1
    fixable = [(d["name"], d["version"], v["id"], v["fix_versions"])
               for d in report["dependencies"] for v in d.get("vulns", []) if v.get("fix_versions")]
    skipped = [d["name"] for d in report["dependencies"] if d.get("skip_reason")]
    audited = len(report["dependencies"]) - len(skipped)
    for name, version, vuln, fixes in fixable:
        print(f"VULNERABLE: {name} {version}: {vuln}, fixed in {', '.join(fixes)}", file=sys.stderr)
    print(f"pip-audit: {audited} dependencies audited, {len(fixable)} fixable vulnerabilities.")
    if skipped:
        print(f"WARNING: {len(skipped)} dependencies could not be audited (advisory service unreachable): "
              + ", ".join(sorted(skipped)[:8]) + ("…" if len(skipped) > 8 else ""), file=sys.stderr)
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
