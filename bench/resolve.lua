-- Resolve requests spread over the 100 benchmark prompts, with the reader key from $READER_KEY.
-- With EXPERIMENT set, over the 100 prompts that each run a 50/50 experiment (bench/e000…e099), each
-- with a subject (100 per prompt). The paths are made once, so the load generator's work per request
-- is the same either way.
local paths = {}
local experiment = (os.getenv("EXPERIMENT") or "") ~= ""
for s = 0, experiment and 99 or 0 do
  for i = 0, 99 do
    paths[#paths + 1] = experiment
      and string.format("/api/v1/prompts/bench%%2Fe%03d/resolve?subject=user-%d", i, s * 100 + i)
      or string.format("/api/v1/prompts/bench%%2Fp%03d/resolve", i)
  end
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("READER_KEY") or "")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
