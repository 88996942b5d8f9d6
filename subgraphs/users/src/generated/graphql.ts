import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { User as UserModel } from '../generated/prisma/client.js';
import type { UsersContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: any; output: any; }
};

/**
 * Issued by register, login and refreshToken. The access token is a short-lived
 * JWT for `Authorization: Bearer`; the refresh token is opaque, single-use, and
 * exchanged for a new pair by `refreshToken`.
 */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  accessToken: Scalars['String']['output'];
  /** When the access token expires; refresh before then. */
  accessTokenExpiresAt: Scalars['DateTime']['output'];
  refreshToken: Scalars['String']['output'];
  /** When the refresh token expires if unused. */
  refreshTokenExpiresAt: Scalars['DateTime']['output'];
  user: User;
};

export type ChangePasswordInput = {
  currentPassword: Scalars['String']['input'];
  /** 10–256 characters, not the current one. */
  newPassword: Scalars['String']['input'];
};

export type LoginInput = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};

/**
 * An uploaded file, owned and resolved by the media service; this subgraph
 * only holds the ids users chose as avatars.
 */
export type Media = {
  __typename?: 'Media';
  id: Scalars['ID']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Changes the signed-in caller's password (Authorization: Bearer). A wrong
   * `currentPassword` is BAD_USER_INPUT (field `currentPassword`), counted and
   * throttled with the account's failed logins (RATE_LIMITED with `retryAfter`);
   * a `newPassword` outside 10–256 characters or equal to the current one is
   * BAD_USER_INPUT (field `newPassword`); nothing changes then. On success every
   * refresh token of the account is revoked, so every other device must sign in
   * again, and a new pair for this device is returned. Access tokens already
   * issued stay valid until they expire (JWT_ACCESS_TTL_SECONDS). An anonymous
   * caller is UNAUTHENTICATED.
   */
  changePassword: AuthPayload;
  /**
   * Not in the public API (@inaccessible: the router never routes it): the media
   * subgraph calls it, as the owner, when they delete a media, so that no profile
   * points at a file that is gone. Unsets the caller's avatar if it is `mediaId`;
   * true when it was.
   */
  forgetAvatar: Scalars['Boolean']['output'];
  /**
   * Signs in. A wrong email or password is UNAUTHENTICATED "Invalid email or
   * password". Failures are counted per account and per client address, each
   * field of a document separately: after a few, attempts must wait a doubling
   * delay, then stop for the window; meanwhile RATE_LIMITED with `retryAfter`
   * (seconds), whether or not the password is right.
   */
  login: AuthPayload;
  /** Revokes every refresh token of the presented token's login. Always true, even for an unknown token. */
  logout: Scalars['Boolean']['output'];
  /**
   * Exchanges a refresh token for a new pair. The presented token stops working;
   * presenting it again revokes every refresh token of that login.
   */
  refreshToken: AuthPayload;
  /**
   * Creates an account and signs it in. Errors: BAD_USER_INPUT (with `field`),
   * CONFLICT (field `handle` or `email`), RATE_LIMITED (too many registrations
   * from this address; `retryAfter` seconds).
   */
  register: AuthPayload;
  /**
   * Marks the caller away (idle) or back. Lasts while the caller has a live
   * connection; a new session after going offline starts ONLINE. Returns the
   * caller, whose `presence` shows the result. Errors: UNAUTHENTICATED.
   */
  setAway: User;
  /**
   * Updates the caller's profile; nothing is written unless all of it is valid.
   * Errors: UNAUTHENTICATED, BAD_USER_INPUT (with `field`), UNAVAILABLE (a new
   * avatar cannot be checked while the media service is down).
   */
  updateProfile: User;
};


export type MutationChangePasswordArgs = {
  input: ChangePasswordInput;
};


export type MutationForgetAvatarArgs = {
  mediaId: Scalars['ID']['input'];
};


export type MutationLoginArgs = {
  input: LoginInput;
};


export type MutationLogoutArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationSetAwayArgs = {
  away: Scalars['Boolean']['input'];
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

/** Whether a user is around, derived from their live connections to the router. */
export type Presence = {
  __typename?: 'Presence';
  /** The last time any connection of the user was heard from; null if never (or not in the last 30 days). */
  lastSeenAt?: Maybe<Scalars['DateTime']['output']>;
  status: PresenceStatus;
};

/** A user's presence changed (the `presenceChanged` subscription). */
export type PresenceEvent = {
  __typename?: 'PresenceEvent';
  /** When the change happened (the last-seen time when going OFFLINE). */
  at: Scalars['DateTime']['output'];
  status: PresenceStatus;
  userId: Scalars['ID']['output'];
};

export type PresenceStatus =
  /** Connected, but the user is away (idle). */
  | 'AWAY'
  /** No live connection. */
  | 'OFFLINE'
  /** At least one live connection. */
  | 'ONLINE';

export type Query = {
  __typename?: 'Query';
  /** The caller, or null for an anonymous caller. */
  me?: Maybe<User>;
  /** A user by id, or null when there is none. Requires an authenticated caller. */
  user?: Maybe<User>;
  /**
   * Users whose handle starts with `handlePrefix` (1–32 characters of
   * [a-z0-9_], case-insensitive), ordered by handle. `limit` 1–50. Requires an
   * authenticated caller. Errors: BAD_USER_INPUT (field `handlePrefix` or `limit`).
   */
  users: Array<User>;
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  handlePrefix: Scalars['String']['input'];
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type RegisterInput = {
  /** 1–64 characters after trimming; defaults to the handle. */
  displayName?: InputMaybe<Scalars['String']['input']>;
  /** Stored lowercased, unique. */
  email: Scalars['String']['input'];
  /** 3–32 characters of [a-z0-9_], unique. */
  handle: Scalars['String']['input'];
  /** 10–256 characters. */
  password: Scalars['String']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Executed by the router (not by this subgraph): live presence of up to 200
   * users, as their connections open and close. Ephemeral: not replayed, and
   * dropped first when the caller's socket backs up; read `User.presence` for the
   * current state when (re)subscribing. Going OFFLINE because a crashed router's
   * connections expired is announced too, by the routers' presence sweep: one to
   * two sweep intervals (PRESENCE_SWEEP_MS, 5 s by default) after the expiry.
   */
  presenceChanged: PresenceEvent;
};


export type SubscriptionPresenceChangedArgs = {
  userIds: Array<Scalars['ID']['input']>;
};

/**
 * Changes to the caller's profile. An omitted field is left as it is; null
 * clears `statusText` and `avatarMediaId`.
 */
export type UpdateProfileInput = {
  /**
   * The id (a UUID) of a Media to show as the avatar; null clears it. It must
   * be an image the caller uploaded (PNG, JPEG, GIF, WebP or AVIF): anything
   * else, or an id the caller cannot see, is BAD_USER_INPUT.
   */
  avatarMediaId?: InputMaybe<Scalars['ID']['input']>;
  /** 1–64 characters after trimming, no control characters. Cannot be null. */
  displayName?: InputMaybe<Scalars['String']['input']>;
  /** At most 140 characters after trimming, one line; empty or null clears it. */
  statusText?: InputMaybe<Scalars['String']['input']>;
};

/**
 * A person with an account. Other subgraphs reference users by id (e.g.
 * `Message.author`); this subgraph resolves the fields.
 */
export type User = {
  __typename?: 'User';
  /** The profile picture, a Media of the media service; null when unset. The same for every signed-in viewer (media shows an avatar to anyone signed in), so not `@viewer`. */
  avatar?: Maybe<Media>;
  /** 1–64 characters; defaults to the handle. */
  displayName: Scalars['String']['output'];
  /** Unique, 3–32 characters of [a-z0-9_]. */
  handle: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Online, away or offline, with last-seen. Requires an authenticated caller. */
  presence: Presence;
  /** At most 140 characters, one line; null when unset. */
  statusText?: Maybe<Scalars['String']['output']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AuthPayload: ResolverTypeWrapper<Omit<AuthPayload, 'user'> & { user: ResolversTypes['User'] }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ChangePasswordInput: ChangePasswordInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  LoginInput: LoginInput;
  Media: ResolverTypeWrapper<Media>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Presence: ResolverTypeWrapper<Presence>;
  PresenceEvent: ResolverTypeWrapper<PresenceEvent>;
  PresenceStatus: PresenceStatus;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  RegisterInput: RegisterInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateProfileInput: UpdateProfileInput;
  User: ResolverTypeWrapper<UserModel>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AuthPayload: Omit<AuthPayload, 'user'> & { user: ResolversParentTypes['User'] };
  String: Scalars['String']['output'];
  ChangePasswordInput: ChangePasswordInput;
  DateTime: Scalars['DateTime']['output'];
  LoginInput: LoginInput;
  Media: Media;
  ID: Scalars['ID']['output'];
  Mutation: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  Presence: Presence;
  PresenceEvent: PresenceEvent;
  Query: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  RegisterInput: RegisterInput;
  Subscription: Record<PropertyKey, never>;
  UpdateProfileInput: UpdateProfileInput;
  User: UserModel;
}>;

export type ViewerDirectiveArgs = { };

export type ViewerDirectiveResolver<Result, Parent, ContextType = UsersContext, Args = ViewerDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AuthPayloadResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = ResolversObject<{
  accessToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  accessTokenExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  refreshToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  refreshTokenExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MediaResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['Media'] = ResolversParentTypes['Media']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  changePassword?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationChangePasswordArgs, 'input'>>;
  forgetAvatar?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationForgetAvatarArgs, 'mediaId'>>;
  login?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'input'>>;
  logout?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationLogoutArgs, 'refreshToken'>>;
  refreshToken?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationRefreshTokenArgs, 'refreshToken'>>;
  register?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationRegisterArgs, 'input'>>;
  setAway?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSetAwayArgs, 'away'>>;
  updateProfile?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationUpdateProfileArgs, 'input'>>;
}>;

export type PresenceResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['Presence'] = ResolversParentTypes['Presence']> = ResolversObject<{
  lastSeenAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['PresenceStatus'], ParentType, ContextType>;
}>;

export type PresenceEventResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['PresenceEvent'] = ResolversParentTypes['PresenceEvent']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['PresenceStatus'], ParentType, ContextType>;
  userId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'id'>>;
  users?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUsersArgs, 'handlePrefix' | 'limit'>>;
}>;

export type SubscriptionResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  presenceChanged?: SubscriptionResolver<ResolversTypes['PresenceEvent'], "presenceChanged", ParentType, ContextType, RequireFields<SubscriptionPresenceChangedArgs, 'userIds'>>;
}>;

export type UserResolvers<ContextType = UsersContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  avatar?: Resolver<Maybe<ResolversTypes['Media']>, ParentType, ContextType>;
  displayName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  handle?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  presence?: Resolver<ResolversTypes['Presence'], ParentType, ContextType>;
  statusText?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = UsersContext> = ResolversObject<{
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Media?: MediaResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Presence?: PresenceResolvers<ContextType>;
  PresenceEvent?: PresenceEventResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = UsersContext> = ResolversObject<{
  viewer?: ViewerDirectiveResolver<any, any, ContextType>;
}>;
