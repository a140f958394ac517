import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentRelease, pinnedSource } from '../../lib/modules/release';
import { ROOT } from '../helpers/synth';
import { moduleJson } from './module-json';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string };

describe('releases of the modules', () => {
  it('GIVEN package.json THEN its version is the one the module READMEs pin, as git::...//modules/<name>?ref=v<version>', () => {
    for (const name of ['nat-instance', 'multi-vpc-nat', 'vpc-endpoints', 'egress-vpc']) {
      const pinned = `source = "git::https://github.com/cdktf-egress/cdktf-egress.git//modules/${name}?ref=v${pkg.version}"`;
      expect(moduleJson(name).readme).toContain(pinned);
    }
  });

  it('GIVEN another version in package.json THEN the pinned source follows it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-release-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.2.3', repository: { url: 'git+https://example.com/o/r.git' } }));
    expect(pinnedSource(currentRelease(join(dir, 'package.json')), 'nat-instance')).toBe('git::https://example.com/o/r.git//modules/nat-instance?ref=v1.2.3');
  });

  it('GIVEN a version that is not semantic or no repository THEN a one-line error naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-release-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: 'latest', repository: 'https://example.com/o/r.git' }));
    expect(() => currentRelease(join(dir, 'package.json'))).toThrow('package.json: version "latest" is not a semantic version such as 0.1.0');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    expect(() => currentRelease(join(dir, 'package.json'))).toThrow(/repository\.url is missing/);
  });

  it('GIVEN CHANGELOG.md THEN it has a section for the current version and an Unreleased one', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\]`, 'm'));
  });

  it('GIVEN LICENSE THEN it is the Apache License 2.0 that package.json declares', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});
