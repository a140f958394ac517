export const REGENERATE = 'npm run modules';

/** The comment every generated file starts with. */
export function generatedHeader(): string {
  return `Generated from lib/modules by \`${REGENERATE}\`; do not edit. Change the TypeScript and regenerate (\`${REGENERATE} -- --check\` finds stale files).`;
}
