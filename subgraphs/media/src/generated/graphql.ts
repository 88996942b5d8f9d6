import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Media as MediaRow } from './prisma/client.js';
import type { MessageRef } from '../modules/media/media.service.js';
import type { MediaContext } from '../context.js';
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
  /** An instant in time, serialised as an ISO 8601 string in UTC (e.g. 2025-01-01T12:00:00.000Z). */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: any; output: any; }
};

/**
 * Metadata of an uploaded file. Visible to its owner; to any signed-in user when
 * it is its owner's avatar (`User.avatar`); to the members of a conversation
 * when it is attached to a message there that is not deleted (deleting the
 * message hides it from everyone but its owner). To anyone else it does not
 * exist (NOT_FOUND, like an unknown id).
 */
export type Media = {
  __typename?: 'Media';
  /** MIME type declared at upload and checked against the bytes, e.g. image/png (docs/media.md lists the accepted ones). */
  contentType: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The file's name as uploaded (`POST /media?filename=…`), without any folder; null when none was given. Downloads are saved under it. */
  filename?: Maybe<Scalars['String']['output']>;
  /** Height in pixels, as `width`. */
  height?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  /** Who uploaded it: whoever may see the media may see who owns it (an avatar's user, an attachment's author). */
  owner: User;
  /** Size in bytes. */
  size: Scalars['Int']['output'];
  /**
   * A signed link like `url` (same permission, same lifetime) to a preview of an
   * image: WebP, fitting in 400 × 400 pixels (never larger than the image), turned
   * by its EXIF orientation, without any metadata. Made at upload. Null for files
   * that are not images, and for images that could not be decoded or have more
   * than 50 million pixels.
   */
  thumbnailUrl?: Maybe<Scalars['String']['output']>;
  /**
   * Where to download the bytes: a path relative to the public endpoint's origin,
   * `/media/<id>?exp=…&sig=…`. It is a signed link: whoever holds it may
   * download with a plain GET (an `<img src>` works, no Authorization header),
   * until it expires, one to two hours after it was handed out; the link stays the
   * same within each hour, so caches keep working. After that, ask for `url`
   * again. Clients should treat it as an opaque URL. Uploads: `POST /media`
   * (docs/media.md).
   */
  url: Scalars['String']['output'];
  /**
   * Width in pixels, as displayed (a JPEG's EXIF orientation applied), read from
   * an image's header at upload, so a client can lay the picture out before it
   * loads. Null for files that are not images, and for an image whose header is
   * not within its first 256 KiB or not readable.
   */
  width?: Maybe<Scalars['Int']['output']>;
};

/** A page of the caller's files (`uploads`). */
export type MediaPage = {
  __typename?: 'MediaPage';
  /** Newest first. */
  media: Array<Media>;
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor?: Maybe<Scalars['String']['output']>;
};

/**
 * What the caller's files take of their storage quota. An upload that does not fit
 * what is left is refused (413 PAYLOAD_TOO_LARGE with `reason: "QUOTA"`,
 * docs/media.md); deleting files (`deleteMedia`) frees their bytes at once.
 */
export type MediaUsage = {
  __typename?: 'MediaUsage';
  /** Files the caller has uploaded and not deleted. */
  files: Scalars['Int']['output'];
  /** The most the caller's files may take (MEDIA_QUOTA_BYTES); null when there is no quota. */
  quotaBytes?: Maybe<Scalars['Float']['output']>;
  /** Bytes those files take: a whole number (a Float only because GraphQL's Int stops at 2,147,483,647). */
  usedBytes: Scalars['Float']['output'];
};

export type Message = {
  __typename?: 'Message';
  /**
   * The media attached to this message, in the order attached; visible to the
   * conversation's members (empty for anyone else). Empty once the message is
   * deleted, like its reactions and mentions.
   */
  attachments: Array<Media>;
  /** Owned by the conversations service; media needs it to hide a deleted message's attachments. */
  deletedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Attaches the caller's own media (1 to 10 ids; a message holds at most 10)
   * to a message the caller wrote; already attached ones stay where they are.
   * A message of a conversation the caller is not in is NOT_FOUND, someone
   * else's message FORBIDDEN, a deleted message CONFLICT, media that is not
   * the caller's NOT_FOUND.
   * Malformed ids and too many are BAD_USER_INPUT (field `messageId` or
   * `mediaIds`). Nothing is attached unless all of it is.
   * Once attached, members subscribed to `conversationEvents` get a
   * MESSAGE_EDITED event for the message (its `editedAt` unchanged), on every
   * call. UNAVAILABLE after the attachments committed means they could not be
   * told: call again (nothing is attached twice, and they are told then).
   */
  attachMedia: Message;
  /**
   * Not in the public API (@inaccessible: the router never routes it): the
   * conversations subgraph calls it, as the sender, for
   * `sendMessage(input: { attachmentIds })`, BEFORE it writes the message with
   * id `messageId` in `conversationId`, so the message's first delivery already
   * shows its files. Media that is not the caller's is NOT_FOUND; malformed or
   * too many ids BAD_USER_INPUT; a message id that already has attachments
   * CONFLICT. If the send then fails, the rows point at a message that never
   * exists and show nothing to anyone. Returns true.
   */
  attachToNewMessage: Scalars['Boolean']['output'];
  /**
   * Deletes the caller's own media: first the caller's avatar, if it is this
   * media, is unset (asked of the users subgraph); then the media and its
   * attachments (the messages show it no more, and members following
   * `conversationEvents` get MESSAGE_EDITED for each), then its file (its links
   * answer NOT_FOUND). Media that is not the caller's, or unknown, is NOT_FOUND;
   * a malformed id BAD_USER_INPUT (field `id`). UNAVAILABLE when the users
   * subgraph cannot be told: nothing is deleted then. Returns the id.
   */
  deleteMedia: Scalars['ID']['output'];
  /**
   * Not in the public API (@inaccessible): the conversations subgraph calls it,
   * as the sender, when a send it attached files for was refused (or answered
   * with an earlier message of the same clientMsgId), so the message with id
   * `messageId` is never written: the caller's attachment rows under that id go.
   * Returns how many.
   */
  releaseNewMessage: Scalars['Int']['output'];
};


export type MutationAttachMediaArgs = {
  mediaIds: Array<Scalars['ID']['input']>;
  messageId: Scalars['ID']['input'];
};


export type MutationAttachToNewMessageArgs = {
  conversationId: Scalars['ID']['input'];
  mediaIds: Array<Scalars['ID']['input']>;
  messageId: Scalars['ID']['input'];
};


export type MutationDeleteMediaArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReleaseNewMessageArgs = {
  messageId: Scalars['ID']['input'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * The media with this id, if the caller may see it (see `Media`). Media the
   * caller may not see and unknown ids are NOT_FOUND (the two are
   * indistinguishable); a malformed id is BAD_USER_INPUT (field `id`); an
   * anonymous caller is UNAUTHENTICATED.
   */
  media?: Maybe<Media>;
  /** How much of their quota the caller's files take. An anonymous caller is UNAUTHENTICATED. */
  mediaUsage: MediaUsage;
  /**
   * The caller's own files, newest first, attached to messages or not: what counts
   * against their quota (`mediaUsage`), and what `deleteMedia` can free. `limit`
   * 1..100; `after` is a `nextCursor` (anything else is BAD_USER_INPUT, field
   * `after`). An anonymous caller is UNAUTHENTICATED.
   */
  uploads: MediaPage;
};


export type QueryMediaArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUploadsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
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
  Media: Media;
  Message: Message;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Media:
    ( { __typename: 'Media' }
    & GraphQLRecursivePick<FederationTypes['Media'], {"id":true}> );
  Message:
    ( { __typename: 'Message' }
    & GraphQLRecursivePick<FederationTypes['Message'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Message'], {"deletedAt":true}> ) );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Media: ResolverTypeWrapper<MediaRow>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  MediaPage: ResolverTypeWrapper<Omit<MediaPage, 'media'> & { media: Array<ResolversTypes['Media']> }>;
  MediaUsage: ResolverTypeWrapper<MediaUsage>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Message: ResolverTypeWrapper<MessageRef>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<User>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  DateTime: Scalars['DateTime']['output'];
  Media: MediaRow;
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  ID: Scalars['ID']['output'];
  MediaPage: Omit<MediaPage, 'media'> & { media: Array<ResolversParentTypes['Media']> };
  MediaUsage: MediaUsage;
  Float: Scalars['Float']['output'];
  Message: MessageRef;
  Mutation: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  User: User;
}>;

export type ViewerDirectiveArgs = { };

export type ViewerDirectiveResolver<Result, Parent, ContextType = MediaContext, Args = ViewerDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MediaResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['Media'] = ResolversParentTypes['Media'], FederationReferenceType extends FederationReferenceTypes['Media'] = FederationReferenceTypes['Media']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Media']> | FederationReferenceType, FederationReferenceType, ContextType>;
  contentType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  filename?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  height?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  size?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  thumbnailUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  width?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type MediaPageResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['MediaPage'] = ResolversParentTypes['MediaPage']> = ResolversObject<{
  media?: Resolver<Array<ResolversTypes['Media']>, ParentType, ContextType>;
  nextCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type MediaUsageResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['MediaUsage'] = ResolversParentTypes['MediaUsage']> = ResolversObject<{
  files?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  quotaBytes?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  usedBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type MessageResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['Message'] = ResolversParentTypes['Message'], FederationReferenceType extends FederationReferenceTypes['Message'] = FederationReferenceTypes['Message']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Message']> | FederationReferenceType, FederationReferenceType, ContextType>;
  attachments?: Resolver<Array<ResolversTypes['Media']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  attachMedia?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationAttachMediaArgs, 'mediaIds' | 'messageId'>>;
  attachToNewMessage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationAttachToNewMessageArgs, 'conversationId' | 'mediaIds' | 'messageId'>>;
  deleteMedia?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteMediaArgs, 'id'>>;
  releaseNewMessage?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationReleaseNewMessageArgs, 'messageId'>>;
}>;

export type QueryResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  media?: Resolver<Maybe<ResolversTypes['Media']>, ParentType, ContextType, RequireFields<QueryMediaArgs, 'id'>>;
  mediaUsage?: Resolver<ResolversTypes['MediaUsage'], ParentType, ContextType>;
  uploads?: Resolver<ResolversTypes['MediaPage'], ParentType, ContextType, RequireFields<QueryUploadsArgs, 'limit'>>;
}>;

export type UserResolvers<ContextType = MediaContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = MediaContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  Media?: MediaResolvers<ContextType>;
  MediaPage?: MediaPageResolvers<ContextType>;
  MediaUsage?: MediaUsageResolvers<ContextType>;
  Message?: MessageResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = MediaContext> = ResolversObject<{
  viewer?: ViewerDirectiveResolver<any, any, ContextType>;
}>;
