export * from './geography';
export * from './campaign';
export * from './progress';
export * from './ingest';
export * from './auth';
export * from './followups';
export * from './work';
export * from './log';
export { appNow } from './columns';
