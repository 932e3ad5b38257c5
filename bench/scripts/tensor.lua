-- POSTs one scoring request per call for a model with one tensor input: ROWS rows of WIDTH floats in column INPUT,
-- as dataframe_split (a cell holds the row's vector). TARGET_PATH picks the target.
local rows = tonumber(os.getenv("ROWS") or "1")
local width = tonumber(os.getenv("WIDTH") or "20")
local input = os.getenv("INPUT") or "features"
local data = {}
for i = 1, rows do
  local values = {}
  for j = 1, width do
    values[j] = string.format("%.3f", ((i * 31 + j * 17) % 101) / 101 - 0.5)
  end
  data[#data + 1] = "[[" .. table.concat(values, ",") .. "]]"
end
wrk.method = "POST"
wrk.path = os.getenv("TARGET_PATH") or "/invocations?model=batched"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"dataframe_split":{"columns":["' .. input .. '"],"data":[' .. table.concat(data, ",") .. ']}}'
