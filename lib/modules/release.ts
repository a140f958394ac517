import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The release the modules belong to. package.json's `version` is the one place that holds it;
 * a release is tagged `v<version>`, and CHANGELOG.md has a section per version.
 */
export interface Release {
  readonly version: string;
  /** `git::https://host/owner/repo.git`, from package.json `repository.url`. */
  readonly gitSource: string;
}

export function currentRelease(packageJson = join(__dirname, '..', '..', 'package.json')): Release {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string; repository?: { url?: string } | string };
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (!pkg.version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(pkg.version)) throw new Error(`package.json: version ${JSON.stringify(pkg.version)} is not a semantic version such as 0.1.0`);
  if (!url) throw new Error('package.json: repository.url is missing; module READMEs pin their git:: source to it');
  return { version: pkg.version, gitSource: `git::${url.replace(/^git\+/, '')}` };
}

/** `git::https://.../repo.git//modules/<name>?ref=v<version>`: what a root pins to use a release of a module. */
export function pinnedSource(release: Release, module: string): string {
  return `${release.gitSource}//modules/${module}?ref=v${release.version}`;
}
