-- POSTs one scoring request (ROWS rows, dataframe_split) per call; PATH picks the target.
local rows = tonumber(os.getenv("ROWS") or "1")
local data = {}
for i = 1, rows do
  data[#data + 1] = string.format('[%.3f,%.3f,%.3f,%d,"%s"]', (i % 97) / 97, (i % 13) * 0.7, (i % 7) / 7 - 0.5, 20 + i % 60,
    ({ "north", "south", "east", "west" })[i % 4 + 1])
end
wrk.method = "POST"
wrk.path = os.getenv("TARGET_PATH") or "/invocations?model=batched"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"dataframe_split":{"columns":["F1","F2","F3","Age","Region"],"data":[' .. table.concat(data, ",") .. ']}}'
