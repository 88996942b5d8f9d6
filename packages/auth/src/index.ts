export * from './errors.js';
export * from './keys.js';
export * from './access-token.js';
export * from './refresh-token.js';
export * from './dev-keys.js';
