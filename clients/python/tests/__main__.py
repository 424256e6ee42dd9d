"""``python3 -m tests``: the whole suite, with ``N passed, M failed`` at the end.

With ``--report FILE`` the counts are also written there as JSON, for ``npm test``.
"""

import json
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    report = sys.argv[sys.argv.index("--report") + 1] if "--report" in sys.argv else None
    suite = unittest.defaultTestLoader.discover(str(HERE), top_level_dir=str(HERE.parent))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    # Skips are not allowed here: a skipped check would pass silently.
    failed += len(result.skipped)
    passed = result.testsRun - failed
    print("%d passed, %d failed" % (passed, failed))
    if report:
        Path(report).write_text(json.dumps({"passed": passed, "failed": failed}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
