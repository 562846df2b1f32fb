/** Application protocol parsers for the first payload packets of a flow (see app-common.ts). */
export { APP_ANOMALIES, MAX_APP_STRING, type AppAnomaly } from './app-common.js';
export { parseTlsHello, type TlsHello } from './tls.js';
export { parseTlsRecords, type TlsMidSession } from './tls-records.js';
export { parseDtls, type DtlsInfo } from './dtls.js';
export { parseSip, type SipMessage } from './sip.js';
export { parseHttpRequest, parseHttpResponse, type HttpRequest, type HttpResponse } from './http.js';
