import { GraphQLError, OperationTypeNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Refuses, with a 400 the client can act on, the requests the gateway would
 * otherwise fail with a 500: an `operationName` the document does not define
 * (or none for a document with several operations), and a subscription sent
 * over HTTP (the gateway cannot execute subscriptions; the WebSocket does).
 * Found by the fuzz suite (tests/security/fuzz.e2e.ts).
 */
export function operationGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            const name = typeof request.operationName === 'string' ? request.operationName.slice(0, 100) : undefined;
            throw new GraphQLError(name ? `Unknown operation named "${name}".` : 'Must provide operation name if query contains multiple operations.', {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
            });
          }
          if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) on this path, not over HTTP.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
