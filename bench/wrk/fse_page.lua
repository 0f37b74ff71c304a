-- « Élaborer une FSE », the whole page: GET /fse (household, beneficiary, basket of 2 lines).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
describe("GET /fse, the whole page (household chosen, basket of 2 lines)")

function request()
  return page_get("/fse")
end
