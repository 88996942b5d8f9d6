import {
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { SUBJECT_TOKEN } from '@storm/bus';
import { badInput } from '@storm/common';
import { PRESENCE_WATCH_LIMIT, SubscriptionField } from './protocol.js';

/**
 * A subscription turned into the query that resolves one page of its events:
 * the client's own selection set under `conversation.messages(after:)`, so
 * every field (other subgraphs' included) is resolved by the query planner.
 */
export interface SelectionPlan {
  field: SubscriptionField.MessageAdded;
  /** Where the client expects the payload: the alias or the field name. */
  responseKey: string;
  conversationId: string;
  after: number | undefined;
  /** The page query; variables: stormConversationId, stormAfter, stormLimit + `variables`. */
  query: string;
  /** The client's variables the selection uses (and only those). */
  variables: Record<string, unknown>;
  /** Subscribers with the same key share one resolution per event. */
  groupKey: string;
}

/** Alias under which the page query always selects `seq`, whatever the client selected. */
export const SEQ_ALIAS = '_stormSeq';

/** Builds the plan from a document that already validated against the API schema. */
export function planSubscription(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): SelectionPlan | EventsPlan | InboxPlan | PresencePlan | NotificationsPlan {
  const root = operation.selectionSet.selections;
  const fields = root.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename');
  if (fields.length !== 1 || root.length !== fields.length) {
    throw badInput('A subscription selects exactly one root field, without fragments or __typename');
  }
  const field = fields[0]!;
  if (field.name.value === SubscriptionField.ConversationEvents) return planConversationEvents(document, operation, variables, field);
  if (field.name.value === SubscriptionField.Inbox) return planInbox(document, operation, variables, field);
  if (field.name.value === SubscriptionField.PresenceChanged) return planPresence(document, variables, field);
  if (field.name.value === SubscriptionField.NotificationAdded) return planNotifications(document, operation, variables, field);
  if (field.name.value !== SubscriptionField.MessageAdded) {
    throw badInput(`Unknown subscription field: ${field.name.value}`);
  }
  const { conversationId, after } = conversationArgs(field, variables);

  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const selection = field.selectionSet!;

  // Keep only the variables the selection and fragments use: GraphQL rejects unused ones.
  const used = new Set<string>();
  for (const node of [selection, ...fragments]) {
    visit(node, { Variable: (v) => void used.add(v.name.value) });
  }
  const varDefs = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const usedVariables: Record<string, unknown> = {};
  for (const d of varDefs) {
    const name = d.variable.name.value;
    if (name in variables) usedVariables[name] = variables[name];
  }

  const defs = ['$stormConversationId: ID!', '$stormAfter: Int!', '$stormLimit: Int!', ...varDefs.map((d) => print(d))].join(', ');
  const query = [
    `query StormMessagePage(${defs}) {`,
    `  conversation(id: $stormConversationId) {`,
    `    lastSeq`,
    `    messages(after: $stormAfter, limit: $stormLimit) { ${SEQ_ALIAS}: seq ${print(selection).slice(1, -1)} }`,
    `  }`,
    `}`,
    ...fragments.map((f) => print(f)),
  ].join('\n');

  const groupKey = JSON.stringify([conversationId, query, sortKeys(usedVariables)]);
  return { field: SubscriptionField.MessageAdded, responseKey: field.alias?.value ?? field.name.value, conversationId, after, query, variables: usedVariables, groupKey };
}

/** A value with its object keys in order, so equal values serialise alike (group keys). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Fields of ConversationEvent the router fills itself (no subgraph trip). */
const LOCAL_EVENT_FIELDS = new Set(['kind', 'conversationId', 'seq', 'emoji', 'cursor', 'typing', 'expiresAt', 'position', '__typename']);
/** Fields of ConversationEvent resolved through the planner, and the root query field that resolves each. */
const RESOLVED_EVENT_FIELDS = { message: 'message', user: 'user', conversation: 'conversation' } as const;
type ResolvedEventField = keyof typeof RESOLVED_EVENT_FIELDS;

/** A conversationEvents subscription (or one conversation of an inbox): its event shape, where, and from where. */
export interface EventsPlan extends EventShape {
  field: SubscriptionField.ConversationEvents | SubscriptionField.Inbox;
  conversationId: string;
  after: number | undefined;
  /** conversationEvents only: replay the event log after this position. */
  afterEvent?: number | undefined;
  groupKey: string;
}

/** Reads a conversation's event log after a position (see Conversation.events); as the subscriber. */
export const EVENT_LOG_QUERY =
  'query StormEventLog($stormConversationId: ID!, $stormAfterEvent: Int!, $stormLimit: Int!) { conversation(id: $stormConversationId) { events(after: $stormAfterEvent, limit: $stormLimit) { position kind seq messageId userId emoji } } }';

/**
 * Builds the plan of a conversationEvents subscription. The event's own
 * selection may use aliases and fragments on ConversationEvent (flattened);
 * each of message / user / conversation may be selected once.
 */
export function planConversationEvents(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  field: FieldNode,
): EventsPlan {
  const { conversationId, after } = conversationArgs(field, variables);
  const afterEvent = argumentReader(field, variables)('afterEvent');
  if (afterEvent !== undefined && afterEvent !== null && (!Number.isInteger(afterEvent) || (afterEvent as number) < 0)) {
    throw badInput('afterEvent must be a non-negative integer', 'afterEvent');
  }
  const shape = planEventShape(document, operation, variables, field);
  return {
    ...shape,
    field: SubscriptionField.ConversationEvents,
    conversationId,
    after,
    afterEvent: (afterEvent as number | null | undefined) ?? undefined,
    groupKey: JSON.stringify(['events', conversationId, shape.query, shape.eventQuery ?? '', shape.local, sortKeys(shape.variables)]),
  };
}

/** An inbox subscription: the event shape shared by the per-conversation streams, and the resume cursor. */
export interface InboxPlan extends EventShape {
  field: SubscriptionField.Inbox;
  cursor: string | undefined;
}

export function planInbox(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, field: FieldNode): InboxPlan {
  const cursor = argumentReader(field, variables)('cursor');
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') throw badInput('cursor must be a string', 'cursor');
  return { ...planEventShape(document, operation, variables, field), field: SubscriptionField.Inbox, cursor: (cursor as string | null) ?? undefined };
}

/** The plan of one conversation's stream inside an inbox. */
export function inboxConversationPlan(inbox: InboxPlan, conversationId: string, after: number): EventsPlan {
  return {
    ...inbox,
    field: SubscriptionField.Inbox,
    eventQuery: undefined,
    conversationId,
    after,
    groupKey: JSON.stringify(['inbox', conversationId, inbox.query, inbox.local, sortKeys(inbox.variables)]),
  };
}

/** Longest id the router accepts from a client (a UUID is 36). */
const MAX_ID_LENGTH = 64;

/**
 * Whether an id from a client can go into a bus subject or a subgraph read:
 * one subject token (packages/bus SUBJECT_TOKEN), as the subgraphs' UUIDs are.
 * Whether it names anything is the subgraph's to say.
 */
function idShaped(id: unknown): id is string {
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH && SUBJECT_TOKEN.test(id);
}

/** `conversationId` (required, id-shaped) and `after` (optional, ≥ 0) of a conversation subscription. */
function conversationArgs(field: FieldNode, variables: Record<string, unknown>): { conversationId: string; after: number | undefined } {
  const arg = argumentReader(field, variables);
  const raw = arg('conversationId');
  if (raw === undefined || raw === null || raw === '') throw badInput('conversationId is required', 'conversationId');
  // An ID takes a string or an integer (GraphQL's input coercion of ID), nothing else.
  const conversationId = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof conversationId !== 'string') throw badInput('conversationId must be an ID (a string)', 'conversationId');
  if (!idShaped(conversationId)) throw badInput('conversationId is not a conversation id', 'conversationId');
  const after = arg('after');
  if (after === undefined || after === null) return { conversationId, after: undefined };
  if (!Number.isInteger(after) || (after as number) < 0) throw badInput('after must be a non-negative integer', 'after');
  return { conversationId, after: after as number };
}

function argumentReader(field: FieldNode, variables: Record<string, unknown>) {
  return (name: string): unknown => {
    const node = field.arguments?.find((a) => a.name.value === name)?.value;
    return node ? valueFromASTUntyped(node as ValueNode, variables) : undefined;
  };
}

/** Which fields of an event the router fills itself, and the queries that resolve the rest. */
interface EventShape {
  responseKey: string;
  /** [response key, field name] of each locally filled field, in selection order. */
  local: Array<[string, string]>;
  /** Response key of the `message` field, if selected. */
  messageKey: string | undefined;
  /** Page query for MESSAGE_ADDED (like SelectionPlan.query); its messages carry the message selection (or just seq). */
  query: string;
  /**
   * Query for one non-message event: `message(id:)`, `user(id:)` and
   * `conversation(id:)` each under the client's alias and selection, switched
   * on by $stormWithMessage / $stormWithUser / $stormWithConversation.
   */
  eventQuery: string | undefined;
  resolvedKeys: Array<[string, ResolvedEventField]>;
  variables: Record<string, unknown>;
}

/**
 * The event's own selection may use aliases and fragments (flattened); each of
 * message / user / conversation may be selected once.
 */
function planEventShape(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, field: FieldNode): EventShape {
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const byName = new Map(fragments.map((f) => [f.name.value, f]));
  // Flatten the event's selection (fragments on ConversationEvent always apply).
  const flat: FieldNode[] = [];
  const walk = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) flat.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections);
      else {
        const fragment = byName.get(s.name.value);
        if (fragment) walk(fragment.selectionSet.selections);
      }
    }
  };
  walk(field.selectionSet!.selections);

  const local: Array<[string, string]> = [];
  const resolved = new Map<ResolvedEventField, FieldNode>();
  for (const f of flat) {
    const name = f.name.value;
    const key = f.alias?.value ?? name;
    if (LOCAL_EVENT_FIELDS.has(name)) local.push([key, name]);
    else if (name in RESOLVED_EVENT_FIELDS) {
      const previous = resolved.get(name as ResolvedEventField);
      if (previous && (previous.alias?.value ?? name) !== key) throw badInput(`Select ${name} at most once in conversationEvents`);
      resolved.set(name as ResolvedEventField, f);
    }
  }

  // Fragments the resolved selections spread (transitively): the event-level ones were flattened away.
  const usedFragmentNames = new Set<string>();
  const collect = (node: FieldNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread: (spread) => {
        if (usedFragmentNames.has(spread.name.value)) return;
        usedFragmentNames.add(spread.name.value);
        const fragment = byName.get(spread.name.value);
        if (fragment) collect(fragment);
      },
    });
  // Per query: the fragments its selections spread, and the client variables they use (GraphQL rejects unused ones).
  const fragmentsOf = (fields: FieldNode[]) => {
    usedFragmentNames.clear();
    for (const f of fields) collect(f);
    return new Set(usedFragmentNames);
  };
  const variablesOf = (fields: FieldNode[], fragmentNames: Set<string>) => {
    const used = new Set<string>();
    for (const node of [...fields, ...fragments.filter((f) => fragmentNames.has(f.name.value))]) visit(node, { Variable: (v) => void used.add(v.name.value) });
    return (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  };
  const printFragments = (names: Set<string>) => fragments.filter((f) => names.has(f.name.value)).map((f) => print(f));
  const messageField = resolved.get('message');
  const pageFragments = fragmentsOf(messageField ? [messageField] : []);
  const pageDefs = variablesOf(messageField ? [messageField] : [], pageFragments);
  const eventFragments = fragmentsOf([...resolved.values()]);
  const eventDefs = variablesOf([...resolved.values()], eventFragments);
  const usedVariables: Record<string, unknown> = {};
  for (const d of eventDefs) if (d.variable.name.value in variables) usedVariables[d.variable.name.value] = variables[d.variable.name.value];
  const sub = (f: FieldNode | undefined) => (f?.selectionSet ? print(f.selectionSet) : '');

  const query = [
    `query StormEventPage(${['$stormConversationId: ID!', '$stormAfter: Int!', '$stormLimit: Int!', ...pageDefs.map((d) => print(d))].join(', ')}) {`,
    `  conversation(id: $stormConversationId) {`,
    `    lastSeq`,
    `    messages(after: $stormAfter, limit: $stormLimit) { ${SEQ_ALIAS}: seq ${messageField ? print(messageField.selectionSet!).slice(1, -1) : ''} }`,
    `  }`,
    `}`,
    ...printFragments(pageFragments),
  ].join('\n');

  const resolvedKeys: Array<[string, ResolvedEventField]> = [...resolved.entries()].map(([name, f]) => [f.alias?.value ?? name, name]);
  // Declare only the variables the selected fields use: GraphQL rejects unused ones.
  const eventVars = { message: ['$stormMessageId: ID!', '$stormWithMessage: Boolean!'], user: ['$stormUserId: ID!', '$stormWithUser: Boolean!'], conversation: ['$stormConversationId: ID!', '$stormWithConversation: Boolean!'] };
  const eventQuery = resolved.size
    ? [
        `query StormEvent(${[...resolvedKeys.flatMap(([, name]) => eventVars[name]), ...eventDefs.map((d) => print(d))].join(', ')}) {`,
        ...resolvedKeys.map(([key, name]) => {
          const idVar = name === 'message' ? '$stormMessageId' : name === 'user' ? '$stormUserId' : '$stormConversationId';
          const flag = name === 'message' ? '$stormWithMessage' : name === 'user' ? '$stormWithUser' : '$stormWithConversation';
          return `  ${key}: ${RESOLVED_EVENT_FIELDS[name]}(id: ${idVar}) @include(if: ${flag}) ${sub(resolved.get(name))}`;
        }),
        `}`,
        ...printFragments(eventFragments),
      ].join('\n')
    : undefined;

  return {
    responseKey: field.alias?.value ?? field.name.value,
    local,
    messageKey: messageField ? (messageField.alias?.value ?? 'message') : undefined,
    query,
    eventQuery,
    resolvedKeys,
    variables: usedVariables,
  };
}

/** A presenceChanged subscription: every field is filled by the router from the bus event. */
export interface PresencePlan {
  field: SubscriptionField.PresenceChanged;
  responseKey: string;
  userIds: string[];
  /** [response key, field name] in selection order. */
  local: Array<[string, string]>;
}

function planPresence(document: DocumentNode, variables: Record<string, unknown>, field: FieldNode): PresencePlan {
  const raw = argumentReader(field, variables)('userIds');
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > PRESENCE_WATCH_LIMIT) {
    throw badInput(`userIds takes 1 to ${PRESENCE_WATCH_LIMIT} ids`, 'userIds');
  }
  if (!raw.every(idShaped)) throw badInput('userIds holds a malformed id', 'userIds');
  const byName = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const local: Array<[string, string]> = [];
  const walk = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) local.push([s.alias?.value ?? s.name.value, s.name.value]);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections);
      else {
        const fragment = byName.get(s.name.value);
        if (fragment) walk(fragment.selectionSet.selections);
      }
    }
  };
  walk(field.selectionSet!.selections);
  return { field: SubscriptionField.PresenceChanged, responseKey: field.alias?.value ?? field.name.value, userIds: [...new Set(raw as string[])], local };
}

/** A notificationAdded subscription: the caller's newest notifications page, with their selection. */
export interface NotificationsPlan {
  field: SubscriptionField.NotificationAdded;
  responseKey: string;
  /** Variables: stormLimit + `variables`; each notification carries _stormId and _stormReadAt. */
  query: string;
  variables: Record<string, unknown>;
}

export const NOTIFICATION_ID_ALIAS = '_stormId';
export const NOTIFICATION_READ_ALIAS = '_stormReadAt';

function planNotifications(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, field: FieldNode): NotificationsPlan {
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const used = new Set<string>();
  for (const node of [field.selectionSet!, ...fragments]) visit(node, { Variable: (v) => void used.add(v.name.value) });
  const varDefs = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const usedVariables: Record<string, unknown> = {};
  for (const d of varDefs) if (d.variable.name.value in variables) usedVariables[d.variable.name.value] = variables[d.variable.name.value];
  const query = [
    `query StormNotifications(${['$stormLimit: Int!', ...varDefs.map((d) => print(d))].join(', ')}) {`,
    `  notifications(limit: $stormLimit) { notifications { ${NOTIFICATION_ID_ALIAS}: id ${NOTIFICATION_READ_ALIAS}: readAt ${print(field.selectionSet!).slice(1, -1)} } }`,
    `}`,
    ...fragments.map((f) => print(f)),
  ].join('\n');
  return { field: SubscriptionField.NotificationAdded, responseKey: field.alias?.value ?? field.name.value, query, variables: usedVariables };
}
