"""Each person reads trial-edc in their own language: their choice, else their site's; the
navigation bar's switcher keeps a new choice; anonymous visitors get their browser's."""

import pghistory
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from trial_edc.accounts.models import Site


def test_a_user_who_chose_chinese_reads_the_home_page_in_chinese(coordinator, chinese, client_for):
    page = client_for(chinese(coordinator)).get(reverse("portal:home")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "今日工作" in page and "退出登录" in page
    assert "Today's work" not in page


def test_a_user_reads_english_when_english_is_theirs(coordinator, client_for):
    page = client_for(coordinator).get(reverse("portal:home")).content.decode()
    assert "Today's work" in page and "今日工作" not in page


def test_without_a_choice_a_user_reads_the_language_of_their_site(site, coordinator, client_for):
    with pghistory.context(reason="test set-up"):
        Site.objects.filter(pk=site.pk).update(language="zh-hans")
    coordinator.refresh_from_db()
    assert coordinator.language == "" and coordinator.preferred_language == "zh-hans"
    page = client_for(coordinator).get(reverse("portal:home")).content.decode()
    assert "今日工作" in page


def test_the_users_choice_wins_over_the_browser_and_the_site(site, monitor):
    with pghistory.context(reason="test set-up"):
        Site.objects.filter(pk=site.pk).update(language="zh-hans")
    monitor.language = "en"
    monitor.save()
    client = login(Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"), monitor)
    assert "Today's work" in client.get(reverse("portal:home")).content.decode()


def test_the_switcher_changes_the_page_and_keeps_the_choice_on_the_person(coordinator, client_for):
    client = client_for(coordinator)
    home = reverse("portal:home")
    assert 'name="language" value="zh-hans"' in client.get(home).content.decode()
    response = client.post(reverse("accounts:language_set"), {"language": "zh-hans", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert "今日工作" in client.get(home).content.decode()
    coordinator.refresh_from_db()
    assert coordinator.language == "zh-hans"
    # kept for the next sign-in, on another computer
    assert "今日工作" in client_for(coordinator).get(home).content.decode()


def test_the_switcher_refuses_an_unknown_language_and_a_foreign_next_page(coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(
        reverse("accounts:language_set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    coordinator.refresh_from_db()
    assert coordinator.language == ""


def test_the_switcher_is_a_post_only(coordinator, client_for):
    assert client_for(coordinator).get(reverse("accounts:language_set")).status_code == 405


@pytest.mark.parametrize(("accept", "expected"), [("zh-CN,zh;q=0.9", "登录"), ("en", "Sign in")])
def test_the_sign_in_page_follows_the_browser(accept, expected):
    page = Client(HTTP_ACCEPT_LANGUAGE=accept).get(reverse("accounts:login")).content.decode()
    assert expected in page


def test_criteria_are_shown_in_chinese_as_the_sites_translation(site, coordinator, chinese):
    from portal.demo.enrollment import open_screening

    screening = open_screening(site=site, user=coordinator)
    client = login(Client(), chinese(coordinator))
    page = client.get(reverse("enrollment:checklist_edit", args=[screening.pk])).content.decode()
    assert "目前确诊肺栓塞者" in page  # exclusion 4
    assert "中文为研究中心翻译" in page
    assert "Currently diagnosed pulmonary embolism" not in page
