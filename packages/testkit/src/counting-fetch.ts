/** A fetch that counts the requests it sends: what a wait costs, in requests, as the server sees it. */
export function countingFetch(): { fetch: typeof globalThis.fetch; count: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      n++;
      return globalThis.fetch(input, init);
    },
    count: () => n,
  };
}
