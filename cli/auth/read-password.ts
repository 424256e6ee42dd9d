/** A terminal input stream, as far as the password prompt needs one. */
export interface PromptInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Reads a whole stream, for `--password-stdin`; one trailing newline is dropped. */
export async function readAll(input: AsyncIterable<unknown>): Promise<string> {
  let text = "";
  for await (const chunk of input) text += Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
  return text.replace(/\r?\n$/, "");
}

/** Prompts on a terminal without echoing what is typed; Ctrl-C aborts. */
export function promptHidden(
  input: PromptInput,
  write: (text: string) => void,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    write(prompt);
    let value = "";
    input.setRawMode?.(true);
    input.resume();
    const done = (error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener("data", onData);
      write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on("data", onData);
  });
}
