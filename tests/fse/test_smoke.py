import re
from tests.conftest import csrf_from

def test_smoke(medecin, client):
    page = client.get("/fse")
    assert page.status_code == 200, page.get_data(as_text=True)[-2000:]
    r = medecin.post("/fse/patient", {"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS"}, get_path="/fse")
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    html = client.get("/fse").get_data(as_text=True)
    ids = re.findall(r'name="beneficiaire_id" value="(\d+)"', html)
    r = medecin.post("/fse/beneficiaire", {"beneficiaire_id": ids[3]}, get_path="/fse")
    assert r.status_code == 302
    r = medecin.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1", "majorations": ["MD"]}, get_path="/fse")
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    html = client.get("/fse").get_data(as_text=True)
    assert "40,00" in html, html[-4000:]
    r = medecin.post("/fse/valider", {}, get_path="/fse")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    jeton = re.search(r'name="jeton" type="hidden" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    r = medecin.post("/fse/transmettre", {"jeton": jeton}, get_path="/fse")
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    ack = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "accusé de réception" in ack
