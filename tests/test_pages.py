"""The first pages: log-in required, the plan's indicators and tasks shown with their targets."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["home", "plan_overview", "task_list", "agency_list"])
def test_pages_require_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_plan_overview_lists_every_group_and_indicator_with_targets(client, plan, steering):
    client.force_login(steering)
    response = client.get(reverse("plan_overview"))
    html = response.content.decode()
    assert response.status_code == 200
    for group in plan.indicator_groups.all():
        assert f'id="nhom-{group.code}"' in html
    assert html.count('id="chi-tieu-') == 44
    # LaTeX from the extraction is shown as the printed plan reads it
    assert "Có ≥ 3% tổng chi ngân sách địa phương" in html
    assert "$\\geq" not in html
    assert "Định tính" in html


def test_plan_overview_query_count_does_not_grow_with_the_plan(client, plan, steering, django_assert_max_num_queries):
    client.force_login(steering)
    # 12, since issue 25 the statuses of the milestone ahead (read from the snapshot or computed), since issue 19
    # the plan of the day and its adjustments: a fixed number
    with django_assert_max_num_queries(17):
        client.get(reverse("plan_overview"))


def test_task_list_shows_all_tasks(client, plan, agency_staff):
    client.force_login(agency_staff)
    html = client.get(reverse("task_list")).content.decode()
    assert html.count('id="nhiem-vu-') == 35
    assert "Tháng 5/2026" in html and "31/05/2026" in html


def test_admin_is_for_administrators_only(client, plan, agency_staff, administrator):
    client.force_login(agency_staff)
    assert client.get("/quan-tri/").status_code == 302
    client.force_login(administrator)
    for url in [
        "/quan-tri/",
        "/quan-tri/indicators/target/",
        "/quan-tri/tasks/task/",
        "/quan-tri/agencies/agency/",
        "/quan-tri/indicators/observation/",
        "/quan-tri/indicators/metric/",
        "/quan-tri/agencies/user/",
    ]:
        assert client.get(url).status_code == 200, url


def test_login_failures_are_throttled(client, db, agency_staff):
    for _ in range(5):
        client.post(reverse("login"), {"username": agency_staff.username, "password": "sai"})
    response = client.post(reverse("login"), {"username": agency_staff.username, "password": "Kiem-tra-65!"})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()


def test_years_are_not_grouped_and_figures_are_written_the_vietnamese_way(client, plan, steering):
    client.force_login(steering)
    html = client.get(reverse("plan_overview")).content.decode()
    assert "Đến hết năm 2030" in html and "2.030" not in html
    assert "≥ 1.200 cán bộ" in html  # III.3 2035 verbatim
    assert ": ≥ 0,75" in html  # V.1 2030 parsed index target


def test_interface_is_vietnamese_whatever_the_browser_asks(client, plan, steering):
    client.force_login(steering)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    client.cookies["django_language"] = "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_names_read_in_vietnamese_order(steering):
    steering.last_name, steering.first_name = "Nguyễn Văn", "An"
    assert steering.get_full_name() == "Nguyễn Văn An"
