-- wrk's script for scripts/bench-load.sh. With a file of `Cookie` values as its argument
-- (`wrk … -- FILE`), each request carries the next one: several drivers' sessions, as a
-- server sees them, not one session asked for thousands of times a second (every signed-in
-- request also writes its session's last_seen_at, and one hot row would measure that row).
-- At the end it prints one `RESULT` line that the shell script reads.

local cookies = {}
local next_cookie = 1
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  if args[1] and args[1] ~= "" then
    for line in io.lines(args[1]) do
      if line ~= "" then
        cookies[#cookies + 1] = line
      end
    end
    -- The threads start at different drivers.
    next_cookie = ((thread_number or 1) - 1) % #cookies + 1
  end
end

function request()
  if #cookies == 0 then
    return wrk.format()
  end
  local cookie = cookies[next_cookie]
  next_cookie = next_cookie % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookie })
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d errors=%d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status))
end
