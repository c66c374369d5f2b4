"""DynamoDB as AWS runs it, in front of an emulator: what emulators skip, made to happen.

Emulators (moto, LocalStack) are kinder than DynamoDB in ways that hide bugs. This proxy stands
between a program and any emulator and makes the local world behave as DynamoDB's documentation
says it does, so that code which only works on the kinder world fails here and not on AWS:

- Reads lag. An eventually consistent GetItem, Query, Scan or BatchGetItem (and a PartiQL SELECT)
  is answered from one of two copies of the tables that trail the writes, one by LAG and one by
  LAG/2, chosen per read: a read "might not reflect the results of a recently completed write",
  and two reads in a row can see a newer value and then an older one. A consistent read of a
  global secondary index is refused (ValidationException), as DynamoDB refuses it.
- Indexes trail item by item. Queries and scans of a global secondary index are answered from a
  third copy that trails by INDEX_LAG, where the items a write changed arrive one at a time, the
  ones leaving an index first, SPREAD apart: a transaction's changes reach an index item by item,
  not as a unit, so a query can see some of them and not others.
- The copies converge on what was applied. Each write is followed by a consistent read of the
  items it named (unless its own answer says what they became), and the copies are given those
  item images; so a write whose answer was lost, and whose resend was refused because the first
  attempt had applied, still reaches them. An image that cannot be read now is read again later.
- Transactions hold their items. A TransactWriteItems holds its items for HOLD before it applies;
  meanwhile a PutItem, UpdateItem or DeleteItem of one of them is refused with
  TransactionConflictException, and another transaction (or TransactGetItems) naming one is
  cancelled with TransactionCanceledException, reason TransactionConflict for that item.
- TTL deletes. Items whose TTL attribute passed more than TTL_DELAY ago (and less than five years
  ago, as DynamoDB ignores older ones) are deleted, on condition their TTL did not move, and the
  stream's REMOVE record of each carries userIdentity {"type": "Service", "principalId":
  "dynamodb.amazonaws.com"}, as DynamoDB marks its own deletes. TTL runs on this process's clock,
  as DynamoDB's runs on AWS's: a client whose clock is off (a test under libfaketime) reads the
  service's time from a response's Date header, as it must on AWS.
- A TransactWriteItems ClientRequestToken reused within 10 minutes of its first use with other
  parameters is refused (IdempotentParameterMismatchException); with the same parameters the
  first answer is given again (a cancellation too, a conflict's included) and nothing applied twice.

Writes are passed on one at a time, so the copies see them in the order they were applied.
CreateTable, UpdateTable and DeleteTable reach the copies at once (a table is usable as soon as it
exists); at start the copies are made to match the endpoint's tables and items. Any other request
(DynamoDB Streams, SQS, a non-DynamoDB service) passes through unchanged, but for the TTL marks.

Each emulation can be turned off: --lag-ms 0 (every read sees the latest write; indexes too),
--transaction-hold-ms 0 (no conflicts), --ttl-delete-after-ms -1 (no TTL deletes).

GET /_dynamodb-fidelity answers what is on and how far the copies are (JSON), so a tool can tell
that an endpoint is such a proxy already and wait for the copies to catch up ("pending": 0).

Usage: python scripts/dynamodb_fidelity.py --upstream URL [--lag-ms 1000] [--index-lag-ms MS]
           [--index-spread-ms MS] [--transaction-hold-ms 50] [--ttl-delete-after-ms 1000]
           [-H 127.0.0.1] [-p PORT] [--seed-region us-east-1 ...]
"""

import argparse
import hashlib
import heapq
import http.client
import http.server
import itertools
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import zlib

TARGET_PREFIX = "DynamoDB_20120810."
STREAMS_PREFIX = "DynamoDBStreams_20120810."
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
MAYBE_EVENTUAL = {"GetItem", "Query", "Scan"}
TABLE_CONTROL = {"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
              "content-length", "host", "expect"}
TOKEN_WINDOW_S = 600  # "A client request token is valid for 10 minutes after the first request that uses it"
TTL_OLDEST_S = 5 * 365 * 24 * 3600  # DynamoDB's TTL skips items whose expiry is more than five years past
TTL_SERVICE = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}  # as GetRecords spells it
TTL_MARKS_KEPT_S = 24 * 3600  # a stream keeps its records 24 hours
CREDENTIAL = re.compile(r"(Credential=[^/,\s]+/\d{8}/)([^/,\s]+)(/)")
STATUS_PATH = "/_dynamodb-fidelity"
COPY_REGIONS = ("eu-south-2", "eu-south-1", "eu-central-2")  # the older read copy, the fresher, the index
VERBOSE = False
READ, FROM_ANSWER, UNCHANGED = object(), object(), object()  # how a write's item is learned (Fidelity.items_named)


def log(message):
    print("dynamodb fidelity: " + message, file=sys.stderr, flush=True)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


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
        """(status, [(name, value)], body); an OSError when the emulator cannot be reached. A request
        whose connection failed is sent once more (resent() then says so: the first may have applied)."""
        for attempt in (1, 2):
            connection = self._connection()
            self.local.resent = attempt == 2
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

    def resent(self):
        """Whether this thread's last request was sent twice: its answer says nothing of the first attempt."""
        return getattr(self.local, "resent", False)

    def call(self, region, operation, request, prefix=TARGET_PREFIX):
        """One DynamoDB call signed (as far as an emulator looks) for {region}: (status, parsed answer)."""
        headers = with_region({"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": prefix + operation}, region)
        status, _, answer = self.send("POST", "/", headers, json.dumps(request).encode())
        try:
            return status, json.loads(answer or b"{}")
        except ValueError:
            return status, {"message": answer[:300].decode("utf-8", "replace")}


def with_region(headers, region):
    """The headers of a request, signed (as far as an emulator looks) for another region."""
    out = dict(headers)
    auth = out.get("Authorization")
    if auth and CREDENTIAL.search(auth):
        out["Authorization"] = CREDENTIAL.sub(lambda m: m.group(1) + region + m.group(3), auth, count=1)
    else:
        out["Authorization"] = ("AWS4-HMAC-SHA256 Credential=fidelity/20000101/%s/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0" % region)
    return out


def region_of(headers):
    match = CREDENTIAL.search(headers.get("Authorization", ""))
    return match.group(2) if match else "us-east-1"


def error(status, kind, message, **extra):
    payload = {"__type": "com.amazonaws.dynamodb.v20120810#" + kind, "message": message}
    payload.update(extra)
    return status, [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", kind)], \
        json.dumps(payload).encode()


def json_reply(payload):
    return 200, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(payload).encode()


class Tables:
    """What the proxy needs to know of each table: its key, its global indexes' keys, its TTL attribute."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.described = {}  # (region, table) -> {"key": [names], "gsi": {name: [key names]}} or None
        self.ttl = {}  # (region, table) -> TTL attribute name, or None

    def describe(self, region, table):
        key = (region, table)
        with self.lock:
            if key in self.described:
                return self.described[key]
        status, answer = self.upstream.call(region, "DescribeTable", {"TableName": table})
        if status != 200:
            return None
        t = answer.get("Table", {})
        described = {"key": [k["AttributeName"] for k in t.get("KeySchema") or []],
                     "gsi": {i["IndexName"]: [k["AttributeName"] for k in i.get("KeySchema") or []]
                             for i in t.get("GlobalSecondaryIndexes") or []}}
        with self.lock:
            self.described[key] = described
        return described

    def forget(self, region, table):
        with self.lock:
            self.described.pop((region, table), None)
            self.ttl.pop((region, table), None)

    def key_of(self, region, table, item):
        described = self.describe(region, table)
        if not described or not item:
            return None
        return {name: item[name] for name in described["key"] if name in item}

    def global_indexes(self, region, table):
        described = self.describe(region, table)
        return set(described["gsi"]) if described else set()

    def index_keys_held(self, region, table, image):
        """How many of the table's global indexes {image} is in: 0 for a deleted item."""
        described = self.describe(region, table)
        if not described or image is None:
            return 0
        return sum(1 for keys in described["gsi"].values() if all(k in image for k in keys))

    def ttl_attribute(self, region, table):
        key = (region, table)
        with self.lock:
            if key in self.ttl:
                return self.ttl[key]
        status, answer = self.upstream.call(region, "DescribeTimeToLive", {"TableName": table})
        described = (answer.get("TimeToLiveDescription") or {}) if status == 200 else {}
        attribute = described.get("AttributeName") if described.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") \
            else None
        with self.lock:
            self.ttl[key] = attribute
        return attribute


class Copy:
    """One copy of the tables in a region of its own, given each item's images LAG after they were applied."""

    def __init__(self, upstream, region, lag_s, name):
        self.upstream = upstream
        self.region = region
        self.lag_s = lag_s
        self.name = name
        self.queue = []  # heap of (due, seq, table, kind, payload)
        self.last_due = {}  # (table, key) -> due of its latest image: one item's images stay in order
        self.seq = itertools.count()
        self.ready = threading.Condition()
        self.applying = 0
        self.replayed = 0
        self.failures = 0
        threading.Thread(target=self._run, name="copy-" + name, daemon=True).start()

    def add_image(self, table, key, image, delay_s=0.0):
        """The item {key} of {table} is {image} now (None: deleted); the copy learns it after its lag."""
        with self.ready:
            item_key = (table, canonical(key))
            due = max(time.monotonic() + self.lag_s + delay_s, self.last_due.get(item_key, 0.0))
            self.last_due[item_key] = due
            payload = {"Item": image} if image is not None else {"Key": key}
            heapq.heappush(self.queue, (due, next(self.seq), table, "put" if image is not None else "delete", payload))
            self.ready.notify()

    def add_request(self, table, operation, request):
        """A write the proxy cannot see the items of (PartiQL): replayed as it was, after the lag."""
        with self.ready:
            heapq.heappush(self.queue, (time.monotonic() + self.lag_s, next(self.seq), table, operation, request))
            self.ready.notify()

    def drop_table(self, table):
        with self.ready:
            self.queue = [entry for entry in self.queue if entry[2] != table]
            heapq.heapify(self.queue)
            self.last_due = {k: v for k, v in self.last_due.items() if k[0] != table}

    def pending(self):
        with self.ready:
            return len(self.queue) + self.applying

    def _apply(self, operation, request):
        """Applies one image, retrying while the endpoint is unreachable or failing (an image is never
        dropped for a passing fault, and the copy's later images wait: one item's images stay in order)."""
        for attempt in range(60):
            try:
                status, answer = self.upstream.call(self.region, operation, request)
            except OSError as e:
                status, answer = 0, {"message": str(e)}
            if status == 200 or 0 < status < 500:
                return status, answer
            time.sleep(min(1.0, 0.05 * (attempt + 1)))
        return status, answer

    def _run(self):
        while True:
            with self.ready:
                while not self.queue or self.queue[0][0] > time.monotonic():
                    self.ready.wait(None if not self.queue else max(0.0, self.queue[0][0] - time.monotonic()))
                _, _, table, kind, payload = heapq.heappop(self.queue)
                self.applying = 1
            if kind == "put":
                operation, request = "PutItem", dict(payload, TableName=table)
            elif kind == "delete":
                operation, request = "DeleteItem", dict(payload, TableName=table)
            else:
                operation, request = kind, payload
            status, answer = self._apply(operation, request)
            with self.ready:
                self.applying = 0
                if status == 200:
                    self.replayed += 1
                else:
                    self.failures += 1
            if status != 200:
                # the copy and the endpoint now differ: say so, loudly, once per write
                log("the %s copy refused %s on %s (%s): %s" % (self.name, operation, table, status,
                                                                canonical(answer)[:300]))


class Holds:
    """The items in-flight transactions hold: a write of one of them meets a transaction conflict."""

    def __init__(self):
        self.lock = threading.Lock()
        self.held = {}  # (region, table, key) -> transaction number
        self.numbers = itertools.count(1)
        self.conflicts = 0

    def take(self, items):
        """Holds {items} for one transaction: its number, or the indexes of the items held already."""
        with self.lock:
            clashing = [i for i, item in enumerate(items) if item in self.held]
            if clashing:
                self.conflicts += 1
                return None, clashing
            number = next(self.numbers)
            for item in items:
                self.held[item] = number
            return number, []

    def release(self, number):
        with self.lock:
            self.held = {k: v for k, v in self.held.items() if v != number}

    def clashes(self, items):
        """The indexes of {items} an in-flight transaction holds (counted as a conflict when any)."""
        with self.lock:
            clashing = [i for i, item in enumerate(items) if item in self.held]
            if clashing:
                self.conflicts += 1
            return clashing

    def count(self):
        with self.lock:
            return len(self.held)


class ClientTokens:
    """TransactWriteItems' ClientRequestToken as DynamoDB keeps it: 10 minutes from the first call's completion."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}  # (region, token) -> (parameters hash, completed at, status, headers, body)
        self.in_flight = set()  # (region, token) of transactions being applied

    @staticmethod
    def parameters(request):
        rest = {k: v for k, v in request.items() if k != "ClientRequestToken"}
        return hashlib.sha256(canonical(rest).encode()).hexdigest()

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

    def begin(self, region, token):
        """Marks a token's transaction in flight: False when it is already (DynamoDB refuses the second)."""
        with self.lock:
            if (region, token) in self.in_flight:
                return False
            self.in_flight.add((region, token))
            return True

    def end(self, region, token):
        with self.lock:
            self.in_flight.discard((region, token))


class TtlMarks:
    """The REMOVE records TTL deletes made, by the item's key and old image: the stream shows them as DynamoDB's."""

    def __init__(self):
        self.lock = threading.Lock()
        self.marks = {}  # (keys, old image) -> when

    def add(self, key, old_image):
        with self.lock:
            now = time.monotonic()
            if len(self.marks) > 100_000:
                self.marks = {k: v for k, v in self.marks.items() if now - v < TTL_MARKS_KEPT_S}
            self.marks[(canonical(key), canonical(old_image))] = now

    def mark(self, records):
        """Adds DynamoDB's service identity to each TTL delete among stream {records}; how many it marked."""
        marked = 0
        with self.lock:
            for record in records:
                change = record.get("dynamodb") or {}
                if record.get("eventName") == "REMOVE" and "userIdentity" not in record and \
                        (canonical(change.get("Keys")), canonical(change.get("OldImage"))) in self.marks:
                    record["userIdentity"] = dict(TTL_SERVICE)
                    marked += 1
        return marked


class Fidelity:
    def __init__(self, upstream, lag_ms, index_lag_ms, index_spread_ms, hold_ms, ttl_delay_ms,
                 copy_regions=COPY_REGIONS):
        self.upstream = upstream
        self.lag_ms = lag_ms
        self.index_lag_ms = index_lag_ms
        self.index_spread_ms = index_spread_ms
        self.hold_ms = hold_ms
        self.ttl_delay_ms = ttl_delay_ms
        self.copy_regions = set(copy_regions)
        self.tables = Tables(upstream)
        self.copies = []
        self.index_copy = None
        if lag_ms > 0:
            self.copies = [Copy(upstream, copy_regions[0], lag_ms / 1000.0, "older"),
                           Copy(upstream, copy_regions[1], lag_ms / 2000.0, "fresher")]
            self.index_copy = Copy(upstream, copy_regions[2], index_lag_ms / 1000.0, "index")
        self.tokens = ClientTokens()
        self.holds = Holds()
        self.ttl_marks = TtlMarks()
        self.ttl_deleted = 0
        self.writes = threading.Lock()  # one write at a time: the copies see them in the order applied
        self.dirty = {}  # (region, table, key json) -> key: images the copies still need (a re-read failed)
        self.regions = set()  # the regions requests came for: where TTL deletes happen
        self.pick = random.Random()

    def all_copies(self):
        return self.copies + ([self.index_copy] if self.index_copy else [])

    # -- routing -------------------------------------------------------------------------------

    def status(self):
        copies = [{"name": c.name, "region": c.region, "lagMs": int(c.lag_s * 1000), "queued": c.pending(),
                   "replayed": c.replayed, "replayFailures": c.failures} for c in self.all_copies()]
        with self.writes:
            dirty = len(self.dirty)
        # "pending" first: tools read the first such key (the copies' own counts are "queued")
        return {"pending": sum(c["queued"] for c in copies) + dirty, "lagMs": self.lag_ms,
                "indexLagMs": self.index_lag_ms if self.index_copy else 0,
                "indexSpreadMs": self.index_spread_ms if self.index_copy else 0,
                "indexQueued": self.index_copy.pending() if self.index_copy else 0, "copies": copies,
                "replayed": sum(c["replayed"] for c in copies),
                "replayFailures": sum(c["replayFailures"] for c in copies),
                "transactionHoldMs": self.hold_ms, "held": self.holds.count(), "conflicts": self.holds.conflicts,
                "ttlDeleteAfterMs": self.ttl_delay_ms, "ttlDeleted": self.ttl_deleted}

    def handle(self, method, path, headers, body):
        if method == "GET" and path.split("?")[0] == STATUS_PATH:
            return json_reply(self.status())
        target = headers.get("X-Amz-Target", "")
        if method == "POST" and target == STREAMS_PREFIX + "GetRecords":
            return self.get_records(headers, body)
        if method != "POST" or not target.startswith(TARGET_PREFIX):
            return self.upstream.send(method, path, headers, body)  # Streams, SQS, anything else
        operation = target[len(TARGET_PREFIX):]
        region = region_of(headers)
        if VERBOSE:
            log("%s %s" % (operation, body[:200].decode("utf-8", "replace")))
        if region in self.copy_regions:
            return error(400, "ValidationException", "region %s holds a copy of the tables; use another" % region)
        self.regions.add(region)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.upstream.send(method, path, headers, body)  # the endpoint says what is wrong with it
        if operation in WRITES:
            return self.write(operation, request, headers, body, region)
        if operation in TABLE_CONTROL:
            return self.control(operation, request, headers, body, region)
        if operation in MAYBE_EVENTUAL:
            return self.read(request, headers, body, region)
        if operation == "BatchGetItem":
            return self.batch_get(request, headers, body)
        if operation == "TransactGetItems":
            return self.transact_get(request, headers, body, region)
        if operation == "ExecuteStatement":
            return self.statement(request, headers, body, region)
        if operation in ("BatchExecuteStatement", "ExecuteTransaction"):
            statements = request.get("Statements") or request.get("TransactStatements") or []
            if all(is_select(s.get("Statement", "")) for s in statements):
                return self.upstream.send(method, path, headers, body)
            return self.partiql_write(operation, request, headers, body)
        return self.upstream.send(method, path, headers, body)

    # -- reads ---------------------------------------------------------------------------------

    def read(self, request, headers, body, region):
        index = request.get("IndexName")
        consistent = request.get("ConsistentRead") is True
        global_index = bool(index) and index in self.tables.global_indexes(region, request.get("TableName"))
        if global_index and consistent:
            return error(400, "ValidationException", "Consistent reads are not supported on global secondary indexes")
        if consistent or not self.copies:
            return self.upstream.send("POST", "/", headers, body)  # a local secondary index reads consistently too
        return self.from_copy(self.index_copy if global_index else self.any_copy(), headers, body)

    def any_copy(self):
        """A read copy, chosen per read: DynamoDB answers an eventual read from any of an item's copies."""
        return self.pick.choice(self.copies)

    def statement(self, request, headers, body, region):
        if is_select(request.get("Statement", "")):
            if request.get("ConsistentRead") is True or not self.copies:
                return self.upstream.send("POST", "/", headers, body)
            return self.from_copy(self.any_copy(), headers, body)
        return self.partiql_write("ExecuteStatement", request, headers, body)

    def batch_get(self, request, headers, body):
        items = request.get("RequestItems") or {}
        consistent = {t: v for t, v in items.items() if isinstance(v, dict) and v.get("ConsistentRead") is True}
        eventual = {t: v for t, v in items.items() if t not in consistent}
        if not eventual or not self.copies:
            return self.upstream.send("POST", "/", headers, body)
        copy = self.any_copy()
        if not consistent:
            return self.from_copy(copy, headers, body)
        # both kinds in one call: each part from where DynamoDB would read it, answered as one
        latest = self.upstream.send("POST", "/", headers, json.dumps(dict(request, RequestItems=consistent)).encode())
        lagging = self.from_copy(copy, headers, json.dumps(dict(request, RequestItems=eventual)).encode())
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

    def transact_get(self, request, headers, body, region):
        items = [(region, part.get("TableName"), canonical(part.get("Key")))
                 for entry in request.get("TransactItems") or [] for part in entry.values() if isinstance(part, dict)]
        clashing = self.holds.clashes(items)
        if clashing:
            return cancelled(len(items), clashing)
        return self.upstream.send("POST", "/", headers, body)

    def from_copy(self, copy, headers, body):
        return self.upstream.send("POST", "/", with_region(headers, copy.region), body)

    def get_records(self, headers, body):
        """A stream's records, TTL deletes marked as DynamoDB's own."""
        status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
        if status != 200 or not self.ttl_marks.marks:
            return status, answer_headers, answer
        try:
            page = json.loads(answer)
        except ValueError:
            return status, answer_headers, answer
        if not self.ttl_marks.mark(page.get("Records") or []):
            return status, answer_headers, answer
        marked = json.dumps(page).encode()
        # the answer changed: its checksum too (SDKs check DynamoDB's x-amz-crc32)
        return status, [(n, v) for n, v in answer_headers if n.lower() not in ("content-length", "x-amz-crc32")] + \
            [("x-amz-crc32", str(zlib.crc32(marked)))], marked

    # -- writes --------------------------------------------------------------------------------

    def write(self, operation, request, headers, body, region):
        token = request.get("ClientRequestToken") if operation == "TransactWriteItems" else None
        digest = ClientTokens.parameters(request) if token else None
        if token:
            with self.writes:
                earlier = self.tokens.earlier(region, token, digest)
            if earlier is not None:
                return earlier
            if not self.tokens.begin(region, token):
                return error(400, "TransactionInProgressException", "The transaction with the given request token is"
                             " already in progress.")
        named = self.items_named(operation, request, region)
        held = None
        try:
            if self.hold_ms > 0 and named:
                keys = [(region, table, canonical(key)) for table, key, _ in named]
                if operation == "TransactWriteItems":
                    held, clashing = self.holds.take(keys)
                    if clashing:
                        answer = cancelled(len(named), clashing)
                        if token:  # the token is spent on the cancellation, as on any completed call
                            with self.writes:
                                self.tokens.remember(region, token, digest, *answer)
                        return answer
                    time.sleep(self.hold_ms / 1000.0)  # in flight: its items are held, not yet written
                elif operation != "BatchWriteItem" and self.holds.clashes(keys):
                    return error(400, "TransactionConflictException", "Transaction is ongoing for the item")
            with self.writes:
                if token:
                    earlier = self.tokens.earlier(region, token, digest)
                    if earlier is not None:
                        return earlier
                try:
                    status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
                except OSError:
                    self.learn(operation, region, named, None, None)  # it may have applied: read what is there
                    raise
                if token and (status == 200 or status == 400):
                    self.tokens.remember(region, token, digest, status, answer_headers, answer)
                # resent after a lost answer: a refusal may be of the resend, the first attempt applied
                self.learn(operation, region, named, None if self.upstream.resent() else status, answer)
                return status, answer_headers, answer
        finally:
            if held is not None:
                self.holds.release(held)
            if token:
                self.tokens.end(region, token)

    def items_named(self, operation, request, region):
        """[(table, key, what)] of the items a write names. {what} is the image the request itself
        gives (None for a delete), READ (read it after the write), FROM_ANSWER (the answer's
        ALL_NEW attributes give it) or UNCHANGED (a condition check: held, never written)."""
        named = []

        def add(table, key, what):
            if table and key:
                named.append((table, key, what))

        if operation == "PutItem":
            add(request.get("TableName"), self.tables.key_of(region, request.get("TableName"), request.get("Item")),
                request.get("Item"))
        elif operation == "DeleteItem":
            add(request.get("TableName"), request.get("Key"), None)
        elif operation == "UpdateItem":
            add(request.get("TableName"), request.get("Key"),
                FROM_ANSWER if request.get("ReturnValues") == "ALL_NEW" else READ)
        elif operation == "BatchWriteItem":
            for table, writes in (request.get("RequestItems") or {}).items():
                for w in writes:
                    if "PutRequest" in w:
                        item = w["PutRequest"].get("Item")
                        add(table, self.tables.key_of(region, table, item), item)
                    elif "DeleteRequest" in w:
                        add(table, w["DeleteRequest"].get("Key"), None)
        elif operation == "TransactWriteItems":
            for entry in request.get("TransactItems") or []:
                for kind, part in entry.items():
                    table = part.get("TableName")
                    if kind == "Put":
                        add(table, self.tables.key_of(region, table, part.get("Item")), part.get("Item"))
                    elif kind == "Delete":
                        add(table, part.get("Key"), None)
                    elif kind == "Update":
                        add(table, part.get("Key"), READ)
                    elif kind == "ConditionCheck":
                        add(table, part.get("Key"), UNCHANGED)
        return named

    def learn(self, operation, region, named, status, answer):
        """Gives the copies what a write left in its items (under the write lock, so in the order applied).
        A status of None means the outcome is in doubt: the items are read as they are now."""
        if not named or not self.all_copies():
            return
        images = {}
        unknown = []
        if status == 200:
            left = set()
            if operation == "BatchWriteItem":
                # a batch's unprocessed writes changed nothing; the others did what they say
                left = {canonical(k) for k in unprocessed_keys(answer, self.tables, region)}
            for table, key, what in named:
                if what is UNCHANGED or canonical(key) in left:
                    continue
                if what is FROM_ANSWER:
                    attributes = json.loads(answer or b"{}").get("Attributes")
                    if attributes:
                        images[(table, canonical(key))] = (table, key, attributes)
                    else:
                        unknown.append((table, key))
                elif what is READ:
                    unknown.append((table, key))
                else:
                    images[(table, canonical(key))] = (table, key, what)
        elif status is not None and status < 500:
            return  # refused: nothing was written (DynamoDB writes all of a request or none of it)
        else:
            # the answer is in doubt (lost, or an error after it may have applied): read what is there
            unknown = [(table, key) for table, key, what in named if what is not UNCHANGED]
        if unknown:
            read, failed = self.read_items(region, unknown)
            images.update(read)
            for table, key in failed:
                self.dirty[(region, table, canonical(key))] = key
        self.give_copies(region, list(images.values()))

    def read_items(self, region, keys):
        """The items of {keys} as they are now, read consistently: ({(table, key json): (table, key, image)}, failed)."""
        found, failed = {}, []
        by_table = {}
        for table, key in keys:
            by_table.setdefault(table, {})[canonical(key)] = key
        for table, wanted in by_table.items():
            pending = list(wanted.values())
            while pending:
                batch, pending = pending[:100], pending[100:]
                try:
                    status, answer = self.upstream.call(region, "BatchGetItem", {
                        "RequestItems": {table: {"Keys": batch, "ConsistentRead": True}}})
                except OSError:
                    status, answer = 0, {}
                if status != 200:
                    failed += [(table, k) for k in batch]
                    continue
                seen = {}
                key_names = (self.tables.describe(region, table) or {}).get("key") or []
                for item in (answer.get("Responses") or {}).get(table) or []:
                    seen[canonical({n: item[n] for n in key_names if n in item})] = item
                for key in batch:
                    found[(table, canonical(key))] = (table, key, seen.get(canonical(key)))
                pending += ((answer.get("UnprocessedKeys") or {}).get(table) or {}).get("Keys") or []
                for key in ((answer.get("UnprocessedKeys") or {}).get(table) or {}).get("Keys") or []:
                    found.pop((table, canonical(key)), None)
        return found, failed

    def give_copies(self, region, images):
        """Item images to every copy; the index copy gets a write's items one at a time, leaving ones first."""
        for copy in self.copies:
            for table, key, image in images:
                copy.add_image(table, key, image)
        if self.index_copy is None:
            return
        indexed = [(self.tables.index_keys_held(region, table, image), table, key, image)
                   for table, key, image in images if self.tables.global_indexes(region, table)]
        indexed.sort(key=lambda entry: entry[0])
        for rank, (_, table, key, image) in enumerate(indexed):
            self.index_copy.add_image(table, key, image, rank * self.index_spread_ms / 1000.0)

    def resync(self):
        """Reads again the items whose images the copies missed (a re-read failed), until they have them."""
        while True:
            time.sleep(0.25)
            with self.writes:
                if not self.dirty:
                    continue
                by_region = {}
                for (region, table, _), key in self.dirty.items():
                    by_region.setdefault(region, []).append((table, key))
                for region, keys in by_region.items():
                    read, failed = self.read_items(region, keys)
                    for table, key in keys:
                        if (table, key) not in failed:
                            self.dirty.pop((region, table, canonical(key)), None)
                    self.give_copies(region, list(read.values()))

    def partiql_write(self, operation, request, headers, body):
        """A PartiQL write: its items are not named in a form the proxy reads, so it is replayed as it was."""
        with self.writes:
            status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
            if status == 200:
                for copy in self.all_copies():
                    copy.add_request(None, operation, request)
            return status, answer_headers, answer

    def control(self, operation, request, headers, body, region):
        table = request.get("TableName")
        with self.writes:
            status, answer_headers, answer = self.upstream.send("POST", "/", headers, body)
            if status != 200:
                return status, answer_headers, answer
            self.tables.forget(region, table)
            if operation == "UpdateTimeToLive":
                return status, answer_headers, answer  # the copies are not deleted from by TTL: the table is
            if operation == "DeleteTable":
                for copy in self.all_copies():
                    copy.drop_table(table)
            copied = {k: v for k, v in request.items() if k not in ("StreamSpecification", "Tags")}
            for copy in self.all_copies():
                self.to_copy(copy, operation, copied)
            return status, answer_headers, answer

    def to_copy(self, copy, operation, request):
        status, answer = self.upstream.call(copy.region, operation, request)
        if status == 400 and operation == "CreateTable" and "ResourceInUse" in canonical(answer):
            # left over from an earlier run on the same endpoint: start it afresh
            self.upstream.call(copy.region, "DeleteTable", {"TableName": request["TableName"]})
            status, answer = self.upstream.call(copy.region, operation, request)
        if status != 200 and not (operation == "DeleteTable" and "ResourceNotFound" in canonical(answer)):
            log("the %s copy refused %s (%s): %s" % (copy.name, operation, status, canonical(answer)[:300]))
        return status, answer

    # -- TTL -----------------------------------------------------------------------------------

    def now_s(self):
        return time.time()

    def sweep_ttl(self):
        """Deletes what TTL would have deleted by now, as DynamoDB does, every second."""
        while True:
            time.sleep(1.0)
            for region in list(self.regions):
                try:
                    self.sweep_region(region)
                except OSError:
                    pass  # the endpoint is down: the next sweep tries again
                except Exception as e:  # noqa: BLE001 - a sweep must never stop the proxy
                    log("TTL sweep of %s failed: %r" % (region, e))

    def sweep_region(self, region):
        for table in list_tables(self.upstream, region):
            attribute = self.tables.ttl_attribute(region, table)
            if not attribute:
                continue
            now = self.now_s()
            cutoff = int(now - self.ttl_delay_ms / 1000.0)
            start = None
            while True:
                scan = {"TableName": table, "ConsistentRead": True, "FilterExpression": "#t < :cutoff AND #t > :oldest",
                        "ExpressionAttributeNames": {"#t": attribute},
                        "ExpressionAttributeValues": {":cutoff": {"N": str(cutoff)},
                                                      ":oldest": {"N": str(int(now) - TTL_OLDEST_S)}}}
                if start:
                    scan["ExclusiveStartKey"] = start
                status, page = self.upstream.call(region, "Scan", scan)
                if status != 200:
                    return
                for item in page.get("Items") or []:
                    self.expire(region, table, attribute, item)
                start = page.get("LastEvaluatedKey")
                if not start:
                    break

    def expire(self, region, table, attribute, item):
        key = self.tables.key_of(region, table, item)
        if not key or self.holds.clashes([(region, table, canonical(key))]):
            return  # a transaction holds it: the next sweep
        request = {"TableName": table, "Key": key, "ConditionExpression": "#t = :seen",
                   "ExpressionAttributeNames": {"#t": attribute},
                   "ExpressionAttributeValues": {":seen": item[attribute]}, "ReturnValues": "ALL_OLD"}
        with self.writes:
            status, answer = self.upstream.call(region, "DeleteItem", request)
            if status == 200 and answer.get("Attributes"):
                self.ttl_marks.add(key, answer["Attributes"])
                self.ttl_deleted += 1
                self.give_copies(region, [(table, key, None)])

    # -- start ---------------------------------------------------------------------------------

    def seed(self, region):
        """Makes the copies hold what the endpoint holds in {region}: its tables, with their items."""
        self.regions.add(region)
        if not self.all_copies():
            return
        tables = list_tables(self.upstream, region)
        for copy in self.all_copies():
            for stale in set(list_tables(self.upstream, copy.region)) - set(tables):
                self.to_copy(copy, "DeleteTable", {"TableName": stale})
        for table in tables:
            status, answer = self.upstream.call(region, "DescribeTable", {"TableName": table})
            if status != 200:
                continue
            create = create_request(answer["Table"])
            for copy in self.all_copies():
                self.to_copy(copy, "CreateTable", create)
            copied = 0
            start = None
            while True:
                scan = {"TableName": table, "ConsistentRead": True}
                if start:
                    scan["ExclusiveStartKey"] = start
                status, page = self.upstream.call(region, "Scan", scan)
                items = page.get("Items") or []
                for i in range(0, len(items), 25):
                    batch = {"RequestItems": {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}}
                    for copy in self.all_copies():
                        self.to_copy(copy, "BatchWriteItem", batch)
                copied += len(items)
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
            if copied:
                log("copied %d items of %s (%s) to start from" % (copied, table, region))


def cancelled(count, clashing):
    """DynamoDB's answer to a transaction that met another: cancelled, TransactionConflict for each item met."""
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"} if i in clashing
               else {"Code": "None"} for i in range(count)]
    message = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]" % ", ".join(
        r["Code"] for r in reasons)
    return error(400, "TransactionCanceledException", message, CancellationReasons=reasons, Message=message)


def unprocessed_keys(answer, tables, region):
    left = []
    for table, writes in (json.loads(answer or b"{}").get("UnprocessedItems") or {}).items():
        for w in writes:
            if "PutRequest" in w:
                left.append(tables.key_of(region, table, w["PutRequest"].get("Item")))
            elif "DeleteRequest" in w:
                left.append(w["DeleteRequest"].get("Key"))
    return left


def is_select(statement):
    return statement.lstrip().upper().startswith("SELECT")


def list_tables(upstream, region):
    names, start = [], None
    while True:
        status, page = upstream.call(region, "ListTables", {"ExclusiveStartTableName": start} if start else {})
        if status != 200:
            return names
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
        self.send_response(status)  # with this server's Date: the clock TTL runs on is the service's
        for name, value in answer_headers:
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("date", "server"):
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
    parser.add_argument("--lag-ms", type=int, default=1000,
                        help="how far the older read copy trails the writes (the fresher one: half); 0 turns lagging"
                             " reads and indexes off (default 1000)")
    parser.add_argument("--index-lag-ms", type=int, default=None,
                        help="how far global secondary indexes trail the writes (default: --lag-ms)")
    parser.add_argument("--index-spread-ms", type=int, default=None,
                        help="how far apart one write's items reach an index (default: --lag-ms)")
    parser.add_argument("--transaction-hold-ms", type=int, default=50,
                        help="how long a transaction holds its items before it applies; 0 for no conflicts"
                             " (default 50)")
    parser.add_argument("--ttl-delete-after-ms", type=int, default=1000,
                        help="how long after its TTL an item is deleted; -1 for never (default 1000)")
    parser.add_argument("-H", "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--copy-regions", default=",".join(COPY_REGIONS),
                        help="the regions of the older read copy, the fresher one and the index copy (default %s)"
                             % ",".join(COPY_REGIONS))
    parser.add_argument("--seed-region", action="append", default=[],
                        help="a region whose tables the copies start from (default us-east-1; repeatable)")
    parser.add_argument("--verbose", action="store_true", help="one line per DynamoDB request, to stderr")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process is gone (the tool that started the proxy)")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    for name in ("lag_ms", "index_lag_ms", "index_spread_ms", "transaction_hold_ms"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise SystemExit("error: --%s must be 0 or more, not %d" % (name.replace("_", "-"), value))
    if args.ttl_delete_after_ms < -1:
        raise SystemExit("error: --ttl-delete-after-ms must be -1 (never) or more, not %d" % args.ttl_delete_after_ms)
    host = urllib.parse.urlsplit(args.upstream).hostname
    if host and host.endswith("amazonaws.com"):
        raise SystemExit("error: %s is DynamoDB itself, which behaves so already; this proxy is for emulators"
                         % args.upstream)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))

    copy_regions = tuple(r.strip() for r in args.copy_regions.split(","))
    if len(copy_regions) != 3 or len(set(copy_regions)) != 3 or not all(copy_regions):
        raise SystemExit("error: --copy-regions takes three different regions, not %s" % args.copy_regions)
    index_lag = args.lag_ms if args.index_lag_ms is None else args.index_lag_ms
    spread = args.lag_ms if args.index_spread_ms is None else args.index_spread_ms
    proxy = Fidelity(Upstream(args.upstream), args.lag_ms, index_lag, spread, args.transaction_hold_ms,
                     args.ttl_delete_after_ms, copy_regions)
    for region in args.seed_region or ["us-east-1"]:
        if region in copy_regions:
            raise SystemExit("error: --seed-region %s is one of the copies' regions %s" % (region, copy_regions))
        try:
            proxy.seed(region)
        except OSError as e:
            raise SystemExit("error: cannot reach %s: %s" % (args.upstream, e))
    if args.parent_pid:
        threading.Thread(target=exit_with, args=(args.parent_pid,), name="parent", daemon=True).start()
    threading.Thread(target=proxy.resync, name="resync", daemon=True).start()
    if args.ttl_delete_after_ms >= 0:
        threading.Thread(target=proxy.sweep_ttl, name="ttl", daemon=True).start()
    Handler.proxy = proxy
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    log("in front of %s on http://%s:%d: %s" % (args.upstream, args.host, server.server_address[1], "; ".join([
        "eventual reads trail the writes by %d and %d ms, indexes by %d ms item by item (%d ms apart)"
        % (args.lag_ms, args.lag_ms // 2, index_lag, spread) if args.lag_ms > 0 else "reads do NOT lag",
        "transactions hold their items %d ms" % args.transaction_hold_ms if args.transaction_hold_ms > 0
        else "NO transaction conflicts",
        "TTL deletes %d ms after expiry" % args.ttl_delete_after_ms if args.ttl_delete_after_ms >= 0
        else "NO TTL deletes"])))
    server.serve_forever()


if __name__ == "__main__":
    main()
