"""The package: its errors mirror the API's codes, it parses as Python 3.9, it builds and installs."""

import ast
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest

from tests.support import CLIENT, REPO, control_plane_url

import approval_gates
from approval_gates.errors import API_ERROR_CLASSES


class ErrorsMirrorTheApi(unittest.TestCase):
    def test_there_is_one_class_for_each_error_code_the_openapi_document_lists(self) -> None:
        document = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
        listed = set()
        for response in document["components"]["responses"].values():
            schema = response["content"]["application/json"]["schema"]
            listed.update(schema["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"])
        # NOT_FOUND is the answer to a path no route matches, so no route lists it.
        self.assertEqual(set(API_ERROR_CLASSES) - {"NOT_FOUND"}, listed)


class Compatibility(unittest.TestCase):
    def test_every_module_parses_as_python_3_9(self) -> None:
        sources = sorted((CLIENT / "src" / "approval_gates").glob("*.py"))
        self.assertGreater(len(sources), 5)
        for path in sources:
            with self.subTest(module=path.name):
                ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 9))

    def test_the_version_is_the_project_version(self) -> None:
        project = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
        pyproject = (CLIENT / "pyproject.toml").read_text(encoding="utf-8")
        self.assertEqual(approval_gates.__version__, project["version"])
        self.assertIn('version = "%s"' % project["version"], pyproject)


class BuildAndInstall(unittest.TestCase):
    def test_the_source_distribution_has_the_package_and_no_dependencies_and_gates_a_call(self) -> None:
        with tempfile.TemporaryDirectory() as work:
            # setuptools' own build backend, offline: the artifact pip builds wheels from.
            build = subprocess.run(
                [sys.executable, "-c", "import sys\nfrom setuptools import build_meta\nprint(build_meta.build_sdist(sys.argv[1]))", work],
                cwd=str(CLIENT), capture_output=True, text=True, timeout=300,
            )
            self.assertEqual(build.returncode, 0, build.stderr[-2000:])
            sdist = os.path.join(work, build.stdout.strip().splitlines()[-1])
            with tarfile.open(sdist) as archive:
                names = archive.getnames()
                info = archive.extractfile(next(n for n in names if n.endswith("/PKG-INFO")))
                metadata = info.read().decode() if info else ""
                root = names[0].split("/")[0]
                members = [m for m in archive.getmembers() if m.name.startswith(root + "/src/approval_gates/")]
                archive.extractall(work, members=members)
            self.assertIn("%s/src/approval_gates/py.typed" % root, names)
            self.assertIn("%s/src/approval_gates/client.py" % root, names)
            self.assertIn("Requires-Python: >=3.9", metadata)
            self.assertNotIn("Requires-Dist", metadata)

            # Isolated (-I): no environment, no user site, only the packaged copy on the path.
            target = os.path.join(work, root, "src")
            script = (
                "import sys\n"
                "sys.path.insert(0, sys.argv[3])\n"
                "import approval_gates as g\n"
                "c = g.GatesClient(sys.argv[1], token='local:agent:py-sdist')\n"
                "c.create_task(owner='alice', repo='acme/app', task_id='py-sdist-' + sys.argv[2])\n"
                "print(c.guard('py-sdist-' + sys.argv[2], 'Bash', {'command': 'ls'}).allowed, g.__file__)\n"
            )
            run = subprocess.run(
                [sys.executable, "-I", "-c", script, control_plane_url(), os.urandom(4).hex(), target],
                capture_output=True, text=True, timeout=60,
            )
            self.assertEqual(run.returncode, 0, run.stderr)
            allowed, location = run.stdout.split()
            self.assertEqual(allowed, "True")
            self.assertTrue(location.startswith(target))


if __name__ == "__main__":
    unittest.main()
