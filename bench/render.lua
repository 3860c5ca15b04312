-- Render requests with one JSON body (the 4 KB of variables written by guardrails.sh) to one prompt,
-- with the reader key from $READER_KEY. The body is read once, so every request costs wrk the same.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("READER_KEY") or "")
local path = os.getenv("RENDER_PATH")
request = function()
  return wrk.format(nil, path)
end
