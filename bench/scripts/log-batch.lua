-- wrk script: POST /api/2.0/mlflow/runs/log-batch with METRICS metric points per request.
-- Environment:
--   RUN_IDS  comma-separated run ids; requests go round-robin over them (one id = every client logs to the same run)
--   METRICS  points per request (default 10); keys are m0..m(KEYS-1), steps advance per request
--   KEYS     distinct metric keys per request (default: min(METRICS, 10))
-- Request bodies are rendered once per thread into a ring of POOL requests, so the Lua side costs a table lookup
-- per request and wrk's CPU stays small next to the server's.
-- done() prints one machine-readable RESULT line (latencies in microseconds).

local POOL = 64
local requests = {}
local next_index = 1
local thread_counter = 0

local function split(text)
  local out = {}
  for item in string.gmatch(text or "", "[^,]+") do out[#out + 1] = item end
  return out
end

function setup(thread)
  thread:set("thread_number", thread_counter)
  thread_counter = thread_counter + 1
end

local function body(run_id, metrics, keys, first_step)
  local parts = {}
  local ts = 1700000000000 + first_step
  for i = 0, metrics - 1 do
    local key = i % keys
    local step = first_step + math.floor(i / keys)
    parts[#parts + 1] = string.format('{"key":"m%d","value":%.6f,"timestamp":%d,"step":%d}',
      key, (step % 1000) / 1000.0 + key, ts + i, step)
  end
  return string.format('{"run_id":"%s","metrics":[%s]}', run_id, table.concat(parts, ","))
end

function init(args)
  local run_ids = split(os.getenv("RUN_IDS"))
  if #run_ids == 0 then error("RUN_IDS is not set") end
  local metrics = tonumber(os.getenv("METRICS") or "10")
  local keys = tonumber(os.getenv("KEYS") or tostring(math.min(metrics, 10)))
  local steps_per_request = math.ceil(metrics / keys)
  local thread_number = thread_number or 0
  local headers = { ["Content-Type"] = "application/json" }
  for i = 1, POOL do
    local n = thread_number * POOL + i
    local run_id = run_ids[(n % #run_ids) + 1]
    requests[i] = wrk.format("POST", "/api/2.0/mlflow/runs/log-batch", headers, body(run_id, metrics, keys, n * steps_per_request))
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % POOL + 1
  return r
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
