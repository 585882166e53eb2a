from django.urls import reverse


def test_login_page_renders_without_signing_in(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Sign in to trial-edc" in response.content


def test_home_redirects_anonymous_to_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
