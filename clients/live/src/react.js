// React: `useLiveList` = Apollo's `useQuery` for a list, kept live by liveList().
//
//   const { data, loading, error } = useLiveList(TasksDocument, {
//     subscription: TasksChangedDocument,
//     variables: { status: "todo" },
//   });
//
// The list is read with useQuery (same result, same cache); while the component is
// mounted, liveList() keeps it current and resumes with `after:` across reconnects and
// remounts. Its options (`ordering`, `wsClient`, `field`, `compare`, ...) are liveList()'s;
// `skip` and `client` are useQuery's. A subscription error shows in `error`.

import { useApolloClient, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

import { liveList } from "./apollo.js";

export function useLiveList(query, options = {}) {
  const { subscription, variables, skip = false, client: given, ...live } = options;
  const client = useApolloClient(given);
  const result = useQuery(query, { variables, skip, client });
  const [liveError, setLiveError] = useState(undefined);
  const latest = useRef(live);
  latest.current = live;
  const key = JSON.stringify([variables ?? {}, live.ordering ?? null, live.field ?? null]);

  useEffect(() => {
    if (skip) return undefined;
    setLiveError(undefined);
    const handle = liveList(client, {
      ...latest.current,
      query,
      subscription,
      variables,
      onEvent: (event) => latest.current.onEvent?.(event),
      onError: (error) => {
        setLiveError(error);
        latest.current.onError?.(error);
      },
    });
    return () => handle.stop();
    // `variables` is in `key` (a new object each render would resubscribe every time).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, query, subscription, skip, key]);

  return liveError && !result.error ? { ...result, error: liveError } : result;
}
