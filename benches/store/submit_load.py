#!/usr/bin/env python3
"""SubmitReq answers per second of an `mm7 mmsc`, for BENCHMARKS.md ("Store").

Starts the given `mm7` binary as `mm7 mmsc` on a free 127.0.0.1 port with a fresh store in
DIR, sends the ezitxt SMIL SubmitReq vector (tests/vectors/ezitxt_smil_submit_req.http, three
parts) with a new TransactionID each time over C keep-alive connections for S seconds, and
prints the answers per second (HTTP 200 with StatusCode 1000) and the failures.

    benches/store/submit_load.py MM7_BINARY STORE_DIR [CONNECTIONS=16] [SECONDS=10] [EXTRA mmsc ARGS...]

Python's asyncio is the client: on 2 cores it takes a share of the CPU, the same for every
binary measured in one run, so compare figures of one run only.
"""
import asyncio
import os
import re
import subprocess
import sys
import time

VECTOR = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "vectors",
                      "ezitxt_smil_submit_req.http")


def request_parts():
    raw = open(VECTOR, "rb").read()
    head, _, body = raw.partition(b"\r\n\r\n")
    if not body:
        head, _, body = raw.partition(b"\n\n")
    content_type = re.search(rb"(?im)^content-type:\s*(.+?)\r?$", head).group(1)
    return content_type, body


async def client(port, content_type, body, deadline, counts, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    while time.monotonic() < deadline:
        tx = b"bench-%d-%d" % (n, i)
        i += 1
        payload = body.replace(b"Mbuni-msg.1759.x9.99.16", tx)
        writer.write(b"POST /mm7 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type
                     + b"\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
        status = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        answer = await reader.readexactly(length)
        ok = b" 200 " in status and b"1000" in answer
        counts[0 if ok else 1] += 1
    writer.close()


def main():
    binary, store = sys.argv[1], sys.argv[2]
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10
    extra = sys.argv[5:]
    server = subprocess.Popen(
        [binary, "mmsc", "--listen", "127.0.0.1:0", "--no-ui", "--store", store, "--dlr-after", "1h"] + extra,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = server.stderr.readline().decode()
    port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
    content_type, body = request_parts()
    counts = [0, 0]
    deadline = time.monotonic() + seconds

    async def run():
        await asyncio.gather(*(client(port, content_type, body, deadline, counts, n)
                               for n in range(connections)))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    server.terminate()
    server.wait()
    print(f"{counts[0] / elapsed:.0f} answers/s ({counts[0]} ok, {counts[1]} failed, "
          f"{connections} connections, {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
