"""TLS-01: the integration refuses a server whose certificate is not valid for the host.

Encryption in transit is a DPP requirement, and it holds only while the client verifies the
server: a client with verification off sends the refresh token and client secret to whoever
answers. In TLS runs (``--transport tls`` or ``intercept``) the scenario points the integration
at a second simulator that presents a bad certificate (harness.sim.tls: untrusted CA, wrong
name, expired). Judged from the wire: any request in that simulator's journal arrived over the
bad certificate (the handshake must have failed, so no request can reach a handler), and from
the action's result, which must say the action failed.
"""

from __future__ import annotations

from typing import Any

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation

__all__ = ["TLS_01"]


def _judge(observation: Observation) -> Judgement:
    probes: list[dict[str, Any]] = observation.expected.get("tls_probes", [])
    if not probes:
        return Judgement(None, "No bad-certificate probe ran: nothing shows the client verifies.")
    accepted: list[str] = []
    silent: list[str] = []
    refused: list[str] = []
    for probe in probes:
        kind, described = probe["kind"], probe["description"]
        requests = [e for e in observation.exchanges if facts_of(e).tls_probe == kind]
        index = probe.get("outcome")
        outcome = observation.outcomes[index] if index is not None else None
        if requests:
            first = requests[0]
            accepted.append(
                f"{kind}: {len(requests)} request(s) arrived over a certificate {described}, "
                f"first {first.method} {first.endpoint} {first.path} (HTTP {first.status})"
            )
        elif outcome is not None and outcome.ok:
            silent.append(
                f"{kind}: no request could be made over a certificate {described}, yet the "
                "action reported success"
            )
        elif outcome is not None:
            said = (outcome.result or {}).get("error") or outcome.error or outcome.status
            error = str(said.get("message", said) if isinstance(said, dict) else said)[:160]
            refused.append(f"{kind}: handshake refused, no request arrived; action: {error}")
    if accepted or silent:
        return Judgement(
            False,
            f"The integration accepted {len(accepted)} of {len(probes)} bad certificate(s)"
            + (f" and hid {len(silent)} refusal(s) behind a success" if silent else "")
            + ": TLS verification is off or incomplete.",
            evidence=accepted + silent + refused,
            metrics={"accepted": len(accepted), "silent": len(silent)},
        )
    if len(refused) < len(probes):
        return Judgement(None, "Some probes produced no action outcome.", evidence=refused)
    return Judgement(
        True,
        f"The integration refused all {len(probes)} bad certificates and reported the failure.",
        evidence=refused,
        metrics={"refused": len(refused)},
    )


TLS_01 = Check(
    id="TLS-01",
    title="Refuses a server whose TLS certificate is not valid for the host",
    area="Security",
    severity="blocker",
    requirement="Verify the server certificate of LWA and SP-API (trusted CA, matching host "
    "name, within its validity) and refuse, and report, a connection that fails it.",
    why="Amazon's Data Protection Policy requires encryption in transit; without certificate "
    "verification anyone on the path can pose as api.amazon.com and collect the refresh "
    "token, the client secret and buyer data.",
    remediation="Remove verify=False / rejectUnauthorized: false / NODE_TLS_REJECT_UNAUTHORIZED=0; "
    "trust extra CAs through SSL_CERT_FILE, REQUESTS_CA_BUNDLE or NODE_EXTRA_CA_CERTS instead, "
    "and surface the TLS error as a failed action.",
    judge=_judge,
    needs=("sync_orders",),
    brief="Refuses, and reports, a server whose certificate is not valid for the host "
    "(untrusted CA, wrong name, expired). Judged only in TLS runs (`acorn run --transport "
    "tls` or `intercept`, see [docs/tls.md](docs/tls.md)); not applicable otherwise.",
).register()
