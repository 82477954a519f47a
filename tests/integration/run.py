#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the integration tests: every test_*.py here defines Suite classes
whose set_up() prepares (usually boots a board) and whose check_* methods
are the tests, run in the order written. A suite whose set-up fails fails
all its checks. Ends with "RESULT integration <passed> <failed>".

  tests/integration/run.py [-k substring]...   run matching suites/checks
"""
import importlib.util
import inspect
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fv  # noqa: E402


def suites(filters):
    for fname in sorted(os.listdir(HERE)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__ or not cls.__name__.endswith("Suite"):
                continue
            checks = [(n, f) for n, f in cls.__dict__.items() if n.startswith("check_")]
            name = f"{fname[:-3]}.{cls.__name__}"
            if filters:
                checks = [(n, f) for n, f in checks
                          if any(k in f"{name}.{n}" for k in filters)]
            if checks:
                yield name, cls, checks


def main():
    filters = [a for i, a in enumerate(sys.argv[1:]) if sys.argv[i] == "-k"]
    passed = failed = 0
    os.makedirs(os.path.join(fv.BUILD, "tests"), exist_ok=True)
    for name, cls, checks in suites(filters):
        t0 = time.time()
        suite = cls()
        suite.log_path = os.path.join(fv.BUILD, "tests", name + ".log")
        try:
            suite.set_up()
            setup_error = None
        except Exception as e:  # the set-up failed: every check fails with it
            setup_error = e if isinstance(e, fv.TestFailure) else traceback.format_exc()
        for check, fn in checks:
            label = f"{name}.{check}"
            if setup_error is not None:
                print(f"FAIL {label}: set-up failed: {setup_error}", flush=True)
                failed += 1
                continue
            try:
                fn(suite)
                print(f"ok   {label}", flush=True)
                passed += 1
            except Exception as e:
                msg = str(e) if isinstance(e, (fv.TestFailure, AssertionError)) else traceback.format_exc()
                print(f"FAIL {label}: {msg}", flush=True)
                failed += 1
        try:
            suite.tear_down()
        except Exception:
            traceback.print_exc()
        print(f"     {name}: {time.time() - t0:.0f}s (console log {suite.log_path})", flush=True)
    print(f"RESULT integration {passed} {failed}", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
