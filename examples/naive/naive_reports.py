"""The naive connector's reports: it works on a good day and makes the classic mistakes.

- getReport is polled in a tight loop (20 a second), and a new report is requested whenever a
  round of polls ends without DONE;
- CANCELLED and FATAL are not endings (only DONE is);
- the document is fetched with the LWA token (no RDT for restricted types) and read as text:
  GZIP is ignored and the download's status never looked at.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx


def _bare(response: httpx.Response) -> dict[str, Any]:
    """A dated API's answer (Reports 2021-06-30): the object itself, no payload wrapper."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class NaiveReports:
    """Mixed into the naive ``Connector`` (needs ``http``, ``call`` and ``log``)."""

    def fetch_report(self, args: dict[str, Any]) -> dict[str, Any]:
        from naive_connector import REGION  # at call time: naive_connector imports this module

        region = REGION.get(args["marketplace_ids"][0], "NA")
        body: dict[str, Any] = {"reportType": args["report_type"],
                                "marketplaceIds": args["marketplace_ids"]}  # fmt: skip
        if args.get("data_start_time"):
            body["dataStartTime"] = args["data_start_time"]
        if args.get("data_end_time"):
            body["dataEndTime"] = args["data_end_time"]
        deadline = time.monotonic() + float(args.get("give_up_after_s") or 60)
        report_id, status, rows = None, None, []
        base = "/reports/2021-06-30"
        try:
            while time.monotonic() < deadline and status != "DONE":
                # mistake: "the last report must have got lost": a new one every round
                created = self.call("createReport", "POST", region, base + "/reports", json=body)
                report_id = str(_bare(created).get("reportId"))
                for _ in range(10):
                    path = f"{base}/reports/{quote(report_id, safe='')}"
                    report = _bare(self.call("getReport", "GET", region, path))
                    status = report.get("processingStatus")
                    if status == "DONE":  # mistake: CANCELLED and FATAL are not endings here
                        break
                    time.sleep(0.05)  # mistake: a tight loop, no backoff
            if status == "DONE":
                doc_path = f"{base}/documents/{quote(str(report['reportDocumentId']), safe='')}"
                # mistake: the LWA token, even for restricted (buyer PII) report types
                document = _bare(self.call("getReportDocument", "GET", region, doc_path))
                # mistake: compressionAlgorithm and the download's status are never looked at
                text = self.http.get(document["url"]).content.decode("utf-8", errors="replace")
                lines = [line for line in text.splitlines()[1:] if line]
                rows = [dict(enumerate(line.split("\t"))) for line in lines]
        except Exception as exc:  # a failed call, a missing field: logged, and "ok" anyway
            self.log(f"fetch_report: {exc}")
        return {"ok": True, "errors": [], "report_id": report_id, "status": status, "rows": rows}
