-- wrk script for bench:ingest. Each thread walks its own slice of the "token tps target" lines in
-- TOKENS_FILE; every request carries BATCH heartbeats for that token's TPS with fresh UUIDs.
-- With ONCE=1 a thread stops after its slice (the burst test: one request per TPS).
-- Counts behave like a real phone's: `verified` grows with the time the snapshot was taken (one
-- voter every STEP seconds since EPOCH) and stops at the TPS's target, so the load holds no
-- data-quality anomalies (a decrease, a count above the target) that real syncs rarely have.
local tokens_file = os.getenv("TOKENS_FILE")
local batch = tonumber(os.getenv("BATCH") or "1")
local once = os.getenv("ONCE") == "1"
local epoch = tonumber(os.getenv("EPOCH") or "0")
local step = 4
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- wrk's own duration is always the -d it was given (its main thread sleeps that long); with ONCE
-- the time that counts is from the first request to the last answer, to the second.
first_at = 0
last_at = 0

function init(args)
  local nthreads = tonumber(os.getenv("THREADS") or "2")
  pairs_list = {}
  local i = 0
  for line in io.lines(tokens_file) do
    if i % nthreads == (id - 1) then
      local token, tps, target = line:match("(%S+)%s+(%S+)%s+(%S+)")
      table.insert(pairs_list, { token, tps, tonumber(target) })
    end
    i = i + 1
  end
  position = 0
  seq = 0
  first_at = os.time()
  math.randomseed(os.time() + id * 7919)
end

local function uuid()
  seq = seq + 1
  return string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff), id, seq % 4096,
    math.random(0, 4095), seq * 4096 + math.random(0, 4095))
end

function request()
  position = position + 1
  if position > #pairs_list then
    if once then
      wrk.thread:stop()
    end
    position = 1
  end
  local pair = pairs_list[position]
  local now = os.time() - 60
  local items = {}
  for k = 1, batch do
    local at = now - batch + k
    items[k] = string.format(
      '{"id":"%s","tps":"%s","verified":%d,"pending":%d,"recordedAt":"%s"}',
      uuid(), pair[2], math.max(0, math.min(pair[3], math.floor((at - epoch) / step))), (seq % 7),
      os.date("!%Y-%m-%dT%H:%M:%SZ", at))
  end
  return wrk.format("POST", "/api/v1/heartbeats", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. pair[1]
  }, '{"heartbeats":[' .. table.concat(items, ",") .. ']}')
end

function response(status, headers, body)
  last_at = os.time()
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local from, to = nil, 0
  for _, t in ipairs(threads) do
    local f, l = t:get("first_at"), t:get("last_at")
    if from == nil or f < from then from = f end
    if l > to then to = l end
  end
  io.write(string.format("RESULT requests=%d duration_us=%d span_s=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, math.max(0, to - (from or to)), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
