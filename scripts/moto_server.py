"""The moto server as the tests and scripts/run start it: moto's own application, with its
requests applied one at a time.

Why not plain `moto_server`: moto applies an UpdateItem as an unlocked read-modify-write in a
threaded server, so concurrent `ADD visits :one` on one item can lose an update. DynamoDB applies
each write atomically, and this project's tests assert exactly that (50 concurrent visits end at
exactly 50). Serializing requests gives the emulator that guarantee; connections are still served
concurrently, so slow clients do not block each other's sockets.

An SQS long poll (ReceiveMessage with WaitTimeSeconds) is the one request that waits inside moto,
and inside the lock it would hold every other request up for as long, so that a message sent
during the poll could not arrive before it ended. It is served as SQS serves it: polled here, one
short receive at a time under the lock, until a message is there or the wait is over. (moto's own
wait also never ends under a shifted clock: it waits on a condition whose deadline libfaketime
moves 400 days ahead.)

Usage: python scripts/moto_server.py [-H 127.0.0.1] [-p PORT]
"""

import argparse
import faulthandler
import io
import json
import os
import signal
import sys
import threading
import time
from urllib.parse import parse_qs, urlencode

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
        body = b""
        if length > 0 or environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(length) if length > 0 else environ["wsgi.input"].read()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        wait, short = long_poll(environ, body)
        if wait <= 0:
            with one_at_a_time:
                # moto builds the whole response before returning, so the state change is done here
                return list(moto(environ, start_response))
        deadline = time.monotonic() + wait
        while True:
            environ["wsgi.input"] = io.BytesIO(short)
            environ["CONTENT_LENGTH"] = str(len(short))
            answer = {}
            with one_at_a_time:
                chunks = list(moto(environ, lambda status, headers, exc_info=None: answer.update(
                    status=status, headers=headers)))
            if not answer["status"].startswith("200") or received(chunks) or time.monotonic() >= deadline:
                start_response(answer["status"], answer["headers"])
                return chunks
            time.sleep(0.05)

    run_simple(args.host, args.port, serialized, threaded=True, request_handler=TimedRequestHandler)


def long_poll(environ, body):
    """(WaitTimeSeconds, the same request with none) of an SQS ReceiveMessage that waits 1 to 20
    seconds, else (0, body): anything else, a value SQS refuses included, goes to moto as it is."""
    try:
        if environ.get("HTTP_X_AMZ_TARGET") == "AmazonSQS.ReceiveMessage":  # the JSON protocol
            request = json.loads(body or b"{}")
            wait = int(request.get("WaitTimeSeconds") or 0)
            if 0 < wait <= 20:
                return wait, json.dumps({**request, "WaitTimeSeconds": 0}).encode()
        elif environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):  # the query protocol
            form = parse_qs(body.decode(), keep_blank_values=True)
            if form.get("Action") == ["ReceiveMessage"]:
                wait = int((form.get("WaitTimeSeconds") or ["0"])[0] or 0)
                if 0 < wait <= 20:
                    form["WaitTimeSeconds"] = ["0"]
                    return wait, urlencode(form, doseq=True).encode()
    except (ValueError, TypeError, AttributeError):
        pass
    return 0, body


def received(chunks):
    """Whether a ReceiveMessage answer holds a message, in either protocol's answer."""
    answer = b"".join(chunks)
    if answer.lstrip().startswith(b"{"):
        return bool(json.loads(answer).get("Messages"))
    return b"<Message>" in answer


class TimedRequestHandler(MotoRequestHandler):
    """Gives up on a connection whose client sends nothing for a minute, instead of keeping a thread forever."""

    timeout = 60


if __name__ == "__main__":
    main()
