export * from './errors.js';
export * from './cursor.js';
export * from './env.js';
export * from './identity.js';
export * from './peer.js';
export * from './redis.js';
export * from './service.js';
export * from './verified-cache.js';
