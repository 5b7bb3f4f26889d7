// The JSON-lines protocol of keeper.mjs, for the README harnesses (readme-*.tsx):
// {"type":"ready"}, then `list` -> {"type":"list","data":{count, rows}}, `exit`.
export function emit(type, data) {
  process.stdout.write(JSON.stringify(data === undefined ? { type } : { type, data }) + "\n");
}

export function serve({ read, stop = () => {} }) {
  emit("ready");
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", async (chunk) => {
    input += chunk;
    let newline;
    while ((newline = input.indexOf("\n")) >= 0) {
      const command = input.slice(0, newline).trim();
      input = input.slice(newline + 1);
      if (command === "list") emit("list", read());
      else if (command === "exit") {
        await stop();
        emit("done");
        process.exit(0);
      }
    }
  });
}

/** Rows without __typename, as the tests compare them. */
export const plain = (value) =>
  JSON.parse(JSON.stringify(value, (key, item) => (key === "__typename" ? undefined : item)));

/** Quick reconnects for the tests: 100 ms, 200 ms, ... at most 1 s. */
export const quickRetry = (retries) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** retries, 1000)));
