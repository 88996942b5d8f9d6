import { GraphQLError, isScalarType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';
import { toDate } from '@storm/common';

/** What a `DateTime` input must be, by the subgraphs' own rule (@storm/common DateTimeScalar): a string, kept as sent. */
function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !toDate(value)) throw new GraphQLError('DateTime must be an ISO 8601 string');
  return value;
}

/**
 * Gives the API schema's custom scalars the input rules their subgraphs
 * apply, so the router refuses a bad value itself, before planning or
 * fetching anything: a variable as BAD_USER_INPUT ("Variable "$until" got
 * invalid value …"), a literal as GRAPHQL_VALIDATION_FAILED, both the client's
 * error. A supergraph's scalars otherwise accept anything, and the subgraph's
 * refusal comes back as an HTTP 400 the gateway reads as its own failure.
 * The value is forwarded as the client sent it (a string), so the subgraph
 * parses exactly what it would have.
 */
export function enforceScalarInputs(schema: GraphQLSchema): void {
  const dateTime = schema.getType('DateTime');
  if (!isScalarType(dateTime)) return;
  dateTime.parseValue = parseDateTime;
  dateTime.parseLiteral = (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string');
    return parseDateTime(ast.value);
  };
}
