-- wrk script: POST /v1/chat with a fresh message id on every request (so each one is really answered
-- and stored, not served from the idempotency table), cycling through English and Chinese questions,
-- some answerable from the knowledge base or the help centre and some not.
local questions = {
  "I lost my card", "我的卡丢了怎么办", "how do I top up by bank transfer", "定期存款利率多少",
  "why was my transfer declined", "what is the weather in paris tomorrow", "我的銀行卡不見了",
  "can I get a mortgage", "how much is bitcoin", "我想换一张新卡",
  -- Help-centre articles (issue #16): quoted with their best section.
  "what is your SWIFT code", "我想给孩子开个户要带什么",
}
-- Conversations opened beforehand by `cargo xtask bench --server` ("id secret" per line, $BENCH_CONVERSATIONS): every call
-- carries its conversation's secret, as the widget's do.
local conversations = {}
for line in io.lines(os.getenv("BENCH_CONVERSATIONS")) do
  local id, secret = line:match("^(%S+) (%S+)$")
  conversations[#conversations + 1] = { id = id, secret = secret }
end
local thread_id = 0
local n = 0
setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
request = function()
  n = n + 1
  local q = questions[(n % #questions) + 1]
  local c = conversations[(n % #conversations) + 1]
  local body = string.format(
    '{"conversation_id":"%s","message_id":"m%d-%d-%d-bench","text":"%s","locale":"en","client_intents":[]}',
    c.id, tid, n, math.random(1, 1000000000), q)
  return wrk.format("POST", "/v1/chat",
    { ["Content-Type"] = "application/json", ["X-Conversation-Secret"] = c.secret }, body)
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors(status)=%d errors(connect)=%d errors(timeout)=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout))
  io.write(string.format("p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
