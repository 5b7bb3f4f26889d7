// @drf-graphql-live/client: live lists for drf-graphql-live's `*Changed` subscriptions.
// This entry point has no client library in it (the live board page uses it with the
// graphql-ws client alone); `/apollo`, `/react` and `/urql` add Apollo Client, its React
// hook and urql (Graphcache or plain @urql/core). See README.md.

export {
  LiveList,
  applyEvent,
  applyToData,
  compareByOrdering,
  compareValues,
  isPage,
  parseOrdering,
  rowsOf,
} from "./list.js";
export {
  RESUME_EXPIRED,
  defaultRetryWait,
  defaultShouldRetry,
  isResumeExpired,
  liveSubscription,
} from "./live.js";
export { fromGraphQLSse, fromGraphQLWs, sourceOf } from "./transports.js";
