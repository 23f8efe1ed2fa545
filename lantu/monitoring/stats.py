"""The monitoring room's rows for the statistics room (``lantu/stats`` providers).

``by_channel``: monitoring objects by discovery channel (监测对象按发现渠道, indicator
``monitoring_by_channel``): households whose identification (监测对象纳入), opened from a ticket,
completed — counted at the case's village and year under the channel of the case's first ticket
(the earliest received; a household raised by several channels counts once, where it was first
seen). An Arrow table ``region_path, year, key, value`` as the providers' contract asks."""

from __future__ import annotations

import pyarrow as pa

from lantu.engine.snapshot import read_queries

BY_CHANNEL = (
    "SELECT c.region_path, c.year, t.channel AS key, "
    "CAST(COUNT(DISTINCT c.id) AS INTEGER) AS value "
    "FROM procedures_case c JOIN monitoring_ticket t ON t.case_id = c.id "
    "WHERE c.state = 'completed' AND NOT EXISTS (SELECT 1 FROM monitoring_ticket f "
    "WHERE f.case_id = c.id AND (f.received_on < t.received_on "
    "OR (f.received_on = t.received_on AND f.id < t.id))) "
    "GROUP BY c.region_path, c.year, t.channel"
)


def by_channel() -> pa.Table | None:
    return read_queries({"t": BY_CHANNEL})["t"]
