import { existsSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

/** A relative link in a Markdown file that does not resolve: a missing file or a missing anchor. */
export interface BrokenLink {
  readonly file: string;
  readonly target: string;
  readonly why: string;
}

/** The lines of `markdown` outside fenced code blocks (the fence lines dropped too). */
function linesOutsideFences(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker?.startsWith(fence)) fence = undefined;
    else if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** The text of `markdown` outside code blocks, HTML comments and inline code spans: links there are not links. */
function proseOf(markdown: string): string {
  return linesOutsideFences(markdown).join('\n').replace(/<!--[\s\S]*?-->/g, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** Link targets of inline links (`[text](target "title")`) and reference definitions (`[label]: target`). */
export function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
  return [...inline, ...references];
}

/** The anchors GitHub gives the headings of `markdown`: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of linesOutsideFences(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every relative link of `file` (under `root`) that names a missing file or a heading its Markdown target lacks. */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const source = readFileSync(join(root, file), 'utf8');
  const broken: BrokenLink[] = [];
  for (const target of linkTargets(source)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = pathPart === '' ? join(root, file) : resolve(root, dirname(file), decodeURIComponent(pathPart));
    const shown = relative(root, resolved);
    if (shown.startsWith('..')) broken.push({ file, target, why: 'points outside the repository' });
    else if (!existsSync(resolved)) broken.push({ file, target, why: `${shown} does not exist` });
    else if (anchor !== undefined) {
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) broken.push({ file, target, why: `an anchor on ${shown}, which is not a Markdown file` });
      else if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push({ file, target, why: `${shown} has no heading with anchor #${anchor}` });
    }
  }
  return broken;
}

/** The repository paths (relative to `root`) that `file` links to, anchors dropped. */
export function linkedPaths(root: string, file: string): Set<string> {
  const source = readFileSync(join(root, file), 'utf8');
  return new Set(
    linkTargets(source)
      .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
      .map((t) => relative(root, resolve(root, dirname(file), decodeURIComponent(t.split('#')[0])))),
  );
}
