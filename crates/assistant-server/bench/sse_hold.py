"""Holds N Server-Sent Events connections to the server (loopback only) for a bounded time, checks
each one got 200 + text/event-stream, then has an agent reply in every watched conversation and
checks every connection received its conversation's message. Prints a one-line summary; exit 1 on
any error. Standard library only.

usage: sse_hold.py BASE_URL N CONVERSATIONS HOLD_SECONDS AGENT_USER AGENT_PASSWORD
"""
import asyncio, json, secrets, sys, time, urllib.parse, urllib.request

base, n, convs, hold, user, pw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
host, port = base.split("//")[1].split(":")[0], int(base.rsplit(":", 1)[1])
assert host in ("127.0.0.1", "localhost"), "loopback only"


def post(path, body, token=None, secret=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if secret:
        req.add_header("X-Conversation-Secret", secret)
    with urllib.request.urlopen(req) as r:
        data = r.read()
        return json.loads(data) if data else None


ERRORS = []
run = str(int(time.time()))
conv_ids = [f"sse-{run}-{i}-{secrets.token_hex(8)}" for i in range(convs)]
stream_tokens = {}
for c in conv_ids:
    secret = post("/v1/conversations", {"conversation_id": c, "claim": secrets.token_hex(20)})["secret"]
    post("/v1/handoff", {"conversation_id": c, "reason": "requested", "locale": "en"}, secret=secret)
    stream_tokens[c] = post(f"/v1/conversations/{c}/stream-token", {}, secret=secret)["token"]


async def hold_one(i, results, ready):
    c = conv_ids[i % convs]
    try:
        r, w = await asyncio.open_connection(host, port)
        t = urllib.parse.quote(stream_tokens[c])
        w.write(f"GET /v1/conversations/{c}/events?token={t} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        ok = head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head
        ready.append(ok)
        buf = b""
        deadline = time.monotonic() + hold + 30
        # (The reply text is masked like any message, so look for the agent's message event.)
        while b'"role":"agent"' not in buf and time.monotonic() < deadline:
            chunk = await asyncio.wait_for(r.read(4096), timeout=deadline - time.monotonic())
            if not chunk:
                break
            buf += chunk
        results[i] = ok and b'"role":"agent"' in buf
        w.close()
    except Exception as e:  # noqa: BLE001 - any failure is an error to report
        if len(ready) < n:
            ready.append(False)
        results[i] = False
        ERRORS.append(repr(e))


async def main():
    results, ready = [None] * n, []
    t0 = time.monotonic()
    tasks = [asyncio.create_task(hold_one(i, results, ready)) for i in range(n)]
    while len(ready) < n and time.monotonic() - t0 < 60:
        await asyncio.sleep(0.1)
    opened = time.monotonic() - t0
    await asyncio.sleep(hold)
    token = (await asyncio.to_thread(post, "/v1/agent/login", {"username": user, "password": pw}))["token"]
    for c in conv_ids:
        await asyncio.to_thread(post, f"/v1/agent/conversations/{c}/take", {}, token)
        await asyncio.to_thread(post, f"/v1/agent/conversations/{c}/reply", {"text": "Hello from the bench"}, token)
    await asyncio.gather(*tasks)
    good = sum(1 for r in results if r)
    print(f"sse_connections={n} opened_ok={sum(ready)} open_time_s={opened:.1f} held_s={hold} "
          f"received_agent_reply={good} errors={n - good}")
    if ERRORS:
        print("first error:", ERRORS[0])
    sys.exit(0 if good == n else 1)

asyncio.run(main())
