/**
 * The REST contract between the watcher (backend/) and the God View (frontend/), written once. The backend's routes
 * serialize through these schemas and its OpenAPI document is drawn from them; the dashboard parses every response
 * with them. Unknown extra fields are stripped on parsing, not rejected: adding a field is not a breaking change.
 */
export * from './domain.ts';
export * from './errors.ts';
export * from './vitals.ts';
export * from './genomes.ts';
export * from './chaos.ts';
export * from './evolution.ts';
export * from './llm.ts';
export * from './proposals.ts';
export * from './operators.ts';
export { isoTime } from './wire.ts';
export { SseParser, type SseMessage } from './sse.ts';
