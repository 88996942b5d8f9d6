/**
 * Wraps every root Mutation resolver of `resolvers` so that `refresh(ctx)`
 * runs first. Subgraphs batch and cache reads per request in loaders, and the
 * mutation fields of one operation run one after the other, so without it
 * `markRead { unreadCount } markUnread { unreadCount }` in one document would
 * answer the second from what the first had read. `refresh` must replace the
 * loaders on the context object it is given: that is the one the resolvers
 * receive (Apollo Server may hand them a copy of the one the context function
 * built).
 */
export function freshPerMutation<R extends object, C>(resolvers: R, refresh: (ctx: C) => void): R {
  const mutation = (resolvers as { Mutation?: Record<string, unknown> }).Mutation;
  if (!mutation) return resolvers;
  const wrapped: Record<string, unknown> = {};
  for (const [name, resolve] of Object.entries(mutation)) {
    wrapped[name] =
      typeof resolve === 'function'
        ? (root: unknown, args: unknown, ctx: C, info: unknown) => {
            refresh(ctx);
            return (resolve as (root: unknown, args: unknown, ctx: C, info: unknown) => unknown)(root, args, ctx, info);
          }
        : resolve;
  }
  return { ...resolvers, Mutation: wrapped };
}
