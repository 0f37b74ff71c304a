-- « Élaborer une FSE », identification: POST /fse/patient (htmx), the household fragment.
-- Each session alternates between two cards of its own (card_a, card_b: "matricule|code|caisse"),
-- so every request looks a household up and changes the draft's patient, as a new card does.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("POST /fse/patient (htmx); each session alternates between two cards of its own")

local bodies, n = {}, 0

function on_init()
  for _, card in ipairs({card_a, card_b}) do
    local matricule, code, caisse = string.match(card, "^([^|]*)|([^|]*)|([^|]*)$")
    bodies[#bodies + 1] = form({{"matricule", matricule}, {"code_fse", code}, {"caisse", caisse}})
  end
end

function request()
  n = n + 1
  return htmx_post("/fse/patient", bodies[(n % 2) + 1])
end
