-- « HNP », a fiche de décompte: GET /hnp/<id>/decompte.pdf (rendered by xhtml2pdf, audited).
-- Each session downloads its own ordiposte of medecin.demo's practice (bench.py: `ordiposte`).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("GET /hnp/<ordiposte>/decompte.pdf, an ordiposte of the practice for each session")

local path

function on_init()
  path = "/hnp/" .. ordiposte .. "/decompte.pdf"
end

function request()
  return page_get(path)
end

function on_response(status, headers, body)
  local kind = headers["Content-Type"] or headers["content-type"] or ""
  return string.find(kind, "application/pdf", 1, true) ~= nil
end
