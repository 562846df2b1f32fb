/**
 * The words of a finding: one explanation per kind, from its collected flows
 * (findings.ts) and, for ICMP and payload kinds, their distinct details.
 */
import { countText, FINDING_TITLES, findingPeers } from './finding-types.js';
import { MAX_KIND_FINDINGS, MAX_PEER_FINDINGS } from './fold-findings.js';
import type { FindingGroup } from './finding-group.js';
import { MEDIA_MIN_PACKETS, MEDIA_POOR_JITTER_MS, MEDIA_POOR_LOSS_PCT } from './payload-findings.js';

/** Verb agreement: "1 flow uses", "2 flows use". */
function verb(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** The finding's plain-language explanation: what was seen, why it matters, what the severity rests on. */
export function explainFinding(g: FindingGroup, ports: string): string {
  return explanation(g, ports) + foldedText(g);
}

function explanation(g: FindingGroup, ports: string): string {
  const n = g.flows.length;
  const { client, server } = findingPeers({ client: g.client, server: g.server, clients: g.folded?.client?.size, servers: g.folded?.server?.size });
  const between = `from ${client} to ${server} on ${ports}`;
  const example = n === 1 ? ` ${g.firstVerdict.explanation}` : ` For example, flow ${g.firstFlow.id}: ${g.firstVerdict.explanation}`;
  const high = g.severity === 'high';
  switch (g.kind) {
    case 'undocumented-port':
      return `${countText(n, 'flow')} ${between} ${verb(n, 'uses a port', 'use ports')} no rule of the chosen packs documents. `
        + (high
          ? `${verb(n, 'It was', 'They were')} not blocked (answered, or no reset or ICMP error seen): undocumented traffic is passing.`
          : g.severity === 'info'
            ? 'Sent to a link- or site-scoped multicast or a broadcast address: local discovery or announcements (mDNS, SSDP, LAN sync), which stay on the local network and cross no firewall.'
            : `${verb(n, 'The attempt was', 'Every attempt was')} blocked (no SYN-ACK, a reset, or an ICMP error), so a firewall or the host already stops it; it is reported because something tried.`)
        + (n === 1 ? ` ${g.firstVerdict.explanation}` : '');
    case 'misdirected-flow':
      return `${countText(n, 'flow')} ${between} ${verb(n, 'uses', 'use')} a documented port, but not between these roles or in this direction.${example}`;
    case 'tcp-unanswered':
      return `${countText(n, 'TCP connection attempt')} ${between} got no SYN-ACK (Zeek state S0, SH or RSTOS0): `
        + (high ? 'a documented service is unreachable, most likely dropped by a firewall.' : 'the port is not documented for these flows, so a firewall dropping them is doing its job.');
    case 'tcp-refused':
      return `${countText(n, 'TCP connection attempt')} ${between} ${verb(n, 'was', 'were')} answered with a reset (Zeek state REJ): `
        + (high ? 'a documented service is not listening, or a firewall rejects it.' : 'the port is not documented for these flows, so refusing them is expected.');
    case 'tcp-server-side-missing':
      return `${countText(n, 'TCP connection')} ${between} ${verb(n, 'shows', 'show')} the client's packets only: it acknowledged, sent data or closed after its SYN, `
        + 'so the server answered, but none of the server\'s packets is in the capture (asymmetric routing, or a tap or filter that sees one direction). '
        + 'Not a firewall drop; whether the service worked cannot be read from this capture.';
    case 'icmp-admin-prohibited':
      return `${detailsText(g)}, for ${countText(n, 'flow')} ${between}: `
        + (high ? 'a firewall or router filters a documented service.' : 'the port is not documented for these flows, so filtering them is expected.');
    case 'icmp-unreachable':
      return `${detailsText(g)}, for ${countText(n, 'flow')} ${between}: `
        + (g.severity === 'medium' ? 'a documented service could not be reached.' : 'the port is not documented for these flows.');
    case 'stun-unanswered':
      return `STUN/TURN requests with no response in the capture, on ${countText(n, 'flow')} ${between}: ${detailsText(g)}. `
        + (high
          ? g.transport === 'udp'
            ? 'A documented TURN service never answered an Allocate: UDP to it is most likely blocked (clients then fall back to TCP 443, or the call fails).'
            : 'A documented TURN service accepted the connection but never answered an Allocate: the server, or a proxy or inspecting firewall on the path, does not pass TURN.'
          : g.severity === 'medium'
            ? 'Its TURN requests got no answer: the path or the server drops them.'
            : 'ICE checks, or requests on a flow where others were answered: ICE probes candidate pairs of which some are expected to fail.')
        + ' Requests in the last seconds of a capture may be unanswered only because the capture ended.';
    case 'turn-error':
      return `TURN error responses on ${countText(n, 'flow')} ${between}: ${detailsText(g)}. `
        + (high ? 'The server refuses service (allocation quota or capacity).' : 'TURN requests failed or were refused (RFC 8656 §19).');
    case 'payload-mismatch':
      return `${countText(n, 'flow')} ${between} ${verb(n, 'carries', 'carry')} payload that does not match the documented protocol: ${detailsText(g)}.${example}`;
    case 'media-quality':
      return `RTP media on ${countText(n, 'flow')} ${between} passed the limits Microsoft's Call Quality Dashboard marks as poor (over ${MEDIA_MIN_PACKETS} packets, loss above ${MEDIA_POOR_LOSS_PCT}% of those sent or mean jitter above ${MEDIA_POOR_JITTER_MS} ms): ${detailsText(g)}.`;
    case 'sip-error':
      return `SIP error responses on ${countText(n, 'flow')} ${between}: ${detailsText(g)}. `
        + (high
          ? 'A server or gateway failed (5xx), or no acceptable media could be agreed (488, 606: codecs or SDP): calls through it fail.'
          : g.severity === 'info'
            ? 'The callee answered (unavailable, busy, cancelled or declined), or refused a change to a call already answered: the network and the servers did their part.'
            : 'Requests were refused or failed (RFC 3261 §21): look at the first one\'s request and its Call-ID.');
    case 'http-error':
      return `HTTP error responses on ${countText(n, 'flow')} ${between}: ${detailsText(g)}. `
        + (high
          ? 'A gateway or reverse proxy could not reach the server behind it, or the service was unavailable (502, 503, 504): clients using it fail.'
          : 'Requests were refused or failed (RFC 9110 §15): look at the first one\'s request and its Host.');
    default:
      return FINDING_TITLES[g.kind];
  }
}

/** What a folded finding holds (fold-findings.ts). */
function foldedText(g: FindingGroup): string {
  const folded = g.folded;
  if (folded?.pastKindLimit) {
    return ` It folds the findings past the first ${MAX_KIND_FINDINGS} of this kind, severity, transport and address family.`;
  }
  let text = '';
  const fold = (n: number | undefined, peers: string, other: string) => {
    if (n !== undefined) text += ` It folds ${countText(n, peers)} past the first ${MAX_PEER_FINDINGS} with this finding ${other}, which appear in other findings.`;
  };
  fold(g.folded?.client?.size, 'client', 'on one server');
  fold(g.folded?.server?.size, 'server', 'from one client');
  return text;
}

function detailsText(g: FindingGroup): string {
  const shown = [...g.details].join('; ');
  const leftOut = g.detailsLeftOut.size;
  return leftOut > 0 ? `${shown}; and ${leftOut} more` : shown;
}
