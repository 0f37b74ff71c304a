"""The IT from identification to transmission, through the real pages."""

from tests.formulaires.conftest import it_values, text


def test_it_identify_fill_transmit(doctor):
    assert doctor.identify().status_code == 303
    ids = doctor.member_ids()
    assert len(ids) == 4
    response = doctor.post("transmettre", {"beneficiaire": ids[0], **it_values()})
    body = text(response)
    assert response.status_code == 200, body
    assert "Référence" in body and "Lombalgie aiguë hyperalgique" in body
