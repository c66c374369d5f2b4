"""DynamoDB's read consistency in front of an emulator: eventually consistent reads lag the writes.

Emulators (moto, LocalStack) answer every read with the latest write. DynamoDB does not: an
eventually consistent read "might not reflect the results of a recently completed write", and a
global secondary index is never read consistently. This proxy makes the local world read the way
DynamoDB reads, so that code which only works on a kinder world fails here and not on AWS.

How: every write that succeeds on the emulator is replayed, in the order the emulator applied
it, on a copy of the tables (the same endpoint, another region) LAG milliseconds later.

- GetItem, Query, Scan and BatchGetItem without ConsistentRead, every Query or Scan of an index,
  and PartiQL SELECTs without ConsistentRead are answered by the copy: they see the tables as they
  were LAG ago.
- Consistent reads, TransactGetItems, every write, the control plane and DynamoDB Streams go to
  the emulator itself and see the latest state. Writes are passed on one at a time, so the order
  they are replayed in is the order they were applied in.
- CreateTable, UpdateTable and DeleteTable are applied to the copy at once (a table is usable as
  soon as it exists); at start the copy is made to match the endpoint's tables and items.
- DynamoDB's own refusals that emulators skip: a consistent read of a global secondary index
  (ValidationException), and a TransactWriteItems ClientRequestToken reused within 10 minutes of
  its first use with other parameters (IdempotentParameterMismatchException); a repeat with the
  same parameters is answered as the first call was, without applying it again.
- Any other request (SQS, a non-DynamoDB service) passes through unchanged.

GET /_lagging-reads answers {"lagMs", "copyRegion", "pending", "replayed", "replayFailures"}, so a
tool can tell that an endpoint already lags (and not put a second proxy in front of it).

Usage: python scripts/lagging_reads.py --upstream URL [--lag-ms 1000] [-H 127.0.0.1] [-p PORT]
                                      [--copy-region eu-south-2] [--seed-region us-east-1 ...]
"""

import argparse
import collections
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse

TARGET_PREFIX = "DynamoDB_20120810."
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
MAYBE_EVENTUAL = {"GetItem", "Query", "Scan"}
TABLE_CONTROL = {"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
              "content-length", "host", "expect"}
TOKEN_WINDOW_S = 600  # "A client request token is valid for 10 minutes after the first request that uses it"
CREDENTIAL = re.compile(r"(Credential=[^/,\s]+/\d{8}/)([^/,\s]+)(/)")
STATUS_PATH = "/_lagging-reads"
VERBOSE = False


def log(message):
    print("lagging reads: " + message, file=sys.stderr, flush=True)


class Upstream:
    """The emulator: one keep-alive connection per thread."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SystemExit("error: --upstream must be an http(s) URL, not " + url)
        self.https = parsed.scheme == "https"
        self.host = parsed.hostname
        self.port = parsed.port or (443 if self.https else 80)
        self.local = threading.local()

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            connection = kind(self.host, self.port, timeout=120)
            connection.connect()
            # headers and body go out as separate writes: without this, Nagle's algorithm and the
            # peer's delayed ACK cost ~40 ms a request
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.local.connection = connection
        return connection

    def send(self, method, path, headers, body):
        """(status, [(name, value)], body); an OSError when the emulator cannot be reached."""
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def with_region(headers, region):
    """The headers of a request, signed (as far as an emulator looks) for another region."""
    out = dict(headers)
    auth = out.get("Authorization")
    if auth and CREDENTIAL.search(auth):
        out["Authorization"] = CREDENTIAL.sub(lambda m: m.group(1) + region + m.group(3), auth, count=1)
    else:
        out["Authorization"] = ("AWS4-HMAC-SHA256 Credential=lagging/20000101/%s/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0" % region)
    return out


def region_of(headers):
    match = CREDENTIAL.search(headers.get("Authorization", ""))
    return match.group(2) if match else "us-east-1"


def error(status, kind, message):
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#" + kind, "message": message}).encode()
    return status, [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", kind)], body


def json_reply(payload):
    return 200, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(payload).encode()


class Replay:
    """The writes that succeeded, each replayed on the copy LAG after it was applied, in order."""

    def __init__(self, upstream, copy_region, lag_s):
        self.upstream = upstream
        self.copy_region = copy_region
        self.lag_s = lag_s
        self.queue = collections.deque()  # (due, operation, tables, headers, body)
        self.ready = threading.Condition()
        self.replayed = 0
        self.failures = 0
        self.replaying = 0  # popped from the queue, not yet applied to the copy
        threading.Thread(target=self._run, name="replay", daemon=True).start()

    def add(self, operation, tables, headers, body):
        with self.ready:
            self.queue.append((time.monotonic() + self.lag_s, operation, tables, headers, body))
            self.ready.notify()

    def drop_table(self, table):
        """Forgets the queued writes of a table that was deleted: they must not reach a new table of that name."""
        with self.ready:
            self.queue = collections.deque(e for e in self.queue if table not in e[2])

    def pending(self):
        """The writes the copy does not have yet: queued, or being applied."""
        with self.ready:
            return len(self.queue) + self.replaying

    def _run(self):
        while True:
            with self.ready:
                while not self.queue or self.queue[0][0] > time.monotonic():
                    self.ready.wait(None if not self.queue else max(0.0, self.queue[0][0] - time.monotonic()))
                _, operation, _, headers, body = self.queue.popleft()
                self.replaying = 1
            try:
                status, _, answer = self.upstream.send("POST", "/", with_region(headers, self.copy_region), body)
            except OSError as e:
                status, answer = 0, str(e).encode()
            with self.ready:
                self.replaying = 0
                if status == 200:
                    self.replayed += 1
                else:
                    self.failures += 1
            if status != 200:
                # the copy and the endpoint now differ: say so, loudly, once per write
                log("the copy refused a replayed %s (%s): %s" % (operation, status, answer[:300].decode("utf-8", "replace")))


class ClientTokens:
    """TransactWriteItems' ClientRequestToken as DynamoDB keeps it: 10 minutes from the first call's completion."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}  # (region, token) -> (parameters hash, completed at, status, headers, body)

    @staticmethod
    def parameters(request):
        rest = {k: v for k, v in request.items() if k != "ClientRequestToken"}
        return hashlib.sha256(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    def earlier(self, region, token, digest):
        """The stored answer for a repeat, an error for a mismatch, or None for a first use."""
        with self.lock:
            now = time.monotonic()
            for key in [k for k, v in self.seen.items() if now - v[1] > TOKEN_WINDOW_S]:
                del self.seen[key]
            entry = self.seen.get((region, token))
        if entry is None:
            return None
        if entry[0] != digest:
            return error(400, "IdempotentParameterMismatchException",
                         "The request uses the same client token as a previous, but non-identical request.")
        return entry[2], entry[3], entry[4]

    def remember(self, region, token, digest, status, headers, body):
        with self.lock:
            self.seen[(region, token)] = (digest, time.monotonic(), status, headers, body)


class LaggingReads:
    def __init__(self, upstream, copy_region, lag_ms):
        self.upstream = upstream
        self.copy_region = copy_region
        self.lag_ms = lag_ms
        self.replay = Replay(upstream, copy_region, lag_ms / 1000.0)
        self.tokens = ClientTokens()
        self.writes = threading.Lock()  # one write at a time: replayed in the order applied
        self.index_kinds = {}  # (region, table) -> set of global index names

    # -- routing -------------------------------------------------------------------------------

    def handle(self, method, path, headers, body):
        if method == "GET" and path.split("?")[0] == STATUS_PATH:
            return json_reply({"lagMs": self.lag_ms, "copyRegion": self.copy_region, "pending": self.replay.pending(),
                               "replayed": self.replay.replayed, "replayFailures": self.replay.failures})
        target = headers.get("X-Amz-Target", "")
        if method != "POST" or not target.startswith(TARGET_PREFIX):
            return self.upstream.send(method, path, headers, body)  # Streams, SQS, anything else
        operation = target[len(TARGET_PREFIX):]
        region = region_of(headers)
        if VERBOSE:
            log("%s %s" % (operation, body[:200].decode("utf-8", "replace")))
        if region == self.copy_region:
            return error(400, "ValidationException", "region %s holds the lagging copy of reads; use another" % region)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.upstream.send(method, path, headers, body)  # the endpoint says what is wrong with it
        if operation in WRITES:
            return self.write(operation, request, headers, body, region)
        if operation in TABLE_CONTROL:
            return self.control(operation, request, headers, body, region)
        if operation in MAYBE_EVENTUAL:
            return self.read(operation, request, headers, body, region)
        if operation == "BatchGetItem":
            return self.batch_get(request, headers, body)
        if operation == "ExecuteStatement":
            return self.statement(request, headers, body)
        if operation in ("BatchExecuteStatement", "ExecuteTransaction"):
            statements = request.get("Statements") or request.get("TransactStatements") or []
            if all(is_select(s.get("Statement", "")) for s in statements):
                return self.upstream.send(method, path, headers, body)
            return self.write(operation, request, headers, body, region)
        return self.upstream.send(method, path, headers, body)

    def read(self, operation, request, headers, body, region):
        index = request.get("IndexName")
        consistent = request.get("ConsistentRead") is True
        if index and consistent and index in self.global_indexes(region, request.get("TableName"), headers):
            return error(400, "ValidationException", "Consistent reads are not supported on global secondary indexes")
        if consistent:
            return self.upstream.send("POST", "/", headers, body)  # a local secondary index reads consistently too
        return self.from_copy(headers, body)

    def statement(self, request, headers, body):
        if is_select(request.get("Statement", "")):
            if request.get("ConsistentRead") is True:
                return self.upstream.send("POST", "/", headers, body)
            return self.from_copy(headers, body)
        return self.write("ExecuteStatement", request, headers, body, region_of(headers))

    def batch_get(self, request, headers, body):
        items = request.get("RequestItems") or {}
        consistent = {t: v for t, v in items.items() if isinstance(v, dict) and v.get("ConsistentRead") is True}
        eventual = {t: v for t, v in items.items() if t not in consistent}
        if not eventual:
            return self.upstream.send("POST", "/", headers, body)
        if not consistent:
            return self.from_copy(headers, body)
        # both kinds in one call: each part from where DynamoDB would read it, answered as one
        latest = self.upstream.send("POST", "/", headers, json.dumps(dict(request, RequestItems=consistent)).encode())
        lagging = self.from_copy(headers, json.dumps(dict(request, RequestItems=eventual)).encode())
        for part in (latest, lagging):
            if part[0] != 200:
                return part
        merged = {"Responses": {}, "UnprocessedKeys": {}}
        for part in (latest, lagging):
            answer = json.loads(part[2] or b"{}")
            merged["Responses"].update(answer.get("Responses") or {})
            merged["UnprocessedKeys"].update(answer.get("UnprocessedKeys") or {})
            if "ConsumedCapacity" in answer:
                merged.setdefault("ConsumedCapacity", []).extend(answer["ConsumedCapacity"])
        return json_reply(merged)

    def from_copy(self, headers, body):
        return self.upstream.send("POST", "/", with_region(headers, self.copy_region), body)

    # -- writes --------------------------------------------------------------------------------

    def write(self, operation, request, headers, body, region):
        token = request.get("ClientRequestToken") if operation == "TransactWriteItems" else None
        digest = ClientTokens.parameters(request) if token else None
        with self.writes:
            if token:
                earlier = self.tokens.earlier(region, token, digest)
                if earlier is not None:
                    return earlier
            status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
            if token and (status == 200 or status == 400):
                self.tokens.remember(region, token, digest, status, answer_headers, answer)
            if status == 200:
                replayed = replayable(operation, request, answer)
                if replayed is not None:
                    self.replay.add(operation, tables_of(operation, request), headers, json.dumps(replayed).encode())
            elif status >= 500:
                log("%s answered %s; if it applied anyway, the copy will miss it" % (operation, status))
            return status, answer_headers, answer

    def control(self, operation, request, headers, body, region):
        table = request.get("TableName")
        with self.writes:
            status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
            if status != 200:
                return status, answer_headers, answer
            self.index_kinds.pop((region, table), None)
            if operation == "DeleteTable":
                self.replay.drop_table(table)
            copied = {k: v for k, v in request.items() if k not in ("StreamSpecification", "Tags")}
            self.to_copy(operation, copied, headers)
            return status, answer_headers, answer

    def to_copy(self, operation, request, headers):
        copy_headers = with_region(dict(headers, **{"X-Amz-Target": TARGET_PREFIX + operation}), self.copy_region)
        status, _, answer = self.upstream.send("POST", "/", copy_headers, json.dumps(request).encode())
        if status == 400 and operation == "CreateTable" and b"ResourceInUse" in answer:
            # left over from an earlier run on the same endpoint: start it afresh
            self.to_copy("DeleteTable", {"TableName": request["TableName"]}, headers)
            status, _, answer = self.upstream.send("POST", "/", copy_headers, json.dumps(request).encode())
        if status != 200 and not (operation == "DeleteTable" and b"ResourceNotFound" in answer):
            log("the copy refused %s (%s): %s" % (operation, status, answer[:300].decode("utf-8", "replace")))
        return status, answer

    def global_indexes(self, region, table, headers):
        key = (region, table)
        if key not in self.index_kinds:
            described_headers = dict(headers, **{"X-Amz-Target": TARGET_PREFIX + "DescribeTable"})
            status, _, answer = self.upstream.send("POST", "/", described_headers,
                                                   json.dumps({"TableName": table}).encode())
            if status != 200:
                return set()
            described = json.loads(answer).get("Table", {})
            self.index_kinds[key] = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes") or []}
        return self.index_kinds[key]

    # -- start ---------------------------------------------------------------------------------

    def seed(self, region):
        """Makes the copy of {region} hold what the endpoint holds: its tables, with their items."""
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        signed = with_region(headers, region)
        tables = list_tables(self.upstream, signed)
        for stale in set(list_tables(self.upstream, with_region(headers, self.copy_region))) - set(tables):
            self.to_copy("DeleteTable", {"TableName": stale}, signed)
        for table in tables:
            status, _, answer = call(self.upstream, signed, "DescribeTable", {"TableName": table})
            if status != 200:
                continue
            self.to_copy("CreateTable", create_request(json.loads(answer)["Table"]), signed)
            copied = 0
            start = None
            while True:
                scan = {"TableName": table, "ConsistentRead": True}
                if start:
                    scan["ExclusiveStartKey"] = start
                status, _, answer = call(self.upstream, signed, "Scan", scan)
                page = json.loads(answer)
                items = page.get("Items") or []
                for i in range(0, len(items), 25):
                    batch = {"RequestItems": {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}}
                    self.to_copy("BatchWriteItem", batch, signed)
                copied += len(items)
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
            if copied:
                log("copied %d items of %s (%s) to start from" % (copied, table, region))


def is_select(statement):
    return statement.lstrip().upper().startswith("SELECT")


def tables_of(operation, request):
    if operation == "BatchWriteItem":
        return set((request.get("RequestItems") or {}).keys())
    if operation == "TransactWriteItems":
        return {part.get("TableName") for item in request.get("TransactItems") or [] for part in item.values()
                if isinstance(part, dict)}
    return {request.get("TableName")}


def replayable(operation, request, answer):
    """What to replay of a write that succeeded: a batch without what the endpoint left unprocessed."""
    replayed = {k: v for k, v in request.items() if k not in ("ClientRequestToken", "ReturnValues",
                                                                "ReturnValuesOnConditionCheckFailure",
                                                                "ReturnConsumedCapacity",
                                                                "ReturnItemCollectionMetrics")}
    if operation != "BatchWriteItem":
        return replayed
    unprocessed = json.loads(answer or b"{}").get("UnprocessedItems") or {}
    items = {}
    for table, writes in (request.get("RequestItems") or {}).items():
        left = unprocessed.get(table) or []
        done = [w for w in writes if w not in left]
        if done:
            items[table] = done
    return dict(replayed, RequestItems=items) if items else None


def call(upstream, headers, operation, request):
    return upstream.send("POST", "/", dict(headers, **{"X-Amz-Target": TARGET_PREFIX + operation}),
                         json.dumps(request).encode())


def list_tables(upstream, headers):
    names, start = [], None
    while True:
        status, _, answer = call(upstream, headers, "ListTables", {"ExclusiveStartTableName": start} if start else {})
        if status != 200:
            return names
        page = json.loads(answer)
        names += page.get("TableNames") or []
        start = page.get("LastEvaluatedTableName")
        if not start:
            return names


def create_request(table):
    """A CreateTable request for a table like {table} (a DescribeTable answer), without its stream."""
    def throughput(described):
        t = described.get("ProvisionedThroughput") or {}
        return {"ReadCapacityUnits": max(1, t.get("ReadCapacityUnits") or 1),
                "WriteCapacityUnits": max(1, t.get("WriteCapacityUnits") or 1)}

    on_demand = (table.get("BillingModeSummary") or {}).get("BillingMode") == "PAY_PER_REQUEST"
    request = {"TableName": table["TableName"], "KeySchema": table["KeySchema"],
               "AttributeDefinitions": table["AttributeDefinitions"],
               "BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED"}
    if not on_demand:
        request["ProvisionedThroughput"] = throughput(table)
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = []
        for index in table.get(kind) or []:
            copied = {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            if kind == "GlobalSecondaryIndexes" and not on_demand:
                copied["ProvisionedThroughput"] = throughput(index)
            indexes.append(copied)
        if indexes:
            request[kind] = indexes
    return request


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # a client silent this long loses its connection, not a thread forever
    proxy = None  # set before serving

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see Upstream

    def _serve(self):
        body = self._body()
        # header names are case-insensitive, and proxies in front (Java's HTTP server) change their case
        headers = {name.title(): value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        headers["Host"] = "%s:%d" % (self.proxy.upstream.host, self.proxy.upstream.port)
        try:
            status, answer_headers, answer = self.proxy.handle(self.command, self.path, headers, body)
        except OSError:
            # the endpoint is down: the caller sees a connection failure, as it would without the proxy
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in answer_headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    def log_message(self, format, *args):
        pass  # one line per request would drown the run's own output


def exit_with(pid):
    """Ends this process when {pid} is gone: a parent killed before it could stop us leaves no orphan."""
    while True:
        time.sleep(1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            log("the process that started this proxy (%d) is gone: stopping" % pid)
            os._exit(0)
        except PermissionError:
            pass  # alive, someone else's


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the emulator's URL")
    parser.add_argument("--lag-ms", type=int, default=1000, help="how far the copy trails the writes (default 1000)")
    parser.add_argument("-H", "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--copy-region", default="eu-south-2", help="the region of the copy (default eu-south-2)")
    parser.add_argument("--seed-region", action="append", default=[],
                        help="a region whose tables the copy starts from (default us-east-1; repeatable)")
    parser.add_argument("--verbose", action="store_true", help="one line per DynamoDB request, to stderr")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process is gone (the tool that started the proxy)")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    if args.lag_ms < 0:
        raise SystemExit("error: --lag-ms must be 0 or more, not %d" % args.lag_ms)
    if urllib.parse.urlsplit(args.upstream).hostname and \
            urllib.parse.urlsplit(args.upstream).hostname.endswith("amazonaws.com"):
        raise SystemExit("error: %s is DynamoDB itself, whose reads lag already; this proxy is for emulators"
                         % args.upstream)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))

    proxy = LaggingReads(Upstream(args.upstream), args.copy_region, args.lag_ms)
    for region in args.seed_region or ["us-east-1"]:
        if region == args.copy_region:
            raise SystemExit("error: --seed-region %s is the copy's own region" % region)
        try:
            proxy.seed(region)
        except OSError as e:
            raise SystemExit("error: cannot reach %s: %s" % (args.upstream, e))
    if args.parent_pid:
        threading.Thread(target=exit_with, args=(args.parent_pid,), name="parent", daemon=True).start()
    Handler.proxy = proxy
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    log("eventually consistent reads and index queries trail the writes to %s by %d ms, on http://%s:%d"
        % (args.upstream, args.lag_ms, args.host, server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
