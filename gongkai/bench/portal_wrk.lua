-- wrk script for the portal bench (bench.py): each connection's thread walks the
-- address file from its own offset; done() prints one line bench.py reads.
local addresses = {}
for line in io.lines(os.getenv("GONGKAI_WRK_ADDRESSES")) do
  addresses[#addresses + 1] = line
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end

local position
function request()
  position = (position or offset or 0) + 1
  return wrk.format("GET", addresses[position % #addresses + 1])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("GONGKAI %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
