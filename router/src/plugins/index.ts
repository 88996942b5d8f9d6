/**
 * The router's request hardening: static operation limits (graphql-armor
 * rules + the parser's token limit), request ids on errors. Apollo Server's
 * own switches (CSRF prevention, no batching, introspection and suggestions
 * off outside development) are set where it is constructed, in server.ts.
 */
export {
  DEFAULT_OPERATION_LIMITS,
  operationLimitRules,
  resolveOperationLimits,
  validateOperationLimits,
  type OperationLimitName,
  type OperationLimits,
} from './operation-limits.js';
export { REQUEST_ID_HEADER, requestIdFrom, requestIdPlugin } from './request-id.js';
export { operationGuardPlugin } from './operation-guard.js';
export { validateOperation, type ValidateOperationOptions } from './validate-operation.js';
