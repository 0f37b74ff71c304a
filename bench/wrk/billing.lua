-- « Élaborer une FSE », billing: POST /fse/facturation (htmx), the basket fragment with its totals
-- (no amount, no pondération, HNP unticked: what a change of the billing fields posts).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("POST /fse/facturation (htmx), basket of 2 lines")

local body = form({{"montant_facture", ""}, {"ponderation", ""}})

function request()
  return htmx_post("/fse/facturation", body)
end
