/**
 * Scenario "hostile-strings" (issue 5 "Hostile strings"): well-formed packets
 * whose strings, copied into a report, would run script or break the page if
 * a renderer trusted them: a TLS ClientHello SNI, a SIP User-Agent and Server
 * (plaintext SIP on UDP 5060), STUN USERNAME and SOFTWARE, and an MS-TURN
 * USERNAME longer than a report keeps (256 characters). Every string sets the
 * global `window.__pwned` if it is ever executed, so a browser test can prove
 * that nothing ran. The exact strings are in the truth (`flows[].strings`).
 */
import { hostileMsTurn, hostileSip, hostileStunBinding, hostileTls } from '../av-media.js';
import type { ExpectTable } from '../expect.js';
import { Rng } from '../rng.js';
import { Trace } from '../trace.js';
import { EXTERNAL, MS, accessEdge, avEdge, internet } from './av-common.js';

export const SCRIPT = '<script>window.__pwned=1</script>';
export const IMG_ONERROR = '</script><img src=x onerror=window.__pwned=1>';
export const QUOTES = `"'\`\${window.__pwned=1}\`'"`;
export const CONTROLS = '\u0000\u001b[31m\u2028\u2029\u007f';

export const HOSTILE_TOPOLOGY: { roles: Record<string, string[]> } = { roles: { 'edge-access': [accessEdge.ip], 'edge-av': [avEdge.ip] } };

export const HOSTILE_STRINGS_DESCRIPTION =
  'Strings that must be rendered as text: a TLS SNI, a SIP User-Agent and Server header, STUN USERNAME and SOFTWARE and a ' +
  '300-character MS-TURN USERNAME carry <script>, </script><img onerror>, quotes, backticks and control characters ' +
  '(U+0000, ESC, U+2028, U+2029, DEL), each setting window.__pwned if it ever runs. The packets are otherwise well formed.';

export function buildHostileStrings(): Trace {
  const trace = new Trace('hostile-strings', 1710349200, EXTERNAL); // 2024-03-13T17:00:00Z
  const rng = new Rng(0x5c41f7);
  const attacker = internet('203.0.113.66', 47);
  const base = { iface: 0 } as const;
  hostileTls(trace, rng, { ...base, intent: 'documented', label: 'tls-sni-hostile', client: attacker, cport: 50170, server: accessEdge, sport: 443,
    note: 'TLS ClientHello whose SNI carries markup and control characters' },
  { start: 0, rtt: 50 * MS }, `${SCRIPT}${CONTROLS}.contoso.com`);
  const sipReq = {
    method: 'OPTIONS', uri: 'sip:edge.contoso.com', via: 'SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK-hostile-1',
    from: `"${IMG_ONERROR}" <sip:x@203.0.113.66>;tag=a1`, to: '<sip:edge.contoso.com>', callId: `${QUOTES}@203.0.113.66`, cseq: 1,
    userAgent: `${IMG_ONERROR} ${QUOTES} ${CONTROLS}`,
  };
  hostileSip(trace, { ...base, intent: 'undocumented', label: 'sip-user-agent-hostile', client: attacker, cport: 5060, server: accessEdge, sport: 5060,
    note: 'plaintext SIP OPTIONS on UDP 5060 with a hostile User-Agent, From and Call-ID; the answer has a hostile Server header' },
  400 * MS, sipReq, `${SCRIPT}\u001b]0;pwned\u0007`);
  hostileStunBinding(trace, rng, { ...base, intent: 'documented', label: 'stun-username-software-hostile', client: internet('198.51.100.97', 49), cport: 49920,
    server: avEdge, sport: 3478, note: 'STUN Binding with hostile USERNAME and SOFTWARE (both directions)' },
  800 * MS, { username: `${QUOTES}:${SCRIPT}`, software: `${CONTROLS}${IMG_ONERROR}`, password: 'hostile-ice-pwd' });
  hostileMsTurn(trace, rng, { ...base, intent: 'documented', label: 'msturn-long-username-hostile', client: internet('203.0.113.67', 112), cport: 50180,
    server: avEdge, sport: 3478, note: 'MS-TURN Allocate whose USERNAME is 300 characters of markup (longer than a report keeps), answered 436' },
  1200 * MS, { username: SCRIPT.repeat(10).slice(0, 300), realm: '"rtcmedia"', password: 'x', nonce: Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex') });
  trace.finalize();
  return trace;
}

const media = { topo: 'documented/port', bare: 'documented/port' } as const;

export const HOSTILE_STRINGS_EXPECT: ExpectTable = {
  'tls-sni-hostile': { topo: 'documented/port', bare: 'documented/port' },
  'sip-user-agent-hostile': { topo: 'undocumented/port', bare: 'undocumented/port' },
  'stun-username-software-hostile': { topo: 'documented/port', bare: 'documented/port', media },
  'msturn-long-username-hostile': { topo: 'documented/port', bare: 'documented/port', media },
};
