-- « Élaborer une FSE », CCAM line with its autocomplete: GET /fse/ccam/recherche?q=radio+thorax
-- (htmx, the suggestions; checked to offer ZBQK002), POST /fse/ccam ZBQK002 (the basket fragment),
-- then the line just added is removed (its id read from the add's answer), and again: every request
-- is measured, and the basket stays at the 2 lines it was prepared with.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("GET /fse/ccam/recherche?q=radio thorax, POST /fse/ccam ZBQK002, POST /fse/lignes/<id>/supprimer, in turn (1:1:1)")

local add_body = form({{"code", "ZBQK002"}, {"activite", "1"}, {"phase", "0"}, {"association", "1"}})
local step, pending, last = 0, nil, nil

function request()
  step = step + 1
  if step % 3 == 1 then
    last = "search"
    return htmx_get("/fse/ccam/recherche?q=radio+thorax")
  elseif step % 3 == 2 or not pending then
    last = "add"
    return htmx_post("/fse/ccam", add_body)
  end
  last = "remove"
  local id = pending
  pending = nil
  return htmx_post("/fse/lignes/" .. id .. "/supprimer", "")
end

function on_response(status, headers, body)
  if last == "search" then
    return string.find(text_of(headers, body), "ZBQK002", 1, true) ~= nil
  elseif last == "add" then
    pending = newest_line(headers, body)
    return pending ~= nil
  end
end
