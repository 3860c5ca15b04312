-- Resolve requests spread over the 100 benchmark prompts, with the reader key from $READER_KEY.
local paths = {}
for i = 0, 99 do
  paths[#paths + 1] = string.format("/api/v1/prompts/bench%%2Fp%03d/resolve", i)
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("READER_KEY") or "")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
