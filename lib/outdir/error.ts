/**
 * A problem with where output goes (not with the spec): reported as one
 * `error: <where>: <what is wrong and what would be right>` line, exit code 2.
 */
export class OutputError extends Error {
  constructor(
    /** What named the location: `EGRESS_OUTDIR`, `--output`, `backend.path`, ... */
    readonly where: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Node's error code (`EACCES`, `EROFS`, ...) with its meaning, for one-line messages. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const meanings: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    ENOTDIR: 'a part of the path is not a directory',
    ENOENT: 'no such file or directory',
    EDQUOT: 'disk quota exceeded',
  };
  if (err && typeof err.code === 'string') return meanings[err.code] ? `${err.code} (${meanings[err.code]})` : err.code;
  return String(e);
}
