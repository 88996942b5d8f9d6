// Profile, user search and presence operations of the end-to-end tests,
// typed by codegen's client preset (`npm run codegen` → tests/generated).
import { graphql } from '../generated/index.js';

export const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) { id displayName statusText avatar { id } }
  }
`);

export const SearchUsers = graphql(`
  query SearchUsers($prefix: String!, $limit: Int) {
    users(handlePrefix: $prefix, limit: $limit) { id handle displayName statusText }
  }
`);

export const UserProfile = graphql(`
  query UserProfile($id: ID!) {
    user(id: $id) { id displayName statusText avatar { id } presence { status lastSeenAt } }
  }
`);

export const MembersProfiles = graphql(`
  mutation MembersProfiles($input: CreateConversationInput!) {
    createConversation(input: $input) { id members { id statusText presence { status } } }
  }
`);
