-- « Historique FSE », « Exporter »: POST /historique/export, the CSV of the session's filtered
-- selection (streamed, gzip), audited.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("POST /historique/export, the CSV of the session's filtered selection")

function request()
  return page_post("/historique/export", "")
end

function on_response(status, headers, body)
  local kind = headers["Content-Type"] or headers["content-type"] or ""
  return string.find(kind, "text/csv", 1, true) ~= nil
end
