def test_sign_in_page(client):
    assert client.get("/sign-in").status_code == 200


def test_signed_in_home(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    assert "My caseload" in client.get("/").text
