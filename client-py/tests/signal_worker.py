"""Driver for test_exit_signals: ending signals that arrive *during* a flush.

    python3 signal_worker.py flush|atexit TERM[,INT...] [user-handler]

Adds ROWS rows, then flushes: by hand (``flush``) or at interpreter exit (``atexit``). The
signals are sent to this process from inside that flush, just before its batch is written to
the aggregator's socket, so they land mid-flush every time (only the timing is arranged: the
flush, the socket and the aggregator are the real ones). With ``user-handler``, a SIGTERM handler
of the program's own (exit code 3) is installed before pidless.
"""
from __future__ import annotations

import os
import signal
import sys

ROWS = 5


def main(where: str, signals: str, user_handler: bool) -> None:
    if user_handler:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(3))
    import pidless   # after the program's own handler, as in a real program
    from pidless import connection

    counter = pidless.Counter("sig_rows_total", "Rows")
    send = connection.Connection.send

    def send_with_signals(self, data, deadline):
        connection.Connection.send = send
        for name in signals.split(","):
            os.kill(os.getpid(), getattr(signal, "SIG" + name))
        return send(self, data, deadline)

    counter.inc(ROWS)
    connection.Connection.send = send_with_signals
    if where == "flush":
        pidless.flush(timeout=float(os.environ["PIDLESS_EXIT_TIMEOUT"]))
        counter.inc(1000)   # never sent: the deferred signal ends the process when flush returns
        os._exit(7)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "user-handler" in sys.argv[3:])
