import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { brokenLinks, headingAnchors, linkedPaths } from './links';

// The README is an introduction that links every page under docs/; these checks keep it so as
// pages are added, renamed or reworded.
const ROOT = join(__dirname, '..', '..');
const PAGES = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`);
const README_MAX_LINES = 250;

describe('README.md and docs/', () => {
  it('GIVEN README.md and every docs page WHEN their relative links are resolved THEN each names an existing file and, for Markdown, an existing heading', () => {
    const broken = ['README.md', ...PAGES].flatMap((file) => brokenLinks(ROOT, file));
    expect(broken).toEqual([]);
  });

  it('GIVEN README.md THEN it is an introduction: under the line limit', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThan(README_MAX_LINES);
  });

  it('GIVEN the docs directory THEN it holds the pages the README promises and README.md links every one of them', () => {
    expect(PAGES.length).toBeGreaterThanOrEqual(11);
    const linked = linkedPaths(ROOT, 'README.md');
    expect(PAGES.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('GIVEN any docs page THEN it stands on its own: one title, a statement of what it covers, and a link back to the README', () => {
    for (const page of PAGES) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      const [title, blank, statement] = text.split('\n');
      expect({ page, title: /^# \S/.test(title), blank, statement: statement.length > 80 }).toEqual({ page, title: true, blank: '', statement: true });
      expect({ page, titles: text.split('\n').filter((line) => /^# /.test(line)).length }).toEqual({ page, titles: 1 });
      expect({ page, back: linkedPaths(ROOT, page).has('README.md') }).toEqual({ page, back: true });
    }
  });
});

describe('the link checker', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'a.md'), '# Page A\n\n## Where state lives\n\n## Where state lives\n\n## `npm run` and [links](x.md)\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (markdown: string) => {
    writeFileSync(join(dir, 'README.md'), markdown);
    return brokenLinks(dir, 'README.md').map((b) => b.target);
  };

  it('GIVEN links to files and headings that exist THEN none is reported, repeated headings numbered as GitHub does', () => {
    expect(check('[a](docs/a.md) [s](docs/a.md#where-state-lives) [s2](docs/a.md#where-state-lives-1) [c](docs/a.md#npm-run-and-links) [d](docs/) [self](#top)\n\n# Top\n')).toEqual([]);
  });

  it('GIVEN a missing file, a missing anchor, an anchor on a directory and a path outside the repository THEN each is reported', () => {
    expect(check('[x](docs/b.md) [y](docs/a.md#nowhere) [z](docs/#a) [w](../elsewhere.md) [v](#missing)\n')).toEqual(['docs/b.md', 'docs/a.md#nowhere', 'docs/#a', '../elsewhere.md', '#missing']);
  });

  it('GIVEN links inside code blocks, inline code and comments, and absolute URLs THEN they are not checked', () => {
    expect(check('```md\n[x](nope.md)\n```\n`[y](nope.md)` <!-- [z](nope.md) --> [w](https://example.com/nope.md) [m](mailto:a@b.c)\n')).toEqual([]);
  });

  it('GIVEN a reference definition to a missing file THEN it is reported', () => {
    expect(check('See [the page][p].\n\n[p]: docs/missing.md\n')).toEqual(['docs/missing.md']);
  });

  it('GIVEN headings with punctuation and code THEN their anchors are those GitHub makes', () => {
    expect([...headingAnchors('# Multi-VPC consolidation: when, and when not\n## The `npm run cost` advisor\n### Schedules: pay only for the hours you use\n')]).toEqual([
      'multi-vpc-consolidation-when-and-when-not', 'the-npm-run-cost-advisor', 'schedules-pay-only-for-the-hours-you-use',
    ]);
  });
});
