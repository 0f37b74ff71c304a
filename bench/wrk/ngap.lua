-- « Élaborer une FSE », NGAP line: POST /fse/ngap (htmx, the basket fragment), then the line just
-- added is removed (POST /fse/lignes/<id>/supprimer, its id read from the add's answer), and again:
-- both requests are measured, and the basket stays at the 2 lines it was prepared with.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("POST /fse/ngap (C) then POST /fse/lignes/<id>/supprimer of that line, alternating (1 add : 1 remove)")

local add_body = form({{"lettre", "C"}, {"coefficient", "1"}, {"diviseur", "1"}})
local pending, last = nil, nil

function request()
  if pending then
    last = "remove"
    local id = pending
    pending = nil
    return htmx_post("/fse/lignes/" .. id .. "/supprimer", "")
  end
  last = "add"
  return htmx_post("/fse/ngap", add_body)
end

function on_response(status, headers, body)
  if last == "add" then
    pending = newest_line(headers, body)
    return pending ~= nil
  end
end
