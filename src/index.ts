/** The library API: `analyze(paths, options) -> Promise<Report>` and the report model. */
export { analyze, type AnalyzeOptions, type AnalyzeTimings } from './analyze.js';
export { CaptureFormatError, type StopReason } from './capture/errors.js';
export { ANOMALIES, type AnomalyInfo } from './anomalies.js';
export { reportToJson, writeJsonReport } from './report/json.js';
export type { Report, InputReport, Totals } from './report/model.js';
export type { FlowRecord } from './flow/flow-record.js';
export { REPORT_SCHEMA } from './report/model.js';
export { validateReport } from './report/validate.js';
export { loadProto, protoPath, reportToProtobuf, writeProtobufReport, PB_FORMAT, type FlowauditProto } from './report/protobuf.js';
export { readProtobufExport, ProtobufFormatError, type ProtobufHead, type ProtobufMessage } from './report/protobuf-read.js';
