import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

// A caller-chosen id ends up in logs and response headers: accept only a
// plain token so it cannot forge log lines or split headers.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's `x-request-id` when it is a plain token, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Puts the request id into every error's `extensions.requestId`, so a client
 * can quote it and an operator can find the masked error's cause in the logs.
 */
export function requestIdPlugin<C extends { requestId: string }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { errors } = response.body.singleResult;
          if (!errors?.length) return;
          response.body.singleResult.errors = errors.map((error) => ({
            ...error,
            extensions: { ...error.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}
