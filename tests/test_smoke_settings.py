from django.conf import settings
from huey.contrib.djhuey import HUEY


def test_queue_runs_inline_in_tests() -> None:
    assert HUEY.immediate is True


def test_time_zone_is_vietnam() -> None:
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
