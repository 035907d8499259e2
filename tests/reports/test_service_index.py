"""The Decision 766 service index per unit and month, the unit's page and its API: exact values by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from congvu.core.policy import Role
from congvu.dossiers.models import Dossier
from congvu.feedback.models import Feedback, Service
from congvu.reports import service_index as index_module
from congvu.reports.service_index import ServiceIndexRulesError, rules_on, service_index
from tests.factories import Province

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN)


def dossier(province: Province, code: str, **fields: object) -> Dossier:
    values: dict[str, object] = {
        "procedure_code": "1.011442.000.00.00.H38",
        "receiving_unit": province.division,
        "channel": 1,
        "status": 4,
        "received_at": at(2),
    }
    values.update(fields)
    return Dossier.objects.create(code=code, **values)


def feedback(province: Province, service: Service, n: int, **fields: object) -> Feedback:
    values: dict[str, object] = {
        "tracking_code": f"code-{n}",
        "public_id": f"PA-{n}",
        "service": service,
        "track": "feedback",
        "description": "Đường ngập sau mưa",
        "responsible_unit": province.division,
        "received_at": at(1),
        "received_on": date(2026, 2, 1),
        "state": "accepted",
    }
    values.update(fields)
    return Feedback.objects.create(**values)


@pytest.fixture
def february(province: Province) -> None:
    """February 2026 in Phòng Ngân sách (and one dossier of Phòng Quy hoạch, another subtree)."""
    # dossiers finished in February: 2 early, 1 on time, 1 late; received: 5 (2 online); rated 3, satisfied 2
    dossier(province, "D1", status=10, channel=2, due_at=at(20), finished_at=at(10), satisfaction=1)
    dossier(province, "D2", status=9, channel=2, due_at=at(20), finished_at=at(19), satisfaction=3)
    dossier(province, "D3", status=10, due_at=at(20, 17), finished_at=at(20, 16))  # on the due day
    dossier(province, "D4", status=10, due_at=at(5), finished_at=at(6), satisfaction=2)  # late
    dossier(province, "D5", status=4, due_at=at(28))  # still in progress
    dossier(province, "D6", status=10, due_at=at(5, month=1), finished_at=at(4, month=1), received_at=at(2, month=1))
    dossier(province, "X1", receiving_unit=province.other_division, status=10, due_at=at(20), finished_at=at(25))
    service = Service.objects.create(code="ha-tang", name="Hạ tầng đô thị", default_unit=province.division)
    # feedback due in February: 3; answered by the due day: 2 (one late, one not answered); rated in Feb: 2, satisfied 1
    feedback(
        province,
        service,
        1,
        state="published",
        due_on=date(2026, 2, 10),
        published_on=date(2026, 2, 9),
        rating="satisfied",
    )
    feedback(
        province,
        service,
        2,
        state="closed",
        due_on=date(2026, 2, 12),
        published_on=date(2026, 2, 12),
        rating="unsatisfied",
    )
    feedback(province, service, 3, state="published", due_on=date(2026, 2, 14), published_on=date(2026, 2, 16))
    feedback(province, service, 4, state="accepted", due_on=date(2026, 3, 3))  # due in March


def test_index_of_a_month_group_by_group(province: Province, february: None) -> None:
    index = service_index(unit=province.division, year=2026, month=2, as_of=at(28, 23))
    assert [(g.rule.key, g.ratio and (g.ratio.numerator, g.ratio.denominator), g.points) for g in index.groups] == [
        ("publicity", (2, 3), Decimal("12.00")),  # 18 × 2/3
        ("timeliness", (3, 4), Decimal("15.00")),  # 20 × 3/4
        ("online_services", (2, 5), Decimal("4.80")),  # 12 × 2/5
        ("online_payment", None, None),
        ("satisfaction", (3, 5), Decimal("10.80")),  # 18 × (2 + 1) / (3 + 2)
        ("digitisation", None, None),
    ]
    assert (index.total, index.scored_maximum, index.scaled) == (Decimal("42.60"), Decimal("68.00"), Decimal("62.65"))
    assert (index.month, index.rules.valid_from) == (date(2026, 2, 1), date(2022, 6, 23))
    # the agency covers the division; the province covers the other division's late dossier too
    agency = service_index(unit=province.agency, year=2026, month=2, as_of=at(28, 23))
    assert agency.total == index.total
    whole = service_index(unit=province.root, year=2026, month=2, as_of=at(28, 23))
    assert [(g.rule.key, g.ratio and (g.ratio.numerator, g.ratio.denominator)) for g in whole.groups][1] == (
        "timeliness",
        (3, 5),
    )


def test_a_month_with_nothing_to_count_scores_no_group(province: Province) -> None:
    index = service_index(unit=province.division, year=2026, month=1)
    assert [g.points for g in index.groups] == [None] * 6
    assert (index.total, index.scored_maximum, index.scaled) == (Decimal("0.00"), Decimal("0.00"), None)


def test_a_province_file_with_a_threshold_formula_and_a_later_version(
    province: Province, february: None, settings: object, tmp_path: Path
) -> None:
    path = tmp_path / "index.yaml"
    path.write_text(
        """
versions:
  - valid_from: 2022-06-23
    citation: "QĐ 766"
    groups:
      - {key: timeliness, name: "Tiến độ", max: 20, measure: dossiers_on_time, formula: {kind: linear}}
  - valid_from: 2026-02-01
    citation: "Sửa đổi của tỉnh"
    groups:
      - {key: timeliness, name: "Tiến độ", max: 20, measure: dossiers_on_time,
         formula: {kind: threshold, full_at: 0.8, below_factor: 0.3}}
      - {key: online_services, name: "Trực tuyến", max: 12, measure: dossiers_online,
         formula: {kind: threshold, full_at: 0.4, below_factor: 0.5}}
""",
        encoding="utf-8",
    )
    settings.CONGVU_SERVICE_INDEX_RULES = str(path)  # type: ignore[attr-defined]
    index = service_index(unit=province.division, year=2026, month=2, as_of=at(28, 23))
    # 3/4 < 80 %: 20 × 3/4 × 0.3 = 4.5; 2/5 ≥ 40 %: full 12
    assert [(g.rule.key, g.points) for g in index.groups] == [
        ("timeliness", Decimal("4.50")),
        ("online_services", Decimal("12.00")),
    ]
    assert (index.rules.citation, rules_on(date(2026, 1, 31)).citation) == ("Sửa đổi của tỉnh", "QĐ 766")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "a mapping with a non-empty list 'versions' is expected"),
        ("versions: [{citation: x}]", "version 1: 'valid_from' (a date) is required"),
        (
            "versions: [{valid_from: 2022-06-23, groups: [{key: a, name: A, max: 0}]}]",
            "version 1.groups[0].max must be positive",
        ),
        (
            "versions: [{valid_from: 2022-06-23, groups: [{key: a, name: A, max: 5, measure: speed}]}]",
            "version 1.groups[0].measure must be one of",
        ),
        (
            "versions: [{valid_from: 2022-06-23, groups: [{key: a, name: A, max: 5, measure: dossiers_online,"
            " formula: {kind: threshold, full_at: 2, below_factor: 0.5}}]}]",
            "version 1.groups[0].formula: full_at in (0, 1], below_factor in [0, 1]",
        ),
    ],
)
def test_a_bad_rule_file_is_refused_with_its_place(settings: object, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    settings.CONGVU_SERVICE_INDEX_RULES = str(path)  # type: ignore[attr-defined]
    index_module._load.cache_clear()
    with pytest.raises(ServiceIndexRulesError) as caught:
        rules_on(date(2026, 2, 1))
    assert message in str(caught.value)


def test_the_unit_page_and_its_api(province: Province, february: None) -> None:
    client = Client()
    client.force_login(province.users[Role.TRUONGPHONG])
    page = client.get(f"/reports/units/{province.division.pk}/", {"month": "2026-02"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đạt 42,60 / 68,00 điểm của các nhóm được chấm (quy về thang 100: 62,65)." in text
    assert page.context["feedback"] == {
        "received": 4,
        "answered": 3,
        "on_time": 2,
        "open_overdue": 1,  # no. 4, due 03/03, not answered on 16/03
        "upheld": 0,
        "satisfied": 1,
        "rated": 2,
    }
    assert page.context["dossiers"].total.finished_late == 1
    body = client.get(f"/api/v1/reports/units/{province.division.pk}/service", {"month": "2026-02"}).json()
    assert (body["unit_code"], body["month"], body["index"]["total"], body["index"]["scaled"]) == (
        "01.001.01",
        "2026-02",
        "42.60",
        "62.65",
    )
    assert body["dossiers"]["finished"] == 4 and body["dossiers"]["received_online"] == 2
    assert [g["points"] for g in body["index"]["groups"]] == ["12.00", "15.00", "4.80", None, "10.80", None]
    bad = client.get(f"/api/v1/reports/units/{province.division.pk}/service", {"month": "2021-12"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    assert client.get(f"/api/v1/reports/units/{province.other_division.pk}/service").status_code == 404
    assert client.get(f"/reports/units/{province.other_division.pk}/").status_code == 404
