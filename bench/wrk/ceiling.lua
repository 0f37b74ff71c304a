-- The ceiling: GET / of bench/ceiling.py (a bare Flask route returning « ok »), under the same
-- gunicorn command and configuration as the portal, with the same Lua work per request.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("GET / of a bare Flask app (bench/ceiling.py), same gunicorn configuration")

function request()
  return page_get("/")
end
