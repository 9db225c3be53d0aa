// The Graph API + Bot API emulator: one node:http server on one port, used by tests, the bench and
// the demo. Deterministic audiences from a seed; latency and faults injectable per account or at random.
// By concern: state.ts (options, faults, counters, logs), graph.ts (Graph API), bot.ts (Bot API),
// server.ts (HTTP routing and the handle tests use), model.ts (the audience model), types.ts.
export { startEmulator } from './server';
export { parseTelegramHtml } from './bot';
export type { Emulator, EmulatorCounters, EmulatorOptions, FaultKind, FaultRule, RequestLogEntry, SentMessage } from './types';
