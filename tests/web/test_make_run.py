"""`make run` on another port serves links (e-mails, guests' QR codes) that point at that port."""
import shutil
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@unittest.skipUnless(shutil.which("make"), "make is not installed")
class MakeRunTests(unittest.TestCase):
    def dry_run(self, *args: str, env: dict | None = None) -> str:
        return subprocess.run(["make", "-n", "-B", "run", *args], cwd=ROOT, capture_output=True, text=True,
                              env=env, check=True).stdout

    def test_the_links_follow_the_port(self):
        served = [line for line in self.dry_run("PORT=8100").splitlines() if "runserver" in line]
        self.assertEqual(len(served), 1)
        self.assertIn("SITE_ROOT=http://127.0.0.1:8100 ", served[0])
        self.assertIn("127.0.0.1:8100", served[0].split("runserver", 1)[1])

    def test_a_site_root_given_is_kept(self):
        import os

        out = self.dry_run(env={**os.environ, "SITE_ROOT": "https://nightstay.example.org"})
        self.assertIn("SITE_ROOT=https://nightstay.example.org ", out)
