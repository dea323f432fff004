-- wrk script: one identity (FLOOD_KEY) sending chat requests as fast as its connections allow.
-- Counts what the server answered: served (200) and refused (429).
local key = os.getenv("FLOOD_KEY") or ""
local body = '{"query":"VPN won\'t connect from the hotel","top_k":4,"max_tokens":150}'
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}

request = function()
  return wrk.format("POST", "/api/v1/chat/", headers, body)
end

-- Each wrk thread has its own Lua state: counts are per thread, gathered in done().
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

served, refused = 0, 0
response = function(status)
  if status == 200 then served = served + 1 elseif status == 429 then refused = refused + 1 end
end

done = function(summary)
  local s, r = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("served")
    r = r + t:get("refused")
  end
  io.write(string.format("flooder: %.0f req/s, %d served (200), %d refused (429)\n",
    summary.requests / (summary.duration / 1e6), s, r))
end
