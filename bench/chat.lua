-- wrk script: POST a rotating set of IT questions to the chat endpoint.
local queries = {
  "How do I reset my password on my MacBook Air?",
  "VPN won't connect from the hotel",
  "printer is offline",
  "Outlook is not syncing my email",
  "my microphone doesn't work in Teams",
  "I clicked a phishing link",
  "wifi keeps dropping",
  "how do I map a network drive",
}
local bodies = {}
for i, q in ipairs(queries) do
  bodies[i] = '{"query":"' .. q .. '","top_k":4,"max_tokens":150}'
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/chat/", {["Content-Type"] = "application/json"}, bodies[(n % #bodies) + 1])
end
