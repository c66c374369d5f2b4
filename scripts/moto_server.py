"""The moto server as the tests and scripts/run start it: moto's own application, with its
requests applied one at a time.

Why not plain `moto_server`: moto applies an UpdateItem as an unlocked read-modify-write in a
threaded server, so concurrent `ADD visits :one` on one item can lose an update. DynamoDB applies
each write atomically, and this project's tests assert exactly that (50 concurrent visits end at
exactly 50). Serializing requests gives the emulator that guarantee; connections are still served
concurrently, so long polls and slow clients do not block each other's sockets.

Usage: python scripts/moto_server.py [-H 127.0.0.1] [-p PORT]
"""

import argparse
import faulthandler
import io
import os
import signal
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=5000, help="port to bind (default 5000)")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: every thread's stack to the log

    moto = DomainDispatcherApplication(create_backend_app)
    one_at_a_time = threading.Lock()

    def serialized(environ, start_response):
        # Read the body before taking the lock: a slow or vanished client must not hold up the others.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > 0 or environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(length) if length > 0 else environ["wsgi.input"].read()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        with one_at_a_time:
            # moto builds the whole response before returning, so the state change is done here
            return list(moto(environ, start_response))

    run_simple(args.host, args.port, serialized, threaded=True, request_handler=TimedRequestHandler)


class TimedRequestHandler(MotoRequestHandler):
    """Gives up on a connection whose client sends nothing for a minute, instead of keeping a thread forever."""

    timeout = 60


if __name__ == "__main__":
    main()
