-- Resolve requests with a subject, spread over the 100 benchmark prompts that each run a 50/50
-- experiment (bench/e000…e099) and 100 subjects per prompt, with the reader key from $READER_KEY.
-- The paths are made once, as in resolve.lua, so that the load generator does the same work per request.
local paths = {}
for s = 0, 99 do
  for i = 0, 99 do
    paths[#paths + 1] = string.format("/api/v1/prompts/bench%%2Fe%03d/resolve?subject=user-%d", i, s * 100 + i)
  end
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("READER_KEY") or "")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
