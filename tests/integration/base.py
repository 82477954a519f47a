# SPDX-License-Identifier: MIT
"""Common suite behaviour: a console log per suite, and a board to close."""
import fv


class BaseSuite:
    board = None
    log_path = None

    def open_log(self):
        return open(self.log_path, "wb")

    def boot(self, image, **kw):
        self.log = self.open_log()
        self.board = fv.Board(image, log=self.log, **kw)
        return self.board

    def set_up(self):
        pass

    def tear_down(self):
        if self.board:
            self.board.close()
        if getattr(self, "log", None):
            self.log.close()
