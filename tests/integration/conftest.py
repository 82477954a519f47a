# SPDX-License-Identifier: MIT
"""pytest glue for the integration tests (fv.py drives the boards).

Two fixtures boot boards: `class_boot` for a test class whose tests all run,
in the order written, against the one board its own class-scoped fixture
boots; `boot` for one test. Each is a function boot(image, **Board options)
returning an fv.Board whose whole console goes to
build/tests/<module>.<Class>.log (`boot`: <module>.<Class>.<test>.log) and
which is killed when the fixture ends. Nothing here skips: a fixture that
fails (a board that does not boot, QEMU missing) makes every test that uses
it fail with an error.

The run ends with one line for scripts/run-tests.sh:
  RESULT integration <passed> <failed>
where failed counts the tests that failed or errored, and collection errors.
"""
import os

import pytest

import fv

outcomes = {}  # node id: "passed" or "failed"


def log_path(node):
    """build/tests/<module>.<Class>[.<test>].log for a class's or a test's node."""
    parts = node.nodeid.split("::")
    name = ".".join([os.path.splitext(os.path.basename(parts[0]))[0]] + parts[1:])
    return os.path.join(fv.BUILD, "tests", name + ".log")


class Boards:
    """Boots boards for one fixture, all logging to one file; closes them all."""

    def __init__(self, path):
        self.path = path
        self.log = None
        self.boards = []

    def __call__(self, image=None, **kw):
        if self.log is None:
            self.log = open(self.path, "wb")
        board = fv.Board(image, log=self.log, **kw)
        self.boards.append(board)
        return board

    def close(self):
        for board in self.boards:
            board.close()
        if self.log:
            self.log.close()


@pytest.fixture(scope="class")
def class_boot(request):
    """Boot boards that live as long as the test class."""
    boards = Boards(log_path(request.node))
    yield boards
    boards.close()


@pytest.fixture
def boot(request):
    """Boot boards that live as long as the test."""
    boards = Boards(log_path(request.node))
    yield boards
    boards.close()


def pytest_configure(config):
    os.makedirs(os.path.join(fv.BUILD, "tests"), exist_ok=True)  # images and logs go there


def pytest_collectreport(report):
    if report.failed:
        outcomes[report.nodeid] = "failed"


def pytest_runtest_logreport(report):
    # a test passes by its call; it fails by any phase (set-up, call, tear-down)
    if report.failed:
        outcomes[report.nodeid] = "failed"
    elif report.when == "call" and report.passed:
        outcomes.setdefault(report.nodeid, "passed")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session):
    yield  # after pytest's own summary: the RESULT line is the last line
    passed = sum(1 for o in outcomes.values() if o == "passed")
    failed = sum(1 for o in outcomes.values() if o == "failed")
    line = f"RESULT integration {passed} {failed}"
    terminal = session.config.pluginmanager.get_plugin("terminalreporter")
    if terminal:
        terminal.write_line(line)
    else:
        print(line, flush=True)
