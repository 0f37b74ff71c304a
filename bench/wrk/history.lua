-- « Historique FSE » with a filter: the filters are posted, never in a URL, and kept for the session
-- (app/history/state.py); bench.py posts each session's filter once (its cookie then carries it),
-- and this GET /historique draws the page with it: totals, month chart and 50 rows of the selection.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("GET /historique, the whole page with the session's filter (patient set by bench.py)")

function request()
  return page_get("/historique")
end
