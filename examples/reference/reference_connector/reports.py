"""Reports 2021-06-30: request once, poll with growing waits, read the document at once.

One report per (type, marketplaces, period) at a time: a report still in flight when the
action gives up is remembered and resumed by the next request for the same data instead of
being requested again (createReport allows one a minute). DONE, CANCELLED (no data) and FATAL
end the wait. The document's presigned URL lives five minutes, so it is downloaded right away,
and asked for again if it expired anyway; GZIP documents are decompressed. Documents of
restricted report types (buyer PII) are fetched with a Restricted Data Token for the
document's own path (generic paths are refused for reports).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from .client import SpApiClient
from .errors import CallFailed
from .rdt import RestrictedDataTokenSource
from .regions import region_for
from .results import ErrorEntry, entry, from_call

BASE = "/reports/2021-06-30"
TERMINAL = ("DONE", "CANCELLED", "FATAL")
FIRST_WAIT, GROWTH, MAX_WAIT = 0.1, 1.5, 5.0  # seconds; getReport allows 2/s, burst 15
# Report types whose documents hold buyer PII (Amazon's Tokens API use case guide).
RESTRICTED = frozenset(
    {
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX",
        "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING",
        "GET_ORDER_REPORT_DATA_INVOICING",
        "GET_ORDER_REPORT_DATA_TAX",
        "GET_ORDER_REPORT_DATA_SHIPPING",
        "GET_EASYSHIP_DOCUMENTS",
        "GET_GST_MTR_B2B_CUSTOM",
        "GET_VAT_TRANSACTION_DATA",
        "SC_VAT_TAX_REPORT",
    }
)
ReportKey = tuple[str, tuple[str, ...], str, str]


@dataclass(frozen=True)
class ReportRequest:
    report_type: str
    marketplace_ids: list[str]
    start: str | None
    end: str | None

    def key(self) -> ReportKey:
        return (self.report_type, tuple(sorted(self.marketplace_ids)), self.start or "",
                self.end or "")  # fmt: skip

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"reportType": self.report_type,
                                "marketplaceIds": self.marketplace_ids}  # fmt: skip
        if self.start:
            body["dataStartTime"] = self.start
        if self.end:
            body["dataEndTime"] = self.end
        return body


class InFlight:
    """The reportId of each report still processing, by (type, marketplaces, period).

    In memory for a long-lived connector; in a JSON file when each action is a process of
    its own (the command line), so the next run resumes the report instead of asking again.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._items: dict[str, str] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            if isinstance(loaded, dict):
                self._items = {str(k): str(v) for k, v in loaded.items()}

    @staticmethod
    def _name(key: ReportKey) -> str:
        return json.dumps([key[0], list(key[1]), key[2], key[3]])

    def get(self, key: ReportKey) -> str | None:
        return self._items.get(self._name(key))

    def put(self, key: ReportKey, report_id: str) -> None:
        self._items[self._name(key)] = report_id
        self._save()

    def drop(self, key: ReportKey) -> None:
        if self._items.pop(self._name(key), None) is not None:
            self._save()

    def _save(self) -> None:
        if self._path is not None:
            self._path.write_text(json.dumps(self._items), encoding="utf-8")


def _matches(report: dict[str, Any], request: ReportRequest) -> bool:
    """Is a remembered report still the one asked for (type, marketplaces, period)?"""
    return (
        report.get("reportType") == request.report_type
        and sorted(report.get("marketplaceIds") or []) == sorted(request.marketplace_ids)
        and (report.get("dataStartTime") or None) == request.start
        and (report.get("dataEndTime") or None) == request.end
    )


class ReportFetcher:
    def __init__(
        self, client: SpApiClient, http: httpx.Client, in_flight: InFlight, errors: list[ErrorEntry]
    ) -> None:
        self._client = client
        self._http = http
        self._in_flight = in_flight  # kept by the connector across actions
        self._errors = errors

    def fetch(self, request: ReportRequest, patience: float) -> dict[str, Any]:
        out: dict[str, Any] = {"report_id": None, "status": None, "rows": []}
        region = region_for(request.marketplace_ids[0])
        try:
            report_id, report = self._resume(region, request)
            if report_id is None:
                created = self._client.call(
                    "createReport", "POST", region, f"{BASE}/reports", json_body=request.body()
                ).body
                report_id = str(created["reportId"])
                self._in_flight.put(request.key(), report_id)
            out["report_id"] = report_id
            report = self._wait(region, report_id, time.monotonic() + patience, report)
            status = out["status"] = str(report.get("processingStatus"))
            if status in TERMINAL:
                self._in_flight.drop(request.key())
            if status == "DONE":
                out["rows"] = self._rows(region, str(report["reportDocumentId"]), request)
            elif status == "FATAL":
                self._errors.append(entry("getReport", f"report {report_id} ended FATAL"))
            elif status not in TERMINAL:
                message = f"report {report_id} still {status} at the deadline; resumed next time"
                self._errors.append(entry("getReport", message))
        except CallFailed as exc:
            self._errors.append(from_call(exc))
        except (httpx.HTTPError, KeyError, TypeError, ValueError, OSError) as exc:
            self._errors.append(entry("fetch_report", f"report step failed ({type(exc).__name__})"))
        return out

    def _resume(self, region: str, request: ReportRequest) -> tuple[str | None, dict[str, Any]]:
        """The remembered report for this request and its state, if it is still that report."""
        report_id = self._in_flight.get(request.key())
        if report_id is None:
            return None, {}
        path = f"{BASE}/reports/{quote(report_id, safe='')}"
        try:
            report: dict[str, Any] = self._client.call("getReport", "GET", region, path).body or {}
        except CallFailed as exc:
            if exc.status not in (400, 404):  # unknown now: forget it; anything else: a failure
                raise
            report = {}
        if not _matches(report, request):
            self._in_flight.drop(request.key())
            return None, {}
        return report_id, report

    def _wait(
        self, region: str, report_id: str, deadline: float, report: dict[str, Any]
    ) -> dict[str, Any]:
        """Poll until the report ends or the deadline; ``report``: a state just read, if any."""
        wait = FIRST_WAIT
        path = f"{BASE}/reports/{quote(report_id, safe='')}"
        while True:
            if not report:
                report = self._client.call("getReport", "GET", region, path).body or {}
            if report.get("processingStatus") in TERMINAL or time.monotonic() + wait > deadline:
                return report
            time.sleep(wait)
            wait = min(wait * GROWTH, MAX_WAIT)
            report = {}

    def _rows(self, region: str, document_id: str, request: ReportRequest) -> list[dict[str, str]]:
        path = f"{BASE}/documents/{quote(document_id, safe='')}"
        tokens = (
            RestrictedDataTokenSource(self._client, region, path)
            if request.report_type in RESTRICTED
            else None
        )
        for _ in range(2):  # a URL that expired before the download: ask for a fresh one once
            document = self._client.call(
                "getReportDocument", "GET", region, path, token_source=tokens
            ).body
            response = self._http.get(document["url"])
            if response.status_code == 403 and b"expired" in response.content:
                continue
            if response.status_code != 200:
                raise CallFailed("downloadReportDocument", response.status_code, None,
                                 "report document download refused")  # fmt: skip
            content = response.content
            if document.get("compressionAlgorithm") == "GZIP":
                content = gzip.decompress(content)
            text = content.decode("utf-8")
            return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
        raise CallFailed("downloadReportDocument", 403, None, "report document URL expired twice")
