"""In headless Chromium, in Simplified Chinese (the Guangzhou site's language): the coordinator
signs in, screens a candidate (the criteria in Chinese), enters a day's dose and vital signs
with dates typed the Chinese way (2026年12月1日), sees a field error in Chinese, and the
investigator signs an adverse event. No English word shows on these pages but codes, units
and CTCAE terms."""

import re
from datetime import timedelta

import pghistory
import pytest
from django.urls import reverse

from portal.demo.enrollment import enrolled_subject
from safety.models import AdverseEvent, CtcaeTerm
from safety.services.adverse_events import adverse_event_record
from tests.factories import DEMO_TEST_PASSWORD, totp_code
from trial_edc.accounts.models import Site, User
from trial_edc.accounts.roles import Role
from trial_edc.core.clock import site_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# what may stay in Latin letters on a Chinese page: codes, units, product and standard names
ALLOWED = {
    "trial-edc",
    "PaO2/FiO2",
    "SpO2/FiO2",
    "C",  # of °C (the text splits the degree sign off)
    "e10",  # of the particle count's unit (×1e10)
    "ILD",  # like RP-ILD: the abbreviation Chinese respiratory physicians write
    "EDC",  # as Chinese trial staff write it (电子数据采集 is rarely spelled out)
    "NCT06919380",
    "MSC-exos-P1",
    "MSC-exos",
    "SpO2",
    "FiO2",
    "PaO2",
    "PaCO2",
    "pH",
    "HRCT",
    "CTCAE",
    "v5.0",
    "SOC",
    "SAE",
    "SUSAR",
    "MedDRA",
    "UTC",
    "Asia/Shanghai",
    "mmHg",
    "mL",
    "L/min",
    "L",
    "RP-ILD",
    "MDA5",
    "anti-MDA5",
    "KL-6",
    "ECMO",
    "CRRT",
    "PMX-DHP",
    "HIV",
    "FVC",
    "DLCO",
    "ELISA",
    "CONSORT",
    "English",  # the switcher's own name
    "PDF",
    "CSV",
    "LWY",
    "IU",
    "mg",
    "g",
    "mg/m2",
    "q12h",
    "e.g",
    "e",
    "D",
    "ECSC/ERS",
}
CODE = re.compile(
    r"^(S\d{3}|\d+[A-Za-z]*|[A-Z]\d+|[A-Z]+-[\d-]+)$"
)  # 01-S001, 2.0e10, MSC-2026-11 (a batch)


def english_words(text: str, also_allowed=()) -> list[str]:
    for phrase in also_allowed:  # CTCAE terms and system organ classes stay in English
        text = text.replace(phrase, " ")
    words = re.findall(r"[A-Za-z][A-Za-z0-9\-/.]*[A-Za-z0-9]|[A-Za-z]", text)
    return [w for w in words if w not in ALLOWED and not CODE.match(w)]


def chinese_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@pytest.fixture
def chinese_site(site, role_users):
    with pghistory.context(reason="test set-up"):
        Site.objects.filter(pk=site.pk).update(language="zh-hans", name="广州医科大学附属第一医院")
    for user, (last, first) in zip(
        role_users.values(), [("李", "晨"), ("王", "芳"), ("周", "敏"), ("陈", "静")], strict=True
    ):
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    site.refresh_from_db()
    return site


def _sign_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.goto("/accounts/login/")
    assert "登录" in page.content()  # the sign-in page follows the browser (zh-CN)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/mfa/verify/" in page.url:
        assert _english_on(page) == []  # the authenticator-code page, in the person's language
        page.locator("input[name=code]").fill(totp_code(User.objects.get(username=username)))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    return context, page


def _english_on(page, also_allowed=()) -> list[str]:
    return english_words(page.locator("body").inner_text(), also_allowed)


def test_coordinator_and_investigator_work_in_chinese(
    browser, live_server, chinese_site, role_users
):
    site = chinese_site
    coordinator = role_users[Role.SITE_COORDINATOR]
    investigator = role_users[Role.INVESTIGATOR]
    today = site_today(site)
    day1 = today - timedelta(days=1)  # day 1 was yesterday at the site: nothing lies ahead
    subject = enrolled_subject(
        site=site,
        coordinator=coordinator,
        investigator=investigator,
        screening_date=day1 - timedelta(days=2),
        day1=day1,
    )
    cough = CtcaeTerm.objects.filter(term="Cough").first()
    adverse_event_record(
        ae=AdverseEvent(
            subject=subject,
            aeterm="雾化后阵发性干咳",
            ctcae_term=cough,
            aestdtc=day1,
            aetoxgr=1,
            ongoing=True,
            aerel="POSSIBLY RELATED",
            aeout="RECOVERING/RESOLVING",
            aeacn="DOSE NOT CHANGED",
        ),
        user=coordinator,
    )
    ctcae = [cough.term, cough.soc] if cough else []

    context, page = _sign_in(browser, live_server, "coordinator")
    assert "今日工作" in page.content()
    assert _english_on(page) == []

    # screening: dates typed the Chinese way
    page.goto("/screenings/new/")
    page.locator("input[name=initials]").fill("LWY")
    page.locator("input[name=date_of_birth]").fill("1971年5月20日")
    page.locator("select[name=sex]").select_option("M")
    page.locator("input[name=screening_date]").fill(chinese_date(today))
    assert _english_on(page) == []
    page.locator("main form button[type=submit]").click()
    assert "已开始筛选" in page.locator(".alert-success").inner_text()
    assert _english_on(page) == []

    page.locator("main a[href$='/eligibility/']").first.click()
    body = page.locator("body").inner_text()
    assert "目前确诊肺栓塞者" in body  # exclusion 4, as the site translated it
    assert "抗MDA5抗体阳性皮肌炎" in body  # inclusion 1
    assert "中文为研究中心翻译" in body
    assert _english_on(page) == []

    # the dose and the vital signs of day 1
    page.goto(f"/subjects/{subject.pk}/day/1/")
    assert _english_on(page, ctcae) == []
    page.locator("main a[href*='dose']").first.click()
    page.locator("input[name=start_time]").fill("09:05")
    page.locator("input[name=stop_time]").fill("09:25")
    page.locator("input[name=device]").fill("Aerogen Solo")
    page.locator("input[name=lot]").fill("MSC-2026-11")
    page.locator("input[name=spo2_pre]").fill("95")
    page.locator("input[name=spo2_post]").fill("94")
    assert _english_on(page) == []
    page.locator("main form button[type=submit]").click()
    assert "第1天的给药已保存" in page.locator(".alert-success").inner_text()

    page.locator("main a[href*='vital']").first.click()
    page.locator("input[name=measured_at]").fill(f"{chinese_date(day1)} 09:30")
    page.locator("input[name=temp]").fill("37.1")
    page.locator("input[name=hr]").fill("86")
    page.locator("input[name=resp]").fill("20")
    page.locator("input[name=sysbp]").fill("122")
    page.locator("input[name=diabp]").fill("76")
    page.locator("input[name=oxysat]").fill("101")
    page.locator("main form button[type=submit]").click()
    error = page.locator(".invalid-feedback").first.inner_text()
    assert "血氧饱和度（SpO2）必须在50至100" in error  # the field's error, in Chinese
    assert _english_on(page) == []
    page.locator("input[name=oxysat]").fill("96")
    page.locator("main form button[type=submit]").click()
    assert "生命体征已保存" in page.locator(".alert-success").inner_text()
    assert "37.1" in page.get_by_test_id("day-vitals").inner_text()
    assert _english_on(page, [*ctcae, "Aerogen Solo"]) == []
    assert page.console_errors == []
    context.close()

    # the investigator signs the adverse event
    context, page = _sign_in(browser, live_server, "investigator")
    page.goto(reverse("safety:to_sign"))
    assert _english_on(page, ctcae) == []
    assert "本人已审阅该不良事件" in page.locator("body").inner_text()  # the meaning
    page.locator("input[name=adverse_events]").first.check()
    page.locator("input[name=username]").fill("investigator")
    page.locator("input[name=password]").fill(DEMO_TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    assert "已签署1个不良事件" in page.locator(".alert-success").inner_text()
    assert _english_on(page, ctcae) == []
    assert page.console_errors == []
    context.close()


def test_the_english_words_check_finds_english():
    assert english_words("受试者 01-S001 SpO2 96 % mmHg") == []
    assert english_words("受试者 Save 保存 day 1") == ["Save", "day"]
    assert english_words("Cough 咳嗽", also_allowed=["Cough"]) == []
