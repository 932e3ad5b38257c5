-- Wraps another request script (SCRIPT, e.g. tensor.lua) and paces the connections so that together they send about
-- TARGET_RPS requests per second: a soak test's steady load, where wrk would otherwise run flat out. wrk calls delay()
-- before each request; each wrk thread has its own Lua state, so each steers its share (TARGET_RPS / THREADS) by
-- lengthening or shortening the pause as its achieved rate runs above or below it. CONNECTIONS must equal wrk's -c.
dofile(os.getenv("SCRIPT"))
local threads = tonumber(os.getenv("THREADS") or "2")
local per_thread = tonumber(os.getenv("TARGET_RPS")) / threads
local interval_ms = 1000 * tonumber(os.getenv("CONNECTIONS")) / tonumber(os.getenv("TARGET_RPS"))
local sent, started = 0, nil

function delay()
  local now = os.time()
  started = started or now
  sent = sent + 1
  local elapsed = now - started
  if elapsed >= 2 then
    local rate = sent / elapsed
    if rate > per_thread * 1.01 then
      interval_ms = interval_ms * 1.01
    elseif rate < per_thread * 0.99 then
      interval_ms = math.max(interval_ms * 0.99, 0.1)
    end
  end
  -- Jitter of ±20% keeps the connections from marching in step.
  return math.floor(interval_ms * (0.8 + 0.4 * math.random()))
end
