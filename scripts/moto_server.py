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

    moto = DomainDispatcherApplication(create_backend_app)
    one_at_a_time = threading.Lock()

    def serialized(environ, start_response):
        with one_at_a_time:
            # moto builds the whole response before returning, so the state change is done here
            return list(moto(environ, start_response))

    run_simple(args.host, args.port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
