-- wrk script: one well-behaved employee asking a question every VICTIM_INTERVAL_MS (default 200),
-- with the API key in VICTIM_KEY. Latency is measured per request, without the pause.
local key = os.getenv("VICTIM_KEY") or ""
local interval = tonumber(os.getenv("VICTIM_INTERVAL_MS") or "200")
local body = '{"query":"How do I reset my password on my MacBook Air?","top_k":4,"max_tokens":150}'
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}

request = function()
  return wrk.format("POST", "/api/v1/chat/", headers, body)
end

delay = function()
  return interval
end

local failed = 0
response = function(status)
  if status ~= 200 then failed = failed + 1 end
end

done = function(summary, latency)
  io.write(string.format("victim: %d requests, %d not 200, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, failed, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
