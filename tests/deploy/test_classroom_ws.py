"""The protocol-level load client (bench/classroom_ws.py) speaks to a real server: it opens a page over the websocket,
reads the navigation and the run's script_finished, and a widget change it builds is one the server accepts."""

import asyncio
import random
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from classroom import Server  # noqa: E402
from classroom_ws import Session, Widget, new_value  # noqa: E402
from streamlit.proto.NumberInput_pb2 import NumberInput  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402


def test_slider_and_number_steps_stay_in_range():
    """Oracle: the widget's own min / max / step in its proto (a user's click can only do the same)."""
    s = Slider(id="$$ID-x-k", min=1, max=5, step=1, data_type=Slider.INT, type=Slider.SLIDER)
    s.default.append(5)
    ws = new_value(Widget(s.id, "slider", s, "", "k"), random.Random(0))
    assert list(ws.double_array_value.data) == [4]  # at the top: one step down, not past max
    n = NumberInput(
        id="$$ID-y-n", min=0, max=10, has_min=True, has_max=True, step=2, default=3, data_type=NumberInput.INT
    )
    ws = new_value(Widget(n.id, "number_input", n, "", "n"), random.Random(0))
    assert ws.WhichOneof("value") == "int_value" and ws.int_value == 5


def test_one_session_opens_the_home_page_over_the_websocket():
    async def go(url):
        s = Session(url, "zh", "/")
        await s.connect()
        try:
            ms = await s.open(60)
        finally:
            await s.close()
        return s, ms

    with Server(log=ROOT / "bench" / "out" / "test-classroom-ws-server.log") as server:
        s, ms = asyncio.run(go(server.url))
    assert ms > 0
    assert "/" in s.nav_pages and len(s.nav_pages) >= 2, s.nav_pages  # the app's navigation came through
    assert s.page_hash  # the page the server ran, sent back on the next rerun like the frontend does
    assert s.exceptions == 0
    assert "lang=en" not in s.query  # the URL the server keeps for a zh browser (zh is then the default: no ?lang)
