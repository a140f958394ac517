/**
 * cdktf records where every token was created by capturing a full stack trace into a plain
 * object (`{ stack: '' }`, never an Error) and formatting it at once. The trace only ever
 * appears in the message of a token that fails to resolve, yet capturing and formatting it
 * for every token is about a third of a large synth's time and much of its garbage.
 *
 * `withoutCreationStacks` runs a synth with `Error.captureStackTrace` skipping those plain
 * objects: their `stack` stays empty, so cdktf records no creation stack. Errors (anything
 * `instanceof Error`) are captured as before, and the hook is restored when the synth
 * returns or throws, so every real error keeps its full trace.
 *
 * `EGRESS_CREATION_STACKS=1` keeps cdktf's creation stacks, for debugging a token that
 * does not resolve.
 */
export function withoutCreationStacks<T>(run: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.EGRESS_CREATION_STACKS === '1') return run();
  const original = Error.captureStackTrace;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  function captureErrorStacksOnly(target: object, constructorOpt?: Function): void {
    if (target instanceof Error) original.call(Error, target, constructorOpt ?? captureErrorStacksOnly);
  }
  Error.captureStackTrace = captureErrorStacksOnly;
  try {
    return run();
  } finally {
    Error.captureStackTrace = original;
  }
}
